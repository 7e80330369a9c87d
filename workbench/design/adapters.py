"""Thin adapters: each step's results -> plain design data (``design.record_profile(dataset_profile)``...).

They read the steps' result objects by attribute (no imports of the steps), copy plain values into
the design and keep it consistent (the schedule follows the architecture, topics follow the sizing),
so the design file alone is enough for every exporter.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from workbench.design.model import (
    ConsumerGroup,
    Expectation,
    LineageEdge,
    PIIField,
    QualitySuite,
    Reason,
    Risk,
    SimulationSummary,
    SingularTest,
    Sink,
    Sizing,
    Source,
    SourceColumn,
    Topic,
    TransformModel,
    TransformSeed,
    TransformTest,
    WorkloadSummary,
)

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign

#: inferred profile types and column-name patterns that mark personal data
PII_TYPES = {"email": "email", "phone": "phone", "ip": "ip_address", "ipv4": "ip_address", "credit_card": "payment_card"}
PII_NAMES = [(re.compile(r"(^|_)(full_|first_|last_)?name$"), "name"), (re.compile(r"address"), "address"),
             (re.compile(r"phone"), "phone"), (re.compile(r"birth"), "birth_date"), (re.compile(r"email"), "email")]
ORCHESTRATORS = {"airflow": "airflow", "dagster": "dagster", "prefect": "prefect", "dbt cloud": "dbt_cloud",
                 "dbt_cloud": "dbt_cloud"}
LAYER_PREFIX = {"stg_": "staging", "int_": "intermediate", "dim_": "marts", "fct_": "marts", "rpt_": "report"}


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", str(text).lower()).strip("_") or "x"


# --- 1. profile -------------------------------------------------------------------------------
def _pii_category(name: str, inferred: str | None) -> str | None:
    if inferred in PII_TYPES:
        return PII_TYPES[inferred]
    lowered = name.lower()
    if lowered.endswith("_id") or lowered in ("store_name", "product_name"):
        return None
    return next((cat for pattern, cat in PII_NAMES if pattern.search(lowered)), None)


def _time_columns(p: Any) -> tuple[str | None, str | None, float | None]:
    """(event-time column, update column, mean rows/day) from a TableProfile's temporal columns."""
    temporal = [c for c in p.columns.values() if getattr(c, "time", None) is not None]
    update = next((c.name for c in temporal if "updated" in c.name.lower() or "modified" in c.name.lower()), None)
    event = next((c.name for c in temporal if "created" in c.name.lower()), None)
    event = event or next((c.name for c in temporal if c.name != update), update)
    daily = None
    if event:
        per_day = p.columns[event].time.rows_per_day
        if per_day:
            daily = sum(per_day.values()) / len(per_day)
    return event, update, daily


def record_profile(design: PipelineDesign, profile: Any, *, system: str = "postgresql",
                   schema_name: str = "public") -> PipelineDesign:
    """Sources (columns, types, keys, volumes, PII) from a DatasetProfile, a TableProfile or a list of them."""
    profiles = (list(profile.profiles.values()) if hasattr(profile, "profiles")
                else list(profile) if isinstance(profile, list | tuple) else [profile])
    by_name = {s.name: s for s in design.sources}
    for p in profiles:
        cols = []
        for c in p.columns.values():
            cols.append(SourceColumn(name=c.name, type=str(c.dtype), nullable=c.null_count > 0,
                                     pii=_pii_category(c.name, getattr(c, "inferred_type", None))))
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
        src = Source(
            name=p.table, system=old.system if old else system, schema_name=old.schema_name if old else schema_name,
            database=old.database if old else "shop", domain=old.domain if old else "shop", columns=cols,
            primary_key=key, update_column=update, timestamp_column=event, row_count=p.row_count,
            daily_rows=round(daily) if daily else None, avg_row_bytes=round(p.avg_row_bytes, 1) or None,
            description=old.description if old else "")
        by_name[p.table] = src
    design.sources = list(by_name.values())
    handled = {(f.table, f.column) for f in design.pii.fields}
    for s in design.sources:
        for c in s.columns:
            if c.pii and (s.name, c.name) not in handled:
                design.pii.fields.append(PIIField(table=s.name, column=c.name, category=c.pii))
    for fk in getattr(profile, "foreign_keys", []) or []:
        if fk.coverage < 1:
            title = (f"{fk.from_table}.{','.join(fk.from_columns)} -> {fk.to_table}: "
                     f"{fk.coverage:.1%} of values have a parent")
            if all(r.title != title for r in design.risks):
                design.risks.append(Risk(title=title, severity="medium",
                                         mitigation="relationships test in staging; route orphans to a quarantine table"))
    if any(s.update_column for s in design.sources) and design.cdc.method == "none":
        design.cdc.method = "timestamp"
    return design


