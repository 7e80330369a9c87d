"""The pipeline's run plan: one step per task, with quality gates between load, transform and publish.

Orchestrator exporters (Airflow, Dagster, Prefect) and the design document all read this one plan; every
command runs the exported ``pipeline/`` package or dbt from ``$PIPELINE_HOME``::

    extract_<source> >> load_<source>... >> quality_gate_source >> dbt_build >> quality_gate_transform
        >> publish_<sink>... >> quality_gate_sink
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from workbench.design.flow import node_id

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign

#: environment variables the generated commands read (documented in every exported artifact)
ENV_HOME = "PIPELINE_HOME"
ENV_DATA = "PIPELINE_DATA_DIR"
ENV_CONNECT = "KAFKA_CONNECT_URL"
#: the exported dbt project's profile keeps the warehouse path relative to the project folder
DBT_BUILD = f'cd "${ENV_HOME}/dbt" && dbt build --profiles-dir .'
#: every pipeline step runs the exported package from the artifacts folder
IN_HOME = f'cd "${ENV_HOME}" && '


class Step(BaseModel):
    """One task of the pipeline."""

    id: str
    kind: Literal["extract", "load", "gate", "transform", "publish", "reconcile"]
    description: str
    command: str
    upstream: list[str] = Field(default_factory=list)
    layer: str | None = None
    suites: list[str] = Field(default_factory=list, description="suite files a gate validates")
    tables: list[str] = Field(default_factory=list)


def gate_command(d: PipelineDesign, layer: str) -> tuple[str, list[str]]:
    """The shell command of one layer's gate (``pipeline.gate``) and the GX suite files it mirrors."""
    suites = [s for s in d.quality.layers()[layer] if s.expectations]
    if not suites:
        return "", []
    return IN_HOME + f"python -m pipeline.gate --layer {layer}", [f"gx/{layer}/{s.name}.json" for s in suites]


def events_source(d: PipelineDesign, table: str) -> str | None:
    """The design's source holding ``table``'s landed change events under log CDC, else None."""
    events = d.cdc.change_events.get(table) if d.cdc.method == "log" else None
    return events if events and any(s.name == events for s in d.sources) else None


def extract_command(source: str) -> str:
    """Extract one source by its method (``pipeline.extract`` checks a log design's connector first)."""
    return IN_HOME + f"python -m pipeline.extract --table {shlex.quote(source)}"


#: the run's data interval, as the environment variables every step's command reads, and Airflow's macros for them
WINDOW_ENV = {"WINDOW_START": "{{ data_interval_start }}", "WINDOW_END": "{{ data_interval_end }}"}
#: seconds one scheduled run covers, per preset (a month or year is rounded up: overlap re-reads, never skips)
PRESET_SECONDS = {"@hourly": 3600, "@daily": 86400, "@midnight": 86400, "@weekly": 7 * 86400,
                  "@monthly": 31 * 86400, "@yearly": 366 * 86400, "@annually": 366 * 86400}


def run_tags(d: PipelineDesign) -> list[str]:
    """The tags an orchestrator files the pipeline under: the design's, its architecture and its name."""
    return list(dict.fromkeys([*d.orchestration.tags, d.architecture.architecture, d.name]))


def window_seconds(d: PipelineDesign) -> int:
    """How far back an incremental extract reaches: at least one schedule period, so no change is skipped.

    Extracts and loads are idempotent by key, so a window longer than the period re-reads rows but never
    duplicates them. A cron expression counts by its coarsest restricted field (month, day, weekday), else by
    its finest step: ``*/N`` minutes, hourly, every N hours or daily.
    """
    o = d.orchestration
    if o.schedule in PRESET_SECONDS:
        return PRESET_SECONDS[o.schedule]
    if not o.cron:
        return 86400
    minute, hour, day, month, weekday = o.cron.split()
    if month != "*":
        return 366 * 86400
    if day != "*":
        return 31 * 86400
    if weekday != "*":
        return 7 * 86400
    if minute.startswith("*/") and minute[2:].isdigit():
        return 60 * int(minute[2:])
    if minute == "*":
        return 60
    if hour == "*":
        return 3600
    if hour.startswith("*/") and hour[2:].isdigit():
        return 3600 * int(hour[2:])
    return 86400


def build_plan(d: PipelineDesign) -> list[Step]:
    """The ordered steps of the pipeline."""
    steps: list[Step] = []
    loads = []
    for s in d.sources or []:
        sid = node_id("extract", s.name)
        events = events_source(d, s.name)
        what = (f"read the change events of {s.name} ({events}) committed before the window's end" if events
                else f"extract {s.name} for the run window")
        steps.append(Step(id=sid, kind="extract", description=what, command=extract_command(s.name), tables=[s.name]))
        lid = node_id("load", s.name)
        steps.append(Step(id=lid, kind="load", upstream=[sid], tables=[s.name],
                          description=f"load {s.name} into the warehouse table dbt reads (idempotent)",
                          command=IN_HOME + f"python -m pipeline.load --table {shlex.quote(s.name)}"))
        loads.append(lid)
    if not loads:
        steps.append(Step(id="extract", kind="extract", description="no source in the design: nothing to extract",
                          command=""))
        loads = ["extract"]

    def gate(layer: str, upstream: list[str]) -> str:
        cmd, files = gate_command(d, layer)
        gid = f"quality_gate_{layer}"
        steps.append(Step(id=gid, kind="gate", layer=layer, upstream=upstream, suites=files,
                          description=f"{layer} quality gate ({d.quality.gate})", command=cmd))
        return gid

    g_source = gate("source", loads)
    project = d.transforms.project_name
    steps.append(Step(id="dbt_build", kind="transform", upstream=[g_source],
                      description=f"dbt build of project {project!r} ({len(d.transforms.models)} models, with tests)",
                      command=DBT_BUILD))
    g_transform = gate("transform", ["dbt_build"])
    publishes = []
    for sink in d.sinks:
        pid = node_id("publish", sink.name)
        steps.append(Step(id=pid, kind="publish", upstream=[g_transform], tables=[sink.table],
                          description=f"publish {sink.table} ({sink.write_mode} into {sink.system})",
                          command=IN_HOME + f"python -m pipeline.publish --table {shlex.quote(sink.table)}"))
        publishes.append(pid)
    if not publishes:
        steps.append(Step(id="publish", kind="publish", upstream=[g_transform], description="no sink in the design",
                          command=""))
        publishes = ["publish"]
    gate("sink", publishes)
    if d.streaming.job and d.is_streaming:  # a batch design keeps the lab's choice but runs no stream job
        job = d.streaming.job
        steps.append(Step(id="reconcile_stream", kind="reconcile", tables=[job.sink_table],
                          description=f"reconcile the stream job's {job.sink_table} with a batch GROUP BY over the "
                                      f"landed {job.events} (its final windows; late share <= {job.late_tolerance:.0%})",
                          command=IN_HOME + "python -m pipeline.reconcile"))
    return steps


def local_run_commands(d: PipelineDesign) -> list[str]:
    """The three commands that run the exported pipeline locally, from its artifacts folder (Airflow 3)."""
    return ['pip install "duckdb>=1.1" "dbt-duckdb>=1.8" "apache-airflow>=3.0"',
            f'export {ENV_HOME}="$PWD" {ENV_DATA}=/path/to/your/files PII_SALT=<a-secret-salt> '
            'AIRFLOW__CORE__DAGS_FOLDER="$PWD/airflow/dags"',
            f"airflow dags test {d.orchestration.pipeline_id} {d.orchestration.start_date.isoformat()}"]
