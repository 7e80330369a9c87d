"""PipelineDesign: round trips, the published schema, and contradictions named by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import workbench as wb
from workbench.design import PipelineDesign
from workbench.design.model import ConsumerGroup, Orchestration, Sink, StreamingPlan, Topic
from workbench.errors import DesignError

ROOT = Path(__file__).resolve().parents[2]


def test_public_name_is_the_design_model():
    assert wb.PipelineDesign is PipelineDesign


def test_yaml_and_json_round_trip_keep_every_field(batch_design, tmp_path):
    again = PipelineDesign.from_yaml(batch_design.to_yaml())
    assert again == batch_design
    for suffix in (".yaml", ".yml", ".json"):
        path = batch_design.save(tmp_path / f"design{suffix}")
        assert PipelineDesign.load(path) == batch_design
    assert json.loads((tmp_path / "design.json").read_text())["architecture"]["architecture"] == "batch"


def test_save_is_atomic_and_leaves_no_temp_files(batch_design, tmp_path):
    target = tmp_path / "design.yaml"
    target.write_text("old: content\n")
    batch_design.save(target)
    assert PipelineDesign.load(target) == batch_design
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.yaml"]


def test_save_refuses_an_inconsistent_design_and_keeps_the_old_file(batch_design, tmp_path):
    target = batch_design.save(tmp_path / "design.yaml")
    before = target.read_text()
    batch_design.architecture.architecture = "streaming"  # assignment is not validated...
    batch_design.orchestration.schedule = "@daily"
    with pytest.raises(DesignError, match="orchestration.schedule"):  # ...but saving is
        batch_design.save(target)
    assert target.read_text() == before


def test_published_json_schema_is_current():
    published = json.loads((ROOT / "schemas" / "pipeline_design.schema.json").read_text(encoding="utf-8"))
    assert published == PipelineDesign.model_json_schema(), (
        "schemas/pipeline_design.schema.json is stale: regenerate it from PipelineDesign.model_json_schema()")


def test_fixture_designs_validate_against_the_published_schema(batch_design, streaming_design):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schemas" / "pipeline_design.schema.json").read_text(encoding="utf-8"))
    for d in (batch_design, streaming_design):
        jsonschema.validate(d.to_dict(), schema)


def test_load_or_new_is_in_memory_for_an_empty_path(tmp_path):
    assert PipelineDesign.load_or_new("") == PipelineDesign()
    assert PipelineDesign.load_or_new(tmp_path / "not_yet.yaml", name="x_pipeline").name == "x_pipeline"


def test_load_names_the_problem(tmp_path):
    with pytest.raises(DesignError, match="must end in .yaml"):
        PipelineDesign.load(tmp_path / "design.txt")
    with pytest.raises(DesignError, match="does not exist"):
        PipelineDesign.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(DesignError, match="not valid YAML"):
        PipelineDesign.load(bad)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("orchestration:\n  retries: -1\n  tool: cron\nsurprise: 1\n")
    with pytest.raises(DesignError) as err:
        PipelineDesign.load(wrong)
    text = str(err.value)
    assert "orchestration.retries" in text and "orchestration.tool" in text and "surprise" in text
    assert "3 problems" in text


def test_streaming_with_a_daily_schedule_is_an_error_naming_both_fields():
    with pytest.raises(ValidationError) as err:
        PipelineDesign(architecture={"architecture": "streaming"}, orchestration=Orchestration(schedule="0 2 * * *"))
    msg = str(err.value)
    assert "architecture.architecture" in msg and "orchestration.schedule" in msg and "'0 2 * * *'" in msg
    PipelineDesign(architecture={"architecture": "streaming"}, orchestration=Orchestration(schedule="*/5 * * * *"))
    PipelineDesign(architecture={"architecture": "streaming"}, orchestration=Orchestration(schedule=None))


def test_consumers_above_partitions_is_an_error_naming_the_group_and_topic():
    plan = StreamingPlan(topics=[Topic(name="shop.orders.changed", partitions=3)],
                         consumer_groups=[ConsumerGroup(name="analytics-aggregator", topics=["shop.orders.changed"],
                                                        consumers=4)])
    with pytest.raises(ValidationError) as err:
        PipelineDesign(streaming=plan)
    msg = str(err.value)
    assert "streaming.consumer_groups[0].consumers (4" in msg and "3 partitions" in msg and "shop.orders.changed" in msg
    with pytest.raises(ValidationError, match=r"architecture.sizing.consumers \(7\) exceeds"):
        PipelineDesign(architecture={"sizing": {"partitions": 6, "consumers": 7}})


def test_upsert_sink_without_a_key_is_an_error_naming_the_sink():
    with pytest.raises(ValidationError) as err:
        PipelineDesign(sinks=[Sink(name="fct_orders", table="fct_orders", write_mode="upsert")])
    msg = str(err.value)
    assert "sinks[0].key is empty" in msg and "sinks[0].write_mode is 'upsert'" in msg and "'fct_orders'" in msg
    PipelineDesign(idempotency={"strategy": "dedup_at_source"},
                   sinks=[Sink(name="fct_orders", table="fct_orders", write_mode="append")])
    with pytest.raises(ValidationError, match="every sinks\\[\\].write_mode is 'append': nothing upserts"):
        PipelineDesign(sinks=[Sink(name="fct_orders", table="fct_orders", write_mode="append")])


def test_literal_secrets_and_bad_names_are_refused():
    with pytest.raises(ValidationError, match="cdc.password_secret must be a secret reference"):
        PipelineDesign(cdc={"password_secret": "hunter2"})
    with pytest.raises(ValidationError, match=r"topic name 'Orders-created'.*\{domain\}\.\{entity\}\.\{event_type\}"):
        Topic(name="Orders-created", partitions=3)
    with pytest.raises(ValidationError, match=r"\{service\}-\{purpose\}"):
        ConsumerGroup(name="analytics", topics=[])
    with pytest.raises(ValidationError, match="snake_case"):
        PipelineDesign(name="../escape")


def test_schedule_presets_and_cron(batch_design):
    assert Orchestration(schedule="@daily").runs_at_most_daily
    assert Orchestration(schedule="30 1 * * *").runs_at_most_daily
    assert not Orchestration(schedule="*/10 * * * *").runs_at_most_daily
    assert not Orchestration(schedule="@hourly").runs_at_most_daily
    assert Orchestration(schedule="@weekly").cron == "0 0 * * 0"
    with pytest.raises(ValidationError, match="not a 5-field cron"):
        Orchestration(schedule="every day")
    with pytest.raises(ValidationError, match="not a known preset"):
        Orchestration(schedule="@fortnightly")


def test_summary_and_html_repr(streaming_design):
    text = streaming_design.summary()
    assert "streaming" in text and "topics: 6" in text and "CDC: log" in text
    assert streaming_design._repr_html_().startswith("<pre>")
