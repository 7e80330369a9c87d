"""Choose the CDC method from the data: log-based, timestamp-based or a snapshot diff (explicit choices win).

A table of Debezium-style change events (``op`` and ``before``/``after``) means log-based CDC. Otherwise the
fact table (:func:`workbench.profiling.focus.choose_focus`) is read incrementally on its update column when it
has one — a date or timestamp named like updated/modified/changed/last_*, or one that is never before the
arrival time on (nearly) every row — and else only full snapshots can be compared.
"""

from __future__ import annotations

import re
from typing import Literal

import duckdb
from pydantic import BaseModel

from workbench.errors import ChangeEventError, ColumnNotFoundError
from workbench.profiling.focus import choose_focus, time_columns
from workbench.profiling.keys import singular
from workbench.profiling.models import DatasetProfile, TableProfile
from workbench.profiling.profile import profile
from workbench.workspace import Workspace, quote_ident

#: a column named like a row's last-change stamp (after camelCase is split: ``UpdatedAt`` -> ``updated_at``)
UPDATE_NAME = re.compile(r"(^|_)(updated|modified|changed|last)(_|$)")
#: ``source.name`` of the events this package derives from tables (an extract, a snapshot diff): not a change log
DERIVED = ("incremental_extract", "snapshot")
#: share of rows on which an unnamed update column must be at or after the arrival time
NEARLY_ALL = 0.99


METHOD_LABELS = {"log": "log-based CDC", "timestamp": "timestamp-based CDC", "snapshot": "snapshot-diff CDC"}


class CdcChoice(BaseModel):
    """The CDC method (``log``, ``timestamp`` or ``snapshot``), what it reads and why."""

    method: Literal["log", "timestamp", "snapshot"]
    table: str
    key: list[str]
    events_table: str | None = None
    update_column: str | None = None
    #: the arrival (creation) time of the table's rows, when known: an extracted row newer than it is a create
    created_column: str | None = None
    reason: str

    def __str__(self) -> str:
        return f"{METHOD_LABELS[self.method]}: {self.reason}"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _is_view(ws: Workspace, table: str) -> bool:
    """A view is a model built over the loaded data (``stg_*``), so a loaded stream of the same events wins."""
    return ws.scalar("SELECT table_type = 'VIEW' FROM information_schema.tables WHERE table_schema = 'main' "
                     "AND table_name = ?", [table]) is True


def _row_struct(ws: Workspace, table: str, column: str) -> duckdb.DuckDBPyType | None:
    t = ws.con.sql(f"SELECT {quote_ident(column)} FROM {quote_ident(table)} LIMIT 0").types[0]
    return t if t.id == "struct" else None


def is_change_stream(ws: Workspace, table: str) -> bool:
    """True when ``table`` holds change envelopes: ``op`` beside ``before``/``after`` (or inside a ``payload``)."""
    cols = set(ws.columns(table))
    if "payload" in cols and "op" not in cols and (payload := _row_struct(ws, table, "payload")) is not None:
        cols = {n for n, _ in payload.children}
    return "op" in cols and bool({"before", "after"} & cols)


