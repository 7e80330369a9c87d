"""Record each step's typed result into its part of the design: ``record_profile(design, dataset_profile)``...

Each function reads the real result class of its step (a renamed field fails here and in the tests, never
becomes a silent default), copies plain values into the design, applies the policies (``policies.py``) that
keep it consistent (the schedule follows the architecture, topics follow the sizing) and re-validates it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from workbench.architecture.decide import Recommendation
from workbench.architecture.simulate import Comparison, SimulationResult
from workbench.architecture.sizing import KafkaSizing
from workbench.architecture.workload import Workload
from workbench.cdc.apply import ApplyResult
from workbench.cdc.backfill import BackfillPlan
from workbench.cdc.choose import CdcChoice
from workbench.cdc.evolution import Compatibility
from workbench.cdc.keys import KeySpec
from workbench.design.model import (
    DecisionReason,
    DesignChoice,
    DesignExpectation,
    DesignSingularTest,
    LineageEdge,
    OpenQuestion,
    PIIField,
    PipelineDesign,
    QualitySuite,
    Risk,
    SimulationSummary,
    Sizing,
    Source,
    SourceColumn,
    StreamJob,
    StreamLookup,
    TransformModel,
    TransformSeed,
    TransformTest,
    WorkloadSummary,
)
from workbench.errors import DesignError
from workbench.orchestrators import Orchestrator
from workbench.pipeline.policies import (
    align_operations,
    align_streaming,
    model_layer,
    pii_category,
    sink_for,
    snake,
)
from workbench.profiling.models import DatasetProfile, TableProfile
from workbench.quality.gate import Gate
from workbench.quality.suite import Suite
from workbench.quality.validate import ValidationResult
from workbench.streaming.join import StreamJoin
from workbench.streaming.windows import WindowReplay, spark_type
from workbench.transform.project import TransformProject
from workbench.transform.results import BuildResult
from workbench.workspace import Workspace

#: build node statuses that count as passed
PASSED = ("success", "pass", "ok", "warn")


# --- choices made from the data -------------------------------------------------------------------
def record_choices(design: PipelineDesign, step: str, reasons: Sequence[str]) -> PipelineDesign:
    """Replace ``step``'s recorded choices with ``reasons`` (each ``"subject: why"``), so the report lists every
    choice the workbench made for the user; re-running a step records its choices once."""
    kept = [c for c in design.choices if c.step != step]
    made = []
    for r in reasons:
        subject, _, why = str(r).partition(": ")
        made.append(DesignChoice(step=step, choice=subject, reason=why))
    design.choices = kept + made
    return design


# --- 1. profile -------------------------------------------------------------------------------
def _time_columns(p: TableProfile) -> tuple[str | None, str | None, float | None]:
    """(event-time column, update column, mean rows/day) from a TableProfile's temporal columns."""
    temporal = [c for c in p.columns.values() if c.time is not None]
    update = next((c.name for c in temporal if "updated" in c.name.lower() or "modified" in c.name.lower()), None)
    event = next((c.name for c in temporal if "created" in c.name.lower()), None)
    event = event or next((c.name for c in temporal if c.name != update), update)
    daily = None
    if event:
        per_day = p.columns[event].time.rows_per_day
        if per_day:
            daily = sum(per_day.values()) / len(per_day)
    return event, update, daily


