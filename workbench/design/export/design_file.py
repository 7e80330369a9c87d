"""The design itself beside its artifacts: ``design.yaml`` and its JSON Schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.design.export.base import Output

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign


def write(design: PipelineDesign, out: Output) -> None:
    out.text("design.yaml", design.to_yaml())
    out.json("pipeline_design.schema.json", type(design).model_json_schema())
