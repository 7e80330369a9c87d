"""Handoff files: ``handoffs/stream_to_canvas.yaml`` (the data-flow diagram request) and ``handoffs/summary.yaml``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.design.export.base import Output
from workbench.design.export.mermaid import flowchart
from workbench.design.flow import build_flow

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign


def write(design: PipelineDesign, out: Output, artifacts: dict[str, list[str]] | None = None) -> None:
    out.yaml("handoffs/stream_to_canvas.yaml", {"STREAM_TO_CANVAS_HANDOFF": canvas_handoff(design)})
    listed = [p for paths in (artifacts or {}).values() for p in paths]
    out.yaml("handoffs/summary.yaml", {"SUMMARY_HANDOFF": summary_handoff(design, listed)})


def canvas_handoff(design: PipelineDesign) -> dict[str, Any]:
    """``STREAM_TO_CANVAS_HANDOFF``: the data-flow diagram request (nodes, edges, Mermaid)."""
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
