"""Great Expectations suites, one JSON file per suite and layer: ``gx/<layer>/<suite>.json`` (GX 1.x shape)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from workbench.design.export.base import Output

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign, QualitySuite

#: where GX files keep workbench-only fields (layer, severity): the key ``Suite.from_gx_json`` reads them from
WB_META = "workbench"
#: stable ids: the same design always exports the same files
ID_NAMESPACE = uuid.UUID("6f1c2a3e-8e0b-4c4f-9d1e-2b7c5a0e9f10")


def suite_json(suite: QualitySuite) -> dict[str, Any]:
    """A GX 1.x expectation suite (``name``, ``expectations[].type/kwargs/meta/id``)."""
    return {
        "name": suite.name,
        "id": str(uuid.uuid5(ID_NAMESPACE, suite.name)),
        "expectations": [
            {"type": e.type, "kwargs": e.kwargs,
             "meta": {**e.meta, "table": suite.table, WB_META: {"layer": suite.layer, "severity": e.severity}},
             "id": str(uuid.uuid5(ID_NAMESPACE, f"{suite.name}/{i}/{e.type}"))}
            for i, e in enumerate(suite.expectations)
        ],
        "meta": {"layer": suite.layer, "table": suite.table, "generated_by": "pipeline-workbench"},
        "notes": None,
    }


def write(design: PipelineDesign, out: Output) -> None:
    for s in design.quality.suites:
        out.json(f"gx/{s.layer}/{s.name}.json", suite_json(s))
