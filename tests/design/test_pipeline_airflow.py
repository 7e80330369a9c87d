"""The exported pipeline runs: real Airflow 3 (``airflow dags test``) executes every task over the landing files.

The design is the one ``complete_design`` makes over a hand-written airline export (hourly, timestamp CDC on
``UpdatedAt``, strict gate). Tasks run the exported ``pipeline/`` package and real dbt from a venv without the
workbench. Checked: every task succeeds; a second run of the same date leaves every warehouse table's checksum
unchanged; three hourly runs equal one run over the three hours; a null key planted in one window fails the
source gate, everything downstream ends ``upstream_failed`` and the failure callback POSTs to a local endpoint.
The sample's own design (log CDC of ``orders``): strict, it stops on exactly the sample's planted defects;
with the sample gate it moves those rows aside, runs green, and a re-run changes nothing.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from harness import warehouse_checksums, webhook
from peers import peer_python, run_peer

import workbench as wb
from workbench.design.plan import build_plan

pytestmark = [pytest.mark.interop, pytest.mark.slow]

AIRLINE = Path(__file__).parents[1] / "fixtures" / "own_data" / "airline"
DAG_ID = "airline_pipeline"
#: the run's logical date: an hourly interval [09:00, 10:00) with flights updated in it
RUN = datetime(2026, 9, 1, 10)


@pytest.fixture(scope="module")
def tools() -> dict[str, Path]:
    return {"airflow": peer_python("airflow", ["apache-airflow>=3.0,<4"]),
            "dbt": peer_python("dbt", ["dbt-core>=1.9,<1.12", "dbt-duckdb"])}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """The artifacts folder of the airline design (exported once; each test copies it)."""
    out = tmp_path_factory.mktemp("export") / "artifacts"
    ws = wb.open_workspace(None, AIRLINE)
    design = wb.PipelineDesign()
    wb.complete_design(design, ws, data_dir=AIRLINE)
    assert design.orchestration.pipeline_id == DAG_ID and design.cdc.method == "timestamp"
    design.export(out)
    return out


def _home(exported: Path, tmp_path: Path, name: str = "home") -> Path:
    home = tmp_path / name
    shutil.copytree(exported, home)
    return home


def _env(tools: dict[str, Path], home: Path, landing: Path, airflow_home: Path, **extra: str) -> dict[str, str]:
    return {"AIRFLOW_HOME": str(airflow_home), "AIRFLOW__CORE__DAGS_FOLDER": str(home / "airflow" / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PIPELINE_HOME": str(home), "PIPELINE_DATA_DIR": str(landing),
            "PII_SALT": "test-salt", "PIPELINE_RETRIES": "0", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # tasks run `python` and `dbt` from the dbt venv: duckdb and dbt, and no workbench
            "PATH": f"{tools['dbt'].parent}{os.pathsep}{tools['airflow'].parent}{os.pathsep}{os.environ['PATH']}",
            **extra}


def _dags_test(tools: dict[str, Path], env: dict[str, str], when: datetime, dag_id: str = DAG_ID):
    airflow = str(tools["airflow"].parent / "airflow")
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    if not (Path(env["AIRFLOW_HOME"]) / "airflow.db").exists():
        done = run_peer(tools["airflow"], [airflow, "db", "migrate"], env=env, timeout=600)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return run_peer(tools["airflow"], [airflow, "dags", "test", dag_id, when.isoformat() + "+00:00"], env=env,
                    timeout=900)


def _states(airflow_home: Path, when: datetime, dag_id: str = DAG_ID) -> dict[str, str]:
    con = sqlite3.connect(airflow_home / "airflow.db")
    try:
        run_id = con.execute("SELECT run_id FROM dag_run WHERE dag_id = ? AND logical_date LIKE ? ORDER BY id DESC",
                             [dag_id, when.strftime("%Y-%m-%d %H:%M:%S") + "%"]).fetchone()[0]
        return dict(con.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
                                [dag_id, run_id]).fetchall())
    finally:
        con.close()


def _window_flights(start: datetime, end: datetime) -> list[dict]:
    with open(AIRLINE / "flights.csv", newline="") as f:
        return [r for r in csv.DictReader(f) if start <= datetime.fromisoformat(r["UpdatedAt"]) < end]


def test_the_pipeline_package_imports_without_the_workbench(tools, exported, tmp_path):
    home = _home(exported, tmp_path)
    probe = "import importlib.util, pipeline.gate, pipeline.load, pipeline.extract, pipeline.publish; " \
            "print(importlib.util.find_spec('workbench'))"
    done = run_peer(tools["dbt"], [str(tools["dbt"]), "-c", probe], cwd=home)
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr[-2000:]
    assert "three commands" in (home / "README.md").read_text()


def test_airflow_runs_every_task_green_and_a_rerun_changes_nothing(tools, exported, tmp_path):
    assert _window_flights(RUN - timedelta(hours=1), RUN), "the run's window must hold flights"
    home = _home(exported, tmp_path)
    env = _env(tools, home, AIRLINE, tmp_path / "airflow")
    done = _dags_test(tools, env, RUN)
    states = _states(tmp_path / "airflow", RUN)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    design = wb.PipelineDesign.load(home / "design.yaml")
    assert set(states) == {s.id for s in build_plan(design)}
    assert set(states.values()) == {"success"}, states
    first = warehouse_checksums(home)
    assert {"flights", "airports", "stg_flights", "fct_flights", "dim_airports"} <= set(first)
    assert (home / "published" / "fct_flights.parquet").is_file()
    again = _dags_test(tools, env, RUN)
    assert again.returncode == 0, again.stdout[-3000:]
    assert warehouse_checksums(home) == first


def test_three_hourly_runs_equal_one_run_over_the_three_hours(tools, exported, tmp_path):
    hourly = _home(exported, tmp_path, "hourly")
    env = _env(tools, hourly, AIRLINE, tmp_path / "airflow")
    for h in range(3):
        done = _dags_test(tools, env, RUN + timedelta(hours=h))
        assert done.returncode == 0, done.stdout[-3000:]
    once = _home(exported, tmp_path, "once")
    window = {"WINDOW_START": (RUN - timedelta(hours=1)).isoformat(), "WINDOW_END": (RUN + timedelta(hours=2)).isoformat()}
    run_env = {**_env(tools, once, AIRLINE, tmp_path / "unused"), **window}
    for step in build_plan(wb.PipelineDesign.load(once / "design.yaml")):
        if step.command:
            done = run_peer(tools["dbt"], ["bash", "-c", step.command], env=run_env, cwd=once, timeout=600)
            assert done.returncode == 0, (step.id, done.stdout[-2000:], done.stderr[-2000:])
    assert warehouse_checksums(hourly) == warehouse_checksums(once)


def test_a_null_key_in_one_window_fails_the_source_gate_and_alerts(tools, exported, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(AIRLINE, landing)
    rows = list(csv.DictReader(open(landing / "flights.csv", newline="")))
    bad = next(r for r in rows if RUN - timedelta(hours=1) <= datetime.fromisoformat(r["UpdatedAt"]) < RUN)
    bad["Flight No"] = ""
    with open(landing / "flights.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    home = _home(exported, tmp_path)
    with webhook() as (url, received):
        done = _dags_test(tools, _env(tools, home, landing, tmp_path / "airflow", PIPELINE_ALERT_WEBHOOK=url), RUN)
    states = _states(tmp_path / "airflow", RUN)
    assert states["quality_gate_source"] == "failed", (states, done.stdout[-3000:])
    assert "expect_column_values_to_not_be_null(Flight No)" in done.stdout + done.stderr
    downstream = {t: s for t, s in states.items() if not t.startswith(("extract_", "load_", "quality_gate_source"))}
    assert downstream and set(downstream.values()) == {"upstream_failed"}, downstream
    assert [a["task"] for a in received] == ["quality_gate_source"]
    assert received[0]["pipeline"] == DAG_ID and received[0]["state"] == "failed"


SAMPLE = Path(__file__).parents[2] / "sample_data"
#: the sample's last hour, ending at its snapshot: every order's change events have landed by then
SAMPLE_RUN = datetime(2026, 11, 1)


@pytest.fixture(scope="module")
def sample_exported(tmp_path_factory) -> dict[str, Path]:
    """The sample's design as the report makes it (log CDC of orders from order_events), once per gate mode."""
    ws = wb.open_workspace(None, SAMPLE)
    design = wb.PipelineDesign()
    wb.complete_design(design, ws, data_dir=SAMPLE)
    wb.record_cdc(design, method="log", choice=wb.choose_cdc(ws))
    assert design.cdc.change_events == {"orders": "order_events"}
    out = {}
    for gate in ("strict", "sample"):
        design.quality.gate = gate
        design.quality.sample_fraction = 1.0 if gate == "sample" else None
        design.export(out.setdefault(gate, tmp_path_factory.mktemp(gate) / "artifacts"))
    return out