def record_profile(design: PipelineDesign, profile: DatasetProfile | TableProfile | Sequence[TableProfile], *,
                   system: str = "postgresql", schema_name: str = "public") -> PipelineDesign:
    """Sources (columns, types, keys, volumes, PII) from a DatasetProfile, a TableProfile or a list of them."""
    if isinstance(profile, DatasetProfile):
        profiles, foreign_keys = list(profile.profiles.values()), profile.foreign_keys
    else:
        profiles, foreign_keys = [profile] if isinstance(profile, TableProfile) else list(profile), []
    by_name = {s.name: s for s in design.sources}
    for p in profiles:
        cols = [SourceColumn(name=c.name, type=str(c.dtype), nullable=c.null_count > 0,
                             pii=pii_category(c.name, c.inferred_type)) for c in p.columns.values()]
        key = list(p.candidate_keys[0]) if p.candidate_keys else []
        singular = p.table[:-1] if p.table.endswith("s") else p.table
        if not key and f"{singular}_id" in p.columns:
            key = [f"{singular}_id"]
            dup = p.columns[key[0]].duplicate_value_rows
            design.risks = [r for r in design.risks if not r.title.startswith(f"{p.table}.{key[0]} is not unique")]
            design.risks.append(Risk(
                title=f"{p.table}.{key[0]} is not unique in the sample ({dup or 'some'} duplicate rows)", severity="high",
                mitigation="dedup at ingestion (keep the latest by updated_at) and test unique + not_null in staging"))
        event, update, daily = _time_columns(p)
        old = by_name.get(p.table)
        by_name[p.table] = Source(
            name=p.table, system=old.system if old else system, schema_name=old.schema_name if old else schema_name,
            **({"database": old.database, "domain": old.domain} if old else {}), columns=cols,
            primary_key=key, update_column=update, timestamp_column=event, row_count=p.row_count,
            daily_rows=round(daily) if daily else None, avg_row_bytes=round(p.avg_row_bytes, 1) or None,
            description=old.description if old else "")
    design.sources = list(by_name.values())
    handled = {(f.table, f.column) for f in design.pii.fields}
    for s in design.sources:
        for c in s.columns:
            if c.pii and (s.name, c.name) not in handled:
                design.pii.fields.append(PIIField(table=s.name, column=c.name, category=c.pii))
    for fk in foreign_keys:
        if fk.coverage < 1:
            title = (f"{fk.from_table}.{','.join(fk.from_columns)} -> {fk.to_table}: "
                     f"{fk.coverage:.1%} of values have a parent")
            if all(r.title != title for r in design.risks):
                design.risks.append(Risk(title=title, severity="medium",
                                         mitigation="relationships test in staging; route orphans to a quarantine table"))
    if any(s.update_column for s in design.sources) and design.cdc.method == "none":
        design.cdc.method = "timestamp"
    return design.check_in_place()


# --- 2. architecture ----------------------------------------------------------------------------
def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)


def record_architecture(design: PipelineDesign, rec: Recommendation, sizing: KafkaSizing | None = None,
                        sims: Comparison | Sequence[SimulationResult] | None = None, workload: Workload | None = None,
                        *, orchestrator: str | None = None) -> PipelineDesign:
    """The decision (Recommendation), its Kafka sizing, the simulated alternatives and the workload."""
    a = design.architecture
    a.architecture = rec.architecture
    a.pattern = rec.pattern
    a.stack = list(rec.stack)
    a.approach = rec.processing
    a.approach_reason = rec.processing_reason
    a.tree_path = list(rec.tree_path)
    a.confirmations = list(rec.confirm_first)
    a.notes = list(rec.notes)
    a.reasons = ([DecisionReason(factor=f.factor, value=f.value, favours=f.favours, detail=f.detail)
                  for f in rec.factors] if rec.factors else [DecisionReason(factor="reason", detail=r)
                                                              for r in rec.reasons])
    design.orchestration.tool = Orchestrator.parse(orchestrator or rec.orchestrator).value
    if workload is not None:
        a.workload = WorkloadSummary(
            avg_events_per_sec=_num(workload.avg_events_per_sec), peak_events_per_sec=_num(workload.peak_events_per_sec),
            avg_event_bytes=_num(workload.avg_event_bytes), latency_slo_seconds=_num(workload.latency_slo_seconds),
            daily_bytes=_num(workload.bytes_per_day), complexity=workload.complexity, pii=workload.pii,
            cross_region=workload.cross_region)
        design.backfill.replay_window_hours = _num(workload.retention_hours) or design.backfill.replay_window_hours
    if sizing is not None:
        a.sizing = Sizing(partitions=sizing.partitions, consumers=min(sizing.consumers, sizing.partitions),
                          replication_factor=sizing.replication_factor, retention_hours=sizing.retention_hours,
                          storage_bytes=_num(sizing.storage_bytes), binding_constraint=sizing.binding_constraint,
                          min_insync_replicas=max(1, sizing.replication_factor - 1), notes=list(sizing.warnings))
    if sims is not None:
        results = sims.results if isinstance(sims, Comparison) else list(sims)
        a.simulations = [SimulationSummary(
            architecture=r.architecture, latency_p50=_num(r.latency_p50), latency_p95=_num(r.latency_p95),
            latency_p99=_num(r.latency_p99), max_lag_events=_num(r.max_lag_events), drain_seconds=_num(r.drain_seconds),
            monthly_cost=_num(r.monthly_cost), stable=r.stable, notes="; ".join(r.messages))
            for r in results]
    align_operations(design)
    return design.check_in_place()


