"""Step 5 — the chosen design (``PipelineDesign``), its lint, handoffs and exporters."""

from __future__ import annotations

from workbench.design.export import TARGETS, export
from workbench.design.export.handoff import canvas_handoff, summary_handoff
from workbench.design.lint import LintFinding, lint
from workbench.design.model import PipelineDesign
from workbench.design.schema_handoff import design_from_schema_handoff

__all__ = ["TARGETS", "LintFinding", "PipelineDesign", "canvas_handoff", "design_from_schema_handoff", "export",
           "lint", "summary_handoff"]
