"""The pipeline floor's record_* functions with the real steps on the sample data (profile, architecture, transform, quality)."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench as wb
from workbench.design import PipelineDesign
from workbench.pipeline import (
    record_architecture,
    record_cdc,
    record_profile,
    record_quality,
    record_transforms,
)
from workbench.resources import example_dbt_project

ROOT = Path(__file__).resolve().parents[2]
SHOP_DBT = example_dbt_project()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    from workbench.session import open_workspace

    ws = open_workspace(None, ROOT / "sample_data")
    return ws, wb.profile_dataset(ws)


def test_record_profile_fills_sources_keys_volumes_and_pii(dataset):
    ws, prof = dataset
    d = record_profile(PipelineDesign(), prof)
    assert sorted(s.name for s in d.sources) == sorted(ws.tables())
    orders = d.source("orders")
    assert orders.row_count == ws.row_count("orders") == 2010
    assert orders.update_column == "updated_at" and orders.timestamp_column == "created_at"
    assert orders.primary_key == ["order_id"]
    assert orders.daily_rows and orders.daily_rows > 0
    assert {(f.table, f.column, f.category) for f in d.pii.fields} >= {("customers", "email", "email"),
                                                                        ("customers", "full_name", "name")}
    assert any(r.title.startswith("orders.customer_id -> customers") for r in d.risks)


def test_record_architecture_keeps_the_design_consistent(dataset):
    wl = wb.Workload(name="fast", peak_events_per_sec=20_000, avg_event_bytes=800, latency_slo_seconds=5)
    d = record_profile(PipelineDesign(), dataset[1])
    record_architecture(d, wb.recommend(wl), wb.size_kafka(wl), wb.compare(wl), wl)
    k = wb.size_kafka(wl)
    assert d.architecture.architecture == "streaming" and d.cdc.method == "log"
    assert d.orchestration.schedule == "@hourly"
    assert d.architecture.sizing.partitions == k.partitions
    # each topic is sized from its own source: the sample's volumes are far below 0.3 MB/s, so the minimum 3
    assert {t.partitions for t in d.streaming.topics} == {3} and all("→ 3" in t.reason for t in d.streaming.topics)
    assert [g.consumers for g in d.streaming.consumer_groups] == [3]  # consumers <= partitions
    assert [s.architecture for s in d.architecture.simulations] == [r.architecture for r in wb.compare(wl).results]
    assert d.monitoring.consumer_lag_max_seconds == 5
    slow = wb.Workload(name="slow", peak_events_per_sec=5, avg_event_bytes=800, latency_slo_seconds=86_400)
    record_architecture(d, wb.recommend(slow), workload=slow)
    assert d.architecture.architecture == "batch" and d.orchestration.schedule == "@daily"
    assert d.cdc.method == "log" and len(d.streaming.topics) == 6  # log-based CDC still flows through Kafka
    assert d.monitoring.consumer_lag_max_seconds == 86_400
    record_cdc(d, method="timestamp")  # polling updated_at: no topics, no lag alerts
    assert d.streaming.topics == [] and d.streaming.consumer_groups == [] and d.cdc.tables == []
    assert d.monitoring.consumer_lag_max_seconds is None


def test_record_transforms_round_trips_the_dbt_project_through_the_design(dataset, tmp_path):
    if not SHOP_DBT.exists():
        pytest.skip("the transform step's example project is not in this checkout")
    from workbench.session import open_workspace

    proj = wb.TransformProject.from_dbt(SHOP_DBT)
    ws_a = open_workspace(None, ROOT / "sample_data")
    first = proj.build(ws_a)
    d = record_transforms(record_profile(PipelineDesign(), dataset[1]), proj, first)
    assert {m.name for m in d.transforms.models} == set(proj.models)
    assert d.transforms.model("stg_orders").layer == "staging"
    assert any(e.upstream == "shop.orders" and e.downstream == "stg_orders" for e in d.lineage)
    assert {s.table for s in d.sinks} >= {"fct_orders", "dim_customers"}
    d = PipelineDesign.from_yaml(d.to_yaml())  # the design file alone...
    files = d.export(tmp_path / "out", targets="dbt")
    again = wb.TransformProject.from_dbt(tmp_path / "out" / "dbt")  # ...rebuilds the same project
    ws_b = open_workspace(None, ROOT / "sample_data")
    second = again.build(ws_b)
    assert second.ok == first.ok
    for model in proj.models:
        if proj.config_for(model)["materialized"] == "ephemeral":
            continue
        q = f"SELECT * FROM {model} ORDER BY ALL"
        assert ws_a.con.execute(q).fetchall() == ws_b.con.execute(q).fetchall(), model
    assert any(p.endswith("dbt_project.yml") for p in files["dbt"])


def test_record_quality_splits_suites_per_layer_and_keeps_gate_and_results(dataset):
    ws, prof = dataset
    suite = wb.suggest_expectations(prof.profiles["orders"])
    result = wb.validate(ws, "orders", suite)
    d = record_quality(PipelineDesign(), [suite], gate="warn", results=[result], tables={suite.name: "orders"})
    assert d.quality.gate == "warn"
    assert sum(len(s.expectations) for s in d.quality.suites) == len(suite.expectations)
    assert {s.table for s in d.quality.suites} == {"orders"}
    failed = sum(not r.success for r in result.results)
    assert sum(s.failed_expectations or 0 for s in d.quality.suites) == failed
    exported = d.quality.suites[0]
    back = wb.Suite.from_gx_json({"name": exported.name, "expectations": [e.model_dump() for e in exported.expectations]})
    assert len(back.expectations) == len(exported.expectations)


def test_record_quality_names_a_layered_suite_once_and_keeps_the_sample_gate(dataset):
    ws, _ = dataset
    layered = wb.Suite(name="orders.transform", layer="transform", expectations=[
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "order_id"}}])
    plain = wb.Suite(name="orders", expectations=[
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "order_id"}, "layer": "source"}])
    result = wb.validate(ws, "orders", layered)
    d = record_quality(PipelineDesign(), [layered, plain], gate=wb.Gate.of("sample", fraction=0.25), results=[result])
    assert [(s.name, s.layer, s.table) for s in d.quality.suites] == [
        ("orders_transform", "transform", "orders"), ("orders_source", "source", "orders")]
    assert (d.quality.gate, d.quality.sample_fraction) == ("sample", 0.25)
    assert d.quality.suites[0].last_result == ("passed" if result.success else "failed")


def test_record_cdc_keeps_apply_counts_that_reconcile(sample_dir):
    from workbench.session import open_workspace

    ws = open_workspace(None, sample_dir)
    r = wb.apply_changes(ws, "orders_replica", "order_events", key="order_id")
    d = record_cdc(PipelineDesign(), method="log", apply_result=r)
    ev = d.cdc.evidence
    assert ev["events_in"] == ev["applied"] + ev["duplicates"] + ev["stale"] + ev["dead_lettered"]
    assert ev["dead_lettered"] == sum(ev["dead_letter_reasons"].values()) > 0
    assert "seconds" not in ev  # timings are not design decisions: the file stays stable across runs


def test_record_cdc_keeps_evidence_and_compatibility(dataset):
    ws, _ = dataset
    old = {"order_id": "BIGINT", "total_amount": "DOUBLE"}
    new = {"order_id": "BIGINT", "total_amount": "DOUBLE", "channel": "VARCHAR"}
    compat = wb.schema_compatibility(old, new)
    d = record_cdc(PipelineDesign(), method="log", compatibility=compat, checksums={"once": "a", "twice": "a"},
                                    playbook="# playbook\n")
    assert d.cdc.method == "log" and d.cdc.evidence["checksums_equal"] is True
    assert d.schema_evolution.compatibility in ("BACKWARD", "FULL")
    assert d.schema_evolution.detected_changes == [c.describe() for c in compat.changes]
    assert d.backfill.playbook_markdown == "# playbook\n"

def test_record_quality_keeps_each_checks_severity_and_layer():
    suite = wb.Suite(name="payments", expectations=[
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "amount"}, "severity": "warning"},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "payment_id"}, "layer": "sink",
         "severity": "info"}])
    d = record_quality(PipelineDesign(), suite)
    got = {(s.layer, e.type, e.severity) for s in d.quality.suites for e in s.expectations}
    assert got == {("source", "expect_column_values_to_not_be_null", "warning"),
                   ("sink", "expect_column_values_to_be_unique", "info")}
    # and through the GX JSON a user saves and loads again
    again = record_quality(PipelineDesign(), suite.to_gx_json("1"))
    assert {(s.layer, e.severity) for s in again.quality.suites for e in s.expectations} == {
        ("source", "warning"), ("sink", "info")}


def test_record_architecture_refuses_an_unknown_orchestrator(dataset):
    wl = wb.Workload.from_profile(dataset[1].profiles["orders"], timestamp_column="created_at")
    with pytest.raises(wb.WorkbenchError, match="airflow"):
        record_architecture(PipelineDesign(), wb.recommend(wl), orchestrator="cron-on-a-laptop")


def test_record_transforms_renders_doc_blocks_into_the_design():
    from pathlib import Path

    import workbench as wb

    fixture = Path(__file__).parents[1] / "transform" / "fixtures" / "jaffle_shop_docs"
    proj = wb.TransformProject.from_dbt(fixture)
    design = wb.record_transforms(wb.PipelineDesign(), proj)
    texts = [m.description for m in design.transforms.models]
    texts += [d for m in design.transforms.models for d in m.columns.values()]
    assert texts and not any("doc(" in t for t in texts)
    documented = next(m for m in design.transforms.models if m.name in proj.models and proj.models[m.name].description)
    assert documented.description == proj.describe(documented.name) != ""
