"""Suggested expectations: GX 1.x-shaped dicts that validate into the quality step's Suite."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.profiling import profile, suggest_expectation_dicts, suggest_expectations
from workbench.profiling.types import REGEXES
from workbench.quality import Suite
from workbench.workspace import Workspace


def by(dicts, type_, column=None):
    return [d for d in dicts if d["type"] == type_ and (column is None or d["kwargs"].get("column") == column)]


def test_orders_suggestions(dataset):
    p = dataset.profiles["orders"]
    dicts = suggest_expectation_dicts(p, dataset.foreign_keys)
    assert by(dicts, "expect_column_values_to_be_unique", "order_id")[0]["severity"] == "critical"
    nn = by(dicts, "expect_column_values_to_not_be_null", "customer_id")[0]
    assert nn["kwargs"]["mostly"] == 0.98 and nn["severity"] == "critical"
    assert by(dicts, "expect_column_values_to_not_be_null", "status")[0]["kwargs"] == {"column": "status"}
    fresh = by(dicts, "expect_column_max_to_be_fresh", "created_at")[0]["kwargs"]
    assert fresh["reference_time"] == "2026-11-01T00:00:00" and fresh["max_age_seconds"] == 86_400
    rows = by(dicts, "expect_table_row_count_to_be_between")[0]["kwargs"]
    assert rows == {"min_value": 1005, "max_value": 4020}
    status = by(dicts, "expect_column_values_to_be_in_set", "status")[0]["kwargs"]
    assert status["value_set"] == ["cancelled", "delivered", "paid", "placed", "shipped"]
    amount = by(dicts, "expect_column_values_to_be_between", "total_amount")[0]["kwargs"]
    assert amount["min_value"] == 0 and amount["max_value"] > p.columns["total_amount"].max
    fk = by(dicts, "expect_column_values_to_be_in_other_table", "customer_id")[0]["kwargs"]
    assert fk == {"column": "customer_id", "other_table_name": "customers", "other_column": "customer_id"}
    assert all(d["layer"] == "source" and d["meta"]["reason"] for d in dicts)
    # priority order of the design guide: uniqueness, not null, freshness, volume, then the rest
    order = [d["type"] for d in dicts]
    assert order.index("expect_column_values_to_be_unique") < order.index("expect_column_values_to_not_be_null") \
        < order.index("expect_column_max_to_be_fresh") < order.index("expect_table_row_count_to_be_between")


def test_regexes_for_types_and_patterns(dataset):
    email = by(suggest_expectation_dicts(dataset.profiles["customers"]), "expect_column_values_to_match_regex", "email")
    assert email[0]["kwargs"]["regex"] == REGEXES["email"]
    sku = by(suggest_expectation_dicts(dataset.profiles["order_items"]), "expect_column_values_to_match_regex")
    assert sku[0]["kwargs"] == {"column": "product_sku", "regex": "^[A-Z]{3}\\-[0-9]{4}$", "mostly": 1.0}


def test_every_sample_suite_validates(dataset):
    for table, p in dataset.profiles.items():
        suite = suggest_expectations(p, dataset.foreign_keys)
        assert isinstance(suite, Suite) and suite.name == f"{table}.suggested"
        assert len(suite.expectations) == len(suggest_expectation_dicts(p, dataset.foreign_keys))
        assert Suite.model_validate_json(suite.model_dump_json()).name == suite.name


values = st.one_of(st.none(), st.integers(-10**6, 10**6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(values, st.one_of(st.none(), st.sampled_from(["a", "b", "c-1", ""]))), max_size=40))
def test_profile_invariants(rows):
    """On any small table: counts add up, min <= quantiles <= max, suggestions always validate."""
    with Workspace() as ws:
        df = pd.DataFrame(rows, columns=["x", "s"]).astype({"x": "Int64", "s": "string"})
        ws.load(df, name="h")
        p = profile(ws, "h")
        x = p.columns["x"]
        present = [r[0] for r in rows if r[0] is not None]
        assert p.row_count == len(rows) and x.null_count == len(rows) - len(present)
        assert x.distinct_count == len(set(present))
        if present:
            assert x.min == min(present) and x.max == max(present)
            assert x.min <= x.quantiles[0.25] <= x.quantiles[0.5] <= x.quantiles[0.75] <= x.max
            assert sum(k for _, k in x.top_values) <= len(present)
            assert x.negative_count == sum(v < 0 for v in present)
        s = p.columns["s"]
        assert s.distinct_count == len({r[1] for r in rows if r[1] is not None})
        suggest_expectations(p)
