"""Schema evolution: classify every change between two schemas under Confluent Schema Registry's rules.

Confluent's definitions (compared with the last schema, as the non-transitive modes do):

* **BACKWARD** — consumers on the *new* schema read data written with the *old* one: fields may be
  deleted and optional fields added. Upgrade consumers first.
* **FORWARD** — consumers on the *old* schema read data written with the *new* one: fields may be
  added and optional fields deleted. Upgrade producers first.
* **FULL** — both: only optional fields are added or deleted. Upgrade in any order.

A schema is a table's columns (``ws.schema(t)`` or :func:`table_schema`), a JSON Schema object
(``properties`` + ``required``) or a :class:`Schema`. Type widening follows Avro's promotions
(int → long → float → double; integer → number in JSON Schema): a wider reader reads narrower data.
"""

from __future__ import annotations

import difflib
import html
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from workbench.errors import ChangeEventError
from workbench.sqltypes import (
    FLOAT_LADDER,
    SIGNED_INTEGER_TYPES,
    UNSIGNED_INTEGER_TYPES,
    is_timestamp,
    normalize,
    type_family,
)
from workbench.workspace import Workspace, quote_ident

ChangeKind = Literal[
    "optional_field_added", "required_field_added", "optional_field_removed", "required_field_removed",
    "type_widened", "type_narrowed", "type_changed", "renamed", "made_required", "made_optional",
]

#: change kind -> (backward compatible, forward compatible)
RULES: dict[str, tuple[bool, bool]] = {
    "optional_field_added": (True, True),
    "required_field_added": (False, True),
    "optional_field_removed": (True, True),
    "required_field_removed": (True, False),
    "type_widened": (True, False),
    "type_narrowed": (False, True),
    "type_changed": (False, False),
    "renamed": (False, False),
    "made_required": (False, True),
    "made_optional": (True, False),
}

#: numeric promotion ladders: a type reads every type to its left (Avro / JSON Schema promotions)
LADDERS: list[list[str]] = [
    list(SIGNED_INTEGER_TYPES),
    list(UNSIGNED_INTEGER_TYPES),
    [*SIGNED_INTEGER_TYPES[:4], *FLOAT_LADDER],
    ["INTEGER", "BIGINT", FLOAT_LADDER[-1]],
    ["integer", "number"],
    ["DATE", "TIMESTAMP"],
]


class SchemaField(BaseModel):
    type: str
    required: bool = False
    default: Any = None


class Schema(BaseModel):
    """Named fields with a type and whether a reader may rely on them being present."""

    name: str = ""
    fields: dict[str, SchemaField]

    def to_json_schema(self) -> dict[str, Any]:
        """A JSON Schema (draft-07) object for one row of this schema."""
        return {
            "$schema": "http://json-schema.org/draft-07/schema#", "title": self.name or "row", "type": "object",
            "properties": {n: _json_type(f.type, f.required) for n, f in self.fields.items()},
            "required": [n for n, f in self.fields.items() if f.required],
        }


class SchemaChange(BaseModel):
    kind: ChangeKind
    field: str
    old: str | None = None
    new: str | None = None
    backward: bool
    forward: bool
    hint: str

    def describe(self) -> str:
        what = self.kind.replace("_", " ")
        detail = f"{self.old} -> {self.new}" if self.old and self.new else (self.new or self.old or "")
        return f"{what}: {self.field} ({detail})"


