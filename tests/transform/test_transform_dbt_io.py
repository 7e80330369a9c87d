"""Reading dbt folders and writing dbt projects: properties, configs, tests, and a faithful round trip."""

from __future__ import annotations

from pathlib import Path

import yaml

import workbench as wb
from workbench.resources import example_dbt_project
from workbench.transform import TransformProject

ROOT = Path(__file__).resolve().parents[2]
SHOP = example_dbt_project()
JAFFLE = Path(__file__).parent / "fixtures" / "jaffle_shop"


def table_rows(ws, schema: str, table: str) -> list[tuple]:
    cols = [r[0] for r in ws.con.execute(f'DESCRIBE "{schema}"."{table}"').fetchall()]
    order = ", ".join(f'"{c}"' for c in cols)
    rows = ws.con.execute(f'SELECT * FROM "{schema}"."{table}" ORDER BY {order}').fetchall()
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in rows]  # sums add in any order


def test_from_dbt_reads_sources_tests_seeds_vars_and_macros():
    proj = TransformProject.from_dbt(SHOP)
    assert proj.name == "shop"
    assert sorted(proj.models) == ["dim_customers", "fct_orders", "int_orders_enriched", "rpt_daily_revenue",
                                   "stg_customers", "stg_orders", "stg_payments", "stg_stores"]
    assert proj.models["stg_orders"].folder == "staging"
    assert proj.sources["source:shop.orders"].schema_name == "main"
    assert proj.vars["payment_methods"] == ["card", "paypal", "bank_transfer", "gift_card"]
    assert proj.seeds["order_statuses"].column_types == {"status": "varchar", "status_rank": "integer",
                                                         "is_revenue": "boolean"}
    assert list(proj.macros) == ["macros/money.sql"]
    assert list(proj.singular_tests) == ["assert_paid_not_above_total"]
    assert len(proj.tests) == 28
    by_name = {t.name: t for t in proj.tests}
    rel = by_name["relationships_stg_orders_customer_id__customer_id__ref_stg_customers"]
    assert rel.kwargs == {"to": "ref('stg_customers')", "field": "customer_id"} and rel.severity == "warn"
    assert proj.models["dim_customers"].columns["customer_lifetime_value"].description.startswith("Sum of")


def test_dbt_1_10_arguments_and_test_name_forms(tmp_path):
    from workbench.transform.dbt_io import parse_test_entries

    tests = parse_test_entries([
        "unique",
        {"accepted_values": {"arguments": {"values": ["a"]}, "config": {"severity": "WARN", "where": "x > 0"}}},
        {"test_name": "not_null", "name": "my_not_null"},
    ], "m", "c")
    assert [(t.test, t.kwargs, t.severity, t.where, t.name) for t in tests] == [
        ("unique", {}, "error", None, "unique_m_c"),
        ("accepted_values", {"values": ["a"]}, "warn", "x > 0", "accepted_values_m_c__a"),
        ("not_null", {}, "error", None, "my_not_null")]


def test_export_writes_a_self_contained_dbt_project(tmp_path):
    proj = TransformProject.from_dbt(SHOP)
    files = {p.relative_to(tmp_path).as_posix() for p in proj.export_dbt(tmp_path, duckdb_path="shop.duckdb")}
    assert {"dbt_project.yml", "profiles.yml", "models/schema.yml", "models/staging/stg_orders.sql",
            "models/marts/fct_orders.sql", "seeds/order_statuses.csv", "macros/money.sql",
            "tests/assert_paid_not_above_total.sql", "tests/generic/accepted_range.sql",
            "tests/generic/expression_is_true.sql", "tests/generic/unique_combination_of_columns.sql"} <= files
    profile = yaml.safe_load((tmp_path / "profiles.yml").read_text())
    assert profile["shop"]["outputs"]["dev"] == {"type": "duckdb", "path": "shop.duckdb", "schema": "main",
                                                 "threads": 1}
    schema = (tmp_path / "models" / "schema.yml").read_text()
    assert "dbt_utils" not in schema and "accepted_range:" in schema
    project = yaml.safe_load((tmp_path / "dbt_project.yml").read_text())
    assert project["models"]["shop"]["marts"]["+materialized"] == "table"


def test_export_then_load_builds_identical_tables(tmp_path, raw_ws):
    original = TransformProject.from_dbt(SHOP)
    first = original.build(raw_ws)
    original.export_dbt(tmp_path / "out")
    again = TransformProject.from_dbt(tmp_path / "out")
    again.schema = "roundtrip"
    assert len(again.tests) == len(original.tests)
    second = again.build(raw_ws)
    assert second.counts() == first.counts()
    for name in ["int_orders_enriched", "fct_orders", "dim_customers", "rpt_daily_revenue", "stg_orders"]:
        assert table_rows(raw_ws, "roundtrip", name) == table_rows(raw_ws, "main", name), name
    failures = lambda r: {n.name.removeprefix("dbt_utils_"): n.failures for n in r.tests()}  # noqa: E731
    assert failures(second) == failures(first)


def test_python_built_project_exports_its_config_and_tests(tmp_path):
    proj = TransformProject("py")
    proj.add_seed("codes", "code,label\nA,Alpha\nB,Beta\n", column_types={"code": "varchar"})
    proj.add_model("stg_codes", "select * from {{ ref('codes') }}", materialized="table",
                   tests={"code": ["unique", {"dbt_utils.accepted_range": {"min_value": "'A'"}}]})
    proj.export_dbt(tmp_path)
    props = yaml.safe_load((tmp_path / "models" / "schema.yml").read_text())
    model = props["models"][0]
    assert model["config"] == {"materialized": "table"}
    assert model["columns"][0]["data_tests"] == ["unique", {"accepted_range": {"min_value": "'A'"}}]
    assert props["seeds"][0]["config"] == {"column_types": {"code": "varchar"}}
    back = TransformProject.from_dbt(tmp_path)
    r = back.build(wb.Workspace())
    assert r.ok and r.counts() == {"pass": 2, "success": 2}
