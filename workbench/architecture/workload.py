"""Workload: the numbers an architecture decision rests on (rates per second, sizes in bytes, times in seconds).

``Workload(peak_events_per_sec=2_000, avg_event_bytes=800, latency_slo_seconds=5)`` states it by hand;
``Workload.from_profile(p, timestamp_column="created_at", scale=1000)`` derives it from a profiled sample
("the sample is 0.1% of production"). Impossible values raise WorkloadError naming every bad field.
"""

from __future__ import annotations

import math
from datetime import date
from html import escape
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from workbench.architecture.format import fmt_bytes, fmt_rate, fmt_seconds
from workbench.errors import WorkloadError, did_you_mean

Complexity = Literal["simple", "joins", "complex"]
Level = Literal["low", "medium", "high"]
Environment = Literal["production", "staging", "development"]
Destination = Literal["warehouse", "lake", "database"]

#: above these a value is a typo, not a workload (a whole-internet firehose is ~1e8 events/s)
MAX_EVENTS_PER_SEC = 1e9
MAX_EVENT_BYTES = 100 * 1024**2
TB = 1e12


class RatePoint(BaseModel):
    """From ``t_seconds`` on, events arrive at ``events_per_sec`` (a piecewise-constant timeline)."""

    t_seconds: float
    events_per_sec: float


