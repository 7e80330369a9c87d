"""export(): folder rules and atomicity, and each exporter's content."""

from __future__ import annotations

import ast
import json
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

import workbench as wb
from workbench.design import TARGETS, PipelineDesign
from workbench.design.export import mermaid
from workbench.design.export.debezium import connector_config
from workbench.design.export.event_schema import event_schema
from workbench.design.model import SECRET_REF, TOPIC_NAME, QualitySuite
from workbench.design.plan import build_plan
from workbench.errors import ExportError


def files_of(export: dict[str, list[str]], target: str) -> dict[str, Path]:
    paths = [Path(p) for p in export[target]]
    root = Path(export["design"][0]).parent
    return {p.relative_to(root).as_posix(): p for p in paths}


# --- the export contract -------------------------------------------------------------------------
def test_targets_that_apply_to_each_design(batch_export, streaming_export):
    assert list(batch_export) == ["design", "mermaid", "airflow", "dbt", "gx", "pipeline", "playbook", "handoff",
                                  "document"]
    assert list(streaming_export) == ["design", "mermaid", "airflow", "dbt", "kafka", "debezium", "event_schema", "gx",
                                      "pipeline", "playbook", "handoff", "document"]
    for paths in batch_export.values():
        assert paths and all(Path(p).is_file() for p in paths)


