"""Idempotency keys: one deterministic SHA-256 per change, the same in Python and in DuckDB SQL.

The default key is ``sha256(source|entity_type|entity_id|event_type|second)`` as the design guide
defines it. Two changes of one entity within the same second would collide on that key, so when the
event carries a log position (``source.lsn``) the position replaces the second (``time="auto"``).
``KeySpec(time="second")`` forces the guide's literal recipe; ``KeySpec(use_event_id=True)`` keys
on the producer's ``event_id``.

>>> e = {"op": "c", "ts_ms": 1790818913000, "after": {"order_id": 7},
...      "source": {"name": "shop", "table": "orders", "ts_ms": 1790818913000}}
>>> idempotency_key(e, ["order_id"])[:12]
'88ffee822f50'
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from workbench.workspace import quote_ident

#: Debezium op -> event type named in the idempotency key
EVENT_TYPES: dict[str, str] = {"c": "created", "u": "updated", "d": "deleted", "r": "read"}


class KeySpec(BaseModel):
    """How the idempotency key of a change event is built (every part is configurable)."""

    #: the producing source; default: the envelope's ``source.name`` (the Debezium server name)
    source: str | None = None
    #: the entity type; default: ``source.table``, else the target table's name
    entity_type: str | None = None
    #: time component: "auto" = log position when present else the second; "second"; "ms"; "position"
    time: Literal["auto", "second", "ms", "position"] = "auto"
    #: key on the producer's ``event_id`` instead (only safe when redeliveries keep their id)
    use_event_id: bool = False

    @property
    def fields(self) -> list[str]:
        """The key's components, in hashing order (what a design document lists)."""
        if self.use_event_id:
            return ["event_id"]
        time = {"auto": "log_position_or_second", "second": "timestamp_second", "ms": "timestamp_ms",
                "position": "log_position"}[self.time]
        return ["source", "entity_type", "entity_id", "event_type", time]


def _trunc_div(ms: int, by: int) -> int:
    """Integer division truncating toward zero, as DuckDB's ``//`` does."""
    q = abs(ms) // by
    return q if ms >= 0 else -q


def idempotency_key(event: dict[str, Any], key: list[str] | str, spec: KeySpec | None = None,
                    *, entity_type: str | None = None) -> str:
    """The hex SHA-256 idempotency key of one event dict (a Debezium envelope)."""
    spec = spec or KeySpec()
    if spec.use_event_id:
        return _sha(str(event.get("event_id")))
    keys = [key] if isinstance(key, str) else list(key)
    op = event.get("op")
    row = (event.get("before") if op == "d" else event.get("after")) or {}
    source = event.get("source") or {}
    parts = [
        spec.source if spec.source is not None else (source.get("name") or ""),
        spec.entity_type or source.get("table") or entity_type or "",
        ",".join(str(row.get(k)) for k in keys),
        EVENT_TYPES.get(op, str(op)),
        _time_part(event, source, spec),
    ]
    return _sha("|".join(parts))


def _time_part(event: dict[str, Any], source: dict[str, Any], spec: KeySpec) -> str:
    lsn = source.get("lsn")
    if spec.time == "position" or (spec.time == "auto" and lsn is not None):
        return f"lsn:{lsn}"
    ts = source.get("ts_ms") if source.get("ts_ms") is not None else event.get("ts_ms")
    if ts is None:
        return ""
    return str(ts) if spec.time == "ms" else str(_trunc_div(int(ts), 1000))


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key_sql(key: list[str], spec: KeySpec, *, entity_type: str, has_source_fields: set[str]) -> tuple[str, list]:
    """DuckDB expression (over the staged batch) computing the same key, and its bound parameters.

    The batch has columns ``op``, ``event_id``, ``ts_ms``, ``source`` and the changed row ``_row``
    (``after``, or ``before`` for deletes); ``has_source_fields`` lists the fields of ``source``.
    """
    if spec.use_event_id:
        return "sha256(CAST(event_id AS VARCHAR))", []
    params: list = []

    def src(field: str) -> str:
        return f"source.{quote_ident(field)}" if field in has_source_fields else "NULL"

    if spec.source is not None:
        source_part = "?"
        params.append(spec.source)
    else:
        source_part = f"coalesce(CAST({src('name')} AS VARCHAR), '')"
    if spec.entity_type:
        type_part = "?"
        params.append(spec.entity_type)
    else:
        type_part = f"coalesce(CAST({src('table')} AS VARCHAR), ?)"
        params.append(entity_type)
    id_part = " || ',' || ".join(f"coalesce(CAST(_row.{quote_ident(k)} AS VARCHAR), 'None')" for k in key)
    event_part = "coalesce(CASE op " + " ".join(f"WHEN '{o}' THEN '{t}'" for o, t in EVENT_TYPES.items()) + " END, op)"
    ts = f"coalesce({src('ts_ms')}, ts_ms)"
    if spec.time == "ms":
        time_part = f"coalesce(CAST({ts} AS VARCHAR), '')"
    else:
        time_part = f"coalesce(CAST(CAST({ts} AS BIGINT) // 1000 AS VARCHAR), '')"
    lsn = src("lsn")
    if spec.time == "position":
        time_part = f"'lsn:' || coalesce(CAST({lsn} AS VARCHAR), 'None')"
    elif spec.time == "auto" and lsn != "NULL":
        time_part = f"CASE WHEN {lsn} IS NOT NULL THEN 'lsn:' || CAST({lsn} AS VARCHAR) ELSE {time_part} END"
    expr = f"sha256(concat_ws('|', {source_part}, {type_part}, {id_part}, {event_part}, {time_part}))"
    return expr, params
