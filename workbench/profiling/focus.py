"""Choose, from the data, the table and the arrival-time column a design is about (an explicit choice wins).

The fact table is the table with the most rows among those that have a date or timestamp column. Its
arrival-time column is, among its timestamps, one that is not a later stamp of the same row (a column that
is never before another timestamp of its row of similar grain, such as ``updated_at`` beside ``created_at``
or ``arrived_at`` beside ``departed_at``, records a later event), with the most distinct minutes that are
not in the future.
Every choice carries its reason, so notebooks and the report can print why.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from workbench.errors import ColumnNotFoundError, ProfileError
from workbench.sqltypes import is_timestamp, normalize
from workbench.workspace import Workspace, quote_ident


class FocusChoice(BaseModel):
    """The table and arrival-time column a design is about, and why they were chosen."""

    table: str
    timestamp_column: str | None
    reason: str
    reasons: list[str] = Field(default_factory=list, description="one 'subject: why' line per choice")

    def __str__(self) -> str:
        return self.reason


def _temporal(dtype: str) -> bool:
    return normalize(dtype) == "DATE" or is_timestamp(dtype)


def time_columns(ws: Workspace, table: str) -> list[str]:
    """The DATE and TIMESTAMP columns of ``table``, in table order."""
    return [c for c, t in ws.schema(table).items() if _temporal(t)]


def choose_arrival_column(ws: Workspace, table: str, *, now: datetime | None = None) -> tuple[str | None, str]:
    """(column, reason): the arrival-time column of ``table`` by the rule in the module docstring; one scan."""
    cols = time_columns(ws, table)
    if not cols:
        return None, f"{table!r} has no date or timestamp column"
    if len(cols) == 1:
        return cols[0], f"{cols[0]!r} is the only date or timestamp column of {table!r}"
    ts = {c: f"CAST({quote_ident(c)} AS TIMESTAMP)" for c in cols}
    items = [f"count(DISTINCT date_trunc('minute', {ts[c]})) FILTER (WHERE {ts[c]} <= $now)" for c in cols]
    pairs = [(a, b) for a in cols for b in cols if a != b]
    # a is a later stamp of b: never before it, and after it in some row
    items += [f"coalesce(bool_and({ts[a]} >= {ts[b]}) AND bool_or({ts[a]} > {ts[b]}), false)" for a, b in pairs]
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    row = ws.con.execute(f"SELECT {', '.join(items)} FROM {quote_ident(table)}", {"now": now}).fetchone()
    minutes = dict(zip(cols, row[: len(cols)], strict=True))
    # only against a column of similar grain: every timestamp is "never before" its own day
    later: dict[str, str] = {}
    for (a, b), is_later in zip(pairs, row[len(cols):], strict=True):
        if is_later and minutes[b] * 2 >= minutes[a] and a not in later:
            later[a] = b
    candidates = [c for c in cols if c not in later] or cols
    best = max(candidates, key=lambda c: (minutes[c], -cols.index(c)))
    why = f"{best!r} has the most distinct minutes not in the future ({minutes[best]:,})"
    if later:
        why += "; " + ", ".join(f"{a!r} is never before {b!r} (a later stamp)" for a, b in later.items())
    return best, why


def choose_focus(ws: Workspace, tables: list[str] | None = None, *, table: str | None = None,
                 timestamp_column: str | None = None, now: datetime | None = None) -> FocusChoice:
    """The fact table and its arrival-time column among ``tables`` (default: every table); explicit ones win."""
    tables = list(tables) if tables is not None else ws.tables()
    if table:
        ws.require_table(table)
        why_table = f"fact table {table!r}: chosen by you"
    else:
        timed = [t for t in tables if time_columns(ws, t)]
        if not tables:
            raise ProfileError("There are no tables to choose a fact table from.",
                               hint="Load your files first: wb.open_workspace(workspace_path, data_dir).")
        pool = timed or tables
        counts = {t: ws.row_count(t) for t in pool}
        table = max(pool, key=lambda t: (counts[t], -pool.index(t)))
        why_table = (f"fact table {table!r}: the most rows ({counts[table]:,}) among the tables with a date or "
                     f"timestamp column ({', '.join(timed)})" if timed else
                     f"fact table {table!r}: the most rows ({counts[table]:,}); no table has a date or timestamp column")
    if timestamp_column:
        if timestamp_column not in ws.columns(table):
            raise ColumnNotFoundError(f"Column {timestamp_column!r} is not in table {table!r}.",
                                      hint=f"Columns: {', '.join(ws.columns(table))}.")
        column, why_column = timestamp_column, f"{timestamp_column!r}: chosen by you"
    else:
        column, why_column = choose_arrival_column(ws, table, now=now)
    return FocusChoice(table=table, timestamp_column=column, reason=f"{why_table}; arrival time {why_column}",
                       reasons=[why_table, f"arrival time {why_column}"])
