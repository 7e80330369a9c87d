"""Prefect 3 flow: ``prefect/<pipeline_id>_flow.py`` (a task per planned step) and ``prefect/prefect.yaml``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.design.export.airflow import GATE_NOTES
from workbench.design.export.base import Output, render
from workbench.design.plan import ENV_CONNECT, ENV_DATA, ENV_HOME, build_plan, run_tags, window_seconds

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign


def flow_filename(design: PipelineDesign) -> str:
    return f"{design.orchestration.pipeline_id}_flow.py"


def flow_source(design: PipelineDesign) -> str:
    """The flow file's Python source: the same steps and gates as the Airflow DAG, as Prefect tasks."""
    o = design.orchestration
    return render("prefect_flow.py.j2", design=design, o=o, steps=build_plan(design), tags=run_tags(design), cron=o.cron,
                  window_seconds=window_seconds(design), gate_note=GATE_NOTES[design.quality.gate],
                  filename=flow_filename(design), env_home=ENV_HOME, env_data=ENV_DATA, env_connect=ENV_CONNECT)


def deployment_config(design: PipelineDesign) -> dict[str, Any]:
    """``prefect.yaml``: one deployment of the flow, on the design's schedule, to a process work pool."""
    o = design.orchestration
    deployment: dict[str, Any] = {
        "name": o.pipeline_id,
        "description": design.title,
        "entrypoint": f"{flow_filename(design)}:{o.pipeline_id}",
        "tags": run_tags(design),
        "work_pool": {"name": "default", "work_queue_name": None, "job_variables": {}},
        "schedules": [{"cron": o.cron, "timezone": "UTC", "active": True}] if o.cron else [],
        "parameters": {},
    }
    return {"name": design.name, "prefect-version": "3.0.0", "build": None, "push": None,
            "pull": [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $" + ENV_HOME + " }}/prefect"}}],
            "deployments": [deployment]}


def write(design: PipelineDesign, out: Output) -> None:
    out.text(f"prefect/{flow_filename(design)}", flow_source(design))
    out.yaml("prefect/prefect.yaml", deployment_config(design))
