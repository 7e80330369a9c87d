"""Exported artifacts in the real tools: Airflow 3 (DagBag), Dagster (definitions), mermaid (parser under node).

Each tool lives in its own cached environment (``tools/peers.py``; node packages under ``.venvs/``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from peers import ROOT, VENVS, peer_python, run_peer

from workbench.design import PipelineDesign
from workbench.design.export import mermaid
from workbench.design.plan import WINDOW_ENV, build_plan

pytestmark = [pytest.mark.interop, pytest.mark.slow]

FIXTURES = Path(__file__).parent / "fixtures"

DAGBAG = textwrap.dedent('''
    import json, sys
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.0
        from airflow.models.dagbag import DagBag
    bag = DagBag(dag_folder=sys.argv[1])
    out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
    for dag_id, dag in bag.dags.items():
        out["dags"][dag_id] = {
            "schedule": str(getattr(dag, "schedule", None)), "catchup": dag.catchup, "tags": sorted(dag.tags),
            "tasks": {t.task_id: {"upstream": sorted(t.upstream_task_ids), "retries": t.retries,
                                  "retry_delay": t.retry_delay.total_seconds(), "type": type(t).__name__,
                                  "env": getattr(t, "env", None), "append_env": getattr(t, "append_env", None)}
                      for t in dag.tasks}}
    print("RESULT" + json.dumps(out))
''')

DAGSTER = textwrap.dedent('''
    import importlib.util, json, sys
    spec = importlib.util.spec_from_file_location("wb_defs", sys.argv[1])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    graph = mod.defs.resolve_asset_graph()
    out = {"assets": {k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
                      for k in graph.get_all_asset_keys()},
           "checks": {c.name: c.asset_key.to_user_string() for c in graph.asset_check_keys},
           "jobs": sorted(j.name for j in mod.defs.resolve_all_job_defs()),
           "schedules": sorted(f"{s.name}:{s.cron_schedule}" for s in mod.defs.schedules or [])}
    print("RESULT" + json.dumps(out))
''')

PREFECT = textwrap.dedent('''
    import importlib, json, os, sys
    from datetime import datetime, timezone
    from pathlib import Path
    sys.path.insert(0, str(Path(sys.argv[1]).parent))  # imported as a deployment would: by file location
    mod = importlib.import_module(Path(sys.argv[1]).stem)
    marks, failing = sys.argv[2], sys.argv[3]
    planned = {"retries": mod.run_step.retries, "retry_delay": mod.run_step.retry_delay_seconds,
               "timeout": mod.run_step.timeout_seconds}
    # every step leaves a mark holding its window instead of calling the real tools; one step may fail
    mod.STEPS = [(sid, f'echo "$WINDOW_START $WINDOW_END" > "{marks}/{sid}"' + (" && exit 3" if sid == failing else ""),
                  up, desc) for sid, _, up, desc in mod.STEPS]
    mod.run_step = mod.run_step.with_options(retries=0)  # the planned retries would wait retry_delay each
    flow = getattr(mod, os.environ["FLOW_NAME"])
    try:
        returned, error = flow(start=datetime(2026, 10, 1, tzinfo=timezone.utc),
                               end=datetime(2026, 10, 2, tzinfo=timezone.utc)), None
    except Exception as exc:
        returned, error = None, f"{type(exc).__name__}: {str(exc)[:300]}"
    deployment = flow.to_deployment(name="check", cron=mod.CRON)
    windows = {m: open(os.path.join(marks, m)).read().split() for m in os.listdir(marks)}
    print("RESULT" + json.dumps({"flow": flow.name, "returned": returned, "error": error, "windows": windows,
                                 "planned": planned, "crons": [s.schedule.cron for s in deployment.schedules]}))
''')

MERMAID = textwrap.dedent('''
    import { readFileSync } from "node:fs";
    import { JSDOM } from "jsdom";
    const dom = new JSDOM("<!doctype html><html><body></body></html>");
    globalThis.window = dom.window; globalThis.document = dom.window.document;
    globalThis.DOMParser = dom.window.DOMParser; globalThis.Element = dom.window.Element;
    const mermaid = (await import("mermaid")).default;
    mermaid.initialize({ startOnLoad: false });
    const results = {};
    for (const file of process.argv.slice(2)) {
      try { results[file] = (await mermaid.parse(readFileSync(file, "utf8"))).diagramType; }
      catch (e) { results[file] = "ERROR " + String(e); }
    }
    console.log("RESULT" + JSON.stringify(results));
''')


def _result(done: subprocess.CompletedProcess) -> dict:
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line, f"no result (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return json.loads(line.removeprefix("RESULT"))


@pytest.mark.parametrize("fixture", ["batch_design.yaml", "streaming_design.yaml"])
def test_airflow_dag_loads_in_real_airflow3_with_the_planned_tasks(fixture, tmp_path):
    design = PipelineDesign.load(FIXTURES / fixture)
    files = design.export(tmp_path / "out", targets="airflow")
    py = peer_python("airflow", ["apache-airflow>=3.0,<4"])
    (tmp_path / "dagbag.py").write_text(DAGBAG)
    home = tmp_path / "airflow_home"
    home.mkdir()
    done = run_peer(py, [str(py), str(tmp_path / "dagbag.py"), str(Path(files["airflow"][0]).parent)],
                    env={"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"})
    result = _result(done)
    assert result["import_errors"] == {}
    dag = result["dags"][design.orchestration.pipeline_id]
    assert dag["schedule"] == design.orchestration.schedule and dag["catchup"] is False
    assert set(design.orchestration.tags) <= set(dag["tags"])
    plan = build_plan(design)
    assert set(dag["tasks"]) == {s.id for s in plan}
    for step in plan:
        task = dag["tasks"][step.id]
        assert task["upstream"] == sorted(step.upstream), step.id
        assert task["retries"] == design.orchestration.retries
        assert task["retry_delay"] == design.orchestration.retry_delay_seconds
    fed_by = [s.id for s in plan if s.kind == "load"] or [s.id for s in plan if s.kind == "extract"]  # log CDC: no load
    assert dag["tasks"]["quality_gate_source"]["upstream"] == sorted(fed_by)
    assert dag["tasks"]["dbt_build"]["upstream"] == ["quality_gate_source"]
    assert dag["tasks"]["quality_gate_transform"]["upstream"] == ["dbt_build"]
    home = str(Path(files["airflow"][0]).resolve().parents[2])  # every task reads the run's data interval
    for step in (s for s in plan if s.command):
        assert (dag["tasks"][step.id]["env"], dag["tasks"][step.id]["append_env"]) == (
            {**WINDOW_ENV, "PIPELINE_HOME": home}, True), step.id


def test_dagster_definitions_load_in_real_dagster(tmp_path):
    design = PipelineDesign.load(FIXTURES / "batch_design.yaml")
    design.orchestration.tool = "dagster"
    files = design.export(tmp_path / "out", targets="dagster")
    py = peer_python("dagster", ["dagster"])
    (tmp_path / "load.py").write_text(DAGSTER)
    done = run_peer(py, [str(py), str(tmp_path / "load.py"), files["dagster"][0]],
                    env={"DAGSTER_HOME": str(tmp_path)})
    result = _result(done)
    assets = result["assets"]
    assert {f"raw_{s.name}" for s in design.sources} <= set(assets)
    assert {m.name for m in design.transforms.models} <= set(assets)
    assert assets["stg_orders"] == ["raw_orders"]
    assert assets["fct_orders"] == ["int_orders_enriched"]
    assert assets["sink_fct_orders"] == ["fct_orders"]
    assert result["checks"] == {"source_orders_suggested_source_gate": "raw_orders",
                                "transform_fct_orders_transform_gate": "fct_orders",
                                "sink_fct_orders_sink_gate": "sink_fct_orders"}
    assert design.orchestration.pipeline_id in result["jobs"]
    assert result["schedules"] == [f"{design.orchestration.pipeline_id}_schedule:0 * * * *"]


def test_prefect_flow_runs_in_real_prefect_and_a_failed_gate_stops_what_follows(tmp_path):
    design = PipelineDesign.load(FIXTURES / "batch_design.yaml")
    design.orchestration.tool = "prefect"
    flow_file = design.export(tmp_path / "out", targets="prefect")["prefect"][0]
    py = peer_python("prefect", ["prefect>=3,<4"])
    (tmp_path / "run.py").write_text(PREFECT)
    env = {"PREFECT_HOME": str(tmp_path / "prefect_home"), "FLOW_NAME": design.orchestration.pipeline_id,
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300", "PREFECT_LOGGING_LEVEL": "WARNING"}
    plan = build_plan(design)
    runs = {}
    for failing in ("none", "quality_gate_source"):
        marks = tmp_path / f"marks_{failing}"
        marks.mkdir()
        runs[failing] = _result(run_peer(py, [str(py), str(tmp_path / "run.py"), flow_file, str(marks), failing],
                                         env=env, timeout=600))
    ok, stopped = runs["none"], runs["quality_gate_source"]
    o = design.orchestration
    assert ok["flow"] == o.pipeline_id and ok["error"] is None
    assert ok["returned"] == [s.id for s in plan]
    assert {tuple(w) for w in ok["windows"].values()} == {("2026-10-01T00:00:00+00:00", "2026-10-02T00:00:00+00:00")}
    assert ok["planned"] == {"retries": o.retries, "retry_delay": o.retry_delay_seconds, "timeout": o.timeout_seconds}
    assert ok["crons"] == [o.cron]
    assert stopped["error"] and "quality_gate_source" in stopped["error"]
    extracts = {s.id for s in plan if s.kind in ("extract", "load")}
    assert set(stopped["windows"]) == extracts | {"quality_gate_source"}  # nothing after the failed gate ran


@pytest.mark.skipif(not (shutil.which("node") and shutil.which("npm")), reason="node and npm are not installed")
def test_mermaid_flowcharts_parse_with_the_real_mermaid_package(tmp_path):
    pkg = VENVS / "node-mermaid"
    if not (pkg / "node_modules" / "mermaid").exists():
        pkg.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(pkg), "--no-audit", "--no-fund", "--silent",
                        "mermaid@11", "jsdom@29"], check=True, cwd=ROOT, timeout=600)
    files = []
    for name in ("batch_design.yaml", "streaming_design.yaml"):
        text = mermaid.flowchart(PipelineDesign.load(FIXTURES / name))
        assert mermaid.check_mermaid(text) == []
        path = tmp_path / f"{name}.mmd"
        path.write_text(text)
        files.append(str(path))
    broken = tmp_path / "broken.mmd"
    broken.write_text('flowchart LR\n  a["x" --> b\n')
    script = pkg / "parse.mjs"
    script.write_text(MERMAID)
    done = subprocess.run(["node", str(script), *files, str(broken)], capture_output=True, text=True, timeout=300)
    result = _result(done)
    assert [result[f] for f in files] == ["flowchart-v2", "flowchart-v2"]
    assert result[str(broken)].startswith("ERROR") and mermaid.check_mermaid(broken.read_text())


def test_exported_dbt_project_builds_in_real_dbt(tmp_path, sample_dir):
    design = PipelineDesign.load(FIXTURES / "batch_design.yaml")
    home = tmp_path / "out"
    files = design.export(home, targets=["dbt", "pipeline"])
    project = home / "dbt"
    assert str(project / "dbt_project.yml") in files["dbt"]
    py = peer_python("dbt-design", ["dbt-core>=1.9,<1.12", "dbt-duckdb"])
    env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false", "PII_SALT": "interop-salt",
           "PIPELINE_HOME": str(home), "PIPELINE_DATA_DIR": str(sample_dir)}
    for s in design.sources:  # the pipeline's own extract and load fill the sources dbt reads: nothing by hand
        for step in ("extract", "load"):
            loaded = run_peer(py, [str(py), "-m", f"pipeline.{step}", "--table", s.name], cwd=home, env=env)
            assert loaded.returncode == 0, loaded.stdout[-2000:] + loaded.stderr[-2000:]
    done = run_peer(py, [str(py.parent / "dbt"), "build", "--profiles-dir", "."], cwd=project, env=env, timeout=900)
    results = json.loads((project / "target" / "run_results.json").read_text())
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    models = {u.split(".")[-1] for u, s in statuses.items() if u.startswith("model.") and s == "success"}
    assert models == {m.name for m in design.transforms.models}, done.stdout[-3000:]
    errors = {u: s for u, s in statuses.items() if s in ("error", "skipped")}
    assert errors == {}, done.stdout[-3000:]
    # dbt source freshness is configured from the profile: the sample's October extract is stale today
    fresh = run_peer(py, [str(py.parent / "dbt"), "source", "freshness", "--profiles-dir", "."], cwd=project, env=env)
    checked = {r["unique_id"].split(".")[-1]: r["status"]
               for r in json.loads((project / "target" / "sources.json").read_text())["results"]}
    timed = {s.name for s in design.sources if s.update_column or s.timestamp_column}
    assert set(checked) == timed and timed, fresh.stdout[-2000:]
    assert set(checked.values()) <= {"error", "warn", "pass"} and fresh.returncode in (0, 1)
    import duckdb

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:  # real dbt hashed the e-mails too
        clear, hashed = con.execute("select count(*) filter (where email like '%@%'), "
                                    "count(*) filter (where length(email) = 64) from stg_customers").fetchone()
        assert clear == 0 and hashed > 0
