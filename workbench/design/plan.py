"""The pipeline's run plan: one step per task, with quality gates between extract, transform and load.

Orchestrator exporters (Airflow, Dagster) and the design document all read this one plan::

    extract_<source>... >> quality_gate_source >> dbt_build >> quality_gate_transform
        >> load_<sink>... >> quality_gate_sink
"""

from __future__ import annotations

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


class Step(BaseModel):
    """One task of the pipeline."""

    id: str
    kind: Literal["extract", "gate", "transform", "load"]
    description: str
    command: str
    upstream: list[str] = Field(default_factory=list)
    layer: str | None = None
    suites: list[str] = Field(default_factory=list, description="suite files a gate validates")
    tables: list[str] = Field(default_factory=list)


def gate_command(d: PipelineDesign, layer: str) -> tuple[str, list[str]]:
    """The shell command of one layer's gate (``workbench validate`` per suite) and the suite files it reads."""
    suites = [s for s in d.quality.layers()[layer] if s.expectations]
    if not suites:
        return "", []
    mode = d.quality.gate
    parts, files = [], []
    for s in suites:
        rel = f"gx/{layer}/{s.name}.json"
        files.append(rel)
        cmd = f'workbench validate "${ENV_DATA}/{s.table}.parquet" --suite "${ENV_HOME}/{rel}" --gate {mode}'
        if mode == "warn":
            cmd += f' || echo "quality warnings in {s.name}"'
        parts.append(cmd)
    return " && ".join(parts), files


def extract_command(d: PipelineDesign, source: str, schema: str) -> str:
    if d.cdc.method == "log":
        return (f'curl -fsS "${ENV_CONNECT}/connectors/{d.cdc.connector_name}/status" '
                '| grep -q \'"state":"RUNNING"\'')
    cmd = f'python -m pipeline.extract --table {schema}.{source} --out "${ENV_DATA}/{source}.parquet"'
    return cmd + ' --since "${WINDOW_START}" --until "${WINDOW_END}"' if d.cdc.method == "timestamp" else cmd


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
    sources = d.sources or []
    extracts = []
    for s in sources:
        sid = node_id("extract", s.name)
        verb = "check the CDC connector streams" if d.cdc.method == "log" else "extract"
        steps.append(Step(id=sid, kind="extract", description=f"{verb} {s.schema_name}.{s.name}",
                          command=extract_command(d, s.name, s.schema_name), tables=[s.name]))
        extracts.append(sid)
    if not extracts:
        steps.append(Step(id="extract", kind="extract", description="extract the source data",
                          command=f'python -m pipeline.extract --out "${ENV_DATA}"'))
        extracts = ["extract"]

    def gate(layer: str, upstream: list[str]) -> str:
        cmd, files = gate_command(d, layer)
        gid = f"quality_gate_{layer}"
        steps.append(Step(id=gid, kind="gate", layer=layer, upstream=upstream, suites=files,
                          description=f"{layer} quality gate ({d.quality.gate})", command=cmd))
        return gid

    g_source = gate("source", extracts)
    project = d.transforms.project_name
    steps.append(Step(id="dbt_build", kind="transform", upstream=[g_source],
                      description=f"dbt build of project {project!r} ({len(d.transforms.models)} models, with tests)",
                      command=DBT_BUILD))
    g_transform = gate("transform", ["dbt_build"])
    loads = []
    for sink in d.sinks:
        lid = node_id("load", sink.name)
        key = f" --key {','.join(sink.key)}" if sink.key else ""
        steps.append(Step(id=lid, kind="load", upstream=[g_transform], tables=[sink.table],
                          description=f"{sink.write_mode} into {sink.system} table {sink.table}",
                          command=f"python -m pipeline.load --table {sink.table} --mode {sink.write_mode}{key}"))
        loads.append(lid)
    if not loads:
        steps.append(Step(id="load", kind="load", upstream=[g_transform], description="publish the marts",
                          command="python -m pipeline.load --all"))
        loads = ["load"]
    gate("sink", loads)
    return steps