# --- 3. transform -------------------------------------------------------------------------------
def _built_types(ws: Workspace | None, project: TransformProject, name: str) -> dict[str, str]:
    rel = project.relation_for(name) if ws is not None else None
    if rel is None or not ws.has_table(rel.identifier):
        return {}
    return dict(ws.schema(rel.identifier))


def record_transforms(design: PipelineDesign, project: TransformProject,
                      build: BuildResult | None = None, ws: Workspace | None = None) -> PipelineDesign:
    """The transform project (models with dbt SQL and config, sources, seeds, macros, tests) and its lineage;
    with the workspace it was built in, each built model's column types (the exported gate compiles from them)."""
    t = design.transforms
    t.tool = "dbt"
    t.project_name = project.name
    t.build_schema = project.schema
    srcs = list(project.sources.values())
    if srcs:
        t.source_name = srcs[0].source
        t.source_schema = srcs[0].schema_name
    t.vars = dict(project.vars)
    t.folder_config = dict(project.folder_config)
    t.macros = dict(project.macros)
    t.seeds = [TransformSeed(name=s.name, csv=s.csv_text, folder=s.folder, column_types=dict(s.column_types))
               for s in project.seeds.values()]
    t.singular_tests = [DesignSingularTest(name=s.name, sql=s.sql, severity=s.severity)
                        for s in project.singular_tests.values()]
    dag = project.dag()
    tests_by_target: dict[str, list[TransformTest]] = {}
    extra = []
    for ts in project.tests:
        tt = TransformTest(test=ts.test, column=ts.column, kwargs=dict(ts.kwargs), severity=ts.severity, where=ts.where)
        if ts.target in project.models:
            tests_by_target.setdefault(ts.target, []).append(tt)
        else:
            extra.append(tt.model_copy(update={"target": ts.target}))
    t.extra_tests = extra
    models = []
    for name, spec in project.models.items():
        cfg = project.config_for(name)
        config = {k: v for k, v in spec.config.items() if k not in ("materialized", "unique_key")}
        uk = cfg.get("unique_key")
        parents = dag.get(name, [])
        models.append(TransformModel(
            name=name, layer=model_layer(name, spec.folder), materialized=cfg.get("materialized", "view"),
            folder=spec.folder, depends_on=[p for p in parents if not p.startswith("source:")],
            sources=[p.split(".", 1)[1] for p in parents if p.startswith("source:")],
            unique_key=[uk] if isinstance(uk, str) else list(uk or []), sql=spec.sql, config=config,
            # doc() rendered: the design carries text, not references to .md files it does not hold
            description=project.describe(name), columns={c: project.describe(name, c) for c in spec.columns},
            column_types=_built_types(ws, project, name), tests=tests_by_target.get(name, [])))
    t.models = models
    design.lineage = [LineageEdge(upstream=p.removeprefix("source:"), downstream=n) for n, ps in dag.items() for p in ps]
    if build is not None:
        t.last_build = {"ok": build.ok, "nodes": len(build.nodes),
                        "failed": [n.name for n in build.nodes if n.status not in PASSED]}
    if not design.sinks:
        design.sinks = [sink_for(m) for m in models if m.layer in ("marts", "report")]
    return design.check_in_place()


