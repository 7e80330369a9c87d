"""Change events: Debezium-style envelopes from NDJSON, lists, DataFrames or tables, and snapshot diffs.

An envelope has ``op`` (c create, u update, d delete, r snapshot read), ``before`` and ``after`` rows,
``source`` (connector, db, schema, table, ts_ms, txId, lsn...) and ``ts_ms``. The Kafka Connect JSON
form ``{"schema": ..., "payload": {...}}`` is unwrapped. :func:`stage_events` normalises any input
into one DuckDB temp table (arrival order, the changed row as a struct ``_row``) for the set-based
apply; :func:`read_change_events` loads envelopes into a workspace table; :func:`diff_snapshots`
turns two snapshots of a table into c/u/d events.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from workbench.errors import ChangeEventError, TableExistsError, did_you_mean
from workbench.workspace import Workspace, quote_ident

#: the columns of an envelope table written by this module
ENVELOPE_COLUMNS = ("event_id", "seq", "op", "ts_ms", "source", "before", "after")
VALID_OPS = ("c", "u", "d", "r")


@dataclass
class StagedEvents:
    """A batch of events in a DuckDB temp table, normalised for the apply."""

    table: str
    count: int
    #: the changed row's fields (``after``, or ``before`` for deletes) -> DuckDB type
    row_fields: dict[str, str]
    #: fields present in the ``source`` struct
    source_fields: set[str] = field(default_factory=set)
    cleanup: list[str] = field(default_factory=list)

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(self.table)}")
        for path in self.cleanup:
            Path(path).unlink(missing_ok=True)


def _relation_exists(ws: Workspace, name: str) -> bool:
    row = ws.con.execute(
        "SELECT count(*) FROM (SELECT table_name AS n FROM duckdb_tables() UNION ALL "
        "SELECT view_name FROM duckdb_views()) WHERE n = ?", [name]
    ).fetchone()
    return bool(row[0])


def _write_ndjson(records: list[dict[str, Any]]) -> str:
    fd, path = tempfile.mkstemp(prefix="wb_cdc_", suffix=".ndjson")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, default=str, separators=(",", ":")) + "\n")
    return path


def source_relation(ws: Workspace, events: Any) -> tuple[str, list[Any], list[str]]:
    """FROM-clause text, its parameters and temp files to delete, for any supported event input.

    A file's rows carry ``ordinality`` (line number) so the arrival order survives the read.
    """
    if isinstance(events, str) and not os.path.exists(events) and _relation_exists(ws, events):
        return quote_ident(events), [], []
    if isinstance(events, str | os.PathLike):
        path = os.fspath(events)
        if not os.path.exists(path):
            raise ChangeEventError(
                f"Change events {path!r} are neither a workspace table nor an existing file.",
                hint=did_you_mean(path, ws.tables()) or "Pass a table name, an NDJSON path, a list of dicts or a DataFrame.",
            )
        if os.path.getsize(path) == 0:
            raise ChangeEventError(f"Change event file {path!r} is empty.", hint="Check the export that wrote it.")
        return "read_json(?, format = 'auto') WITH ORDINALITY", [path], []
    if isinstance(events, list):
        if not events:
            raise ChangeEventError("The list of change events is empty.", hint="Pass at least one envelope dict.")
        if not all(isinstance(e, dict) for e in events):
            raise ChangeEventError("Change events in a list must be dicts (Debezium envelopes).")
        path = _write_ndjson(events)
        return "read_json(?, format = 'newline_delimited') WITH ORDINALITY", [path], [path]
    if type(events).__name__ == "DataFrame" and hasattr(events, "to_json"):
        fd, path = tempfile.mkstemp(prefix="wb_cdc_", suffix=".ndjson")
        os.close(fd)
        events.to_json(path, orient="records", lines=True, date_format="iso")
        if os.path.getsize(path) == 0:
            Path(path).unlink()
            raise ChangeEventError("The DataFrame of change events is empty.")
        return "read_json(?, format = 'newline_delimited') WITH ORDINALITY", [path], [path]
    raise ChangeEventError(
        f"Cannot read change events from an object of type {type(events).__name__}.",
        hint="Pass a workspace table name, an NDJSON path, a list of dicts or a pandas DataFrame.",
    )


def _struct_children(t: duckdb.DuckDBPyType) -> dict[str, str] | None:
    return {n: str(c) for n, c in t.children} if t.id == "struct" else None


def stage_events(ws: Workspace, events: Any, key: list[str], *, arrival: str | None = "seq") -> StagedEvents:
    """Normalise ``events`` into a temp table: ``_arrival, event_id, op, ts_ms, source, before, after, _row``.

    ``_row`` is ``after`` (``before`` for deletes) as one struct over the union of both sides' fields.
    Arrival order is the ``arrival`` column when present, else the file line / list position.
    """
    rel, params, cleanup = source_relation(ws, events)
    con = ws.con
    try:
        probe = con.sql(f"SELECT * FROM {rel} LIMIT 0", params=params)
        cols = dict(zip(probe.columns, probe.types, strict=True))
    except duckdb.Error as exc:
        for p in cleanup:
            Path(p).unlink(missing_ok=True)
        raise ChangeEventError(f"Could not read the change events: {str(exc).splitlines()[0]}",
                               hint="Each event must be one JSON object (a Debezium envelope).") from exc
    expr = {name: quote_ident(name) for name in cols}
    if "op" not in cols and "payload" in cols and _struct_children(cols["payload"]) is not None:
        top = {k: v for k, v in cols.items() if k in ("seq", "ordinality")}
        cols = {**dict(cols["payload"].children), **top}
        expr = {name: name in top and quote_ident(name) or f"payload.{quote_ident(name)}" for name in cols}
    if not ({"before", "after"} & set(cols)):
        raise ChangeEventError(
            f"The change events have no 'before' or 'after' row (columns: {', '.join(cols)}).",
            hint="Debezium envelopes carry op, before, after, source and ts_ms; unwrap other formats first.",
        )

    def col(name: str) -> str:
        return expr[name]

    after = _struct_children(cols["after"]) if "after" in cols else None
    before = _struct_children(cols["before"]) if "before" in cols else None
    fields: dict[str, str] = dict(after or {})
    for name, dtype in (before or {}).items():
        fields.setdefault(name, dtype)
    if not fields:
        raise ChangeEventError("The change events' before/after rows are empty or not objects.",
                               hint="Each event needs an 'after' object (or 'before' for deletes).")
    missing = [k for k in key if k not in fields]
    if missing:
        raise ChangeEventError(
            f"Key column(s) {missing} are in no event's before/after row (fields: {', '.join(fields)}).",
            hint=did_you_mean(missing[0], fields) or "Pass key= the primary key of the source table.",
        )
    source = _struct_children(cols["source"]) if "source" in cols else None
    op = f"CAST({col('op')} AS VARCHAR)" if "op" in cols else "CAST(NULL AS VARCHAR)"

    def side(s: dict[str, str] | None, name: str, f: str, dtype: str) -> str:
        if s is None or f not in s:
            return f"CAST(NULL AS {dtype})"
        expr = f"{col(name)}.{quote_ident(f)}"
        return expr if s[f] == dtype else f"TRY_CAST({expr} AS {dtype})"

    row = ", ".join(
        f"{quote_ident(f)} := CASE WHEN {op} = 'd' THEN {side(before, 'before', f, t)} ELSE {side(after, 'after', f, t)} END"
        for f, t in fields.items()
    )
    if arrival and arrival in cols:
        arrival_expr = f"CAST({col(arrival)} AS BIGINT)"
    elif "ordinality" in cols:
        arrival_expr = "CAST(ordinality AS BIGINT) - 1"
    else:
        arrival_expr = "row_number() OVER () - 1"
    table = f"__wb_cdc_batch_{uuid.uuid4().hex[:12]}"
    select = (
        f"SELECT {arrival_expr} AS _arrival, "
        f"{'CAST(' + col('event_id') + ' AS VARCHAR)' if 'event_id' in cols else 'CAST(NULL AS VARCHAR)'} AS event_id, "
        f"{op} AS op, {'TRY_CAST(' + col('ts_ms') + ' AS BIGINT)' if 'ts_ms' in cols else 'CAST(NULL AS BIGINT)'} AS ts_ms, "
        f"{col('source') if source is not None else 'NULL'} AS source, "
        f"{col('before') if 'before' in cols else 'NULL'} AS before, "
        f"{col('after') if 'after' in cols else 'NULL'} AS after, "
        f"struct_pack({row}) AS _row FROM {rel}"
    )
    try:
        con.execute(f"CREATE TEMP TABLE {quote_ident(table)} AS {select}", params)
    except duckdb.Error as exc:
        for p in cleanup:
            Path(p).unlink(missing_ok=True)
        raise ChangeEventError(f"Could not stage the change events: {str(exc).splitlines()[0]}") from exc
    count = con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0]
    return StagedEvents(table=table, count=int(count), row_fields=fields, source_fields=set(source or {}),
                        cleanup=cleanup)


def read_change_events(ws: Workspace, events: Any, name: str = "change_events", *, replace: bool = False) -> str:
    """Load change envelopes (NDJSON path, list of dicts, DataFrame) into workspace table ``name``.

    The table keeps the arrival order in ``seq`` (added from the line / list position when absent).
    """
    if ws.has_table(name) and not replace:
        raise TableExistsError(f"Table {name!r} already exists in the workspace.",
                               hint="Pass replace=True or another name=.")
    rel, params, cleanup = source_relation(ws, events)
    try:
        cols = [d[0] for d in ws.con.execute(f"SELECT * FROM {rel} LIMIT 0", params).description]
        seq = "" if "seq" in cols else ", CAST(ordinality AS BIGINT) - 1 AS seq" if "ordinality" in cols else ""
        drop = " EXCLUDE (ordinality)" if "ordinality" in cols else ""
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
        ws.con.execute(f"{verb} {quote_ident(name)} AS SELECT *{drop}{seq} FROM {rel}", params)
    except duckdb.Error as exc:
        raise ChangeEventError(f"Could not read the change events into {name!r}: {str(exc).splitlines()[0]}") from exc
    finally:
        for p in cleanup:
            Path(p).unlink(missing_ok=True)
    return name


def diff_snapshots(ws: Workspace, old: str, new: str, key: str | list[str], *, name: str | None = None,
                   ts_ms: int = 0, source_name: str = "snapshot", replace: bool = False) -> str:
    """Write the c/u/d events that turn snapshot table ``old`` into ``new`` to table ``name``; return it.

    Rows only in ``new`` are creates, rows only in ``old`` deletes, rows whose values differ
    (``IS DISTINCT FROM``) updates. Events are ordered by key; ``source.lsn`` numbers them.
    """
    keys = [key] if isinstance(key, str) else list(key)
    old_cols, new_cols = ws.columns(old), ws.columns(new)
    for k in keys:
        ws.require_column(old, k)
        ws.require_column(new, k)
    name = name or f"{new}_changes"
    if ws.has_table(name) and not replace:
        raise TableExistsError(f"Table {name!r} already exists in the workspace.",
                               hint="Pass replace=True or another name=.")
    common = [c for c in new_cols if c in old_cols]
    only_new = [c for c in new_cols if c not in old_cols]

    def pack(alias: str, cols: list[str]) -> str:
        return "struct_pack(" + ", ".join(f"{quote_ident(c)} := {alias}.{quote_ident(c)}" for c in cols) + ")"

    on = " AND ".join(f"o.{quote_ident(k)} = n.{quote_ident(k)}" for k in keys)
    o_missing = " AND ".join(f"o.{quote_ident(k)} IS NULL" for k in keys)
    n_missing = " AND ".join(f"n.{quote_ident(k)} IS NULL" for k in keys)
    changed = f"{pack('o', common)} IS DISTINCT FROM {pack('n', common)}"
    if only_new:
        changed += " OR " + " OR ".join(f"n.{quote_ident(c)} IS NOT NULL" for c in only_new)
    order = ", ".join(f"coalesce(n.{quote_ident(k)}, o.{quote_ident(k)})" for k in keys)
    sql = f"""
        WITH d AS (
            SELECT CASE WHEN {o_missing} THEN 'c' WHEN {n_missing} THEN 'd' ELSE 'u' END AS op,
                   CASE WHEN {o_missing} THEN NULL ELSE {pack('o', old_cols)} END AS before,
                   CASE WHEN {n_missing} THEN NULL ELSE {pack('n', new_cols)} END AS after,
                   row_number() OVER (ORDER BY {order}) - 1 AS seq
            FROM {quote_ident(old)} o FULL OUTER JOIN {quote_ident(new)} n ON {on}
            WHERE ({o_missing}) OR ({n_missing}) OR ({changed})
        )
        SELECT sha256(concat_ws('|', ?, ?, op, to_json(before), to_json(after))) AS event_id, seq, op,
               CAST(? AS BIGINT) AS ts_ms,
               struct_pack(name := ?, "table" := ?, ts_ms := CAST(? AS BIGINT), lsn := seq) AS source,
               before, after
        FROM d ORDER BY seq
    """
    verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
    ws.con.execute(f"{verb} {quote_ident(name)} AS {sql}", [source_name, new, ts_ms, source_name, new, ts_ms])
    return name
