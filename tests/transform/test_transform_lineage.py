"""Column lineage through sqlglot against the live schema, DAG views, and the naming lint."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.errors import TransformError
from workbench.resources import example_dbt_project
from workbench.transform import TransformProject

SHOP = example_dbt_project()


@pytest.fixture(scope="module")
def shop(shop_ws):
    proj = TransformProject.from_dbt(SHOP)
    proj.build(shop_ws)
    return proj


def test_lifetime_value_traces_back_to_the_source_column(shop):
    lin = shop.column_lineage("dim_customers", "customer_lifetime_value")
    assert lin.pairs("value") == [("fct_orders", "total_amount"), ("int_orders_enriched", "total_amount"),
                                  ("stg_orders", "total_amount"), ("source:shop.orders", "total_amount")]
    assert lin.direct == [("fct_orders", "total_amount")]
    assert ("source:shop.orders", "total_amount") in lin


def test_join_and_filter_columns_are_reported_as_influencing(shop):
    lin = shop.column_lineage("dim_customers", "customer_lifetime_value")
    first_hop = {(e.model, e.column, e.kind) for e in lin.edges if e.depth == 1}
    assert first_hop == {("fct_orders", "total_amount", "value"), ("fct_orders", "is_revenue", "filter"),
                         ("fct_orders", "customer_id", "join"), ("stg_customers", "customer_id", "join")}
    assert ("order_statuses", "status") in lin.influencing  # the seed joined in int_orders_enriched
    assert ("int_orders_enriched", "created_at") in lin.influencing  # fct_orders' snapshot filter


def test_select_star_is_resolved_against_the_live_schema(shop_ws):
    proj = TransformProject("star")
    proj.add_source("shop", ["orders"])
    proj.add_model("stg_orders", "select * from {{ source('shop', 'orders') }}")
    proj.add_model("wide", "select * from {{ ref('stg_orders') }} as o where o.status = 'paid'")
    proj.build(shop_ws)
    lin = proj.column_lineage("wide", "total_amount")
    assert lin.pairs("value") == [("stg_orders", "total_amount"), ("source:shop.orders", "total_amount")]
    assert lin.pairs("filter") == [("stg_orders", "status")]


def test_ephemeral_models_are_traced_through_their_cte(shop_ws):
    proj = TransformProject("eph", schema="eph")
    proj.add_source("shop", ["payments"])
    proj.add_model("int_pay", "select order_id, amount * 100 as cents from {{ source('shop', 'payments') }}",
                   materialized="ephemeral")
    proj.add_model("fct_pay", "select order_id, sum(cents) as total_cents from {{ ref('int_pay') }} group by 1")
    proj.build(shop_ws)
    assert list(proj.column_lineage("fct_pay", "total_cents")) == [("source:shop.payments", "amount")]


def test_unknown_lineage_column_suggests_names(shop):
    with pytest.raises(TransformError, match="has no column 'lifetime_value'.*Did you mean 'customer_lifetime_value'"):
        shop.column_lineage("dim_customers", "lifetime_value")


def test_mermaid_lists_every_node_and_edge(shop):
    text = shop.mermaid()
    assert text.startswith("flowchart LR")
    assert 'source_shop_orders[("shop.orders")]:::source' in text
    assert 'fct_orders["fct_orders<br/><small>incremental</small>"]:::mart' in text
    assert "  fct_orders --> dim_customers" in text and "  order_statuses --> int_orders_enriched" in text
    assert text.count(" --> ") == 12
    lin = shop.column_lineage("dim_customers", "customer_lifetime_value").mermaid()
    assert lin.startswith("flowchart LR") and "-. join .->" in lin


def test_dag_chart_is_an_altair_layer_with_every_node(shop):
    chart = shop.lineage_chart()
    spec = chart.to_dict()
    names = {d["node"] for d in spec["datasets"][spec["layer"][1]["data"]["name"]]}
    assert names == {*shop.models, *shop.seeds, "source:shop.orders", "source:shop.customers",
                     "source:shop.stores", "source:shop.payments"}


def test_lint_flags_naming_and_layering():
    proj = TransformProject("lint")
    proj.add_source("shop", ["orders", "customers"])
    proj.add_model("stg_orders", "select * from {{ source('shop', 'orders') }}", folder="staging")
    proj.add_model("orders_clean", "select * from {{ ref('stg_orders') }}", folder="intermediate")
    proj.add_model("stg_joined", "select * from {{ ref('stg_orders') }} join {{ source('shop', 'customers') }} "
                   "using (customer_id)", folder="staging")
    proj.add_model("fct_orders", "select * from {{ source('shop', 'orders') }}", folder="marts")
    proj.add_model("int_x", "select 1 as x", folder="marts")
    report = proj.lint()
    assert report.by_rule() == {"folder": 1, "marts-read-sources": 1, "prefix": 1, "staging-1to1": 1}
    texts = [str(w) for w in report]
    assert "[prefix] orders_clean: name has no layer prefix (stg_, int_, dim_, fct_, rpt_); " \
           "models in intermediate/ start with int_" in texts
    assert any(t.startswith("[staging-1to1] stg_joined") for t in texts)


def test_sample_shop_lint_warns_about_the_unstaged_source():
    report = TransformProject.from_dbt(SHOP).lint()
    assert [str(w) for w in report] == [
        "[unstaged-source] source:shop.order_items: no staging model reads this source table; "
        "add stg_<table> (1:1) before using it"]


def test_lineage_needs_a_built_workspace():
    proj = TransformProject("x")
    proj.add_model("m", "select 1 as a")
    with pytest.raises(TransformError, match="has not been built"):
        proj.column_lineage("m", "a")
    proj.build(wb.Workspace())
    assert list(proj.column_lineage("m", "a")) == []
