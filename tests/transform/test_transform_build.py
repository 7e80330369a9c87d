"""Building projects in DuckDB: the sample shop against the manifest, materializations, idempotency."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.resources import example_dbt_project
from workbench.transform import BuildResult, TransformProject

ROOT = Path(__file__).resolve().parents[2]
SHOP = example_dbt_project()
JAFFLE = Path(__file__).parent / "fixtures" / "jaffle_shop"


def checksum(ws, relation: str) -> tuple[int, int]:
    """Row count and an order-independent hash sum of every row (duplicates count twice)."""
    n, h = ws.con.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {relation} AS t").fetchone()
    return int(n), int(h)


@pytest.fixture(scope="module")
def shop(shop_ws):
    proj = TransformProject.from_dbt(SHOP)
    return proj, proj.build(shop_ws)


def test_sample_shop_builds_and_tests_find_the_planted_defects(shop_ws, shop, manifest):
    ws = shop_ws
    proj, r = shop
    assert isinstance(r, BuildResult) and r.ok
    assert r.counts() == {"pass": 19, "success": 9, "warn": 10}
    d = manifest["defects"]
    assert r["unique_stg_orders_order_id"].failures == d["orders_duplicate_order_id_rows"]
    assert r["not_null_stg_orders_customer_id"].failures == d["orders_null_customer_id"]
    assert r["relationships_stg_orders_customer_id__customer_id__ref_stg_customers"].failures == \
        d["orders_orphan_customer_id"]
    assert r["dbt_utils_accepted_range_stg_orders_total_amount__100000__0"].failures == \
        d["orders_negative_total_amount"]
    assert r["dbt_utils_accepted_range_stg_payments_amount__0"].failures == d["payments_negative_amount"]
    assert r["relationships_stg_payments_order_id__order_id__ref_stg_orders"].failures == \
        d["payments_orphan_order_id"]
    warn = [n for n in r.nodes if n.status == "warn"]
    assert all(n.severity == "warn" and n.sample_rows for n in warn)
    dup = r["unique_stg_orders_order_id"]
    assert dup.sample_columns == ["unique_field", "n_records"] and all(row[1] == 2 for row in dup.sample_rows)
    distinct = ws.con.execute("SELECT count(DISTINCT order_id) FROM main.orders").fetchone()[0]
    assert r["int_orders_enriched"].rows == distinct
    assert r["fct_orders"].rows == distinct - d["orders_future_created_at"]
    assert r["dim_customers"].rows == manifest["rows"]["customers"]
    assert r["stg_orders"].materialized == "view" and r["fct_orders"].materialized == "incremental"
    assert r["order_statuses"].kind == "seed" and r["order_statuses"].rows == 5


def test_summary_is_plain_text_with_one_line_per_node(shop):
    _, r = shop
    text = r.summary()
    assert text.splitlines()[-1].startswith("OK: 38 nodes")
    assert "WARN     test  unique_stg_orders_order_id [test 10 failing]" in text
    assert "<table>" in r._repr_html_()


def test_building_twice_leaves_identical_tables(shop_ws, shop):
    ws = shop_ws
    proj, _ = shop
    tables = ["int_orders_enriched", "fct_orders", "dim_customers", "rpt_daily_revenue", "order_statuses"]
    before = {t: checksum(ws, f"main.{t}") for t in tables}
    again = proj.build(ws)
    assert again.ok
    assert {t: checksum(ws, f"main.{t}") for t in tables} == before


def test_seed_column_types_come_from_config(shop_ws, shop):
    ws = shop_ws
    types = dict(ws.con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_name = 'order_statuses'").fetchall())
    assert types == {"status": "VARCHAR", "status_rank": "INTEGER", "is_revenue": "BOOLEAN", "label": "VARCHAR"}


def test_folder_config_inheritance_and_tags(shop):
    proj, _ = shop
    assert proj.config_for("stg_orders")["materialized"] == "view"
    assert proj.config_for("int_orders_enriched")["materialized"] == "table"
    assert proj.config_for("fct_orders")["materialized"] == "incremental"  # config() beats the folder
    assert proj.config_for("dim_customers")["tags"] == ["marts"]


def test_selection_by_name_parents_children_tag_and_path(shop_ws, shop):
    ws = shop_ws
    proj, _ = shop
    names = lambda r: sorted(n.name for n in r.nodes if n.kind != "test")  # noqa: E731
    assert names(proj.build(ws, select="stg_stores")) == ["stg_stores"]
    assert names(proj.build(ws, select="+fct_orders")) == [
        "fct_orders", "int_orders_enriched", "order_statuses", "stg_orders", "stg_payments", "stg_stores"]
    assert names(proj.build(ws, select="fct_orders+")) == ["dim_customers", "fct_orders", "rpt_daily_revenue"]
    assert names(proj.build(ws, select="tag:staging")) == ["stg_customers", "stg_orders", "stg_payments", "stg_stores"]
    assert names(proj.build(ws, select="path:marts")) == ["dim_customers", "fct_orders", "rpt_daily_revenue"]
    assert names(proj.build(ws, select="path:models/intermediate stg_stores")) == ["int_orders_enriched", "stg_stores"]
    r = proj.build(ws, select="stg_stores")
    assert sorted(n.name for n in r.nodes if n.kind == "test") == [
        "not_null_stg_stores_store_id", "unique_stg_stores_store_id"]


def test_preview_shows_rows_beside_test_results(shop):
    proj, _ = shop
    p = proj.preview("stg_orders", limit=3)
    assert len(p.rows) == 3 and p.columns[:2] == ["order_id", "customer_id"]
    assert {t.status for t in p.tests} == {"pass", "warn"} and len(p.tests) == 8
    assert "tests" in p._repr_html_()


def python_project() -> TransformProject:
    proj = TransformProject("py_shop")
    proj.add_source("shop", ["orders", "customers"])
    proj.add_model("stg_orders", "select order_id, customer_id, total_amount, status from {{ source('shop', 'orders') }}",
                   folder="staging", tests={"status": [{"accepted_values": {"values": ["paid", "shipped"],
                                                                            "config": {"severity": "warn"}}}]})
    proj.add_model("int_paid", "{{ config(materialized='ephemeral') }}\n"
                   "select * from {{ ref('stg_orders') }} where status <> 'cancelled'")
    proj.add_model("fct_revenue", "with paid as (select * from {{ ref('int_paid') }})\n"
                   "select customer_id, sum(total_amount) as revenue from paid group by customer_id",
                   materialized="table")
    return proj


def test_python_project_inlines_ephemeral_models_as_ctes(raw_ws):
    ws = raw_ws
    proj = python_project()
    r = proj.build(ws)
    assert r.ok, r.summary()
    assert "__dbt__cte__int_paid as (" in proj.compiled["fct_revenue"]
    assert ws.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'int_paid'").fetchone()[0] == 0
    expected = ws.con.execute("SELECT count(*) FROM (SELECT customer_id FROM orders WHERE status <> 'cancelled' GROUP BY 1)").fetchone()[0]
    assert r["fct_revenue"].rows == expected
    assert r.tests("stg_orders")[0].status == "warn"


def test_editing_a_model_in_python_and_rebuilding_uses_the_new_sql(raw_ws):
    ws = raw_ws
    proj = python_project()
    proj.build(ws)
    proj.add_model("fct_revenue", "select count(*) as n from {{ ref('int_paid') }}", materialized="table")
    r = proj.build(ws, select="fct_revenue")
    n = ws.con.execute("SELECT count(*) FROM orders WHERE status <> 'cancelled'").fetchone()[0]
    assert r.ok and ws.con.execute("SELECT n FROM main.fct_revenue").fetchone()[0] == n


def test_switching_view_to_table_replaces_the_relation(raw_ws):
    ws = raw_ws
    proj = python_project()
    proj.build(ws)
    proj.add_model("stg_orders", proj.models["stg_orders"].sql, folder="staging", materialized="table")
    r = proj.build(ws, select="stg_orders")
    assert r["stg_orders"].rows == 2010
    kind = ws.con.execute("SELECT table_type FROM information_schema.tables WHERE table_name='stg_orders'").fetchone()[0]
    assert kind == "BASE TABLE"


def test_builtins_var_env_var_this_target_run_started_at_log_and_macro_return(monkeypatch):
    ws = wb.Workspace()
    monkeypatch.setenv("WB_TEST_REGION", "eu")
    proj = TransformProject("builtins", vars={"limit": 3})
    proj.add_macro("util.sql", "{% macro double(x) %}{{ return(x * 2) }}{% endmacro %}\n"
                   "{% macro sq(x) -%} ({{ x }} * {{ x }}) {%- endmacro %}")
    proj.add_model("m", "{% do log('building ' ~ this.identifier) %}"
                   "select {{ double(var('limit')) }} as doubled, {{ sq(4) }} as sixteen,\n"
                   "'{{ env_var('WB_TEST_REGION') }}' as region, '{{ env_var('WB_MISSING', 'dflt') }}' as fallback,\n"
                   "'{{ this }}' as me, '{{ target.schema }}' as schema_name, '{{ target.type }}' as adapter,\n"
                   "{{ run_started_at.year }} as year_started\n"
                   "{% for i in range(2) %}{% if i == 1 %}, {{ i }} as one{% endif %}{% endfor %}",
                   materialized="table")
    r = proj.build(ws)
    assert r.ok, r.summary()
    row = ws.con.execute("SELECT * FROM main.m").fetchone()
    assert row[:7] == (6, 16, "eu", "dflt", '"main"."m"', "main", "duckdb")
    assert row[7] >= 2025 and row[8] == 1
    assert r["m"].message == "building m"


@pytest.mark.parametrize("strategy", ["append", "delete+insert", "merge"])
def test_incremental_strategies_are_idempotent(strategy):
    ws = wb.Workspace()
    ws.con.execute("CREATE TABLE events AS SELECT range AS id, range % 7 AS v, range AS ts FROM range(100)")
    proj = TransformProject("incr")
    proj.add_source("raw", ["events"])
    proj.add_model("fct_events", "select id, v, ts from {{ source('raw', 'events') }}\n"
                   "{% if is_incremental() %}where ts > (select max(ts) from {{ this }}){% endif %}",
                   materialized="incremental", unique_key="id", incremental_strategy=strategy)
    assert proj.build(ws).ok
    first = checksum(ws, "main.fct_events")
    assert proj.build(ws).ok
    assert checksum(ws, "main.fct_events") == first == checksum(ws, "main.events")
    ws.con.execute("INSERT INTO events SELECT range, 1, range FROM range(100, 110)")
    assert proj.build(ws).ok
    assert checksum(ws, "main.fct_events") == checksum(ws, "main.events")


def test_merge_and_delete_insert_update_changed_rows():
    ws = wb.Workspace()
    ws.con.execute("CREATE TABLE src AS SELECT range AS id, 0 AS v FROM range(10)")
    proj = TransformProject("upd")
    proj.add_source("raw", ["src"])
    for strategy in ("merge", "delete+insert"):
        proj.add_model("t", "select * from {{ source('raw', 'src') }}"
                       "{% if is_incremental() %} where id >= 5{% endif %}",
                       materialized="incremental", unique_key=["id"], incremental_strategy=strategy)
        proj.build(ws, full_refresh=True)
        ws.con.execute("UPDATE src SET v = v + 1 WHERE id >= 5")
        proj.build(ws)
        assert ws.con.execute("SELECT sum(v), count(*) FROM main.t").fetchone() == (
            ws.con.execute("SELECT sum(v), count(*) FROM src").fetchone())


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(-5, 5)), max_size=40),
       st.sampled_from(["delete+insert", "merge"]))
def test_incremental_upsert_matches_a_fresh_table(rows, strategy):
    """Property: after any batch of upserts, the incremental table equals the deduplicated input."""
    ws = wb.Workspace()
    ws.con.execute("CREATE TABLE src (id INTEGER, v INTEGER)")
    proj = TransformProject("prop")
    proj.add_source("raw", ["src"])
    proj.add_model("t", "select id, max(v) as v from {{ source('raw', 'src') }} group by id",
                   materialized="incremental", unique_key="id", incremental_strategy=strategy)
    proj.build(ws)
    for chunk in (rows[: len(rows) // 2], rows[len(rows) // 2:]):
        if chunk:
            ws.con.executemany("INSERT INTO src VALUES (?, ?)", [list(r) for r in chunk])
        assert proj.build(ws).ok
    want = ws.con.execute("SELECT id, max(v) FROM src GROUP BY id ORDER BY id").fetchall()
    assert ws.con.execute("SELECT id, v FROM main.t ORDER BY id").fetchall() == want
    ws.close()


def test_error_severity_failure_skips_downstream_models(raw_ws):
    ws = raw_ws
    proj = TransformProject("gate")
    proj.add_source("shop", ["orders"])
    proj.add_model("stg_orders", "select * from {{ source('shop', 'orders') }}", tests={"order_id": ["unique"]})
    proj.add_model("fct_orders", "select * from {{ ref('stg_orders') }}", materialized="table")
    r = proj.build(ws)
    assert not r.ok
    assert r["unique_stg_orders_order_id"].status == "fail"
    assert r["fct_orders"].status == "skipped" and "unique_stg_orders_order_id" in r["fct_orders"].message


def test_jaffle_shop_fixture_with_loops_macros_and_seeds():
    ws = wb.Workspace()
    r = TransformProject.from_dbt(JAFFLE).build(ws)
    assert r.ok and r.counts() == {"pass": 21, "success": 8}
    cols = [c[0] for c in ws.con.execute("DESCRIBE main.orders").fetchall()]
    assert cols == ["order_id", "customer_id", "order_date", "status", "credit_card_amount", "coupon_amount",
                    "bank_transfer_amount", "gift_card_amount", "amount"]
    total = ws.con.execute("SELECT round(sum(amount) / 100, 2) FROM main.raw_payments").fetchone()[0]
    assert ws.con.execute("SELECT round(sum(amount), 2) FROM main.orders").fetchone()[0] == total


def test_cli_build_prints_the_summary(capsys):
    from workbench.cli import main

    assert main(["build", str(JAFFLE)]) == 0
    out = capsys.readouterr().out
    assert "SUCCESS  model customers [table 40 rows]" in out and out.splitlines()[-1].startswith("OK: 29 nodes")


def test_project_generic_tests_and_where_config():
    ws = wb.Workspace()
    proj = TransformProject("generic")
    proj.add_macro("tests/is_even.sql", "{% test is_even(model, column_name, allow=none) %}\n"
                   "select * from {{ model }} where {{ column_name }} % 2 <> 0"
                   "{% if allow is not none %} and {{ column_name }} <> {{ allow }}{% endif %}\n{% endtest %}")
    proj.add_model("nums", "select range as n from range(10)", materialized="table",
                   tests={"n": [{"is_even": {"allow": 3}}, {"not_null": {"config": {"where": "n > 100"}}},
                                {"accepted_values": {"values": [0, 1, 2], "quote": False,
                                                     "config": {"where": "n < 5", "severity": "warn"}}}]})
    r = proj.build(ws)
    assert r["is_even_nums_n__3"].failures == 4  # 1, 5, 7, 9
    assert r["not_null_nums_n"].status == "pass"
    values = next(n for n in r.tests() if n.name.startswith("accepted_values_nums_n__"))
    assert values.status == "warn" and values.failures == 2  # 3 and 4


def test_cli_build_loads_the_data_dir_for_sources(capsys):
    from workbench.cli import main

    assert main(["build", str(SHOP), "--data-dir", str(ROOT / "sample_data"), "--select", "+stg_orders"]) == 0
    out = capsys.readouterr().out
    assert "WARN     test  unique_stg_orders_order_id [test 10 failing]" in out


def test_custom_schema_and_alias_follow_dbt_naming():
    ws = wb.Workspace()
    proj = TransformProject("naming")
    proj.add_model("a", "select 1 as x", materialized="table", schema="marts", alias="a_final")
    proj.add_model("b", "select * from {{ ref('a') }}", tests={"x": ["not_null"]})
    r = proj.build(ws)
    assert r.ok and r["a"].relation == "main_marts.a_final"
    assert ws.con.execute('SELECT x FROM main_marts.a_final').fetchone() == (1,)
    assert '"main_marts"."a_final"' in proj.compiled["b"]