# --- 4. quality ---------------------------------------------------------------------------------
def record_quality(design: PipelineDesign, suites: Suite | dict | Sequence[Suite | dict],
                   gate: Gate | str | None = None, results: ValidationResult | Sequence[ValidationResult] | None = None,
                   tables: dict[str, str] | None = None) -> PipelineDesign:
    """Suites split per layer (GX 1.x kwargs), each check's layer and severity, the gate mode and the last results.

    A plain dict is read as a GX suite (``Suite.from_gx_json``).
    """
    suites = list(suites) if isinstance(suites, list | tuple) else [suites]
    out: dict[str, QualitySuite] = {s.name: s for s in design.quality.suites}
    for suite in suites:
        suite = suite if isinstance(suite, Suite) else Suite.from_gx_json(suite)
        doc = suite.to_gx_json("1")
        default_layer = suite.layer or "source"
        table = (tables or {}).get(suite.name) or suite.meta.get("table") or re.split(r"[._]", suite.name)[0]
        by_layer: dict[str, list[DesignExpectation]] = {}
        for e, gx in zip(suite.expectations, doc["expectations"], strict=True):
            meta = {k: v for k, v in (gx.get("meta") or {}).items() if k not in ("workbench", "layer", "severity")}
            by_layer.setdefault(e.layer or default_layer, []).append(
                DesignExpectation(type=e.type, kwargs=dict(gx.get("kwargs") or {}), severity=e.severity, meta=meta))
        for layer, exps in by_layer.items():
            base = snake(suite.name)
            name = base if base.endswith(f"_{layer}") else f"{base}_{layer}"
            out[name] = QualitySuite(name=name, layer=layer, table=table, expectations=exps)
    design.quality.suites = list(out.values())
    if gate is not None:
        g = gate if isinstance(gate, Gate) else None
        design.quality.gate = g.mode if g else gate
        design.quality.sample_fraction = g.fraction if g and g.mode == "sample" else None
    for r in (list(results) if isinstance(results, list | tuple) else [results] if results is not None else []):
        failed = sum(1 for x in r.results if not x.success)
        for s in design.quality.suites:
            if s.name.startswith(snake(r.suite_name)) and s.table == r.table:
                s.last_result = "passed" if failed == 0 else "failed"
                s.failed_expectations = failed
    return design.check_in_place()


# --- CDC ----------------------------------------------------------------------------------------
def record_cdc(design: PipelineDesign, *, method: str | None = None, apply_result: ApplyResult | None = None,
               compatibility: Compatibility | None = None, checksums: dict[str, str] | None = None,
               key_spec: KeySpec | None = None, backfill: BackfillPlan | None = None,
               playbook: str | None = None, choice: CdcChoice | None = None) -> PipelineDesign:
    """CDC evidence (apply counts, checksums), schema compatibility, the idempotency key and the backfill plan;
    a ``choose_cdc`` result sets the method and, for timestamp CDC, the table's update column the extract windows on."""
    if choice is not None:
        method = method or choice.method
        for s in design.sources:
            if s.name == choice.table and choice.method == "timestamp" and choice.update_column:
                s.update_column = choice.update_column
        if choice.method == "log" and choice.events_table:
            design.cdc.change_events[choice.table] = choice.events_table
    if method:
        design.cdc.method = method
        align_streaming(design)
    ev = design.cdc.evidence
    if apply_result is not None:
        data = apply_result.model_dump()
        ev.update({k: v for k, v in data.items() if isinstance(v, int | float | str | bool) and k != "seconds"})
        if apply_result.dead_letter_reasons:
            ev["dead_letter_reasons"] = dict(apply_result.dead_letter_reasons)
    if checksums:
        ev["checksums"] = dict(checksums)
        ev["checksums_equal"] = len(set(checksums.values())) == 1
    if compatibility is not None:
        level = ("FULL" if compatibility.full else "BACKWARD" if compatibility.backward
                 else "FORWARD" if compatibility.forward else "NONE")
        design.schema_evolution.compatibility = level if level != "NONE" else design.schema_evolution.compatibility
        design.schema_evolution.detected_changes = [c.describe() for c in compatibility.changes]
        if level == "NONE":
            design.open_questions.append(OpenQuestion(
                question="The detected schema change is neither backward nor forward compatible: which migration path?",
                blocking=True))
    if key_spec is not None:
        design.idempotency.key_fields = list(key_spec.fields)
    if backfill is not None:
        b = design.backfill
        b.reason, b.partition_column, b.start, b.end = backfill.reason, backfill.partition_column, backfill.start, \
            backfill.end
        b.estimated_rows, b.estimated_seconds = backfill.estimated_rows, backfill.estimated_seconds
        b.scope = {"window": "affected_window"}.get(backfill.profile.scope, backfill.profile.scope)
    if playbook:
        design.backfill.playbook_markdown = playbook
    return design.check_in_place()


