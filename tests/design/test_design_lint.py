"""Design lint: each "never do" rule of the design guide fires on its case and names the field."""

from __future__ import annotations

import pytest

from workbench.design import lint


def rules(design) -> list[str]:
    return [f.rule for f in lint(design) if f.severity == "warning"]


def test_the_batch_fixture_is_clean_but_for_its_placeholder_alert_channel(batch_design):
    assert rules(batch_design) == ["placeholder_alert_channel"]
    batch_design.monitoring.channels = ["email:data-oncall@shop.co.jp", "slack:#data-alerts"]
    assert rules(batch_design) == []


@pytest.mark.parametrize("channel", ["email:data-platform@example.com", "email:ops@alerts.example.org",
                                     "email:me@shop.test", "email:x@corp.invalid"])
def test_an_example_alert_channel_is_a_placeholder(batch_design, channel):
    batch_design.monitoring.channels = ["slack:#data-alerts", channel]
    [f] = [f for f in lint(batch_design) if f.rule == "placeholder_alert_channel"]
    assert f.severity == "warning" and f.field == "monitoring.channels" and channel in f.message
    assert "通知先" in f.message_ja


@pytest.mark.parametrize("channel", ["email:ops@test.io", "email:ops@examples.com", "pagerduty:data-platform"])
def test_a_real_alert_channel_is_not_a_placeholder(batch_design, channel):
    batch_design.monitoring.channels = [channel]
    assert "placeholder_alert_channel" not in rules(batch_design)


def test_no_idempotency_strategy(batch_design):
    batch_design.idempotency.strategy = "none"
    batch_design.sinks = [s.model_copy(update={"write_mode": "append"}) for s in batch_design.sinks]
    [f] = [f for f in lint(batch_design) if f.rule == "no_idempotency"]
    assert f.field == "idempotency.strategy" and "re-run" in f.message and "冪等性" in f.message_ja


def test_layer_without_quality_checks_names_the_layer(batch_design):
    batch_design.quality.suites = [s for s in batch_design.quality.suites if s.layer != "sink"]
    [f] = [f for f in lint(batch_design) if f.rule == "layer_without_quality"]
    assert f.field == "quality.suites (layer 'sink')"
    batch_design.quality.suites = []
    assert rules(batch_design).count("layer_without_quality") == 3


def test_no_monitoring(batch_design):
    batch_design.monitoring.enabled = False
    assert "no_monitoring" in rules(batch_design)


def test_streaming_needs_a_consumer_lag_alert(streaming_design):
    assert "no_monitoring" not in rules(streaming_design)
    streaming_design.monitoring.consumer_lag_max_seconds = None
    streaming_design.monitoring.consumer_lag_max_events = None
    [f] = [f for f in lint(streaming_design) if f.rule == "no_monitoring"]
    assert f.field == "monitoring.consumer_lag_max_seconds"


def test_pii_without_handling_names_table_and_column(batch_design):
    batch_design.pii.fields[0].handling = None
    [f] = [f for f in lint(batch_design) if f.rule == "pii_without_handling"]
    assert f.field == "pii.fields (customers.email)" and "customers.email" in f.message


def test_no_schema_evolution_plan(batch_design):
    batch_design.schema_evolution.compatibility = None
    assert "no_schema_evolution" in rules(batch_design)


def test_unbounded_resources(batch_design):
    batch_design.resources.autoscale = True
    [f] = [f for f in lint(batch_design) if f.rule == "unbounded_resources"]
    assert f.field == "resources.autoscale_max"
    batch_design.resources.autoscale = False
    batch_design.resources.max_parallel_tasks = None
    assert "unbounded_resources" in rules(batch_design)


def test_schedule_slower_than_the_latency_slo(batch_design):
    batch_design.orchestration.schedule = "@daily"
    [f] = [f for f in lint(batch_design) if f.rule == "schedule_slower_than_slo"]  # the SLO is one hour
    assert f.field == "orchestration.schedule" and "86400 s" in f.message


@pytest.mark.parametrize(("schedule", "slo", "slower"), [
    ("*/30 * * * *", 600, True), ("*/5 * * * *", 600, False), ("0 */2 * * *", 3600, True), ("@hourly", 3600, False),
    ("@hourly", 1800, True), ("0 6 * * 1", 86400, True), ("15 * * * *", 3600, False), ("@weekly", 3 * 86400, True)])
def test_every_schedule_is_compared_with_the_slo(batch_design, schedule, slo, slower):
    batch_design.orchestration.schedule = schedule
    batch_design.architecture.workload.latency_slo_seconds = slo
    assert ("schedule_slower_than_slo" in rules(batch_design)) is slower


def test_streaming_and_continuous_designs_meet_the_slo_without_the_schedule(streaming_design, batch_design):
    assert streaming_design.orchestration.schedule == "@hourly"  # the batch parts; the 5 s SLO is the stream's
    assert "schedule_slower_than_slo" not in rules(streaming_design)
    batch_design.orchestration.schedule = None
    assert "schedule_slower_than_slo" not in rules(batch_design)


def test_confirm_first_items_for_fast_slo_and_pii(streaming_design):
    confirms = [f.field for f in lint(streaming_design) if f.severity == "confirm"]
    assert confirms == ["architecture.workload.latency_slo_seconds", "pii"]
