"""Event envelope JSON Schemas (draft-07), one per entity: ``schemas/<domain>.<entity>.schema.json``.

Required: ``event_id`` (uuid, the idempotency key), ``event_type`` (created/updated/deleted),
``timestamp`` (date-time) and ``data`` (the entity's columns); optional ``version``, ``source`` and
``correlation_id``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from workbench.design.export.base import Output

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign, Source, SourceColumn

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
EVENT_TYPES = ["created", "updated", "deleted"]
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}"


def json_type(col: SourceColumn) -> dict[str, Any]:
    """The JSON Schema of one column, from its (DuckDB/SQL) type name."""
    t = col.type.lower()
    if re.search(r"bool", t):
        schema: dict[str, Any] = {"type": "boolean"}
    elif re.search(r"int|serial", t):
        schema = {"type": "integer"}
    elif re.search(r"decimal|numeric|double|float|real", t):
        schema = {"type": "number"}
    elif "timestamp" in t:
        # source rows carry "YYYY-MM-DD HH:MM:SS" as often as RFC 3339, so a pattern rather than format: date-time
        schema = {"type": "string", "pattern": TIMESTAMP_PATTERN}
    elif t == "date":
        schema = {"type": "string", "format": "date"}
    else:
        schema = {"type": "string"}
    if col.pii == "email":
        schema["format"] = "email"
    if col.nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def event_schema(d: PipelineDesign, source: Source) -> dict[str, Any]:
    data_props = {c.name: json_type(c) for c in source.columns}
    return {
        "$schema": DRAFT_07,
        "$id": f"https://schemas.example.com/{source.domain}/{source.name}/v{d.streaming.event_schema_version}.json",
        "title": f"{source.domain}.{source.name} change event",
        "description": f"Envelope of a change to {source.schema_name}.{source.name} (Pipeline Workbench).",
        "type": "object",
        "required": ["event_id", "event_type", "timestamp", "data"],
        "properties": {
            "event_id": {"type": "string", "format": "uuid", "description": "unique per event; the idempotency key"},
            "event_type": {"type": "string", "enum": EVENT_TYPES},
            "timestamp": {"type": "string", "format": "date-time"},
            "version": {"type": "integer", "minimum": 1, "default": d.streaming.event_schema_version},
            "source": {"type": "string", "description": "producing service"},
            "correlation_id": {"type": ["string", "null"], "description": "tracing id across services"},
            "data": {
                "type": "object",
                "properties": data_props,
                "required": list(source.primary_key),
                "additionalProperties": True,
            },
        },
        "additionalProperties": False,
    }


def write(design: PipelineDesign, out: Output) -> None:
    for s in design.sources:
        out.json(f"schemas/{s.domain}.{s.name}.schema.json", event_schema(design, s))