class Workload(BaseModel):
    """What the pipeline must carry and how fast: the input to recommend, size_kafka and simulate."""

    name: str = "workload"
    peak_events_per_sec: float = Field(description="highest sustained arrival rate the design must carry")
    avg_event_bytes: float = Field(description="mean serialised event size")
    latency_slo_seconds: float = Field(description="end-to-end latency the consumers need (event to result)")
    avg_events_per_sec: float | None = Field(None, description="mean rate; defaults to the peak")
    burst_factor: float = Field(1.0, description="a burst arrives at burst_factor × peak")
    burst_duration_seconds: float = Field(0.0, description="how long a burst lasts")
    rate_timeline: list[RatePoint] | None = Field(None, description="explicit rate timeline (overrides the burst)")
    daily_growth: float = Field(0.0, description="fractional growth of the rates per day (0.001 = 0.1%/day)")
    complexity: Complexity = Field("simple", description="simple transforms / joins and aggregations / complex analytics")
    replay_required: bool = False
    retention_hours: float = Field(168.0, description="how long the log must keep events (replay window)")
    consumer_fanout: int = Field(1, description="consumer groups reading every event")
    consumer_events_per_sec: float = Field(1_000.0, description="events/s one consumer instance processes")
    cost_sensitivity: Level = "medium"
    pii: bool = False
    cross_region: bool = False
    legacy_batch_layer: bool = Field(False, description="an existing batch layer must stay (Lambda)")
    destination: Destination = Field("warehouse", description="where results land: warehouse, lake or database")
    environment: Environment = "production"
    source: str = Field("", description="where the numbers came from")

    @model_validator(mode="after")
    def _check(self) -> Workload:
        if self.avg_events_per_sec is None:
            self.avg_events_per_sec = self.peak_events_per_sec
        problems: list[str] = []

        def positive(field: str, limit: float | None = None, unit: str = "") -> None:
            v = getattr(self, field)
            if not math.isfinite(v) or v <= 0:
                problems.append(f"{field} must be a positive finite number (got {v!r})")
            elif limit is not None and v > limit:
                problems.append(f"{field}={v:g}{unit} is absurd (more than {limit:g}{unit})")

        positive("peak_events_per_sec", MAX_EVENTS_PER_SEC, " events/s")
        positive("avg_events_per_sec", MAX_EVENTS_PER_SEC, " events/s")
        positive("avg_event_bytes", MAX_EVENT_BYTES, " bytes")
        positive("latency_slo_seconds", 365 * 86_400.0, " s")
        positive("consumer_events_per_sec", MAX_EVENTS_PER_SEC, " events/s")
        positive("retention_hours", 10 * 365 * 24.0, " h")
        if not problems and self.avg_events_per_sec > self.peak_events_per_sec * (1 + 1e-9):
            problems.append(f"avg_events_per_sec ({self.avg_events_per_sec:g}) exceeds peak_events_per_sec "
                            f"({self.peak_events_per_sec:g})")
        if not math.isfinite(self.burst_factor) or self.burst_factor < 1 or self.burst_factor > 1_000:
            problems.append(f"burst_factor must be between 1 and 1000 (got {self.burst_factor!r})")
        if not math.isfinite(self.burst_duration_seconds) or self.burst_duration_seconds < 0:
            problems.append(f"burst_duration_seconds must be >= 0 (got {self.burst_duration_seconds!r})")
        if not -0.5 < self.daily_growth < 1:
            problems.append(f"daily_growth is a fraction per day between -0.5 and 1 (got {self.daily_growth!r})")
        if self.consumer_fanout < 1:
            problems.append(f"consumer_fanout must be >= 1 (got {self.consumer_fanout})")
        if self.rate_timeline is not None:
            pts = self.rate_timeline
            if not pts or any(p.events_per_sec < 0 or not math.isfinite(p.events_per_sec) for p in pts):
                problems.append("rate_timeline needs at least one point and rates >= 0")
            elif any(b.t_seconds <= a.t_seconds for a, b in zip(pts, pts[1:], strict=False)):
                problems.append("rate_timeline times must increase")
            elif max(p.events_per_sec for p in pts) > MAX_EVENTS_PER_SEC:
                problems.append("rate_timeline holds an absurd rate (more than 1e9 events/s)")
        if problems:
            raise WorkloadError(f"Workload {self.name!r} is impossible: " + "; ".join(problems) + ".",
                                hint="Rates are events per second, sizes bytes, times seconds: e.g. "
                                     "Workload(peak_events_per_sec=2000, avg_event_bytes=800, latency_slo_seconds=5).")
        return self

    # --- derived figures -------------------------------------------------------------
    @property
    def burst_events_per_sec(self) -> float:
        return self.peak_events_per_sec * self.burst_factor

    @property
    def peak_bytes_per_sec(self) -> float:
        return self.peak_events_per_sec * self.avg_event_bytes

    @property
    def bytes_per_day(self) -> float:
        return float(self.avg_events_per_sec) * self.avg_event_bytes * 86_400

    @property
    def events_per_day(self) -> float:
        return float(self.avg_events_per_sec) * 86_400

    def grown(self, days: float) -> Workload:
        """The same workload after ``days`` of compound ``daily_growth``."""
        f = (1 + self.daily_growth) ** days
        return self.model_copy(update={"peak_events_per_sec": self.peak_events_per_sec * f,
                                       "avg_events_per_sec": float(self.avg_events_per_sec) * f})

    def timeline(self, lead_seconds: float = 60.0) -> list[RatePoint]:
        """The rate timeline simulations run: explicit, or peak → burst → peak (starting at 0)."""
        if self.rate_timeline:
            return list(self.rate_timeline)
        pts = [RatePoint(t_seconds=0, events_per_sec=self.peak_events_per_sec)]
        if self.burst_factor > 1 and self.burst_duration_seconds > 0:
            pts += [RatePoint(t_seconds=lead_seconds, events_per_sec=self.burst_events_per_sec),
                    RatePoint(t_seconds=lead_seconds + self.burst_duration_seconds,
                              events_per_sec=self.peak_events_per_sec)]
        return pts

    def summary(self) -> str:
        burst = (f"; bursts ×{self.burst_factor:g} for {fmt_seconds(self.burst_duration_seconds)}"
                 if self.burst_factor > 1 and self.burst_duration_seconds > 0 else "")
        return (f"{self.name}: peak {fmt_rate(self.peak_events_per_sec)}, average "
                f"{fmt_rate(float(self.avg_events_per_sec))}, {fmt_bytes(self.avg_event_bytes)}/event "
                f"({fmt_bytes(self.bytes_per_day)}/day){burst}; latency SLO {fmt_seconds(self.latency_slo_seconds)}; "
                f"{self.complexity} processing" + (f"\nsource: {self.source}" if self.source else ""))

    def _repr_html_(self) -> str:
        return f"<pre class='wb-workload'>{escape(self.summary())}</pre>"

    # --- from data ---------------------------------------------------------------------
    @classmethod
    def from_profile(cls, profile: Any, timestamp_column: str = "created_at", scale: float = 1.0,
                     **overrides: Any) -> Workload:
        """Rates and sizes from a profiled sample: rates × ``scale`` (1000 = "the sample is 0.1% of production").

        The peak is the busiest minute of ``timestamp_column``; bursts, SLO and the rest default as in
        :class:`Workload` and can be given as keyword overrides (``latency_slo_seconds`` defaults to 1 hour).
        """
        table = getattr(profile, "table", None) or getattr(profile, "name", "table")
        if not math.isfinite(scale) or scale <= 0:
            raise WorkloadError(f"scale must be a positive number (got {scale!r}).",
                                hint="scale=1000 means the sample is 0.1% of production.")
        columns = getattr(profile, "columns", {})
        time_columns = [n for n, c in columns.items() if getattr(c, "time", None) is not None or _is_date(c)]
        col = columns.get(timestamp_column)
        if col is not None and getattr(col, "time", None) is None and _is_date(col):
            return cls._from_dates(profile, table, timestamp_column, col, scale, overrides)
        if col is None or getattr(col, "time", None) is None:
            what = "is not in" if col is None else "is not a timestamp column of"
            listed = ", ".join(repr(c) for c in time_columns) or "none"
            raise WorkloadError(
                f"Column {timestamp_column!r} {what} table {table!r}; its timestamp columns: {listed}.",
                hint=" ".join(x for x in (did_you_mean(timestamp_column, time_columns),
                                          "Pass timestamp_column= one of the timestamp columns.") if x),
            )
        tp = col.time
        peak = float(tp.peak_events_per_sec) * scale
        mean = min(float(tp.mean_events_per_sec) * scale, peak)
        row_bytes = float(getattr(profile, "avg_row_bytes", 0) or 0)
        fields: dict[str, Any] = {
            "name": f"{table}.{timestamp_column}",
            "peak_events_per_sec": peak,
            "avg_events_per_sec": mean,
            "avg_event_bytes": row_bytes if row_bytes > 0 else 1.0,
            "latency_slo_seconds": 3_600.0,
            "source": (f"profile of {table}: {profile.row_count:,} rows over {tp.span_seconds / 86_400:.1f} days; "
                       f"busiest minute × scale {scale:g} gives the peak, rows/span × scale the average"),
        }
        fields.update(overrides)
        return cls(**fields)

    @classmethod
    def _from_dates(cls, profile: Any, table: str, column: str, col: Any, scale: float,
                    overrides: dict[str, Any]) -> Workload:
        """Rates from a DATE column, known only per day: the busiest day over 86,400 s is the peak."""
        days = (date.fromisoformat(str(col.max)[:10]) - date.fromisoformat(str(col.min)[:10])).days + 1
        # a unique date column has one row a day; otherwise the most frequent date is the busiest day
        busiest = 1 if col.distinct_count == col.count else (col.top_values[0][1] if col.top_values else
                                                              col.count / days)
        peak = busiest / 86_400 * scale
        row_bytes = float(getattr(profile, "avg_row_bytes", 0) or 0)
        fields: dict[str, Any] = {
            "name": f"{table}.{column}",
            "peak_events_per_sec": peak,
            "avg_events_per_sec": min(col.count / (days * 86_400) * scale, peak),
            "avg_event_bytes": row_bytes if row_bytes > 0 else 1.0,
            "latency_slo_seconds": 3_600.0,
            "source": (f"profile of {table}: {profile.row_count:,} rows over {days:,} days of the DATE column "
                       f"{column!r} (rates known per day only: the busiest day ({busiest:,.0f} rows) / 86,400 s "
                       f"× scale {scale:g} gives the peak, rows/days × scale the average)"),
        }
        fields.update(overrides)
        return cls(**fields)


def _is_date(c: Any) -> bool:
    """A DATE column with a range: its rows are known per day, not per minute."""
    return str(getattr(c, "dtype", "")).upper() == "DATE" and getattr(c, "min", None) is not None and bool(c.count)