def test_export_refuses_a_non_empty_folder_unless_overwrite(batch_design, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not empty.*overwrite=True"):
        batch_design.export(out, targets=["mermaid"])
    files = batch_design.export(out, targets=["mermaid"], overwrite=True)
    assert files == {"mermaid": [str(out / "diagrams" / "pipeline.mmd")]}
    assert (out / "mine.txt").read_text() == "keep me"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folder left behind"


def test_export_is_all_or_nothing(batch_design, tmp_path):
    batch_design.transforms.model("rpt_daily_revenue").sql = None  # a mart without SQL: the dbt target fails
    out = tmp_path / "out"
    with pytest.raises(ExportError, match=r"dbt models \['rpt_daily_revenue'\] have no SQL"):
        batch_design.export(out, targets=["mermaid", "dbt"])
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_unknown_target_suggests_the_nearest(batch_design, tmp_path):
    with pytest.raises(ExportError, match="Unknown export target 'airflw'. Did you mean 'airflow'"):
        batch_design.export(tmp_path / "o", targets=["airflw"])


def test_explicit_targets_are_written_even_when_not_applicable(batch_design, tmp_path):
    files = batch_design.export(tmp_path / "o", targets="dagster")
    assert list(files) == ["dagster"]


def test_every_target_has_a_description():
    assert all(t.description for t in TARGETS.values())


def test_design_target_round_trips(batch_design, batch_export):
    f = files_of(batch_export, "design")
    assert PipelineDesign.load(f["design.yaml"]) == batch_design
    assert json.loads(f["pipeline_design.schema.json"].read_text())["title"] == "PipelineDesign"


def test_cli_export(tmp_path, batch_design):
    from workbench.cli import main

    design = batch_design.save(tmp_path / "d.yaml")
    assert main(["export", str(design), "--out", str(tmp_path / "o"), "--target", "kafka", "--target", "mermaid"]) == 0
    assert (tmp_path / "o" / "diagrams" / "pipeline.mmd").exists()
    assert main(["export", str(design), "--out", str(tmp_path / "o"), "--target", "mermaid"]) == 2  # not empty


# --- mermaid -------------------------------------------------------------------------------------
def test_mermaid_flowchart_is_structurally_valid_and_has_all_five_stages(batch_export, streaming_export):
    for export in (batch_export, streaming_export):
        text = files_of(export, "mermaid")["diagrams/pipeline.mmd"].read_text()
        assert mermaid.check_mermaid(text) == []
        for stage in ("Sources", "Ingestion", "Processing", "Storage", "Serving"):
            assert f'["{stage}"]' in text
    stream = files_of(streaming_export, "mermaid")["diagrams/pipeline.mmd"].read_text()
    assert "Debezium CDC" in stream and "kafka_topics" in stream


@pytest.mark.parametrize("bad, problem", [
    ("graph LR\n a --> b", "must start with 'flowchart"),
    ('flowchart LR\n a["x"]\n a --> b', "undeclared node 'b'"),
    ('flowchart LR\n subgraph s["S"]\n a["x"]', "not closed"),
    ('flowchart LR\n end["x"]', "reserved word"),
    ('flowchart LR\n a["say "hi""]', "not a flowchart statement"),
    ('flowchart LR\n a["x"]\n a["y"]', "declared twice"),
])
def test_check_mermaid_catches_broken_diagrams(bad, problem):
    assert any(problem in p for p in mermaid.check_mermaid(bad)), mermaid.check_mermaid(bad)


def test_mermaid_labels_with_quotes_stay_valid(batch_design):
    batch_design.title = 'The "shop" pipeline'
    batch_design.sources[0].system = 'pg "prod"'
    assert mermaid.check_mermaid(mermaid.flowchart(batch_design)) == []


# --- airflow -------------------------------------------------------------------------------------
def test_airflow_dag_file_has_the_airflow3_shape(batch_export):
    src = files_of(batch_export, "airflow")["airflow/dags/shop_pipeline.py"].read_text()
    ast.parse(src)
    assert "from airflow.sdk import DAG" in src
    assert "from airflow.providers.standard.operators.bash import BashOperator" in src
    for needle in ("schedule='@hourly'", "catchup=False", '"retries": int(os.environ.get("PIPELINE_RETRIES", 2))',
                   "retry_delay", "tags=[", "on_failure_callback",
                   "task_id='dbt_build'", "task_id='quality_gate_source'", "task_id='quality_gate_transform'",
                   "task_id='quality_gate_sink'", "quality_gate_source = BashOperator", "] >> dbt_build"):
        assert needle in src, needle
    assert "python -m pipeline.gate --layer transform" in src and "python -m pipeline.load --table orders" in src
    config = json.loads(files_of(batch_export, "pipeline")["pipeline/config.json"].read_text())
    assert config["gate"] == "strict"
    assert "fct_orders_transform" in {s["name"] for s in config["checks"]["transform"]}


# --- dagster -------------------------------------------------------------------------------------
def test_dagster_module_parses_and_has_checks_per_suite(batch_design, tmp_path):
    batch_design.orchestration.tool = "dagster"
    files = batch_design.export(tmp_path / "o")
    assert "dagster" in files and "airflow" not in files
    src = Path(files["dagster"][0]).read_text()
    ast.parse(src)
    assert src.count("@dg.asset_check(") == len([s for s in batch_design.quality.suites if s.expectations])
    assert "blocking=True" in src and "cron_schedule='0 * * * *'" in src


# --- kafka ---------------------------------------------------------------------------------------
def test_kafka_topics_follow_the_naming_rule_and_sizing(streaming_design, streaming_export):
    f = files_of(streaming_export, "kafka")
    doc = yaml.safe_load(f["kafka/topics.yaml"].read_text())
    sizing = streaming_design.architecture.sizing
    assert len(doc["topics"]) == len(streaming_design.sources)
    for t in doc["topics"]:
        assert TOPIC_NAME.match(t["name"])
        assert t["partitions"] == sizing.partitions and t["replication_factor"] == sizing.replication_factor
        assert t["config"]["retention.ms"] == str(int(sizing.retention_hours * 3600 * 1000))
        assert t["config"]["cleanup.policy"] == "delete" and t["config"]["min.insync.replicas"] == "2"
    [group] = doc["consumer_groups"]
    assert group["name"] == "warehouse-loader" and group["consumers"] <= sizing.partitions
    script = f["kafka/kafka-topics.sh"]
    assert script.stat().st_mode & 0o111
    subprocess.run(["bash", "-n", str(script)], check=True)
    creates = [shlex.split(ln) for ln in script.read_text().splitlines() if "--create" in ln]
    assert len(creates) == len(doc["topics"])
    first = creates[0]
    assert first[first.index("--topic") + 1] == doc["topics"][0]["name"]
    assert first[first.index("--partitions") + 1] == str(sizing.partitions)
    assert "--if-not-exists" in first


# --- debezium ------------------------------------------------------------------------------------
def test_debezium_connector_uses_pgoutput_unwrap_and_secret_placeholders(streaming_design, streaming_export):
    f = files_of(streaming_export, "debezium")
    connector = f"debezium/{streaming_design.cdc.connector_name}.json"
    assert sorted(f) == sorted(["debezium/register.sh", connector])
    doc = json.loads(f[connector].read_text())
    cfg = doc["config"]
    assert cfg["connector.class"] == "io.debezium.connector.postgresql.PostgresConnector"
    assert cfg["plugin.name"] == "pgoutput"
    assert cfg["table.include.list"].split(",") == [f"public.{s.name}" for s in streaming_design.sources]
    assert cfg["transforms.unwrap.type"] == "io.debezium.transforms.ExtractNewRecordState"
    assert cfg["transforms.unwrap.drop.tombstones"] == "false"
    assert cfg["value.converter"] == cfg["key.converter"] == "org.apache.kafka.connect.json.JsonConverter"
    for key in ("database.password", "database.user", "database.hostname"):
        assert SECRET_REF.match(cfg[key]), key
    assert "password" not in json.dumps({k: v for k, v in cfg.items() if k != "database.password"}).lower()


def test_debezium_router_produces_topic_names_of_the_design(streaming_design):
    import re

    cfg = connector_config(streaming_design)["config"]
    regex = cfg["transforms.route.regex"]
    topics = {t.name for t in streaming_design.streaming.topics}
    for s in streaming_design.sources:
        raw = f"{cfg['topic.prefix']}.{s.schema_name}.{s.name}"
        routed = re.sub(f"^{regex}$", cfg["transforms.route.replacement"].replace("$1", r"\1"), raw)
        assert routed in topics


# --- event schema --------------------------------------------------------------------------------
def test_event_schema_is_valid_draft07_and_validates_a_sample_event(streaming_design, streaming_export, sample_dir):
    jsonschema = pytest.importorskip("jsonschema")
    f = files_of(streaming_export, "event_schema")
    schema = json.loads(f["schemas/shop.orders.schema.json"].read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["required"] == ["event_id", "event_type", "timestamp", "data"]
    row = json.loads((sample_dir / "order_events.ndjson").read_text().splitlines()[0])
    event = {"event_id": row["event_id"], "event_type": "created", "timestamp": "2026-10-01T01:41:53Z",
             "version": 1, "source": "shop", "correlation_id": None, "data": row["after"]}
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    assert list(validator.iter_errors(event)) == []
    broken = {**event, "event_type": "exploded"}
    broken.pop("event_id")
    messages = sorted(e.message for e in validator.iter_errors(broken))
    assert any("'event_id' is a required property" in m for m in messages)
    assert any("'exploded' is not one of" in m for m in messages)
    late = {**event, "timestamp": "yesterday"}
    assert any("is not a 'date-time'" in e.message for e in validator.iter_errors(late))
    no_key = {**event, "data": {k: v for k, v in event["data"].items() if k != "order_id"}}
    assert any("'order_id' is a required property" in e.message for e in validator.iter_errors(no_key))


def test_event_schema_types_follow_column_types(streaming_design):
    s = streaming_design.source("orders")
    props = event_schema(streaming_design, s)["properties"]["data"]["properties"]
    assert props["order_id"]["type"] in ("integer", ["integer", "null"])
    assert props["created_at"]["pattern"].startswith("^")
    assert event_schema(streaming_design, s)["properties"]["timestamp"]["format"] == "date-time"


# --- gx, playbook, handoffs ------------------------------------------------------------------------
def test_gx_suites_per_layer_in_1x_shape(batch_design, batch_export):
    f = files_of(batch_export, "gx")
    assert {p.split("/")[1] for p in f} == {"source", "transform", "sink"}
    doc = json.loads(f["gx/sink/fct_orders_sink.json"].read_text())
    assert doc["name"] == "fct_orders_sink"
    assert [e["type"] for e in doc["expectations"]] == ["expect_table_row_count_to_be_between",
                                                        "expect_column_values_to_be_between"]
    assert doc["expectations"][1]["meta"]["workbench"] == {"layer": "sink", "severity": "warning"}


def test_gx_suites_load_in_the_quality_step(batch_export):
    quality = pytest.importorskip("workbench.quality")
    for path in batch_export["gx"]:
        suite = quality.Suite.from_gx_json(path)
        assert len(suite.expectations) == len(json.loads(Path(path).read_text())["expectations"])


def test_playbook_has_every_section_and_the_airflow3_backfill_command(batch_design, batch_export):
    text = Path(batch_export["playbook"][0]).read_text()
    for heading in ("## Reason", "## Scope", "## Pre-checks", "## Steps", "## Rollback", "## Post-checks"):
        assert heading in text
    assert "airflow backfill create --dag-id shop_pipeline --from-date" in text
    batch_design.backfill.playbook_markdown = "# recorded by the CDC step\n"
    assert Path(batch_design.export(Path(batch_export["design"][0]).parent.parent / "pb", targets="playbook")
                ["playbook"][0]).read_text() == "# recorded by the CDC step\n"


def test_handoffs_match_the_design_guide_formats(streaming_design, streaming_export):
    f = files_of(streaming_export, "handoff")
    canvas = yaml.safe_load(f["handoffs/stream_to_canvas.yaml"].read_text())["STREAM_TO_CANVAS_HANDOFF"]
    assert canvas["diagram_request"] == {"type": "data_flow", "title": "Shop order stream"}
    assert canvas["format"] == "mermaid" and mermaid.check_mermaid(canvas["mermaid"]) == []
    ids = {n["id"] for n in canvas["nodes"]}
    assert {n["type"] for n in canvas["nodes"]} <= {"source", "streaming", "processing", "sink"}
    assert all(e["from"] in ids and e["to"] in ids for e in canvas["edges"])
    summary = yaml.safe_load(f["handoffs/summary.yaml"].read_text())["SUMMARY_HANDOFF"]
    assert summary["decisions"]["architecture"] == "streaming"
    assert "kafka/topics.yaml" in summary["artifacts"]
    assert summary["pending_confirmations"] and "open_questions" in summary and summary["next_step"]


def test_clean_overwrite_leaves_no_stale_artifacts(batch_design, tmp_path):
    out = tmp_path / "out"
    batch_design.export(out, targets=["mermaid", "playbook"])
    (out / "stale.txt").write_text("old run")
    batch_design.export(out, targets="mermaid", overwrite=True, clean=True)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["diagrams/pipeline.mmd"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_severity_survives_design_to_gx_json_to_design(tmp_path):
    design = PipelineDesign(sources=[{"name": "flights"}])
    design.quality.suites = [QualitySuite(name="flights_transform", layer="transform", table="flights", expectations=[
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "tail"}, "severity": "warning"},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "flight_no"}, "severity": "critical"}])]
    files = design.export(tmp_path / "out", targets="gx")
    suite = wb.Suite.from_gx_json(next(Path(p) for p in files["gx"] if Path(p).name == "flights_transform.json"))
    assert [e.severity for e in suite.expectations] == ["warning", "critical"]
    assert suite.expectations[0].layer == "transform"
    again = wb.record_quality(wb.PipelineDesign(), suite, tables={suite.name: "flights"})
    assert [e.severity for s in again.quality.suites for e in s.expectations] == ["warning", "critical"]


