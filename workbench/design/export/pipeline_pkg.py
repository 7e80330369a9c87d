"""The runnable pipeline: ``pipeline/`` (extract, load, gate, publish; plain Python + DuckDB) and its README.

The package's modules are fixed text (``templates/pipeline/``); what the design decides goes into
``pipeline/config.json``: the sources (landing file, system and schema, warehouse table, key, method, update
column), the gate mode, the run window's length and the quality suites **compiled to SQL** with the quality
step's own compiler (the one step this exporter uses), so the gate checks inside the warehouse exactly what
``workbench validate`` checks. Checks that need the workbench at run time (history, distributions) are
listed as not compiled, never silently dropped: the GX suites beside them still carry them.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from workbench.design.export.base import Output, render
from workbench.design.plan import (
    ENV_DATA,
    ENV_HOME,
    build_plan,
    events_source,
    local_run_commands,
    window_seconds,
)
from workbench.quality.compile import Params, TableInfo, compile_expectation, renumber
from workbench.quality.suite import Suite
from workbench.workspace import quote_ident

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign, QualitySuite

MODULES = ("__init__", "common", "extract", "load", "gate", "publish", "reconcile")
BATCH = quote_ident("__batch__")
#: a window's row count may reach this multiple of the rows expected in it before the volume check fails
VOLUME_HEADROOM = 10


#: schema compatibility modes under which a source may gain an optional column without breaking the contract
ADDITIVE = ("BACKWARD", "FORWARD", "FULL")


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def _schema(d: PipelineDesign, table: str) -> dict[str, str] | None:
    for s in d.sources:
        if s.name == table and s.columns:
            return {c.name: c.type for c in s.columns}
    for m in d.transforms.models:
        if m.name == table and m.column_types:
            return dict(m.column_types)
    return None


def _row_check(i: int, e: Any, t: TableInfo) -> dict[str, Any] | None:
    p = Params()
    out = compile_expectation(i, e, t, p, BATCH)
    items = out.items
    considered = items.get(f"e{i}_considered")
    unexpected = items.get(f"e{i}_unexpected") or (f"({items[f'e{i}_dups']}).rows" if f"e{i}_dups" in items else None)
    if out.row_check is None or considered is None or unexpected is None:
        return None
    sql, params = renumber(f"SELECT {considered} AS considered, {unexpected} AS unexpected FROM {BATCH}", p.values)
    check: dict[str, Any] = {"kind": "rows", "sql": sql, "params": _jsonable(params),
                             "mostly": float(getattr(e.kwargs, "mostly", 1.0) or 1.0)}
    where, where_params = renumber(out.row_check.unexpected_rows(t), p.values)
    check.update(where=where, where_params=_jsonable(where_params))
    return check


def _table_check(e: Any, suite: QualitySuite, d: PipelineDesign, windowed: bool) -> dict[str, Any] | None:
    k = e.kwargs
    if e.type == "expect_table_row_count_to_be_between":
        src = next((s for s in d.sources if s.name == suite.table), None)
        if windowed and src is not None and src.daily_rows:
            expected = src.daily_rows * window_seconds(d) / 86_400
            return {"kind": "row_count", "min_value": None,
                    "max_value": math.ceil(VOLUME_HEADROOM * expected) + VOLUME_HEADROOM}
        return {"kind": "row_count", "min_value": k.min_value, "max_value": k.max_value}
    if e.type == "expect_table_columns_to_match_set":
        compat = d.schema_evolution.compatibility
        added = suite.layer == "source" and compat in ADDITIVE and k.exact_match is not False
        return {"kind": "columns", "column_set": list(k.column_set), "exact_match": k.exact_match is not False,
                "added_allowed": f"{compat} compatibility adds optional fields" if added else None}
    if e.type == "expect_column_max_to_be_fresh":
        return {"kind": "fresh", "column": k.column, "max_age_seconds": k.max_age_seconds,
                "schema": d.transforms.source_schema if suite.layer == "source" else d.transforms.build_schema,
                "table": suite.table}
    return None


def compile_suite(d: PipelineDesign, suite: QualitySuite) -> dict[str, Any]:
    """One suite as the gate runs it: its relation, window column, compiled checks and what was not compiled."""
    src = next((s for s in d.sources if s.name == suite.table), None)
    windowed = (suite.layer == "source" and src is not None and bool(src.update_column)
                and source_method(d, src.name, src.update_column) != "full")
    out: dict[str, Any] = {
        "name": suite.name, "table": suite.table,
        "schema": d.transforms.source_schema if suite.layer == "source" else d.transforms.build_schema,
        "window_column": src.update_column if windowed else None, "checks": [], "not_compiled": []}
    schema = _schema(d, suite.table)
    parsed = Suite(name=suite.name, expectations=[{"type": e.type, "kwargs": e.kwargs, "severity": e.severity}
                                                  for e in suite.expectations])
    for i, (e, spec) in enumerate(zip(parsed.expectations, suite.expectations, strict=True)):
        column = getattr(e.kwargs, "column", None)
        name = f"{e.type}({column})" if column else e.type
        check = _table_check(e, suite, d, windowed)
        if check is None and schema is not None:
            check = _row_check(i, e, TableInfo(name=suite.table, relation=BATCH, schema=schema))
        if check is None:
            why = "the table's column types are not in the design" if schema is None else "needs the workbench"
            out["not_compiled"].append(f"{name} ({why})")
            continue
        out["checks"].append({"name": name, "severity": spec.severity, **check})
    return out


def source_method(d: PipelineDesign, table: str, update_column: str | None) -> str:
    """How the pipeline reads one source: ``log`` (apply its change events), ``timestamp`` (window on the
    update column) or ``full`` (reload the whole file: a snapshot, or a log-captured table whose events
    have not landed, as Debezium's initial snapshot)."""
    if events_source(d, table):
        return "log"
    return "timestamp" if d.cdc.method == "timestamp" and update_column else "full"


def pipeline_config(d: PipelineDesign) -> dict[str, Any]:
    """``pipeline/config.json``: everything the generated steps read."""
    t = d.transforms
    sources = [{"name": s.name, "table": s.name, "file": s.name, "schema": s.schema_name, "system": s.system,
                "key": list(s.primary_key), "method": source_method(d, s.name, s.update_column),
                "update_column": s.update_column, "events": events_source(d, s.name),
                "columns": {c.name: c.type for c in s.columns}}
               for s in d.sources]
    return {
        "pipeline": d.orchestration.pipeline_id, "connector": d.cdc.connector_name if d.cdc.method == "log" else None,
        "warehouse": "warehouse.duckdb", "raw_schema": t.source_schema,
        "build_schema": t.build_schema, "gate": d.quality.gate, "sample_fraction": d.quality.sample_fraction,
        "window_seconds": window_seconds(d), "sources": sources,
        "checks": {layer: [compile_suite(d, s) for s in suites if s.expectations]
                   for layer, suites in d.quality.layers().items()},
        "stream": d.streaming.job.model_dump(mode="json", exclude={"evidence"}) if d.streaming.job else None,
    }


def write(design: PipelineDesign, out: Output) -> None:
    folder = resources.files("workbench.design") / "templates" / "pipeline"
    for module in MODULES:
        out.text(f"pipeline/{module}.py", (folder / f"{module}.py.j2").read_text(encoding="utf-8"))
    out.json("pipeline/config.json", pipeline_config(design))
    out.text("README.md", render("pipeline_readme.md.j2", design=design, steps=build_plan(design),
                                 commands=local_run_commands(design), env_home=ENV_HOME, env_data=ENV_DATA))
