"""Airflow 3 DAG file: ``airflow/dags/<pipeline_id>.py`` (``airflow.sdk.DAG``, standard-provider operators)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.design.export.base import Output, render
from workbench.design.plan import ENV_CONNECT, ENV_DATA, ENV_HOME, WINDOW_ENV, build_plan, run_tags

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign

GATE_NOTES = {
    "strict": "a failed check fails the task and stops the run",
    "warn": "failures are logged and the run continues",
    "sample": "checks run on a sample for speed",
}


def dag_source(design: PipelineDesign) -> str:
    """The DAG file's Python source."""
    o = design.orchestration
    return render("airflow_dag.py.j2", design=design, o=o, steps=build_plan(design), tags=run_tags(design),
                  window_env=WINDOW_ENV,
                  schedule=o.schedule, gate_note=GATE_NOTES[design.quality.gate],
                  env_home=ENV_HOME, env_data=ENV_DATA, env_connect=ENV_CONNECT,
                  alert_variable=f"{o.pipeline_id}_alert_webhook", channels=list(design.monitoring.channels))


def write(design: PipelineDesign, out: Output) -> None:
    out.text(f"airflow/dags/{design.orchestration.pipeline_id}.py", dag_source(design))
