"""Handoffs from the design guide: read ``SCHEMA_TO_STREAM_HANDOFF`` to seed a design; write
``STREAM_TO_CANVAS_HANDOFF`` (nodes, edges, mermaid) and the short summary handoff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from workbench.design.flow import build_flow
from workbench.design.model import (
    PipelineDesign,
    Sink,
    Source,
    SourceColumn,
    TransformModel,
    WorkloadSummary,
)
from workbench.errors import DesignError


def _load(handoff: str | os.PathLike | dict) -> dict[str, Any]:
    if isinstance(handoff, dict):
        return handoff
    text = str(handoff)
    if "\n" not in text and Path(text).suffix.lower() in (".yaml", ".yml", ".json"):
        p = Path(text)
        if not p.exists():
            raise DesignError(f"Handoff file {text!r} does not exist.")
        text = p.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DesignError(f"The handoff is not valid YAML: {exc}") from exc
    if isinstance(data, dict) and "SCHEMA_TO_STREAM_HANDOFF" in data:
        data = data["SCHEMA_TO_STREAM_HANDOFF"]
    if not isinstance(data, dict):
        raise DesignError("A SCHEMA_TO_STREAM_HANDOFF must be a mapping with source_models, "
                          "destination_requirements and data_volume.")
    return data


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list | tuple) else [str(v)]


def design_from_schema_handoff(handoff: str | os.PathLike | dict, **fields: Any) -> PipelineDesign:
    """Seed a design from a ``SCHEMA_TO_STREAM_HANDOFF`` (path, YAML text or dict)."""
    data = _load(handoff)
    models = data.get("source_models")
    if not isinstance(models, list) or not models:
        raise DesignError("SCHEMA_TO_STREAM_HANDOFF.source_models must be a non-empty list of tables.",
                          hint="Each entry: {table, schema, columns, primary_key, update_column}.")
    volume = data.get("data_volume") or {}
    daily = volume.get("daily_rows")
    sources, staging = [], []
    for i, m in enumerate(models):
        if not isinstance(m, dict) or not m.get("table"):
            raise DesignError(f"SCHEMA_TO_STREAM_HANDOFF.source_models[{i}].table is missing.")
        cols = [SourceColumn(name=c) if isinstance(c, str) else SourceColumn(**c) for c in m.get("columns") or []]
        sources.append(Source(
            name=m["table"], schema_name=m.get("schema", "public"), columns=cols,
            primary_key=_as_list(m.get("primary_key")), update_column=m.get("update_column"),
            timestamp_column=m.get("update_column"), daily_rows=int(daily / len(models)) if daily else None,
        ))
        staging.append(TransformModel(name=f"stg_{m['table']}", layer="staging", sources=[m["table"]],
                                      description=f"1:1 with source {m.get('schema', 'public')}.{m['table']}"))
    marts, sinks = [], []
    for i, r in enumerate(data.get("destination_requirements") or []):
        if not isinstance(r, dict) or not r.get("model"):
            raise DesignError(f"SCHEMA_TO_STREAM_HANDOFF.destination_requirements[{i}].model is missing.")
        grain = _as_list(r.get("grain"))
        desc = (f"grain: {', '.join(grain) or '-'}; dimensions: {', '.join(_as_list(r.get('dimensions'))) or '-'}; "
                f"measures: {', '.join(_as_list(r.get('measures'))) or '-'}")
        marts.append(TransformModel(name=r["model"], layer="marts", materialized="table", unique_key=grain,
                                    depends_on=[s.name for s in staging], description=desc))
        sinks.append(Sink(name=r["model"], table=r["model"], write_mode="merge" if grain else "overwrite",
                          key=grain, serving=["BI dashboards"]))
    design = PipelineDesign(**fields)
    design.sources = sources
    design.transforms.models = staging + marts
    design.sinks = sinks
    design.data_retention = volume.get("retention")
    if daily:
        design.architecture.workload = WorkloadSummary(avg_events_per_sec=daily / 86400)
    if any(s.update_column for s in sources):
        design.cdc.method = "timestamp"
    return design.check()


def canvas_handoff(design: PipelineDesign) -> dict[str, Any]:
    """``STREAM_TO_CANVAS_HANDOFF``: the data-flow diagram request (nodes, edges, Mermaid)."""
    from workbench.design.export.mermaid import flowchart

    g = build_flow(design)
    return {
        "diagram_request": {"type": "data_flow", "title": design.title},
        "nodes": [{"id": n.id, "label": n.label, "type": n.type} for n in g.nodes],
        "edges": [{"from": e.source, "to": e.target, "label": e.label} for e in g.edges],
        "format": "mermaid",
        "mermaid": flowchart(design),
    }


def summary_handoff(design: PipelineDesign, artifacts: list[str] | None = None) -> dict[str, Any]:
    """The short summary handoff: decisions, artifacts, risks, open questions, confirmations, next step."""
    a = design.architecture
    findings = design.lint()
    layers = design.quality.layers()
    quality = (f"{design.quality.gate} gate; suites per layer: "
               + ", ".join(f"{k} {len(v)}" for k, v in layers.items()))
    blocking = [q for q in design.open_questions if q.blocking]
    return {
        "step": "design_export",
        "summary": (f"{a.architecture} pipeline ({a.pattern}, {a.approach}) over {len(design.sources)} source(s), "
                    f"orchestrated by {design.orchestration.tool} "
                    f"({design.orchestration.schedule or 'continuous'}). "
                    f"{len([f for f in findings if f.severity == 'warning'])} lint warning(s)."),
        "decisions": {
            "architecture": a.architecture,
            "pattern": a.pattern,
            "tools": list(dict.fromkeys([design.orchestration.tool, *a.stack])),
            "quality_strategy": quality,
            "cdc": design.cdc.method,
            "idempotency": design.idempotency.strategy,
            "backfill_scope": design.backfill.scope,
        },
        "artifacts": list(artifacts or []),
        "risks": [f"[{r.severity}] {r.title}" + (f" - {r.mitigation}" if r.mitigation else "") for r in design.risks]
                 + [f.message for f in findings if f.severity == "warning"],
        "open_questions": [{"question": q.question, "blocking": q.blocking} for q in design.open_questions],
        "pending_confirmations": list(dict.fromkeys(a.confirmations + [f.message for f in findings
                                                                       if f.severity == "confirm"])),
        "next_step": ("answer the blocking questions before building" if blocking
                      else "build from the exported artifacts: create topics/connectors, deploy the DAG, run dbt build"),
    }