def test_the_sample_design_stops_on_its_planted_defects_or_quarantines_them_and_runs_green(
        tools, sample_exported, tmp_path):
    dag = wb.PipelineDesign.load(sample_exported["strict"] / "design.yaml").orchestration.pipeline_id
    strict = _home(sample_exported["strict"], tmp_path, "strict")
    done = _dags_test(tools, _env(tools, strict, SAMPLE, tmp_path / "airflow_strict"), SAMPLE_RUN, dag)
    states = _states(tmp_path / "airflow_strict", SAMPLE_RUN, dag)
    assert states["quality_gate_transform"] == "failed", (states, done.stdout[-3000:])
    assert {s for t, s in states.items() if t.startswith(("publish_", "quality_gate_sink"))} == {"upstream_failed"}
    assert {s for t, s in states.items() if t.startswith(("extract_", "load_", "dbt_", "quality_gate_source"))} \
        == {"success"}, states
    log = done.stdout + done.stderr
    for planted in ("expect_column_values_to_match_regex(email) (10 of 500 rows unexpected)",  # sample_data/README.md
                    "expect_column_values_to_be_between(amount) (8 of 1686 rows unexpected)",
                    "expect_column_values_to_be_in_other_table(order_id) (5 of 1686 rows unexpected)"):
        assert planted in log, log[-4000:]
    # the same design with the sample gate: the failing rows are moved aside, every task succeeds, a re-run is a no-op
    home = _home(sample_exported["sample"], tmp_path, "sample")
    env = _env(tools, home, SAMPLE, tmp_path / "airflow_sample")
    done = _dags_test(tools, env, SAMPLE_RUN, dag)
    states = _states(tmp_path / "airflow_sample", SAMPLE_RUN, dag)
    assert set(states.values()) == {"success"}, (states, done.stdout[-3000:])
    first = warehouse_checksums(home)
    ws = wb.Workspace(home / "warehouse.duckdb", read_only=True)
    try:
        rejected = ws.con.execute("SELECT (SELECT count(*) FROM customers_rejected), (SELECT count(*) FROM "
                                  "payments_rejected), (SELECT count(*) FROM payments WHERE amount < 0)").fetchall()
        orders = ws.con.execute("SELECT count(*) FROM orders").fetchall()
    finally:
        ws.close()
    assert rejected == [(10, 13, 0)]
    replica = wb.open_workspace(None, SAMPLE)  # the CDC step's apply of the events committed before the run's end
    replica.con.execute("CREATE TABLE landed AS SELECT * FROM order_events WHERE ts_ms IS NULL OR ts_ms < ?",
                        [int(SAMPLE_RUN.replace(tzinfo=UTC).timestamp() * 1000)])
    wb.apply_changes(replica, "replica", "landed", key="order_id")
    assert orders == replica.con.execute("SELECT count(*) FROM replica").fetchall()
    replica.close()
    again = _dags_test(tools, env, SAMPLE_RUN, dag)
    assert again.returncode == 0, again.stdout[-3000:]
    assert warehouse_checksums(home) == first
