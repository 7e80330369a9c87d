"""Handoff files: ``handoffs/stream_to_canvas.yaml`` and ``handoffs/summary.yaml``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.design.export.base import Output
from workbench.design.handoff import canvas_handoff, summary_handoff

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign


def write(design: PipelineDesign, out: Output, artifacts: dict[str, list[str]] | None = None) -> None:
    out.yaml("handoffs/stream_to_canvas.yaml", {"STREAM_TO_CANVAS_HANDOFF": canvas_handoff(design)})
    listed = [p for paths in (artifacts or {}).values() for p in paths]
    out.yaml("handoffs/summary.yaml", {"SUMMARY_HANDOFF": summary_handoff(design, listed)})