# --- 2. architecture ----------------------------------------------------------------------------
def schedule_for(architecture: str, slo_seconds: float | None) -> str:
    """A schedule consistent with the architecture and the latency SLO."""
    if architecture in ("streaming", "hybrid"):
        return "@hourly"
    if slo_seconds is None or slo_seconds >= 86400:
        return "@daily"
    if slo_seconds >= 3600:
        return "@hourly"
    return "*/15 * * * *"


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)


def record_architecture(design: PipelineDesign, rec: Any, sizing: Any = None, sims: Any = None,
                        workload: Any = None, *, orchestrator: str | None = None) -> PipelineDesign:
    """The decision (Recommendation), its Kafka sizing, the simulated alternatives and the workload."""
    a = design.architecture
    a.architecture = rec.architecture
    a.pattern = rec.pattern
    a.stack = list(rec.stack)
    a.approach = getattr(rec, "processing", a.approach)
    a.approach_reason = getattr(rec, "processing_reason", "")
    a.tree_path = list(getattr(rec, "tree_path", []))
    a.confirmations = list(getattr(rec, "confirm_first", []))
    a.notes = list(getattr(rec, "notes", []))
    factors = getattr(rec, "factors", None)
    a.reasons = ([Reason(factor=f.factor, value=f.value, favours=f.favours, detail=f.detail) for f in factors]
                 if factors else [Reason(factor="reason", detail=r) for r in rec.reasons])
    tool = orchestrator or getattr(rec, "orchestrator", None)
    if tool:
        design.orchestration.tool = ORCHESTRATORS.get(str(tool).lower(), design.orchestration.tool)
    if workload is not None:
        a.workload = WorkloadSummary(
            avg_events_per_sec=_num(workload.avg_events_per_sec), peak_events_per_sec=_num(workload.peak_events_per_sec),
            avg_event_bytes=_num(workload.avg_event_bytes), latency_slo_seconds=_num(workload.latency_slo_seconds),
            daily_bytes=_num(getattr(workload, "bytes_per_day", None)), complexity=getattr(workload, "complexity", None),
            pii=bool(getattr(workload, "pii", False)), cross_region=bool(getattr(workload, "cross_region", False)))
        design.backfill.replay_window_hours = _num(getattr(workload, "retention_hours", None)) or \
            design.backfill.replay_window_hours
    if sizing is not None:
        a.sizing = Sizing(partitions=sizing.partitions, consumers=min(sizing.consumers, sizing.partitions),
                          replication_factor=sizing.replication_factor, retention_hours=sizing.retention_hours,
                          storage_bytes=_num(sizing.storage_bytes), binding_constraint=sizing.binding_constraint,
                          min_insync_replicas=max(1, sizing.replication_factor - 1),
                          notes=list(getattr(sizing, "warnings", [])))
    if sims is not None:
        results = getattr(sims, "results", sims)
        a.simulations = [SimulationSummary(
            architecture=r.architecture, latency_p50=_num(r.latency_p50), latency_p95=_num(r.latency_p95),
            latency_p99=_num(r.latency_p99), max_lag_events=_num(r.max_lag_events), drain_seconds=_num(r.drain_seconds),
            monthly_cost=_num(r.monthly_cost), stable=bool(r.stable), notes="; ".join(getattr(r, "messages", [])))
            for r in results]
    _align_operations(design)
    return design


def _align_operations(design: PipelineDesign) -> None:
    """Schedule, CDC method, freshness and limits that follow from the architecture (then the streaming plan)."""
    a = design.architecture
    slo = a.workload.latency_slo_seconds
    o = design.orchestration
    o.schedule = schedule_for(a.architecture, slo)
    if design.is_streaming:
        design.cdc.method = "log"  # sub-minute freshness needs the database log, not polling
        design.idempotency.strategy = "upsert" if design.idempotency.strategy == "none" else design.idempotency.strategy
        design.monitoring.freshness_max_delay_seconds = max(60.0, 12 * (slo or 60.0))
    else:
        design.monitoring.freshness_max_delay_seconds = {"@daily": 26 * 3600.0, "@hourly": 2 * 3600.0}.get(
            o.schedule, 1800.0)
    align_streaming(design)