def test_dbt_source_freshness_comes_from_the_profile_and_survives_the_dbt_round_trip(batch_design, tmp_path):
    from workbench.transform import TransformProject

    batch_design.export(tmp_path / "out", targets="dbt")
    doc = yaml.safe_load((tmp_path / "out" / "dbt" / "models" / "schema.yml").read_text())
    tables = {t["name"]: t for s in doc["sources"] for t in s["tables"]}
    hours = -(-batch_design.monitoring.freshness_max_delay_seconds // 3600)
    assert tables["orders"]["loaded_at_field"] == '"updated_at"'
    assert tables["orders"]["freshness"] == {"warn_after": {"count": hours, "period": "hour"},
                                             "error_after": {"count": 2 * hours, "period": "hour"}}
    assert tables["order_events"]["loaded_at_field"] == 'epoch_ms("ts_ms")'  # an epoch-ms stamp
    assert "loaded_at_field" not in tables["customers"]  # no arrival column: no freshness claim
    again = TransformProject.from_dbt(tmp_path / "out" / "dbt")
    assert again.sources["source:shop.orders"].freshness == tables["orders"]["freshness"]


def test_a_streaming_design_exports_its_stream_job_and_a_batch_design_only_keeps_the_choice(
        streaming_design, batch_design, sample_dir, tmp_path):
    ws = wb.open_workspace(None, sample_dir)
    lab = wb.replay_windows(ws, "order_events", event_time="ts_ms", keys=["op"], arrival="seq", batch_events=100,
                            window=("sliding", 3600, 900), watermark_delay=600, output_mode="update")
    ws.close()
    streaming, batch = streaming_design.model_copy(deep=True), batch_design.model_copy(deep=True)
    for d in (streaming, batch):
        wb.record_streaming(d, lab, late_tolerance=0.005)
    files = streaming.export(tmp_path / "s")
    config = json.loads((tmp_path / "s" / "stream" / "config.json").read_text())
    assert {k: config[k] for k in ("events", "event_time", "window", "window_seconds", "slide_seconds",
                                   "watermark_delay_seconds", "output_mode", "keys")} == {
        "events": "order_events", "event_time": "ts_ms", "window": "sliding", "window_seconds": 3600,
        "slide_seconds": 900, "watermark_delay_seconds": 600, "output_mode": "update", "keys": ["op"]}
    assert config["event_time_epoch_ms"] and config["field_types"] == {"ts_ms": "BIGINT", "op": "STRING"}
    assert "stream" in files and "reconcile_stream" in {s.id for s in build_plan(streaming)}
    pipeline = json.loads((tmp_path / "s" / "pipeline" / "config.json").read_text())
    assert pipeline["stream"]["late_tolerance"] == 0.005
    assert "stream" not in batch.export(tmp_path / "b")  # the lab's choice is recorded, no stream job runs
    assert "reconcile_stream" not in {s.id for s in build_plan(batch)}
    assert batch.streaming.job.evidence["late_events"] == lab.late_events
