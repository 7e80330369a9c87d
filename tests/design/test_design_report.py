"""08_export under the report harness: the design document lands in design_report.html, the artifacts beside it,
and the two example parameter files give two different, consistent designs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from workbench.design import PipelineDesign
from workbench.report import load_params, run_report

ROOT = Path(__file__).resolve().parents[2]


def test_example_parameter_files_give_the_workload_to_both_notebooks():
    for name in ("report.example.yaml", "streaming.yaml"):
        per = load_params(ROOT / "params" / name)["notebooks"]
        assert per["08_export"]["latency_slo_seconds"] == per["02_architecture"]["latency_slo_seconds"]
        assert per["08_export"]["scale"] == per["02_architecture"]["scale"]
    stream = yaml.safe_load((ROOT / "params" / "streaming.yaml").read_text())["notebooks"]["02_architecture"]
    assert stream["latency_slo_seconds"] < 60


@pytest.mark.slow
@pytest.mark.parametrize("params, architecture, only_streaming", [
    ("report.example.yaml", "batch", False),
    ("streaming.yaml", "streaming", True),
])
def test_export_notebook_in_the_report(tmp_path, sample_dir, params, architecture, only_streaming):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "workbench" / "notebooks" / "08_export.ipynb", notebooks)
    out = tmp_path / "report"
    run_report(out, load_params(ROOT / "params" / params), notebooks_dir=notebooks, data_dir=sample_dir)
    html = (out / "design_report.html").read_text(encoding="utf-8")
    assert "wb-design-document" in html and "Architecture decision" in html and "Design warnings" in html
    assert html.count('src="data:image/png;base64,') >= 3  # the document's charts, inline
    design = PipelineDesign.load(out / "design.yaml")  # saved for the next run
    assert design.architecture.architecture == architecture
    art = out / "artifacts"
    assert PipelineDesign.load(art / "design.yaml") == design
    for rel in ("design.md", "design.ja.html", "diagrams/pipeline.mmd", "backfill_playbook.md", "dbt/dbt_project.yml",
                f"airflow/dags/{design.orchestration.pipeline_id}.py", "handoffs/summary.yaml"):
        assert (art / rel).is_file(), rel
    assert (art / "kafka" / "topics.yaml").exists() is only_streaming
    assert (art / "debezium").exists() is only_streaming
    if only_streaming:
        assert design.cdc.method == "log" and design.orchestration.schedule == "@hourly"
        assert "shop.orders.changed" in (art / "kafka" / "kafka-topics.sh").read_text()
        assert design.monitoring.consumer_lag_max_seconds == 5
    else:
        assert design.cdc.method == "timestamp" and not design.streaming.topics


def test_complete_design_takes_sources_from_the_data_folder_only(sample_dir):
    import workbench as wb
    from workbench.pipeline import complete_design

    ws = wb.open_workspace(None, sample_dir)
    ws.con.execute("CREATE TABLE orders_replica AS SELECT * FROM orders LIMIT 5")  # what a later step leaves behind
    design = PipelineDesign()
    filled = complete_design(design, ws, data_dir=sample_dir)
    assert filled[0].startswith("focus (fact table 'orders': the most rows (2,010)")  # chosen from the data, with why
    assert "arrival time 'created_at'" in filled[0]
    assert filled[1] == "sources (profile)" and filled[-1] == "backfill window"
    assert sorted(s.name for s in design.sources) == ["customers", "order_events", "order_items", "orders",
                                                      "payments", "stores"]
    assert {s.layer for s in design.quality.suites} == {"source", "transform", "sink"}
    assert all(f.handling == "hash" for f in design.pii.fields)
    b = design.backfill
    assert (b.start.isoformat(), b.end.isoformat()) == ("2026-10-29", "2026-10-31")
    assert b.estimated_rows == ws.scalar("SELECT count(*) FROM orders WHERE CAST(created_at AS DATE) "
                                         "BETWEEN DATE '2026-10-29' AND DATE '2026-10-31'")
    # only what a person must supply is left: the team's real alert channel
    assert [f.rule for f in design.lint() if f.severity == "warning"] == ["placeholder_alert_channel"]
    again = design.model_copy(deep=True)
    assert complete_design(again, ws, data_dir=sample_dir) == []  # a complete design is kept as it is
    assert again == design
