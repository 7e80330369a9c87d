"""Change events without a change log: an incremental extract on a high-water mark, or two snapshots to diff.

:func:`incremental_extract` is timestamp-based CDC: the rows whose update column is after the last
high-water mark (and at or before the new one), written as change envelopes the apply reads. The same
window always gives the same events, so a re-run is safe. :func:`simulate_snapshots` derives two extracts
of one table in SQL (some rows added, removed and changed) for :func:`workbench.cdc.diff_snapshots` when
only one extract exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from workbench.errors import TableExistsError, WorkbenchError
from workbench.sqltypes import normalize, type_family
from workbench.workspace import Workspace, quote_ident


class IncrementalExtract(BaseModel):
    """One run of a timestamp-based extract: the window ``(watermark, new_watermark]`` and its change events."""

    table: str
    source_table: str
    update_column: str
    watermark: datetime | None
    new_watermark: datetime | None
    rows: int
    creates: int
    updates: int
    sql: str

    def summary(self) -> str:
        since = f"after {self.watermark}" if self.watermark else "from the start"
        return (f"{self.table}: {self.rows:,} row(s) of {self.source_table} changed {since} up to "
                f"{self.new_watermark} on {self.update_column} ({self.creates:,} new, {self.updates:,} updated); "
                f"next run starts after {self.new_watermark}")


def _pack(cols: list[str]) -> str:
    return "struct_pack(" + ", ".join(f"{quote_ident(c)} := {quote_ident(c)}" for c in cols) + ")"


def incremental_extract(ws: Workspace, table: str, update_column: str, key: str | list[str], *,
                        watermark: datetime | str | None = None, until: datetime | str | None = None,
                        created_column: str | None = None, name: str | None = None,
                        replace: bool = False) -> IncrementalExtract:
    """Write the rows of ``table`` with ``watermark < update_column <= until`` as change envelopes to ``name``.

    ``until`` defaults to the newest update now (the next run's watermark). A row is a create when
    ``created_column`` is after the watermark, else an update. Event ids hash the key and the update
    time and the position is the update time (``ts_ms``), so re-running a window gives the same events.
    """
    keys = [key] if isinstance(key, str) else list(key)
    for c in [update_column, *keys, *([created_column] if created_column else [])]:
        ws.require_column(table, c)
    name = name or f"{table}_changes"
    if ws.has_table(name) and not replace:
        raise TableExistsError(f"Table {name!r} already exists in the workspace.",
                               hint="Pass replace=True (re-running a window rewrites the same events) or another name=.")
    t, upd = quote_ident(table), f"CAST({quote_ident(update_column)} AS TIMESTAMP)"
    if until is None:
        until = ws.con.execute(f"SELECT max({upd}) FROM {t}").fetchone()[0]
    params: dict[str, Any] = {"table": table, "since": watermark, "until": until}
    window = f"($since IS NULL OR {upd} > CAST($since AS TIMESTAMP)) AND {upd} <= CAST($until AS TIMESTAMP)"
    created = f"CAST({quote_ident(created_column)} AS TIMESTAMP)" if created_column else "NULL"
    sql = f"""
        SELECT sha256(concat_ws('|', $table, to_json({_pack(keys)}), CAST({upd} AS VARCHAR))) AS event_id,
               row_number() OVER (ORDER BY {upd}, to_json({_pack(keys)})) - 1 AS seq,
               CASE WHEN $since IS NULL OR {created} > $since THEN 'c' ELSE 'u' END AS op,
               epoch_ms({upd}) AS ts_ms,
               struct_pack(name := 'incremental_extract', "table" := $table, ts_ms := epoch_ms({upd})) AS source,
               NULL AS before, {_pack(ws.columns(table))} AS after
        FROM {t} WHERE {window} ORDER BY seq"""
    verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
    ws.con.execute(f"{verb} {quote_ident(name)} AS {sql}", params)
    rows, creates = ws.con.execute(f"SELECT count(*), count(*) FILTER (WHERE op = 'c') FROM {quote_ident(name)}").fetchone()
    newest = ws.con.execute(f"SELECT max({upd}) FROM {t} WHERE {window}",
                            {"since": watermark, "until": until}).fetchone()[0]
    since = datetime.fromisoformat(watermark) if isinstance(watermark, str) else watermark
    return IncrementalExtract(table=name, source_table=table, update_column=update_column, watermark=since,
                              new_watermark=newest or since, rows=rows, creates=creates, updates=rows - creates, sql=sql.strip())


class SimulatedSnapshots(BaseModel):
    """Two extracts of one table derived in SQL: ``new`` adds, removes and changes rows of ``old``."""

    old: str
    new: str
    added: int
    removed: int
    changed: int
    changed_column: str | None

    def summary(self) -> str:
        what = f"{self.changed:,} changed ({self.changed_column})" if self.changed_column else "none changed"
        return (f"simulated second extract {self.new} vs {self.old}: {self.added:,} row(s) added, "
                f"{self.removed:,} removed, {what}")


def _changed(column: str, dtype: str) -> str | None:
    """An expression that changes a non-NULL value of ``column`` and keeps its type (None: no such change)."""
    family, c = type_family(dtype), quote_ident(column)
    expr = {"integer": f"{c} + 1", "float": f"{c} + 1", "decimal": f"{c} + 1", "boolean": f"NOT {c}",
            "string": f"{c} || ' (changed)'", "temporal": f"{c} + INTERVAL 1 DAY"}.get(family)
    if expr is None or normalize(dtype) == "TIME" or normalize(dtype).startswith("ENUM"):
        return None
    return f"CAST({expr} AS {dtype})"


def simulate_snapshots(ws: Workspace, table: str, key: str | list[str], *, every: int = 20) -> SimulatedSnapshots:
    """Replace ``<table>_extract_1`` and ``_2``: rows are split by a hash of the key into ``every`` buckets.

    Bucket 0 is only in the second extract (added), bucket 1 only in the first (removed) and bucket 2
    has its first changeable non-key column changed in the second. ``table`` itself is not touched.
    """
    keys = [key] if isinstance(key, str) else list(key)
    for k in keys:
        ws.require_column(table, k)
    if every < 3:
        raise WorkbenchError(f"every={every} must be at least 3 (added, removed and changed buckets).")
    schema = ws.schema(table)
    column, change = next(((c, e) for c, t in schema.items() if c not in keys and (e := _changed(c, t))),
                          (None, None))
    bucket = f"hash(to_json({_pack(keys)})) % {int(every)}"
    t = quote_ident(table)
    old, new = f"{table}_extract_1", f"{table}_extract_2"
    cols = ", ".join(f"CASE WHEN __wb_bucket = 2 THEN {change} ELSE {quote_ident(c)} END AS {quote_ident(c)}"
                     if c == column else quote_ident(c) for c in schema)
    ws.con.execute(f"CREATE OR REPLACE TABLE {quote_ident(old)} AS SELECT * FROM {t} WHERE {bucket} <> 0")
    ws.con.execute(f"CREATE OR REPLACE TABLE {quote_ident(new)} AS SELECT {cols} "
                   f"FROM (SELECT *, {bucket} AS __wb_bucket FROM {t}) WHERE __wb_bucket <> 1")
    changed_sql = f"count(*) FILTER (WHERE __wb_bucket = 2 AND {quote_ident(column)} IS NOT NULL)" if column else "0"
    added, removed, changed = ws.con.execute(
        f"SELECT count(*) FILTER (WHERE __wb_bucket = 0), count(*) FILTER (WHERE __wb_bucket = 1), {changed_sql} "
        f"FROM (SELECT *, {bucket} AS __wb_bucket FROM {t})").fetchone()
    return SimulatedSnapshots(old=old, new=new, added=added, removed=removed, changed=changed, changed_column=column)
