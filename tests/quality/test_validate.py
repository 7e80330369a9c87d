"""validate(): exact counts on the sample data, GX semantics, the gate, history, bad input."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import workbench as wb
from workbench.quality import history

EMAIL = r"^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$"


def suite(*items, **kw) -> wb.Suite:
    return wb.Suite(name=kw.pop("name", "t"), expectations=[{"type": t, "kwargs": k} for t, k in items], **kw)


def q(ws, sql):
    return ws.con.execute(sql).fetchone()[0]


def test_planted_defects_are_caught_with_manifest_counts(ws, manifest):
    d = manifest["defects"]
    orders = wb.validate(ws, "orders", suite(
        ("expect_column_values_to_not_be_null", {"column": "customer_id"}),
        ("expect_column_values_to_be_in_other_table",
         {"column": "customer_id", "other_table_name": "customers", "other_column": "customer_id"}),
        ("expect_column_values_to_be_unique", {"column": "order_id"}),
        ("expect_column_values_to_be_between", {"column": "total_amount", "min_value": 0}),
        ("expect_column_values_to_be_between", {"column": "created_at", "max_value": "2026-11-01 00:00:00"}),
    ))
    r = {(x.type, x.kwargs["column"]): x for x in orders.results}
    assert r["expect_column_values_to_not_be_null", "customer_id"].unexpected_count == d["orders_null_customer_id"]
    assert r["expect_column_values_to_be_in_other_table", "customer_id"].unexpected_count == d["orders_orphan_customer_id"]
    unique = r["expect_column_values_to_be_unique", "order_id"]
    assert unique.details["surplus_rows"] == d["orders_duplicate_order_id_rows"]
    # GX semantics: every row of a duplicated group is unexpected
    assert unique.unexpected_count == q(ws, "SELECT count(*) FROM orders WHERE order_id IN "
                                           "(SELECT order_id FROM orders GROUP BY 1 HAVING count(*) > 1)")
    assert r["expect_column_values_to_be_between", "total_amount"].unexpected_count == d["orders_negative_total_amount"]
    assert r["expect_column_values_to_be_between", "created_at"].unexpected_count == d["orders_future_created_at"]
    customers = wb.validate(ws, "customers", suite(("expect_column_values_to_match_regex",
                                                   {"column": "email", "regex": EMAIL})))
    assert customers.results[0].unexpected_count == d["customers_malformed_email"]
    payments = wb.validate(ws, "payments", suite(
        ("expect_column_values_to_be_between", {"column": "amount", "min_value": 0}),
        ("expect_column_values_to_be_in_other_table",
         {"column": "order_id", "other_table_name": "orders", "other_column": "order_id"})))
    assert [x.unexpected_count for x in payments.results] == [d["payments_negative_amount"],
                                                             d["payments_orphan_order_id"]]
    assert not orders.success and not customers.success and not payments.success


def test_result_fields_are_shaped_like_great_expectations(ws):
    v = wb.validate(ws, "orders", suite(("expect_column_values_to_be_between",
                                        {"column": "total_amount", "min_value": 0}),
                                       ("expect_column_values_to_not_be_null", {"column": "customer_id"})),
                    key_columns=["order_id"])
    between = v.result_for("expect_column_values_to_be_between")
    assert between.element_count == 2010 and between.missing_count == 0
    assert between.unexpected_percent == pytest.approx(100 * 8 / 2010)
    assert len(between.partial_unexpected_list) == 8 and all(x < 0 for x in between.partial_unexpected_list)
    assert sum(c["count"] for c in between.partial_unexpected_counts) == 8
    assert set(between.failing_rows[0]) == {"order_id", "total_amount"}
    expected_ids = [r[0] for r in ws.con.execute("SELECT order_id FROM orders WHERE total_amount < 0").fetchall()]
    assert [row["order_id"] for row in between.failing_rows] == expected_ids
    nn = v.result_for("expect_column_values_to_not_be_null")
    assert nn.partial_unexpected_list == [None] * 20 and nn.missing_count is None
    assert nn.unexpected_percent == pytest.approx(100 * 20 / 2010)


def test_nulls_are_not_unexpected_and_percent_is_over_non_missing(ws):
    # customer_id has 20 NULLs: an in-set check ignores them, GX style
    v = wb.validate(ws, "orders", suite(("expect_column_values_to_be_between",
                                        {"column": "customer_id", "min_value": 1, "max_value": 500})))
    r = v.results[0]
    assert r.missing_count == 20 and r.unexpected_count == 10
    assert r.unexpected_percent == pytest.approx(100 * 10 / 1990)
    assert r.unexpected_percent_total == pytest.approx(100 * 10 / 2010)


def test_mostly_passes_within_the_allowed_share(ws):
    v = wb.validate(ws, "orders", suite(("expect_column_values_to_not_be_null",
                                        {"column": "customer_id", "mostly": 0.99}),
                                       ("expect_column_values_to_not_be_null",
                                        {"column": "customer_id", "mostly": 0.995})))
    assert [r.success for r in sorted(v.results, key=lambda r: r.position)] == [True, False]


def test_regex_matches_anywhere_like_great_expectations():
    w = wb.Workspace()
    w.load(pd.DataFrame({"s": ["xabcx", "abc", "zzz", None]}), name="t")
    v = wb.validate(w, "t", suite(("expect_column_values_to_match_regex", {"column": "s", "regex": "abc"}),
                                  ("expect_column_values_to_not_match_regex", {"column": "s", "regex": "^abc$"})))
    first, second = sorted(v.results, key=lambda r: r.position)
    assert first.unexpected_count == 1 and first.partial_unexpected_list == ["zzz"]
    assert second.unexpected_count == 1 and second.partial_unexpected_list == ["abc"]


def test_aggregates_report_observed_values(ws):
    v = wb.validate(ws, "orders", suite(
        ("expect_column_mean_to_be_between", {"column": "total_amount", "min_value": 0, "max_value": 1000}),
        ("expect_column_max_to_be_between", {"column": "total_amount", "max_value": 10}),
        ("expect_column_median_to_be_between", {"column": "total_amount", "min_value": 0}),
        ("expect_column_stdev_to_be_between", {"column": "total_amount", "min_value": 0}),
        ("expect_column_proportion_of_unique_values_to_be_between", {"column": "order_id", "min_value": 1.0}),
        ("expect_column_distinct_values_to_be_in_set",
         {"column": "status", "value_set": ["placed", "paid", "shipped", "delivered"]}),
    ))
    r = {x.type: x for x in v.results}
    assert r["expect_column_mean_to_be_between"].observed_value == pytest.approx(q(ws, "SELECT avg(total_amount) FROM orders"))
    assert r["expect_column_mean_to_be_between"].success
    assert not r["expect_column_max_to_be_between"].success
    assert r["expect_column_median_to_be_between"].observed_value == pytest.approx(
        q(ws, "SELECT median(total_amount) FROM orders"))
    prop = r["expect_column_proportion_of_unique_values_to_be_between"]
    assert prop.observed_value == pytest.approx(2000 / 2010) and not prop.success
    distinct = r["expect_column_distinct_values_to_be_in_set"]
    assert not distinct.success and distinct.partial_unexpected_list == ["cancelled"]
    assert distinct.unexpected_count == 1


def test_table_level_and_multicolumn_checks(ws):
    v = wb.validate(ws, "orders", suite(
        ("expect_table_row_count_to_be_between", {"min_value": 2000, "max_value": 2010}),
        ("expect_table_columns_to_match_set", {"column_set": ["order_id", "customer_id"], "exact_match": False}),
        ("expect_column_values_to_be_of_type", {"column": "total_amount", "type_": "float64"}),
        ("expect_column_to_exist", {"column": "ordr_id"}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["order_id", "status"]}),
        ("expect_table_row_count_to_equal_other_table", {"other_table_name": "customers"}),
    ))
    r = {x.type: x for x in v.results}
    assert r["expect_table_row_count_to_be_between"].success
    assert r["expect_table_columns_to_match_set"].success
    assert r["expect_column_values_to_be_of_type"].success
    assert not r["expect_column_to_exist"].success
    assert r["expect_table_row_count_to_equal_other_table"].observed_value == {"self": 2010, "other": 500}


def test_freshness_reports_age_and_future_rows(ws, manifest):
    v = wb.validate(ws, "orders", suite(("expect_column_max_to_be_fresh", {
        "column": "created_at", "max_age_seconds": 86400, "reference_time": manifest["snapshot_at"]})))
    r = v.results[0]
    assert not r.success and r.unexpected_count == manifest["defects"]["orders_future_created_at"]
    assert r.observed_value["age_seconds"] < 0 and len(r.failing_rows) == 3
    ok = wb.validate(ws, "orders", suite(("expect_column_max_to_be_fresh", {
        "column": "created_at", "max_age_seconds": 86400, "reference_time": "2026-11-05T12:00:00+00:00"})))
    assert ok.success and ok.results[0].observed_value["age_seconds"] == pytest.approx(5 * 3600 + 46 * 60 + 5)


def test_volume_anomaly_uses_history_kept_in_the_workspace(ws):
    history.clear(ws)
    s = suite(("expect_table_row_count_to_not_be_anomalous", {"min_history": 3, "max_relative_change": 0.2,
                                                               "max_z_score": None}))
    for _ in range(3):
        assert wb.validate(ws, "stores", s).success
    assert history.previous_counts(ws, "stores", 10) == [12, 12, 12]
    assert "stores" in ws.tables() and "history" not in ws.tables()
    ws.con.execute("INSERT INTO stores SELECT * FROM stores")  # the volume doubles
    v = wb.validate(ws, "stores", s)
    assert not v.success and v.results[0].observed_value["relative_change"] == pytest.approx(1.0)


def test_reconciliation_between_source_and_target(ws):
    ws.con.execute("CREATE TABLE orders_sink AS SELECT * FROM orders WHERE total_amount >= 0")
    s = suite(("expect_table_to_reconcile_with_source",
               {"source_table": "orders", "sum_columns": ["total_amount"], "count_tolerance": 0.01,
                "sum_tolerance": 0.0}))
    r = wb.validate(ws, "orders_sink", s).results[0]
    assert r.observed_value["source_count"] == 2010 and r.observed_value["target_count"] == 2002
    assert r.observed_value["count_relative_diff"] <= 0.01 and not r.success  # sums differ by the negatives


def test_custom_sql_returns_unexpected_rows(ws):
    s = suite(("unexpected_rows_expectation",
               {"unexpected_rows_query": "SELECT order_id, total_amount FROM {batch} WHERE total_amount < 0"}))
    r = wb.validate(ws, "orders", s).results[0]
    assert r.unexpected_count == 8 and not r.success and set(r.failing_rows[0]) == {"order_id", "total_amount"}
    with pytest.raises(wb.ExpectationError, match="must be one SELECT"):
        wb.validate(ws, "orders", suite(("unexpected_rows_expectation",
                                         {"unexpected_rows_query": "DROP TABLE {batch}"})))
    assert "orders" in ws.tables()


def test_row_level_checks_run_in_one_scan(ws):
    s = suite(*[("expect_column_values_to_not_be_null", {"column": c}) for c in ("order_id", "status", "store_id")],
              ("expect_column_values_to_be_between", {"column": "store_id", "min_value": 1, "max_value": 12}),
              ("expect_column_values_to_be_in_set", {"column": "status", "value_set": ["paid", "placed", "shipped",
                                                                                      "delivered", "cancelled"]}))
    v = wb.validate(ws, "orders", s)
    assert v.success and v.queries == 1


def test_results_are_ordered_by_layer_then_priority(ws):
    s = wb.Suite(name="o", expectations=[
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "total_amount", "min_value": 0},
         "layer": "transform"},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "layer": "source"},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "order_id"}, "layer": "transform"},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "customer_id"}, "layer": "transform"},
    ])
    v = wb.validate(ws, "orders", s)
    assert [r.position for r in v.results] == [1, 2, 3, 0]


def test_strict_gate_raises_listing_failures_and_warn_returns(ws):
    s = suite(("expect_column_values_to_not_be_null", {"column": "customer_id"}),
              ("expect_column_values_to_not_be_null", {"column": "order_id"}))
    with pytest.raises(wb.QualityGateError) as info:
        wb.validate(ws, "orders", s, gate="strict")
    assert len(info.value.failures) == 1 and "customer_id: not null" in str(info.value)
    v = wb.validate(ws, "orders", s, gate="warn")
    assert not v.success and any("customer_id" in w for w in v.warnings)


def test_severity_warning_failure_does_not_fail_the_gate(ws):
    s = wb.Suite(name="o", expectations=[{"type": "expect_column_values_to_not_be_null",
                                          "kwargs": {"column": "customer_id"}, "severity": "warning"}])
    v = wb.validate(ws, "orders", s, gate="strict")
    assert v.success and not v.results[0].success and v.warnings


def test_sample_gate_is_deterministic_and_says_so(ws):
    s = suite(("expect_column_values_to_not_be_null", {"column": "customer_id"}),
              ("expect_table_row_count_to_be_between", {"min_value": 2010}))
    a = wb.validate(ws, "orders", s, gate="sample", fraction=0.3, seed=7)
    b = wb.validate(ws, "orders", s, gate="sample", fraction=0.3, seed=7)
    assert a.sampled and a.sample_fraction == 0.3 and "30% sample: " in a.summary()
    assert a.row_count == b.row_count < 2010 and a.table_row_count == 2010
    assert [r.unexpected_count for r in a.results] == [r.unexpected_count for r in b.results]
    assert a.result_for("expect_table_row_count_to_be_between").success  # table checks read the whole table


def test_render_html_chart_and_json(ws, tmp_path):
    from workbench.quality.html import save_json

    v = wb.validate(ws, "orders", suite(("expect_column_values_to_be_between",
                                        {"column": "total_amount", "min_value": 0})), key_columns=["order_id"])
    html = v._repr_html_()
    assert "FAILED" in html and "-94.64" in html and "order_id" in html
    assert v.chart().to_dict()["encoding"]["row"]["field"] == "layer"
    path = save_json(v, tmp_path / "v.json")
    assert wb.ValidationResult.model_validate_json(path.read_text()).results[0].unexpected_count == 8
    gx = v.to_gx()
    assert gx["results"][0]["result"]["unexpected_count"] == 8


# --- bad input -----------------------------------------------------------------------------------
def test_missing_column_lists_columns_and_suggests(ws):
    with pytest.raises(wb.ColumnNotFoundError) as info:
        wb.validate(ws, "orders", suite(("expect_column_values_to_not_be_null", {"column": "totl_amount"})))
    msg = str(info.value)
    assert "order_id, customer_id" in msg and "Did you mean 'total_amount'" in msg and "#1" in msg


def test_missing_other_table_is_named(ws):
    with pytest.raises(wb.TableNotFoundError, match="'customer'.*Did you mean 'customers'"):
        wb.validate(ws, "orders", suite(("expect_column_values_to_be_in_other_table", {
            "column": "customer_id", "other_table_name": "customer", "other_column": "customer_id"})))


def test_regex_valid_in_python_but_not_in_re2_is_a_clear_error(ws):
    with pytest.raises(wb.ExpectationError, match="invalid regex.*RE2"):
        wb.validate(ws, "customers", suite(("expect_column_values_to_match_regex",
                                            {"column": "email", "regex": r"^(?=a)\w+"})))


def test_bound_of_the_wrong_type_names_the_expectation(ws):
    with pytest.raises(wb.ExpectationError, match=r"#1 \(expect_column_values_to_be_between\).*could not run"):
        wb.validate(ws, "orders", suite(("expect_column_values_to_be_between",
                                         {"column": "created_at", "min_value": "not a date"})))


def test_empty_table_passes_row_checks_vacuously_and_fails_row_count():
    w = wb.Workspace()
    w.con.execute("CREATE TABLE e (id BIGINT, amount DOUBLE)")
    v = wb.validate(w, "e", suite(("expect_column_values_to_not_be_null", {"column": "id"}),
                                  ("expect_column_values_to_be_unique", {"column": "id"}),
                                  ("expect_column_mean_to_be_between", {"column": "amount", "min_value": 0}),
                                  ("expect_table_row_count_to_be_between", {"min_value": 1})))
    r = {x.type: x for x in v.results}
    assert r["expect_column_values_to_not_be_null"].success and r["expect_column_values_to_be_unique"].success
    assert r["expect_column_values_to_not_be_null"].unexpected_percent is None
    assert not r["expect_column_mean_to_be_between"].success  # no observed value
    assert not r["expect_table_row_count_to_be_between"].success


def test_nan_is_missing_and_infinity_is_a_value():
    w = wb.Workspace()
    w.load(pd.DataFrame({"x": [1.0, math.nan, math.inf, -math.inf, None, 5.0]}), name="n")
    v = wb.validate(w, "n", suite(("expect_column_values_to_be_between", {"column": "x", "min_value": 0,
                                                                         "max_value": 10}),
                                  ("expect_column_values_to_not_be_null", {"column": "x"}),
                                  ("expect_column_mean_to_be_between", {"column": "x", "min_value": -1e9})))
    r = {x.type: x for x in v.results}
    between = r["expect_column_values_to_be_between"]
    assert between.missing_count == 2 and between.unexpected_count == 2
    assert sorted(between.partial_unexpected_list) == [-math.inf, math.inf]
    assert r["expect_column_values_to_not_be_null"].unexpected_count == 2
    assert math.isnan(r["expect_column_mean_to_be_between"].observed_value)
    assert v.model_dump_json()  # infinities serialise


def test_quotes_and_sql_fragments_in_names_and_values_are_inert():
    w = wb.Workspace()
    evil_col = 'a"; DROP TABLE t; --'
    values = ["O'Brien", "x'); DROP TABLE t; --", 'say "hi"']
    w.load(pd.DataFrame({evil_col: values, "b$1": [1, 2, 3]}), name='we"ird')
    v = wb.validate(w, 'we"ird', suite(
        ("expect_column_values_to_be_in_set", {"column": evil_col, "value_set": ["O'Brien", 'say "hi"']}),
        ("expect_column_values_to_match_regex", {"column": evil_col, "regex": "'"}),
        ("expect_column_values_to_be_between", {"column": "b$1", "min_value": 2}),
        ("expect_column_values_to_be_unique", {"column": evil_col})), key_columns=["b$1"])
    r = sorted(v.results, key=lambda x: x.position)
    assert r[0].unexpected_count == 1 and r[0].partial_unexpected_list == ["x'); DROP TABLE t; --"]
    assert r[1].unexpected_count == 1 and r[2].unexpected_count == 1 and r[3].success
    assert r[0].failing_rows == [{"b$1": 2, evil_col: "x'); DROP TABLE t; --"}]
    assert w.tables() == ['we"ird']