def _source_field(ws: Workspace, events: str, field: str) -> str | None:
    """The most frequent ``source.<field>`` of an envelope table, when its events carry one."""
    source = _row_struct(ws, events, "source") if "source" in ws.columns(events) else None
    if source is None or field not in {n for n, _ in source.children}:
        return None
    f = f"source.{quote_ident(field)}"
    row = ws.con.execute(f"SELECT CAST({f} AS VARCHAR) FROM {quote_ident(events)} WHERE {f} IS NOT NULL "
                         "GROUP BY ALL ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()
    return row[0] if row else None


def _source_table(ws: Workspace, events: str) -> str | None:
    return _source_field(ws, events, "table")


def _event_fields(ws: Workspace, events: str) -> list[str]:
    for side in ("after", "before"):
        if side in ws.columns(events) and (row := _row_struct(ws, events, side)) is not None:
            return [n for n, _ in row.children]
    return []


def table_profile(ws: Workspace, table: str, dataset: DatasetProfile | None = None) -> TableProfile:
    """``table``'s profile from ``dataset`` when it holds one, else profiled now."""
    return dataset.profiles[table] if dataset and table in dataset.profiles else profile(ws, table)


def table_key(p: TableProfile) -> tuple[list[str], str]:
    """(key, reason): the first candidate key, else a ``<singular>_id`` column, else every column."""
    if p.candidate_keys:
        return list(p.candidate_keys[0]), f"key {', '.join(p.candidate_keys[0])} (its first candidate key)"
    own = f"{singular(p.table)}_id"
    if own in p.columns:
        return [own], f"key {own} (named after the table; no column is unique and non-null: dedup before the upsert)"
    return list(p.columns), "no candidate key: the whole row is the key (an update reads as a delete and an insert)"


def choose_update_column(ws: Workspace, table: str, arrival: str | None) -> tuple[str | None, str]:
    """(column, reason): ``table``'s last-change stamp by the rule in the module docstring; one scan."""
    others = [c for c in time_columns(ws, table) if c != arrival]
    named = [c for c in others if UPDATE_NAME.search(_snake(c))]
    if named:
        return named[0], f"{named[0]!r} is named like a last-change stamp"
    if not arrival:
        return None, f"{table!r} has no date or timestamp column"
    if not others:
        return None, f"{table!r} has no date or timestamp column besides its arrival time {arrival!r}"
    a = f"CAST({quote_ident(arrival)} AS TIMESTAMP)"
    shares = ws.con.execute("SELECT " + ", ".join(
        f"coalesce(avg(CAST(CAST({quote_ident(c)} AS TIMESTAMP) >= {a} AS INTEGER)), 0)" for c in others)
        + f" FROM {quote_ident(table)}").fetchone()
    best = max(zip(others, shares, strict=True), key=lambda cs: cs[1])
    if best[1] >= NEARLY_ALL:
        return best[0], f"{best[0]!r} is at or after the arrival time {arrival!r} on {best[1]:.1%} of rows"
    return None, (f"no column of {table!r} is named like a last-change stamp or is at or after its arrival time "
                  f"{arrival!r} on {NEARLY_ALL:.0%} of rows (best: {best[0]!r}, {best[1]:.1%})")


def choose_cdc(ws: Workspace, dataset: DatasetProfile | None = None, *, events_table: str | None = None,
               table: str | None = None, key: str | list[str] | None = None,
               update_column: str | None = None) -> CdcChoice:
    """The CDC method, table, key and update column for the data in ``ws``; an explicit parameter wins."""
    keys = [key] if isinstance(key, str) else list(key or [])
    if events_table:
        ws.require_table(events_table)
        if not is_change_stream(ws, events_table):
            raise ChangeEventError(f"{events_table!r} holds no change events (columns: {', '.join(ws.columns(events_table))}).",
                                   hint="Change events carry op and before/after rows (Debezium envelopes).")
        streams, why_events = [events_table], f"change events {events_table!r}: chosen by you"
    elif update_column:
        streams, why_events = [], ""
    else:
        streams = sorted((t for t in (dataset.profiles if dataset else ws.tables())
                          if is_change_stream(ws, t) and _source_field(ws, t, "name") not in DERIVED
                          and (table is None or _source_table(ws, t) in (table, None))), key=lambda t: _is_view(ws, t))
        why_events = f"{streams[0]!r} holds change events (op, before/after)" if streams else ""
    if streams:
        events = streams[0]
        source = table or _source_table(ws, events) or events
        if keys:
            why_key = f"key {', '.join(keys)}: chosen by you"
        elif ws.has_table(source):
            keys, why_key = table_key(table_profile(ws, source, dataset))
        else:
            fields = _event_fields(ws, events)
            own = f"{singular(source)}_id"
            keys = [own] if own in fields else fields[:1]
            why_key = f"key {', '.join(keys)} (the events' {'own id' if own in fields else 'first'} field)"
        return CdcChoice(method="log", table=source, key=keys, events_table=events,
                         reason=f"{why_events}: the changes of {source!r}, applied in log order; {why_key}")
    stream_tables = [t for t in ws.tables() if is_change_stream(ws, t)]
    focus = choose_focus(ws, [t for t in ws.tables() if t not in stream_tables] or None, table=table)
    table = focus.table
    chosen_update = update_column
    if update_column:
        if update_column not in ws.columns(table):
            raise ColumnNotFoundError(f"Column {update_column!r} is not in table {table!r}.",
                                      hint=f"Columns: {', '.join(ws.columns(table))}.")
        why_update = f"{update_column!r}: chosen by you"
    else:
        update_column, why_update = choose_update_column(ws, table, focus.timestamp_column)
    if keys:
        why_key = f"key {', '.join(keys)}: chosen by you"
    else:
        keys, why_key = table_key(table_profile(ws, table, dataset))
    found = (focus.reason if chosen_update else
             f"no change events of {table!r}; {focus.reason}" if stream_tables else
             f"no table holds change events; {focus.reason}")
    if update_column:
        return CdcChoice(method="timestamp", table=table, key=keys, update_column=update_column,
                         created_column=focus.timestamp_column if focus.timestamp_column != update_column else None,
                         reason=f"{found}; update column {why_update}: extract the rows changed since the last "
                                f"high-water mark; {why_key}")
    return CdcChoice(method="snapshot", table=table, key=keys,
                     reason=f"{found}; {why_update}, so changes cannot be read incrementally: a full snapshot diff "
                            f"of two extracts is needed (deletes included); {why_key}")
