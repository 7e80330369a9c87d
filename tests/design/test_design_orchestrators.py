"""Prefect and dbt Cloud exports: the same planned steps and schedule as the Airflow DAG, in each tool's shape."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from workbench.design.export import prefect
from workbench.design.export.airflow import dag_source
from workbench.design.export.dbt_cloud import job_payload
from workbench.design.plan import WINDOW_ENV, build_plan, extract_command, window_seconds


def _steps_literal(source: str) -> list[tuple]:
    """The STEPS table of a generated flow file, read without importing Prefect."""
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "STEPS")
    return ast.literal_eval(node.value)


def test_prefect_flow_has_every_planned_step_in_order_with_its_upstream(batch_design, tmp_path):
    batch_design.orchestration.tool = "prefect"
    files = batch_design.export(tmp_path / "out")
    assert "airflow" not in files and [p.rsplit("/", 2)[-2:] for p in files["prefect"]] == [
        ["prefect", "shop_pipeline_flow.py"], ["prefect", "prefect.yaml"]]
    source = open(files["prefect"][0], encoding="utf-8").read()
    plan = build_plan(batch_design)
    steps = _steps_literal(source)
    assert [(s[0], s[2]) for s in steps] == [(s.id, s.upstream) for s in plan]
    assert [s[1] for s in steps] == [s.command for s in plan]
    assert "{{" not in "".join(s[1] for s in steps)  # no Airflow macro left for bash to choke on
    o = batch_design.orchestration
    assert f"@task(retries={o.retries}, retry_delay_seconds={o.retry_delay_seconds}, " \
           f"timeout_seconds={o.timeout_seconds}" in source
    assert f"CRON: str | None = {o.cron!r}" in source and "WINDOW = timedelta(seconds=3600)" in source
    assert f"def {o.pipeline_id}(start: datetime | None = None, end: datetime | None = None)" in source
    deployment = yaml.safe_load(open(files["prefect"][1], encoding="utf-8"))["deployments"][0]
    assert deployment["entrypoint"] == f"shop_pipeline_flow.py:{o.pipeline_id}"
    assert deployment["schedules"] == [{"cron": o.cron, "timezone": "UTC", "active": True}]


def test_the_run_window_reaches_every_pipeline_step_as_environment_variables(batch_design, tmp_path):
    batch_design.cdc.method = "timestamp"
    command = extract_command("orders")
    assert command == 'cd "$PIPELINE_HOME" && python -m pipeline.extract --table orders'
    dag = dag_source(batch_design)  # Airflow fills the variables from its data interval
    assert f"ENV = dict({WINDOW_ENV!r}, PIPELINE_HOME=PIPELINE_HOME)" in dag
    assert dag.count("env=ENV,\n        append_env=True,") == sum(bool(s.command) for s in build_plan(batch_design))
    # the exported steps read the window from WINDOW_START / WINDOW_END (an empty interval: one period back)
    files = batch_design.export(tmp_path / "out", targets="pipeline")
    common = next(p for p in files["pipeline"] if str(p).endswith("common.py"))
    done = subprocess.run(
        [sys.executable, "-c", "import argparse, pipeline.common as c; "
         "print(*c.window(argparse.Namespace(since=None, until=None)))"],
        cwd=Path(common).parents[1], capture_output=True, text=True, check=True,
        env={**os.environ, "WINDOW_START": "2026-10-02T00:00:00+00:00", "WINDOW_END": "2026-10-02T00:00:00+00:00"})
    period = timedelta(seconds=window_seconds(batch_design))
    assert done.stdout.split(" ", 2)[:2] and done.stdout.strip() == f"{datetime(2026, 10, 2) - period} {datetime(2026, 10, 2)}"


@pytest.mark.parametrize(("schedule", "seconds"), [
    ("@hourly", 3600), ("@daily", 86400), ("@weekly", 7 * 86400), ("@monthly", 31 * 86400),
    ("*/15 * * * *", 900), ("30 * * * *", 3600), ("0 */6 * * *", 6 * 3600), ("0 2 * * *", 86400),
    ("0 2 * * 1-5", 7 * 86400), ("0 2 1 * *", 31 * 86400), ("@continuous", 86400),
])
def test_a_run_window_covers_at_least_one_schedule_period(batch_design, schedule, seconds):
    batch_design.orchestration.schedule = schedule
    assert window_seconds(batch_design) == seconds


def test_dbt_cloud_job_runs_dbt_build_on_the_design_schedule(batch_design, tmp_path):
    batch_design.orchestration.tool = "dbt_cloud"
    files = batch_design.export(tmp_path / "out")
    assert "airflow" not in files and "dbt" in files
    job = json.loads(open(next(p for p in files["dbt_cloud"] if p.endswith("job.json")), encoding="utf-8").read())
    o = batch_design.orchestration
    assert job == job_payload(batch_design)
    assert (job["name"], job["execute_steps"], job["triggers"]["schedule"]) == (o.pipeline_id, ["dbt build"], True)
    assert job["schedule"]["date"] == {"type": "custom_cron", "cron": o.cron} == {"type": "custom_cron",
                                                                                   "cron": "0 * * * *"}
    assert job["timeout_seconds"] == o.timeout_seconds
    batch_design.orchestration.schedule = None
    assert job_payload(batch_design)["triggers"]["schedule"] is False  # continuous: triggered by API, not cron

    script = next(p for p in files["dbt_cloud"] if p.endswith("create_job.py"))
    ids = {"DBT_CLOUD_ACCOUNT_ID": "11", "DBT_CLOUD_PROJECT_ID": "22", "DBT_CLOUD_ENVIRONMENT_ID": "33"}
    base = {k: v for k, v in os.environ.items() if not k.startswith("DBT_CLOUD_")}
    dry = subprocess.run([sys.executable, script, "--dry-run"], env={**base, **ids}, capture_output=True, text=True,
                         check=True)
    sent = json.loads(dry.stdout)
    assert (sent["account_id"], sent["project_id"], sent["environment_id"]) == (11, 22, 33)
    refused = subprocess.run([sys.executable, script], env={**base, "DBT_CLOUD_ACCOUNT_ID": "11"},
                             capture_output=True, text=True)
    assert refused.returncode == 2
    assert "DBT_CLOUD_PROJECT_ID, DBT_CLOUD_ENVIRONMENT_ID, DBT_CLOUD_API_TOKEN" in refused.stderr


def test_prefect_flow_source_is_valid_python_for_a_streaming_design(streaming_design):
    streaming_design.orchestration.tool = "prefect"
    source = prefect.flow_source(streaming_design)
    compile(source, "flow.py", "exec")
    assert [s[0] for s in _steps_literal(source)] == [s.id for s in build_plan(streaming_design)]
