"""Suite model, Great Expectations JSON (0.x / 1.x) and dbt schema tests, both ways."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.quality import SUPPORTED_TYPES, Expectation

SHARED = {"name": "orders.suggested", "expectations": [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "order_id"}, "layer": "source",
     "severity": "critical", "meta": {}}]}

GX_0X = {
    "expectation_suite_name": "orders.warning",
    "data_asset_type": None,
    "meta": {"great_expectations_version": "0.18.12"},
    "expectations": [
        {"expectation_type": "expect_table_row_count_to_be_between",
         "kwargs": {"min_value": 1000, "max_value": 5000}, "meta": {}},
        {"expectation_type": "expect_column_values_to_not_be_null",
         "kwargs": {"column": "customer_id", "mostly": 0.95, "result_format": "SUMMARY"}, "meta": {"notes": "fk"}},
    ],
}
GX_1X = {
    "name": "orders.v1",
    "id": "5e0a0f7e-0000-4000-8000-000000000001",
    "meta": {"great_expectations_version": "1.3.5"},
    "notes": None,
    "expectations": [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "order_id"}, "meta": {},
         "id": "5e0a0f7e-0000-4000-8000-000000000002"},
        {"type": "expect_column_values_to_match_regex",
         "kwargs": {"column": "email", "regex": r"^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$"}, "meta": {}},
    ],
}


def test_shared_suite_shape_validates_into_concrete_models():
    s = wb.Suite.model_validate(SHARED)
    e = s.expectations[0]
    assert type(e).__name__ == "ExpectColumnValuesToNotBeNull"
    assert (e.kwargs.column, e.layer, e.severity) == ("order_id", "source", "critical")


def test_expectation_constructor_dispatches_on_type():
    e = Expectation(type="expect_column_values_to_be_between", kwargs={"column": "x", "min_value": 0})
    assert type(e).__name__ == "ExpectColumnValuesToBeBetween"
    assert e.kwargs.strict_min is False and e.mostly == 1.0


def test_profiling_suggestion_types_are_all_supported():
    for t in ("expect_table_row_count_to_be_between", "expect_column_values_to_not_be_null",
              "expect_column_values_to_be_unique", "expect_column_values_to_be_between",
              "expect_column_values_to_be_in_set", "expect_column_values_to_match_regex",
              "expect_column_max_to_be_fresh"):
        assert t in SUPPORTED_TYPES
    s = wb.Suite(name="s", expectations=[
        {"type": "expect_column_max_to_be_fresh",
         "kwargs": {"column": "created_at", "max_age_seconds": 86400, "reference_time": "2026-11-01T00:00:00+00:00"}},
        {"type": "expect_column_values_to_be_between",
         "kwargs": {"column": "a", "min_value": 0, "max_value": 5, "strict_min": True, "strict_max": False,
                    "mostly": 0.99}},
    ])
    assert len(s) == 2


def test_unknown_type_lists_supported_types():
    with pytest.raises(wb.ExpectationError) as info:
        wb.Suite(name="s", expectations=[{"type": "expect_column_values_to_be_uniqe", "kwargs": {"column": "a"}}])
    msg = str(info.value)
    assert "not supported" in msg and "expect_column_values_to_not_be_null" in msg
    assert "Did you mean 'expect_column_values_to_be_unique'" in msg


def test_wrong_kwarg_type_names_the_expectation_and_the_field():
    with pytest.raises(wb.ExpectationError, match=r"#2 \(expect_column_values_to_be_in_set\).*kwargs.value_set"):
        wb.Suite(name="s", expectations=[
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "a", "value_set": "paid"}},
        ])
    with pytest.raises(wb.ExpectationError, match=r"kwargs.min_value: expected int, float or str, got list"):
        wb.Suite(name="s", expectations=[
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a", "min_value": [1]}}])
    with pytest.raises(wb.ExpectationError, match="kwargs.colum"):
        wb.Suite(name="s", expectations=[{"type": "expect_column_values_to_be_unique", "kwargs": {"colum": "a"}}])


def test_invalid_regex_is_rejected_at_construction():
    with pytest.raises(wb.ExpectationError, match="invalid regular expression"):
        wb.Suite(name="s", expectations=[
            {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "a", "regex": "([a-z"}}])


def test_gx_0x_suite_reads():
    s = wb.Suite.from_gx_json(GX_0X)
    assert s.name == "orders.warning"
    assert [e.type for e in s.expectations] == [
        "expect_table_row_count_to_be_between", "expect_column_values_to_not_be_null"]
    assert s.expectations[1].mostly == 0.95 and s.expectations[1].meta == {"notes": "fk"}
    out = s.to_gx_json(version="0")
    assert out["expectation_suite_name"] == "orders.warning"


@pytest.mark.parametrize("version", ["0", "1"])
def test_gx_file_round_trips(tmp_path, version):
    s = wb.Suite.from_gx_json(GX_1X)
    s.expectations[0].layer = "transform"
    s.expectations[1].severity = "warning"
    path = s.save_gx_json(tmp_path / "suite.json", version=version)
    back = wb.Suite.from_gx_json(path)
    assert back == s
    assert back.expectations[1].severity == "warning" and back.expectations[0].id.endswith("0002")
    with pytest.raises(wb.ExpectationError, match="already exists"):
        s.save_gx_json(path, version=version)


def test_gx_1x_writes_type_and_keeps_extensions_unless_dropped():
    s = wb.Suite(name="x", expectations=[
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
        {"type": "expect_column_values_to_be_in_other_table",
         "kwargs": {"column": "a", "other_table_name": "t", "other_column": "id"}}])
    full = s.to_gx_json()
    assert full["name"] == "x" and [e["type"] for e in full["expectations"]][0] == "expect_column_values_to_not_be_null"
    assert len(full["expectations"]) == 2
    assert len(s.to_gx_json(extensions="drop")["expectations"]) == 1


def test_gx_row_condition_is_refused_not_ignored():
    with pytest.raises(wb.ExpectationError, match="row_condition"):
        wb.Suite.from_gx_json({"name": "x", "expectations": [
            {"type": "expect_column_values_to_not_be_null",
             "kwargs": {"column": "a", "row_condition": 'col("b")>1', "condition_parser": "great_expectations"}}]})


def test_gx_bad_json_names_the_file(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{nope")
    with pytest.raises(wb.ExpectationError, match="bad.json' is not valid JSON"):
        wb.Suite.from_gx_json(p)


DBT_YAML = """
version: 2
models:
  - name: orders
    data_tests:
      - dbt_utils.unique_combination_of_columns:
          combination_of_columns: [order_id, status]
      - dbt_utils.expression_is_true:
          expression: "updated_at >= created_at"
    columns:
      - name: order_id
        data_tests: [unique, not_null]
      - name: customer_id
        tests:
          - relationships: {to: "ref('customers')", field: customer_id, config: {severity: warn}}
      - name: status
        data_tests:
          - accepted_values: {values: [placed, paid, shipped, delivered, cancelled]}
      - name: total_amount
        data_tests:
          - dbt_utils.accepted_range: {min_value: 0, max_value: 10000, inclusive: false}