def align_streaming(design: PipelineDesign) -> None:
    """Topics, consumer group, lag alerts and the CDC include list: present exactly when changes flow through
    Kafka (a streaming architecture, or log-based CDC), sized from the architecture's Kafka sizing."""
    a = design.architecture
    m = design.monitoring
    if not (design.is_streaming or design.cdc.method == "log") or not design.sources:
        design.streaming.topics, design.streaming.consumer_groups = [], []
        m.consumer_lag_max_seconds = m.consumer_lag_max_events = None
        design.cdc.tables = []
        return
    s = a.sizing or Sizing()
    design.streaming.topics = [
        Topic(name=f"{_snake(src.domain)}.{_snake(src.name)}.changed", partitions=s.partitions,
              replication_factor=s.replication_factor, retention_hours=s.retention_hours, cleanup_policy="delete",
              key=list(src.primary_key), source_table=src.name)
        for src in design.sources]
    names = [t.name for t in design.streaming.topics]
    consumers = min(s.consumers, s.partitions)
    design.streaming.consumer_groups = [ConsumerGroup(name="warehouse-loader", topics=names, consumers=consumers)]
    design.resources.max_consumers = consumers
    slo = a.workload.latency_slo_seconds or 3600.0
    peak = a.workload.peak_events_per_sec
    m.consumer_lag_max_seconds = max(slo, 1.0)
    m.consumer_lag_max_events = int(math.ceil(peak * slo)) if peak else None
    design.cdc.tables = [f"{src.schema_name}.{src.name}" for src in design.sources]


# --- 3. transform -------------------------------------------------------------------------------
def _layer(name: str, folder: str) -> str:
    head = folder.split("/")[0] if folder else ""
    if head in ("staging", "intermediate", "marts"):
        return head
    if head in ("reports", "report"):
        return "report"
    return next((layer for prefix, layer in LAYER_PREFIX.items() if name.startswith(prefix)), "intermediate")


def record_transforms(design: PipelineDesign, project: Any, build: Any = None) -> PipelineDesign:
    """The transform project (models with dbt SQL and config, sources, seeds, macros, tests) and its lineage."""
    t = design.transforms
    t.tool = "dbt"
    t.project_name = project.name
    t.build_schema = getattr(project, "schema", "main")
    srcs = list(project.sources.values())
    if srcs:
        t.source_name = srcs[0].source
        t.source_schema = srcs[0].schema_name
    t.vars = dict(project.vars)
    t.folder_config = dict(project.folder_config)
    t.macros = dict(project.macros)
    t.seeds = [TransformSeed(name=s.name, csv=s.csv_text, folder=s.folder, column_types=dict(s.column_types))
               for s in project.seeds.values()]
    t.singular_tests = [SingularTest(name=s.name, sql=s.sql, severity=s.severity) for s in project.singular_tests.values()]
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
            name=name, layer=_layer(name, spec.folder), materialized=cfg.get("materialized", "view"), folder=spec.folder,
            depends_on=[p for p in parents if not p.startswith("source:")],
            sources=[p.split(".", 1)[1] for p in parents if p.startswith("source:")],
            unique_key=[uk] if isinstance(uk, str) else list(uk or []), sql=spec.sql, config=config,
            description=spec.description, columns={c.name: c.description for c in spec.columns.values()},
            tests=tests_by_target.get(name, [])))
    t.models = models
    design.lineage = [LineageEdge(upstream=p.removeprefix("source:"), downstream=n) for n, ps in dag.items() for p in ps]
    if build is not None:
        nodes = list(getattr(build, "nodes", []))
        t.last_build = {"ok": bool(build.ok), "nodes": len(nodes),
                        "failed": [n.name for n in nodes if n.status not in ("success", "pass", "ok", "warn")]}
    if not design.sinks:
        design.sinks = [_sink_for(m) for m in models if m.layer in ("marts", "report")]
    return design


def _sink_for(m: TransformModel) -> Sink:
    key = list(m.unique_key)
    if not key:
        uniques = {t.column for t in m.tests if t.test == "unique" and t.column}
        not_null = {t.column for t in m.tests if t.test == "not_null" and t.column}
        key = sorted(uniques & not_null)[:1]
    return Sink(name=m.name, table=m.name, system="warehouse", write_mode="merge" if key else "overwrite", key=key,
                serving=["BI dashboards"] if m.layer == "report" or m.name.startswith(("fct_", "rpt_"))
                else ["analytics"])


