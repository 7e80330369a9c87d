"""Replay a stream in micro-batches and compute windowed counts exactly as Spark Structured Streaming does.

The semantics (checked against real Spark 4 in ``tests/streaming``; one input file per trigger):

- Events are read in arrival order (the ``arrival`` column, else row order) in micro-batches of
  ``batch_events``. Batch ``b`` runs with the watermark ``W[b] = max(0, max event time of batches < b -
  delay)`` (milliseconds, as Spark keeps it); ``W[0] = 0``. After the last batch, a batch without data runs
  when the watermark moved (Spark's no-data batch), so windows it closes are emitted.
- An event belongs to every window ``[start, start + size)`` holding it (tumbling: one; sliding: ``size /
  slide``); for session windows it opens ``[t, t + gap)`` and merges with every session of its key it
  touches (``start <= end``).
- Late data: in batch ``b`` an event's window is dropped when ``window end <= W[b - 1]`` (Spark filters late
  rows with the previous batch's watermark and evicts state with the current one).
- ``append`` emits a window once, in the first batch whose watermark reaches its end, with every event
  accepted until then; ``update`` emits, in each batch, every window that batch changed, with its running
  count. Session windows support ``append`` only (as in Spark).

Every window also says when it was final (``final_batch``: the batch whose watermark passed its end; None
while still open at the end of the stream) and how many of its events arrived too late (``late``).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from workbench.errors import StreamingError
from workbench.workspace import Workspace, quote_ident

WindowKind = Literal["tumbling", "sliding", "session"]
OutputMode = Literal["append", "update"]
LatePolicy = Literal["drop", "dead_letter", "update"]


class WindowSpec(BaseModel):
    """A window: tumbling (size), sliding (size, slide) or session (gap), in seconds."""

    kind: WindowKind = "tumbling"
    size_seconds: float = Field(3600, gt=0, description="window length; the inactivity gap for a session window")
    slide_seconds: float | None = Field(None, gt=0, description="sliding windows only")

    @model_validator(mode="after")
    def _check(self) -> WindowSpec:
        if self.kind == "sliding" and not self.slide_seconds:
            raise ValueError("a sliding window needs slide_seconds")
        if self.kind == "sliding" and self.slide_seconds > self.size_seconds:
            raise ValueError(f"slide {self.slide_seconds:g} s is longer than the window {self.size_seconds:g} s")
        return self

    @classmethod
    def of(cls, window: Any) -> WindowSpec:
        """From ``("tumbling", size)``, ``("sliding", size, slide)``, ``("session", gap)`` or a WindowSpec."""
        if isinstance(window, WindowSpec):
            return window
        if isinstance(window, dict):
            return cls(**window)
        kind, *sizes = window
        if kind not in ("tumbling", "sliding", "session") or len(sizes) != (2 if kind == "sliding" else 1):
            raise StreamingError(f"Window {window!r} is not one of ('tumbling', size_s), ('sliding', size_s, slide_s), "
                                 "('session', gap_s).", hint="E.g. window=('tumbling', 3600).")
        return cls(kind=kind, size_seconds=sizes[0], slide_seconds=sizes[1] if kind == "sliding" else None)

    def spark(self, column: str) -> str:
        """The grouping expression in Spark SQL (``window(...)`` or ``session_window(...)``)."""
        if self.kind == "session":
            return f"session_window({column}, '{self.size_seconds:g} seconds')"
        slide = f", '{self.slide_seconds:g} seconds'" if self.kind == "sliding" else ""
        return f"window({column}, '{self.size_seconds:g} seconds'{slide})"

    def describe(self) -> str:
        if self.kind == "sliding":
            return f"sliding {self.size_seconds:g} s every {self.slide_seconds:g} s"
        return f"{self.kind} {'gap ' if self.kind == 'session' else ''}{self.size_seconds:g} s"


class WindowReplay(BaseModel):
    """What a streaming query emits over the replayed stream, batch by batch."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    source: str | None = Field(description="the events' table (None for a DataFrame)")
    event_time: str
    event_time_epoch_ms: bool = Field(description="the event time was read as epoch milliseconds")
    field_types: dict[str, str] = Field(description="Spark SQL type of the event time and every key")
    window: WindowSpec
    keys: list[str]
    watermark_delay_seconds: float
    batch_events: int
    output_mode: OutputMode
    late_policy: LatePolicy
    events: int = Field(description="events with an event time, replayed")
    no_event_time: int = Field(0, description="events without an event time (never in a window)")
    batches: int = Field(description="micro-batches run, the final no-data batch included")
    late_events: int = Field(description="events counted in no window: every window they belong to had closed")
    late_rows: int = Field(description="(event, window) pairs dropped as late (Spark's numRowsDroppedByWatermark)")
    rows: pd.DataFrame = Field(description="what the sink receives: keys, window_start, window_end, count, "
                                           "emitted_batch (and correction, with late_policy='update')")
    windows: pd.DataFrame = Field(description="one row per window: keys, window_start, window_end, count, late, "
                                              "final_batch")
    watermarks: pd.DataFrame = Field(description="per batch: batch, events, max_event_time, watermark (the one it "
                                                 "evicts with), late_rows (event-window pairs dropped in it), "
                                                 "late_windows (windows those pairs belong to: what Spark's "
                                                 "numRowsDroppedByWatermark counts after partial aggregation)")
    late: pd.DataFrame = Field(description="the late events: keys, event_time, batch, watermark (the dead letters)")

    def summary(self) -> str:
        return (f"{self.window.describe()} windows, watermark {self.watermark_delay_seconds:g} s, "
                f"{self.output_mode} mode: {self.events:,} events in {self.batches} batches, "
                f"{len(self.rows):,} rows emitted, {self.late_events:,} events late")


