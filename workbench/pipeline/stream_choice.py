"""The stream a streaming lab replays, chosen from the data: which table, its event time and arrival order,
and the watermark delay its lateness calls for. Every choice comes with its reason; explicit ones win."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from workbench.cdc.choose import is_change_stream
from workbench.errors import StreamingError
from workbench.profiling.focus import choose_focus
from workbench.streaming.lateness import LatenessProfile, profile_lateness
from workbench.workspace import Workspace

#: columns that record the order events arrived in (a topic offset, a sequence, an ingestion time)
ARRIVAL_NAMES = ("seq", "sequence", "offset", "arrival", "arrived_at", "ingested_at", "_ingested_at",
                 "received_at", "loaded_at", "_loaded_at")
#: the design guide's example: 1-hour windows, a 10-minute watermark
DEFAULT_WINDOW = ("tumbling", 3600)
DEFAULT_TOLERANCE = 0.01


class StreamChoice(BaseModel):
    """What the streaming lab replays, and why."""

    events: str
    event_time: str
    arrival: str | None = Field(description="the arrival-order column (None: the rows' order)")
    keys: list[str] = Field(default_factory=list)
    window: tuple[Any, ...] = DEFAULT_WINDOW
    watermark_delay: float = Field(description="seconds: the smallest delay keeping the late share <= tolerance")
    tolerance: float = DEFAULT_TOLERANCE
    lateness: LatenessProfile
    reasons: list[str] = Field(default_factory=list)


def choose_stream(ws: Workspace, *, events: str | None = None, event_time: str | None = None,
                  arrival: str | None = None, keys: list[str] | None = None, window: Any = None,
                  tolerance: float = DEFAULT_TOLERANCE) -> StreamChoice:
    """A change stream (Debezium envelopes: event time ``ts_ms``) if the workspace holds one, else the fact
    table and its arrival-time column; the delay from the stream's lateness profile."""
    reasons = []
    if events is None:
        streams = [t for t in ws.tables() if is_change_stream(ws, t)]
        if streams:
            events = streams[0]
            reasons.append(f"events: {events!r} holds change events (op, before/after)")
        else:
            focus = choose_focus(ws)
            events = focus.table
            reasons.append(f"events: {focus.reason}")
    else:
        ws.require_table(events)
        reasons.append(f"events: {events!r}, chosen by you")
    columns = ws.columns(events)
    if event_time is None:
        if "ts_ms" in columns:
            event_time = "ts_ms"
            reasons.append("event time: 'ts_ms', the change's commit time in the source (epoch ms)")
        else:
            focus = choose_focus(ws, [events])
            if not focus.timestamp_column:
                raise StreamingError(f"{events!r} has no timestamp column to window on.",
                                     hint="Pass event_time='<column>' (a timestamp or epoch milliseconds).")
            event_time = focus.timestamp_column
            reasons.append(f"event time: {event_time!r} ({focus.reason})")
    else:
        ws.require_column(events, event_time)
    if arrival is None:
        arrival = next((c for c in columns if c.lower() in ARRIVAL_NAMES), None)
        reasons.append(f"arrival order: {arrival!r}, named like an arrival position" if arrival
                       else "arrival order: the rows' order (no column is named like an offset or ingestion time)")
    lateness = profile_lateness(ws, events, event_time=event_time, arrival=arrival)
    delay = lateness.recommend(tolerance)
    reasons.append(f"watermark: {delay:g} s, the smallest delay that leaves at most {tolerance:.1%} of events "
                   f"late ({lateness.share_later_than[delay]:.2%}; lateness p99 {lateness.quantiles['p99']:g} s, "
                   f"max {lateness.quantiles['max']:g} s)")
    if window:
        window = tuple(window)
        reasons.append(f"window: {window!r}, chosen by you")
    else:
        window = DEFAULT_WINDOW
        reasons.append("window: tumbling 1 hour (the design guide's example; change it to your question)")
    return StreamChoice(events=events, event_time=event_time, arrival=arrival, keys=list(keys or []), window=window,
                        watermark_delay=delay, tolerance=tolerance, lateness=lateness, reasons=reasons)