# --- 4. quality ---------------------------------------------------------------------------------
def record_quality(design: PipelineDesign, suites: Any, gate: Any = None, results: Any = None,
                   tables: dict[str, str] | None = None) -> PipelineDesign:
    """Suites split per layer (GX 1.x shape), the gate mode, and the last validation results."""
    suites = suites if isinstance(suites, list | tuple) else [suites]
    out: dict[str, QualitySuite] = {s.name: s for s in design.quality.suites}
    for suite in suites:
        doc = suite.to_gx_json("1") if hasattr(suite, "to_gx_json") else dict(suite)
        default_layer = getattr(suite, "layer", None) or "source"
        table = (tables or {}).get(doc["name"]) or doc.get("meta", {}).get("table") or re.split(r"[._]", doc["name"])[0]
        by_layer: dict[str, list[Expectation]] = {}
        for e in doc.get("expectations", []):
            meta = dict(e.get("meta") or {})
            layer = meta.pop("layer", None) or e.get("layer") or default_layer
            severity = meta.pop("severity", None) or e.get("severity") or "critical"
            by_layer.setdefault(layer, []).append(Expectation(type=e["type"], kwargs=dict(e.get("kwargs") or {}),
                                                              severity=severity, meta=meta))
        for layer, exps in by_layer.items():
            base = _snake(doc["name"])
            name = base if base.endswith(f"_{layer}") else f"{base}_{layer}"
            out[name] = QualitySuite(name=name, layer=layer, table=table, expectations=exps)
    design.quality.suites = list(out.values())
    if gate is not None:
        design.quality.gate = getattr(gate, "mode", gate)
        fraction = getattr(gate, "fraction", None)
        design.quality.sample_fraction = fraction if design.quality.gate == "sample" else None
    for r in (results if isinstance(results, list | tuple) else [results] if results is not None else []):
        failed = sum(1 for x in r.results if not x.success)
        for s in design.quality.suites:
            if s.name.startswith(_snake(r.suite_name)) and s.table == r.table:
                s.last_result = "passed" if failed == 0 else "failed"
                s.failed_expectations = failed
    return design


# --- CDC ----------------------------------------------------------------------------------------
def record_cdc(design: PipelineDesign, *, method: str | None = None, apply_result: Any = None,
               compatibility: Any = None, checksums: dict[str, str] | None = None, key_spec: Any = None,
               backfill: Any = None, playbook: str | None = None) -> PipelineDesign:
    """CDC evidence (apply counts, checksums), schema compatibility, the idempotency key and the backfill plan."""
    if method:
        design.cdc.method = method
        align_streaming(design)
    ev = design.cdc.evidence
    if apply_result is not None:
        data = apply_result.model_dump() if hasattr(apply_result, "model_dump") else dict(apply_result)
        ev.update({k: v for k, v in data.items() if isinstance(v, int | float | str | bool) and k != "seconds"})
        if data.get("dead_letter_reasons"):
            ev["dead_letter_reasons"] = dict(data["dead_letter_reasons"])
    if checksums:
        ev["checksums"] = dict(checksums)
        ev["checksums_equal"] = len(set(checksums.values())) == 1
    if compatibility is not None:
        level = ("FULL" if compatibility.full else "BACKWARD" if compatibility.backward
                 else "FORWARD" if compatibility.forward else "NONE")
        design.schema_evolution.compatibility = level if level != "NONE" else design.schema_evolution.compatibility
        design.schema_evolution.detected_changes = [
            c.describe() if hasattr(c, "describe") else f"{getattr(c, 'kind', 'change')}: {getattr(c, 'field', '')}"
            for c in compatibility.changes]
        if level == "NONE":
            design.open_questions.append(_question("The detected schema change is neither backward nor forward "
                                                   "compatible: which migration path?", blocking=True))
    if key_spec is not None:
        fields = getattr(key_spec, "fields", None)
        if fields:
            design.idempotency.key_fields = list(fields)
    if backfill is not None:
        b = design.backfill
        for attr in ("scope", "reason", "partition_column", "start", "end", "estimated_rows", "estimated_seconds"):
            v = getattr(backfill, attr, None) if not isinstance(backfill, dict) else backfill.get(attr)
            if v is not None:
                setattr(b, attr, v)
        scope = getattr(getattr(backfill, "profile", None), "scope", None)  # a cdc BackfillPlan
        if scope:
            b.scope = {"window": "affected_window"}.get(scope, scope)
    if playbook:
        design.backfill.playbook_markdown = playbook
    return design


def _question(text: str, blocking: bool = False):
    from workbench.design.model import OpenQuestion

    return OpenQuestion(question=text, blocking=blocking)