def record_streaming(design: PipelineDesign, replay: WindowReplay, *, sink_table: str | None = None,
                     trigger_seconds: float | None = None, fail_on_data_loss: bool | None = None,
                     late_tolerance: float | None = None, lookup: StreamJoin | None = None) -> PipelineDesign:
    """The streaming lab's choice (window, watermark, output mode, late-data policy) and its figures become the
    design's stream job, which the export writes as a Spark Structured Streaming job. With ``lookup`` (an
    ``enrich_stream`` result the replay ran on), the job joins the events with that table first."""
    if not replay.source:
        raise DesignError("The replay ran on a DataFrame: the design needs the stream's name.",
                          hint="Replay a table of the workspace (wb.replay_windows(ws, 'events', ...)).")
    old = design.streaming.job
    w = replay.window
    if lookup is not None and replay.source != lookup.table:
        raise DesignError(f"The replay ran on {replay.source!r}, not on the enriched events {lookup.table!r}.",
                          hint="Replay the enrich_stream result: wb.replay_windows(ws, join.table, ...).")
    joined = {f"dim_{c}" for c in lookup.columns} if lookup else set()
    fields = {k: v for k, v in replay.field_types.items() if k not in joined}
    if lookup:
        fields[lookup.on] = spark_type(lookup.on_type)
    design.streaming.job = StreamJob(
        events=lookup.source if lookup else replay.source, event_time=replay.event_time,
        event_time_epoch_ms=replay.event_time_epoch_ms, keys=list(replay.keys), field_types=fields, window=w.kind, window_seconds=w.size_seconds,
        slide_seconds=w.slide_seconds, watermark_delay_seconds=replay.watermark_delay_seconds,
        output_mode=replay.output_mode, late_policy=replay.late_policy, batch_events=replay.batch_events,
        trigger_seconds=trigger_seconds or (old.trigger_seconds if old else 60),
        fail_on_data_loss=fail_on_data_loss if fail_on_data_loss is not None else (old.fail_on_data_loss if old else True),
        sink_table=sink_table or (old.sink_table if old else f"{lookup.source if lookup else replay.source}_windows"),
        lookup=StreamLookup(dimension=lookup.dimension, on=lookup.on, dimension_key=lookup.dimension_key,
                            columns=list(lookup.columns), on_type=spark_type(lookup.on_type)) if lookup else None,
        late_tolerance=late_tolerance if late_tolerance is not None else (old.late_tolerance if old else 0.01),
        evidence={"events": replay.events, "batches": replay.batches, "rows_emitted": len(replay.rows),
                  "windows": len(replay.windows), "late_events": replay.late_events, "late_rows": replay.late_rows})
    return design
