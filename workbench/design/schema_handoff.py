"""Read the design guide's ``SCHEMA_TO_STREAM_HANDOFF`` to seed a design (the handoffs it writes are exporters:
``workbench.design.export.handoff``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

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