#: DuckDB type -> Spark SQL type, for the fields a stream job reads
SPARK_TYPES = {"BIGINT": "BIGINT", "INTEGER": "INT", "SMALLINT": "SMALLINT", "TINYINT": "TINYINT",
               "HUGEINT": "DECIMAL(38,0)", "UBIGINT": "DECIMAL(20,0)", "DOUBLE": "DOUBLE", "FLOAT": "FLOAT",
               "VARCHAR": "STRING", "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP",
               "TIMESTAMP WITH TIME ZONE": "TIMESTAMP"}


def spark_type(duckdb_type: str) -> str:
    """The Spark SQL type a JSON reader should give a field of this DuckDB type (STRING when unknown)."""
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type
    return SPARK_TYPES.get(duckdb_type, "STRING")


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def replay_windows(ws: Workspace, events: Any, *, event_time: str, keys: list[str] | tuple[str, ...] = (),
                   window: Any = ("tumbling", 3600), watermark_delay: float = 600, batch_events: int = 500,
                   output_mode: OutputMode = "append", arrival: str | None = None,
                   late_policy: LatePolicy = "drop") -> WindowReplay:
    """Replay ``events`` (a table of ``ws`` or a DataFrame) in arrival order, ``batch_events`` per micro-batch,
    and count them per window and key as Spark Structured Streaming would (module docstring)."""
    spec = WindowSpec.of(window)
    keys = list(keys)
    if output_mode not in ("append", "update"):
        raise StreamingError(f"Output mode {output_mode!r} is not 'append' or 'update'.")
    if late_policy not in ("drop", "dead_letter", "update"):
        raise StreamingError(f"Late-data policy {late_policy!r} is not 'drop', 'dead_letter' or 'update'.")
    if spec.kind == "session" and output_mode == "update":
        raise StreamingError("Spark does not support update mode for session windows.",
                             hint="Use output_mode='append', or a tumbling or sliding window.")
    if batch_events < 1 or watermark_delay < 0:
        raise StreamingError(f"batch_events must be >= 1 and watermark_delay >= 0 (got {batch_events}, "
                             f"{watermark_delay}).")
    con = ws.con.cursor()  # temp tables of our own, on a handle of our own
    try:
        table = _events_table(ws, con, events)
        have = [r[0] for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
        for c in [event_time, *keys, *([arrival] if arrival else [])]:
            if c not in have:
                raise StreamingError(f"The events have no column {c!r} (columns: {', '.join(have)}).",
                                     hint="Name the event-time, key and arrival columns of your stream.")
        types = dict(r[:2] for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall())
        epoch_ms = _stage(con, table, event_time, keys, arrival, batch_events, watermark_delay)
        if spec.kind == "session":
            _sessions(con, keys, _us(spec.size_seconds))
        else:
            _fixed(con, keys, spec)
        result = _result(con, spec, keys, watermark_delay, batch_events, output_mode, late_policy)
        return result.model_copy(update={
            "source": events if isinstance(events, str) else None, "event_time": event_time,
            "event_time_epoch_ms": epoch_ms,
            "field_types": {c: spark_type(types[c]) for c in [event_time, *keys]}})
    finally:
        con.close()


def _events_table(ws: Workspace, con, events: Any) -> str:
    if isinstance(events, str):
        return ws.require_table(events)
    if type(events).__name__ == "DataFrame":
        con.register("__stream_df", events)
        con.execute("CREATE OR REPLACE TEMP TABLE __stream_input AS SELECT * FROM __stream_df")  # row order kept
        con.unregister("__stream_df")
        return "__stream_input"
    raise StreamingError(f"Cannot replay an object of type {type(events).__name__}.",
                         hint="Pass a table name of the workspace or a pandas DataFrame.")


def _stage(con, table: str, event_time: str, keys: list[str], arrival: str | None, batch_events: int,
           delay_s: float) -> bool:
    """``__ev`` (keys, et in µs, batch) and ``__wm`` (per batch: watermark, late watermark), one scan each;
    True when the event time is epoch milliseconds."""
    col = quote_ident(event_time)
    kind = con.execute(f"SELECT typeof({col}) FROM {quote_ident(table)} LIMIT 1").fetchall()
    numeric = bool(kind) and kind[0][0] in ("BIGINT", "INTEGER", "HUGEINT", "DOUBLE", "DECIMAL", "UBIGINT", "FLOAT")
    et = f"CAST({col} AS BIGINT) * 1000" if numeric else f"epoch_us(CAST({col} AS TIMESTAMP))"
    order = quote_ident(arrival) if arrival else "rowid"  # a DataFrame is copied into a temp table: its row order
    ks = "".join(f"{quote_ident(k)}, " for k in keys)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE __all AS SELECT {ks}{et} AS __et, "
                    f"row_number() OVER (ORDER BY {order}) - 1 AS __pos FROM {quote_ident(table)}")
    except Exception as exc:  # noqa: BLE001  (DuckDB's cast or binder error, re-said with the column)
        raise StreamingError(f"Cannot read {event_time!r} of {table!r} as an event time: {str(exc).splitlines()[0]}",
                             hint="Pass a TIMESTAMP column or epoch milliseconds.") from None
    con.execute(f"CREATE OR REPLACE TEMP TABLE __ev AS SELECT {ks}__et, __pos, "
                f"(row_number() OVER (ORDER BY __pos) - 1) // {int(batch_events)} AS __batch "
                "FROM __all WHERE __et IS NOT NULL")
    delay_ms = round(delay_s * 1000)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE __wm AS
        WITH b AS (SELECT __batch, count(*) AS n, max(__et) AS mx FROM __ev GROUP BY __batch),
        w AS (SELECT __batch, n, mx, greatest(0, coalesce(max(mx // 1000) OVER (ORDER BY __batch ROWS BETWEEN
                     UNBOUNDED PRECEDING AND 1 PRECEDING) - {delay_ms}, 0)) * 1000 AS wm FROM b),
        last AS (SELECT max(__batch) + 1 AS __batch, 0 AS n, NULL::BIGINT AS mx,
                        greatest(0, max(mx) // 1000 - {delay_ms}) * 1000 AS wm FROM b)
        SELECT __batch, n, mx, wm, coalesce(lag(wm) OVER (ORDER BY __batch), 0) AS late_wm FROM (
            SELECT * FROM w UNION ALL
            SELECT * FROM last WHERE __batch IS NOT NULL AND wm > (SELECT max(wm) FROM w))""")
    return numeric


def _fixed(con, keys: list[str], spec: WindowSpec) -> None:
    """``__pairs``: one row per (event, window), late or not; windows from Spark's formula."""
    size = _us(spec.size_seconds)
    slide = _us(spec.slide_seconds) if spec.kind == "sliding" else size
    n = math.ceil(size / slide)
    ks = "".join(f"e.{quote_ident(k)}, " for k in keys)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE __pairs AS
        SELECT {ks}e.__et, e.__batch, s.ws AS window_start, s.ws + {size} AS window_end,
               s.ws + {size} <= w.late_wm AS __late, w.late_wm
        FROM __ev e JOIN __wm w USING (__batch),
             LATERAL (SELECT e.__et - ((e.__et % {slide}) + {slide}) % {slide} - r.k * {slide} AS ws
                      FROM range({n}) AS r(k)) s
        WHERE s.ws + {size} > e.__et""")


def _sessions(con, keys: list[str], gap: int) -> None:
    """``__pairs`` for session windows: the batch-by-batch merge Spark's state store does (a session closed by
    the watermark takes no later event, even one it would touch). Sequential by nature: a loop over batches."""
    wm = con.execute("SELECT __batch, wm, late_wm FROM __wm ORDER BY __batch").fetchall()
    ks = "".join(f"{quote_ident(k)}, " for k in keys)
    rows = con.execute(f"SELECT {ks}__et, __batch FROM __ev ORDER BY __batch, __et").fetchall()
    nk = len(keys)
    open_: dict[tuple, list[list]] = {}  # key -> open sessions [start, end, [(et, batch), ...]]
    out: list[tuple] = []  # keys..., et, batch, window_start, window_end, late, late_wm
    i = 0
    for batch, evict_wm, late_wm in wm:
        touched = set()
        while i < len(rows) and rows[i][nk + 1] == batch:
            key, et = tuple(rows[i][:nk]), rows[i][nk]
            i += 1
            if et + gap <= late_wm:
                out.append((*key, et, batch, et, et + gap, True, late_wm))
            else:
                open_.setdefault(key, []).append([et, et + gap, [(et, batch)]])
                touched.add(key)
        for key in touched:
            merged: list[list] = []
            for s in sorted(open_[key], key=lambda s: s[0]):
                if merged and s[0] <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], s[1])
                    merged[-1][2] += s[2]
                else:
                    merged.append(s)
            open_[key] = merged
        for key, sessions in open_.items():
            for s in sessions:
                if s[1] <= evict_wm:
                    out.extend((*key, et, b, s[0], s[1], False, None) for et, b in s[2])
            open_[key] = [s for s in sessions if s[1] > evict_wm]
    for key, sessions in open_.items():
        out.extend((*key, et, b, s[0], s[1], False, None) for s in sessions for et, b in s[2])
    df = pd.DataFrame(out, columns=[*keys, "__et", "__batch", "window_start", "window_end", "__late", "late_wm"])
    con.register("__session_pairs", df)
    con.execute("CREATE OR REPLACE TEMP TABLE __pairs AS SELECT * FROM __session_pairs")
    con.unregister("__session_pairs")


def _result(con, spec: WindowSpec, keys: list[str], delay: float, batch_events: int, output_mode: OutputMode,
            late_policy: LatePolicy, pairs: str = "__pairs") -> WindowReplay:
    ks = "".join(f"{quote_ident(k)}, " for k in keys)
    grp = f"{ks}window_start, window_end"
    # the first batch whose (eviction) watermark reaches a window's end: it is final, and append emits it then
    con.execute(f"""CREATE OR REPLACE TEMP TABLE __win AS
        SELECT {grp}, count(*) FILTER (WHERE NOT __late) AS count, count(*) FILTER (WHERE __late) AS late,
               (SELECT min(__batch) FROM __wm WHERE wm >= window_end) AS final_batch
        FROM {pairs} GROUP BY ALL""")
    if output_mode == "append":
        rows_sql = (f"SELECT {grp}, count, final_batch AS emitted_batch FROM __win "
                    "WHERE count > 0 AND final_batch IS NOT NULL")
    else:
        rows_sql = (f"SELECT {grp}, CAST(sum(n) OVER (PARTITION BY {grp} ORDER BY __batch) AS BIGINT) AS count, "
                    f"__batch AS emitted_batch FROM (SELECT {grp}, __batch, count(*) AS n FROM {pairs} "
                    "WHERE NOT __late GROUP BY ALL)")
    if late_policy == "update":  # each late event corrects its emitted window in the batch it arrives
        rows_sql = (f"SELECT *, FALSE AS correction FROM ({rows_sql}) UNION ALL "
                    f"SELECT {grp}, (SELECT w.count FROM __win w WHERE "
                    + " AND ".join([f"w.{quote_ident(k)} IS NOT DISTINCT FROM l.{quote_ident(k)}" for k in keys]
                                   + ["w.window_start = l.window_start", "w.window_end = l.window_end"])
                    + f") + late_so_far, __batch, TRUE FROM (SELECT {grp}, __batch, count(*) OVER "
                    f"(PARTITION BY {grp} ORDER BY __batch, __et ROWS UNBOUNDED PRECEDING) AS late_so_far "
                    f"FROM {pairs} WHERE __late) AS l")
    order = f"ORDER BY emitted_batch, {grp}"
    rows = con.execute(f"SELECT * FROM ({rows_sql}) {order}").df()
    windows = con.execute(f"SELECT * FROM __win ORDER BY {grp}").df()
    watermarks = con.execute(f"""SELECT w.__batch AS batch, w.n AS events, w.mx AS max_event_time, w.wm AS watermark,
            coalesce(l.late_rows, 0) AS late_rows, coalesce(l.late_windows, 0) AS late_windows FROM __wm w
            LEFT JOIN (SELECT __batch, count(*) AS late_rows, count(DISTINCT ({grp})) AS late_windows FROM {pairs}
                       WHERE __late GROUP BY ALL) l USING (__batch)
            ORDER BY w.__batch""").df()
    late = con.execute(f"""SELECT {ks}__et AS event_time, __batch AS batch, late_wm AS watermark FROM {pairs} p
        GROUP BY ALL HAVING bool_and(__late) ORDER BY batch, event_time""").df()
    totals = con.execute(f"SELECT count(*) FILTER (WHERE __late) FROM {pairs}").fetchall()[0][0]
    n, missing = con.execute("SELECT count(*) FILTER (WHERE __et IS NOT NULL), count(*) FILTER (WHERE __et IS NULL) "
                             "FROM __all").fetchall()[0]
    for df in (rows, windows, late):
        for c in ("window_start", "window_end", "event_time"):
            if c in df:
                df[c] = pd.to_datetime(df[c], unit="us")
    for c in ("max_event_time", "watermark"):
        watermarks[c] = pd.to_datetime(watermarks[c], unit="us")
    late["watermark"] = pd.to_datetime(late["watermark"], unit="us")  # a timestamp, as in .watermarks
    return WindowReplay(source=None, event_time="", event_time_epoch_ms=False, field_types={}, window=spec, keys=keys, watermark_delay_seconds=delay, batch_events=batch_events,
                        output_mode=output_mode, late_policy=late_policy, events=int(n), no_event_time=int(missing),
                        batches=len(watermarks), late_events=len(late), late_rows=int(totals), rows=rows,
                        windows=windows, watermarks=watermarks, late=late)
