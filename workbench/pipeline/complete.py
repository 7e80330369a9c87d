"""Complete a design from the workspace: run, in the journey's order, every step whose part is not recorded.

``complete_design(design, ws, ...)`` is what ``08_export`` runs: a design saved by the step notebooks
keeps what they decided; a missing part is derived with the same step functions (profile, recommend,
size, compare, the transform project, suggested and layered expectations) and the parameters given.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.architecture.decide import recommend
from workbench.architecture.simulate import compare
from workbench.architecture.sizing import size_kafka
from workbench.architecture.workload import Workload
from workbench.cdc.choose import choose_cdc
from workbench.design.model import (
    DesignChoice,
    DesignExpectation,
    PipelineDesign,
    QualitySuite,
    TransformModel,
)
from workbench.pipeline.naming import dataset_names, name_design
from workbench.pipeline.policies import align_streaming
from workbench.pipeline.record import (
    record_architecture,
    record_cdc,
    record_choices,
    record_profile,
    record_quality,
    record_transforms,
)
from workbench.profiling.dataset import profile_dataset
from workbench.profiling.focus import choose_focus
from workbench.profiling.profile import profile
from workbench.quality.choose import quality_snapshot, quality_suites
from workbench.quality.dbt import expectation_for_dbt_test
from workbench.session import source_tables
from workbench.transform.choose import choose_transform_project
from workbench.workspace import quote_ident

if TYPE_CHECKING:
    from workbench.workspace import Workspace


def transform_suite(m: TransformModel) -> QualitySuite | None:
    """The transform-layer suite of one model, from its dbt column tests."""
    exps = []
    for t in m.tests:
        mapped = expectation_for_dbt_test(t.test, t.column, t.kwargs) if t.column else None
        if mapped:
            kind, kwargs = mapped
            exps.append(DesignExpectation(type=kind, kwargs=kwargs,
                                          severity="critical" if t.severity == "error" else "warning"))
    return QualitySuite(name=f"{m.name}_transform", layer="transform", table=m.name, expectations=exps) if exps else None


def sink_suites(design: PipelineDesign) -> list[QualitySuite]:
    """Sink-layer checks: the target is not empty and its key stays unique (reconciliation starts here)."""
    out = []
    for s in design.sinks:
        exps = [DesignExpectation(type="expect_table_row_count_to_be_between", kwargs={"min_value": 1})]
        exps += [DesignExpectation(type="expect_column_values_to_be_unique", kwargs={"column": k}) for k in s.key[:1]]
        out.append(QualitySuite(name=f"{s.table}_sink", layer="sink", table=s.table, expectations=exps))
    return out


def complete_design(design: PipelineDesign, ws: Workspace, *, table: str | None = None,
                    timestamp_column: str | None = None, scale: float = 1000.0, latency_slo_seconds: float = 3600.0,
                    complexity: str = "joins", burst_factor: float = 3.0, burst_duration_seconds: float = 600.0,
                    dbt_project: str | Path | None = None, gate: str | None = None, orchestrator: str | None = None,
                    backfill_scope: str | None = None, pii_handling: str | None = "hash",
                    backfill_days: int = 3, data_dir: str | Path | None = None) -> list[str]:
    """Fill the missing parts of ``design`` in place; returns what was filled, in order.

    The sources are the tables loaded from ``data_dir`` (default: every workspace table), not the models,
    replicas and dead-letter tables earlier steps built in the same workspace. ``table`` and
    ``timestamp_column`` (the rate and the backfill window) default to the fact table and its arrival time
    chosen from the data (``choose_focus``); the choice and its reason are the first entry returned.
    """
    filled: list[str] = []
    dataset: Any = None
    needs_focus = (not (design.architecture.tree_path or design.architecture.reasons) or design.backfill.start is None
                   or not design.quality.layers()["source"])
    if needs_focus:
        if not (table and timestamp_column):
            focus = choose_focus(ws, source_tables(ws, data_dir), table=table, timestamp_column=timestamp_column)
            table, timestamp_column = focus.table, focus.timestamp_column
            filled.append(f"focus ({focus.reason})")
            record_choices(design, "export", focus.reasons)
    if not design.sources:
        dataset = profile_dataset(ws, source_tables(ws, data_dir))
        record_profile(design, dataset)
        filled.append("sources (profile)")
    names = dataset_names(data_dir, fact_table=table or (design.sources[0].name if design.sources else None))
    renamed = name_design(design, names)
    if renamed:
        filled.append(f"names ({names.reason})")
        design.choices.append(DesignChoice(step="export", choice="design name", reason=names.reason))
    if renamed or "sources (profile)" in filled:
        align_streaming(design)  # a CDC step that ran before the sources (and their names) were known
    if not (design.architecture.tree_path or design.architecture.reasons):
        prof = dataset.profiles[table] if dataset is not None and table in dataset.profiles else profile(ws, table)
        wl = Workload.from_profile(prof, timestamp_column=timestamp_column, scale=scale,
                                      latency_slo_seconds=latency_slo_seconds, complexity=complexity,
                                      burst_factor=burst_factor, burst_duration_seconds=burst_duration_seconds)
        record_architecture(design, recommend(wl), size_kafka(wl), compare(wl), wl)
        filled.append("architecture (recommend, size_kafka, compare)")
    if not design.transforms.models:
        filled += _complete_transforms(design, ws, dbt_project, dataset, source_tables(ws, data_dir), table,
                                       timestamp_column)
    layers = design.quality.layers()
    if not layers["source"]:
        tables = source_tables(ws, data_dir)
        dataset = dataset if dataset is not None else profile_dataset(ws, tables)
        focus = choose_focus(ws, tables, table=table, timestamp_column=timestamp_column)
        choice = quality_suites(ws, dataset, snapshot=quality_snapshot(ws, focus, data_dir=data_dir), focus=focus)
        record_quality(design, choice.suites, tables=choice.tables)
        record_choices(design, "quality", [f"suites ({choice.source}): {choice.reason}"])
        filled.append(f"quality suites ({choice.source}, the quality step's choice)")
    if not layers["transform"]:
        design.quality.suites += [s for m in design.transforms.models if (s := transform_suite(m))]
        filled.append("transform quality suites (dbt tests)")
    if not layers["sink"]:
        design.quality.suites += sink_suites(design)
        filled.append("sink quality suites")
    if gate:
        design.quality.gate = gate
    if orchestrator:
        design.orchestration.tool = orchestrator
    if backfill_scope:
        design.backfill.scope = backfill_scope
    if pii_handling:
        for f in design.pii.fields:
            f.handling = f.handling or pii_handling
    if not any(c.step == "cdc" for c in design.choices):  # no CDC step ran: what it would choose from the data
        tables = source_tables(ws, data_dir)
        cdc = choose_cdc(ws, dataset if dataset is not None else profile_dataset(ws, tables), table=table)
        why = f"{cdc.method} CDC on {cdc.table}: {cdc.reason}"
        if cdc.method == "timestamp" and design.cdc.method in ("timestamp", "none"):
            record_cdc(design, choice=cdc)  # the update column the extract windows on
        elif cdc.method != design.cdc.method:  # the architecture decided (log for sub-minute freshness, else polling)
            why += f"; the design keeps {design.cdc.method} CDC, which its architecture needs"
        record_choices(design, "cdc", [why])
        filled.append(f"cdc ({design.cdc.method})")
    if design.backfill.start is None:
        _backfill_window(design, ws, table, timestamp_column, backfill_days)
        filled.append("backfill window")
    design.check_in_place()
    return filled


def _complete_transforms(design: PipelineDesign, ws: Workspace, dbt_project: str | Path | None, dataset: Any,
                         tables: list[str], table: str | None, timestamp_column: str | None) -> list[str]:
    """Build and record the transform project ``choose_transform_project`` picks (yours, the example, a scaffold)."""
    if dataset is None and not dbt_project:
        dataset = profile_dataset(ws, tables)
    choice = choose_transform_project(ws, dataset, dbt_project=dbt_project, name=design.transforms.source_name,
                                      fact_table=table, timestamp_column=timestamp_column)
    record_transforms(design, choice.project, choice.project.build(ws), ws)
    record_choices(design, "transform", choice.reasons)
    return [f"transforms ({choice.origin}: {choice.reasons[0]})"]


def _backfill_window(design: PipelineDesign, ws: Workspace, table: str, column: str, days: int) -> None:
    """The last ``days`` days of ``table.column`` as the default affected window, with its row count."""
    if not ws.has_table(table) or column not in ws.columns(table):
        return
    day = f"CAST(CAST({quote_ident(column)} AS TIMESTAMP) AS DATE)"
    # the last regular day: sparse outlier days (a few rows dated in the future) are not the window
    last = ws.scalar(
        f"WITH d AS (SELECT {day} AS day, count(*) AS n FROM {quote_ident(table)} WHERE {day} IS NOT NULL GROUP BY 1) "
        "SELECT max(day) FROM d WHERE n >= (SELECT median(n) / 4 FROM d)")
    if last is None:
        return
    start = last - timedelta(days=days - 1)
    rows = ws.scalar(f"SELECT count(*) FROM {quote_ident(table)} WHERE {day} BETWEEN ? AND ?",
                     [start, last])
    b = design.backfill
    b.partition_column, b.start, b.end, b.estimated_rows = column, start, last, int(rows)