class Compatibility(BaseModel):
    """Whether ``new`` is BACKWARD / FORWARD / FULL compatible with ``old``, change by change."""

    backward: bool
    forward: bool
    full: bool
    changes: list[SchemaChange] = Field(default_factory=list)

    @property
    def level(self) -> str:
        return "FULL" if self.full else "BACKWARD" if self.backward else "FORWARD" if self.forward else "NONE"

    @property
    def upgrade_order(self) -> str:
        return {
            "FULL": "upgrade producers and consumers in any order",
            "BACKWARD": "upgrade consumers first, then producers",
            "FORWARD": "upgrade producers first, then consumers",
            "NONE": "breaking: publish under a new subject/topic version and dual-write while consumers migrate",
        }[self.level]

    def summary(self) -> str:
        lines = [f"compatibility: {self.level} (backward={self.backward}, forward={self.forward}, full={self.full})"
                 f" — {self.upgrade_order}"]
        if not self.changes:
            lines.append("  no changes")
        for c in self.changes:
            flags = f"backward={'yes' if c.backward else 'no'}, forward={'yes' if c.forward else 'no'}"
            lines.append(f"  - {c.describe()} [{flags}]\n      hint: {c.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"


def _json_type(dtype: str, required: bool) -> dict[str, Any]:
    base = _family(dtype)
    mapping = {"integer": "integer", "number": "number", "boolean": "boolean", "timestamp": "string",
               "date": "string", "string": "string"}
    out: dict[str, Any] = {"type": mapping.get(base, "string")}
    if base == "timestamp":
        out["format"] = "date-time"
    elif base == "date":
        out["format"] = "date"
    if not required:
        out["type"] = [out["type"], "null"]
    return out


def _family(dtype: str) -> str:
    """integer | number | timestamp | date | boolean | string: the JSON Schema view of a DuckDB or JSON type."""
    t = _norm(dtype)
    if t in ("integer", "number", "boolean"):
        return t
    family = type_family(t)
    if family in ("float", "decimal"):
        return "number"
    if family == "temporal":
        return "timestamp" if is_timestamp(t) else "date" if t == "DATE" else "string"
    return family if family in ("integer", "boolean") else "string"


def _norm(dtype: str) -> str:
    t = str(dtype).strip()
    if t in ("integer", "number", "string", "boolean", "object", "array"):
        return t
    return normalize(t)


def _widening(old: str, new: str) -> bool | None:
    """True when ``new`` widens ``old``, False when it narrows it, None when unrelated."""
    a, b = _norm(old), _norm(new)
    dec = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
    ma, mb = dec.match(a), dec.match(b)
    if ma and mb:
        (pa, sa), (pb, sb) = (int(x) for x in ma.groups()), (int(x) for x in mb.groups())
        if sb >= sa and pb - sb >= pa - sa:
            return True
        if sa >= sb and pa - sa >= pb - sb:
            return False
        return None
    for ladder in LADDERS:
        if a in ladder and b in ladder:
            return ladder.index(b) > ladder.index(a)
    return None


def as_schema(obj: Any, name: str = "") -> Schema:
    """Coerce a :class:`Schema`, a JSON Schema dict, or a ``{column: type}`` dict into a :class:`Schema`."""
    if isinstance(obj, Schema):
        return obj
    if isinstance(obj, dict) and isinstance(obj.get("properties"), dict):
        required = set(obj.get("required") or [])
        fields = {}
        for n, spec in obj["properties"].items():
            types = spec.get("type", "string")
            types = [types] if isinstance(types, str) else list(types)
            nullable = "null" in types
            main = next((t for t in types if t != "null"), "null")
            if main == "string" and spec.get("format") in ("date-time", "date"):
                main = "TIMESTAMP" if spec["format"] == "date-time" else "DATE"
            fields[n] = SchemaField(type=main, required=n in required and not nullable and "default" not in spec,
                                    default=spec.get("default"))
        return Schema(name=name or obj.get("title", ""), fields=fields)
    if isinstance(obj, dict) and all(isinstance(v, str) for v in obj.values()):
        return Schema(name=name, fields={n: SchemaField(type=t) for n, t in obj.items()})
    raise ChangeEventError(
        f"Cannot read a schema from an object of type {type(obj).__name__}.",
        hint="Pass ws.schema(table), wb.cdc.table_schema(ws, table), a JSON Schema dict or a Schema.",
    )


def table_schema(ws: Workspace, table: str) -> Schema:
    """A table's columns as a :class:`Schema`: NOT NULL columns without a default are required."""
    ws.require_table(table)
    rows = ws.con.execute(
        "SELECT column_name, data_type, is_nullable = 'NO' AND column_default IS NULL FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? AND table_catalog = current_database() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return Schema(name=table, fields={n: SchemaField(type=t, required=bool(r)) for n, t, r in rows})


def _hint(kind: str, field: str, old: str | None, new: str | None) -> str:
    return {
        "optional_field_added": f"Add {field} as a nullable column (ALTER TABLE ... ADD COLUMN {field} {new}); "
                                "old events read as NULL.",
        "required_field_added": f"Give {field} a default (then it is optional and FULL compatible), "
                                "or upgrade producers first and backfill old rows.",
        "optional_field_removed": f"Stop reading {field}; readers on the old schema fall back to its default.",
        "required_field_removed": f"Make {field} optional with a default first, migrate consumers, then remove it.",
        "type_widened": f"Widen the target column first ({old} -> {new}); upgrade consumers before producers.",
        "type_narrowed": f"Check no value exceeds {new}, upgrade producers first, or keep {old}.",
        "type_changed": f"{old} -> {new} is not a promotion: add a new field of type {new}, dual-write, "
                        "migrate readers, then drop the old one.",
        "renamed": f"A rename is a removal plus an addition: add {new} as optional, dual-write {old} and {new}, "
                   f"migrate consumers, then remove {old} (Avro readers can use an alias instead).",
        "made_required": f"Backfill NULLs in {field} and upgrade producers before declaring it required.",
        "made_optional": f"Teach consumers to handle a missing {field} before producers stop sending it.",
    }[kind]


def _change(kind: str, field: str, old: str | None = None, new: str | None = None) -> SchemaChange:
    b, f = RULES[kind]
    return SchemaChange(kind=kind, field=field, old=old, new=new, backward=b, forward=f,
                        hint=_hint(kind, field, old, new))


def schema_compatibility(old: Any, new: Any, *, renames: dict[str, str] | None = None) -> Compatibility:
    """Classify every change from ``old`` to ``new`` and the resulting BACKWARD / FORWARD / FULL compatibility.

    A field removed and another added with the same type and a similar name (or one given in
    ``renames={"old": "new"}``) is reported as a rename.

    >>> c = schema_compatibility({"id": "BIGINT"}, {"id": "BIGINT", "channel": "VARCHAR"})
    >>> c.level, c.changes[0].kind
    ('FULL', 'optional_field_added')
    """
    a, b = as_schema(old), as_schema(new)
    removed = [n for n in a.fields if n not in b.fields]
    added = [n for n in b.fields if n not in a.fields]
    pairs = dict(renames or {})
    for r in removed:
        if r in pairs:
            continue
        same_type = [x for x in added if x not in pairs.values() and _norm(b.fields[x].type) == _norm(a.fields[r].type)]
        close = difflib.get_close_matches(r, same_type, n=1, cutoff=0.6)
        if close:
            pairs[r] = close[0]
    changes: list[SchemaChange] = []
    for r, n in pairs.items():
        if r in a.fields and n in b.fields:
            changes.append(_change("renamed", r, r, n))
    for r in removed:
        if r not in pairs:
            kind = "required_field_removed" if a.fields[r].required else "optional_field_removed"
            changes.append(_change(kind, r, old=a.fields[r].type))
    for n in added:
        if n not in pairs.values():
            kind = "required_field_added" if b.fields[n].required else "optional_field_added"
            changes.append(_change(kind, n, new=b.fields[n].type))
    for n in (x for x in a.fields if x in b.fields):
        fa, fb = a.fields[n], b.fields[n]
        if _norm(fa.type) != _norm(fb.type):
            w = _widening(fa.type, fb.type)
            kind = "type_widened" if w else "type_narrowed" if w is False else "type_changed"
            changes.append(_change(kind, n, fa.type, fb.type))
        if fa.required != fb.required:
            changes.append(_change("made_required" if fb.required else "made_optional", n))
    backward = all(c.backward for c in changes)
    forward = all(c.forward for c in changes)
    return Compatibility(backward=backward, forward=forward, full=backward and forward, changes=changes)


class SchemaVersion(BaseModel):
    """One schema observed in an event stream, and the event-time span it covers."""

    version: int
    from_ts_ms: int
    to_ts_ms: int
    events: int
    row_schema: Schema


def infer_event_schemas(ws: Workspace, table: str, *, column: str = "after", key: str | list[str] | None = None,
                        ts_column: str = "ts_ms") -> list[SchemaVersion]:
    """Split an envelope table's row schema into versions where a field starts (or stops) being sent.

    A field is *added* at the first ``ts_ms`` where it is non-NULL if it is never NULL from then on,
    and *removed* after the last one if it was never NULL before. Within a version a field is
    required when it is never NULL; a field that only appears in a later version is optional (a
    column added to a live table must be nullable or carry a default). Computed in DuckDB.
    """
    ws.require_table(table)
    ws.require_column(table, column)
    ws.require_column(table, ts_column)
    rel = ws.con.sql(f"SELECT {quote_ident(column)} FROM {quote_ident(table)} LIMIT 0")
    t = rel.types[0]
    if t.id != "struct":
        raise ChangeEventError(f"Column {column!r} of {table!r} is not a row (struct); it is {t}.",
                               hint="Point column= at the envelope's 'after' (or 'before') row.")
    fields = {n: str(c) for n, c in t.children}
    src = (f"(SELECT CAST({quote_ident(ts_column)} AS BIGINT) AS ts, {quote_ident(column)} AS r "
           f"FROM {quote_ident(table)} WHERE {quote_ident(column)} IS NOT NULL AND {quote_ident(ts_column)} IS NOT NULL)")
    stats = ", ".join(
        f"min(ts) FILTER (WHERE r.{quote_ident(f)} IS NOT NULL), max(ts) FILTER (WHERE r.{quote_ident(f)} IS NOT NULL)"
        for f in fields
    )
    row = ws.con.execute(f"SELECT min(ts), max(ts), {stats} FROM {src}").fetchone()
    lo, hi = row[0], row[1]
    if lo is None:
        raise ChangeEventError(f"Table {table!r} has no events with a {column!r} row and a {ts_column!r}.")
    bounds: set[int] = set()
    for i, f in enumerate(fields):
        first, last = row[2 + 2 * i], row[3 + 2 * i]
        if first is None:
            continue
        checks = []
        if first > lo:
            checks.append(("add", first, f"count(*) FILTER (WHERE ts >= ? AND r.{quote_ident(f)} IS NULL)"))
        if last < hi:
            checks.append(("drop", last, f"count(*) FILTER (WHERE ts <= ? AND r.{quote_ident(f)} IS NULL)"))
        for kind, at, expr in checks:
            if ws.con.execute(f"SELECT {expr} FROM {src}", [at]).fetchone()[0] == 0:
                bounds.add(at if kind == "add" else at + 1)
    edges = [lo, *sorted(b for b in bounds if lo < b <= hi), hi + 1]
    versions: list[SchemaVersion] = []
    keys = [key] if isinstance(key, str) else list(key or [])
    for v, (start, end) in enumerate(zip(edges, edges[1:], strict=False), start=1):
        nn = ", ".join(f"count(r.{quote_ident(f)})" for f in fields)
        counts = ws.con.execute(f"SELECT count(*), {nn} FROM {src} WHERE ts >= ? AND ts < ?", [start, end]).fetchone()
        total = counts[0]
        prev = versions[-1].row_schema.fields if versions else None
        sch: dict[str, SchemaField] = {}
        for i, (f, dtype) in enumerate(fields.items()):
            present = counts[1 + i]
            if present == 0:
                continue
            new_here = prev is not None and f not in prev
            sch[f] = SchemaField(type=dtype, required=(f in keys) or (present == total and not new_here
                                                                      and (prev is None or prev[f].required)))
        versions.append(SchemaVersion(version=v, from_ts_ms=start, to_ts_ms=end - 1, events=total,
                                      row_schema=Schema(name=f"{table}.{column} v{v}", fields=sch)))
    return versions