"""


def test_dbt_schema_tests_map_to_expectations_and_back():
    s = wb.Suite.from_dbt(DBT_YAML, "orders")
    types = sorted(e.type for e in s.expectations)
    assert types == sorted([
        "expect_compound_columns_to_be_unique", "unexpected_rows_expectation", "expect_column_values_to_be_unique",
        "expect_column_values_to_not_be_null", "expect_column_values_to_be_in_other_table",
        "expect_column_values_to_be_in_set", "expect_column_values_to_be_between"])
    fk = next(e for e in s.expectations if e.type == "expect_column_values_to_be_in_other_table")
    assert (fk.kwargs.other_table_name, fk.kwargs.other_column, fk.severity) == ("customers", "customer_id", "warning")
    rng = next(e for e in s.expectations if e.type == "expect_column_values_to_be_between")
    assert rng.kwargs.strict_min and rng.kwargs.strict_max
    schema = s.to_dbt()
    assert yaml.safe_load(yaml.safe_dump(schema)) == schema
    assert wb.Suite.from_dbt(schema, "orders") == s


def test_dbt_unmapped_expectations_are_listed_not_lost():
    s = wb.Suite(name="orders", expectations=[
        {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "a", "min_value": 1}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a", "mostly": 0.9}}])
    meta = s.to_dbt()["models"][0]["meta"]["workbench_unmapped_expectations"]
    assert len(meta) == 2


def test_dbt_unknown_test_is_a_clear_error():
    with pytest.raises(wb.ExpectationError, match="no expectation counterpart"):
        wb.Suite.from_dbt({"models": [{"name": "m", "columns": [{"name": "a", "data_tests": ["is_even"]}]}]}, "m")


@settings(max_examples=25, deadline=None)
@given(
    column=st.text(min_size=1, max_size=12),
    values=st.lists(st.one_of(st.integers(-10**6, 10**6), st.text(max_size=8)), max_size=6),
    mostly=st.floats(0, 1),
    layer=st.sampled_from([None, "source", "transform", "sink"]),
    version=st.sampled_from(["0", "1"]),
)
def test_gx_round_trip_property(column, values, mostly, layer, version):
    s = wb.Suite(name="p", expectations=[
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": column, "value_set": values,
                                                                  "mostly": mostly}, "layer": layer}])
    text = json.dumps(s.to_gx_json(version=version))
    assert wb.Suite.from_gx_json(text) == s


@pytest.mark.parametrize(("test", "column", "args", "expected"), [
    ("unique", "order_id", {}, ("expect_column_values_to_be_unique", {"column": "order_id"})),
    ("not_null", "order_id", {}, ("expect_column_values_to_not_be_null", {"column": "order_id"})),
    ("accepted_values", "status", {"values": ["a", "b"]},
     ("expect_column_values_to_be_in_set", {"column": "status", "value_set": ["a", "b"]})),
    ("dbt_utils.accepted_range", "amount", {"min_value": 0, "max_value": 10},
     ("expect_column_values_to_be_between", {"column": "amount", "min_value": 0, "max_value": 10})),
    ("accepted_range", "amount", {"min_value": 0},
     ("expect_column_values_to_be_between", {"column": "amount", "min_value": 0})),
    ("relationships", "customer_id", {"to": "ref('customers')", "field": "id"},
     ("expect_column_values_to_be_in_other_table",
      {"column": "customer_id", "other_table_name": "customers", "other_column": "id"})),
    ("dbt_utils.unique_combination_of_columns", None, {"combination_of_columns": ["a", "b"]},
     ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]})),
    ("not_null", None, {}, None),
    ("dbt_expectations.something_else", "a", {}, None),
])
def test_expectation_for_dbt_test_is_the_one_mapping(test, column, args, expected):
    from workbench.quality.dbt import expectation_for_dbt_test

    assert expectation_for_dbt_test(test, column, args) == expected
    if expected is not None:  # what it returns is a valid expectation
        Expectation(type=expected[0], kwargs=expected[1])


def test_every_type_has_one_handler_class_in_a_family_module():
    from workbench.quality.handlers import FAMILIES, REGISTRY

    modules = {f.__name__ for f in FAMILIES}
    assert set(REGISTRY) == set(SUPPORTED_TYPES)
    for name, klass in REGISTRY.items():
        assert klass.__module__ in modules, name
        assert getattr(__import__(klass.__module__, fromlist=["x"]), klass.__name__) is klass
