"""How late a stream's events arrive, and what each watermark delay costs (events dropped) and buys (windows
final sooner): the data behind choosing ``watermark_delay``.

An event's lateness is how far it is behind the stream's frontier when it arrives: the newest event time of
every event that arrived before it, minus its own event time (0 when it is the newest). A watermark of delay
``d`` can only drop events later than ``d``; the replay (``watermark_tradeoff``) counts what it really drops,
micro-batches included.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from workbench.errors import StreamingError
from workbench.streaming.windows import replay_windows
from workbench.workspace import Workspace, quote_ident

#: lateness quantiles reported
QUANTILES = (0.5, 0.9, 0.95, 0.99, 0.999, 1.0)


class LatenessProfile(BaseModel):
    """Lateness of the events (seconds behind the frontier at arrival), its quantiles and tail shares."""

    events: int
    late_at_all: int = Field(description="events that arrived behind the frontier (lateness > 0)")
    quantiles: dict[str, float] = Field(description="quantile ('p50', 'p99', 'max', ...) -> seconds")
    share_later_than: dict[float, float] = Field(description="delay seconds -> share of events later than it")

    def recommend(self, tolerance: float = 0.001) -> float:
        """The smallest profiled delay whose late share is at most ``tolerance``."""
        ok = [d for d, share in sorted(self.share_later_than.items()) if share <= tolerance]
        if not ok:
            raise StreamingError(f"No profiled delay keeps the late share under {tolerance:.2%}.",
                                 hint="Profile longer delays (delays=[...]) or accept a larger tolerance.")
        return ok[0]


class TradeoffPoint(BaseModel):
    """One watermark delay, replayed: what it drops and how long windows wait to be final."""

    delay_seconds: float
    late_events: int
    late_share: float
    median_wait_seconds: float | None = Field(description="median of (frontier when final - window end)")
    open_windows: int = Field(description="windows never final within the stream (their end is past the watermark)")


#: the watermark delays (seconds) profiled and replayed when none are given
DEFAULT_DELAYS = (0, 1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)


def _delays(delays: Any) -> list[float]:
    return sorted({float(d) for d in (DEFAULT_DELAYS if delays is None else delays)})


def profile_lateness(ws: Workspace, events: str, *, event_time: str, arrival: str | None = None,
                     delays: Any = None) -> LatenessProfile:
    """Lateness of every event of ``events`` in arrival order (``arrival``, else row order); one scan."""
    ws.require_table(events)
    ws.require_column(events, event_time)
    col = quote_ident(event_time)
    kind = ws.con.execute(f"SELECT typeof({col}) FROM {quote_ident(events)} WHERE {col} IS NOT NULL LIMIT 1").fetchall()
    numeric = bool(kind) and kind[0][0] not in ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE", "VARCHAR")
    et = f"CAST({col} AS DOUBLE) / 1000" if numeric else f"epoch(CAST({col} AS TIMESTAMP))"
    order = quote_ident(arrival) if arrival else "rowid"
    grid = _delays(delays)
    qs = ", ".join(f"quantile_cont(lateness, {q})" for q in QUANTILES)
    shares = ", ".join(f"avg(CAST(lateness > {d} AS DOUBLE))" for d in grid)
    row = ws.con.execute(f"""WITH t AS (SELECT {et} AS et, {order} AS pos FROM {quote_ident(events)} WHERE {col} IS NOT NULL),
        l AS (SELECT greatest(0, coalesce(max(et) OVER (ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                                          - et, 0)) AS lateness FROM t)
        SELECT count(*), count(*) FILTER (WHERE lateness > 0), {qs}, {shares} FROM l""").fetchall()[0]
    if not row[0]:
        raise StreamingError(f"{events!r} has no event with a {event_time!r}.")
    names = [("max" if q == 1.0 else f"p{q * 100:g}") for q in QUANTILES]
    return LatenessProfile(events=row[0], late_at_all=row[1],
                           quantiles=dict(zip(names, (float(v) for v in row[2:2 + len(QUANTILES)]), strict=True)),
                           share_later_than=dict(zip(grid, (float(v) for v in row[2 + len(QUANTILES):]), strict=True)))


def watermark_tradeoff(ws: Workspace, events: str, *, event_time: str, keys: list[str] | tuple[str, ...] = (),
                       window: Any = ("tumbling", 3600), delays: Any = None, batch_events: int = 500,
                       arrival: str | None = None) -> list[TradeoffPoint]:
    """Replay the stream once per delay: events dropped vs how long windows wait before they are final."""
    out = []
    for d in _delays(delays):
        r = replay_windows(ws, events, event_time=event_time, keys=keys, window=window, watermark_delay=d,
                           batch_events=batch_events, arrival=arrival)
        wm = r.watermarks.set_index("batch")["watermark"]
        final = r.windows.dropna(subset=["final_batch"])
        # the frontier (newest event time seen) when a window became final is its watermark plus the delay
        waits = ((final["final_batch"].astype(int).map(wm) - final["window_end"]).dt.total_seconds() + d)
        out.append(TradeoffPoint(delay_seconds=d, late_events=r.late_events,
                                 late_share=r.late_events / r.events if r.events else 0.0,
                                 median_wait_seconds=float(waits.median()) if len(waits) else None,
                                 open_windows=int(r.windows["final_batch"].isna().sum())))
    return out
