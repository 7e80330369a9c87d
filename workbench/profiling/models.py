"""Profile results: pydantic models that serialise to JSON, print a ``summary()`` and render as HTML.

Values that came out of DuckDB (min, max, quantiles, top values) are stored JSON-ready: numbers as
int/float, booleans as bool, dates and timestamps as ISO strings, everything else as text.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from workbench.profiling import html


class Pattern(BaseModel):
    """A value shape (letters -> ``A``/``a``, digits -> ``9``) and the share of non-null values it covers."""

    pattern: str
    count: int
    coverage: float
    example: str | None = None
    collapsed: bool = Field(False, description="runs of a class shown once (``Aa a``), used when no exact shape dominates")


class LengthStats(BaseModel):
    """String length statistics (characters) over non-null values."""

    min: int
    max: int
    mean: float


class HistogramBin(BaseModel):
    """One equal-width bin ``[lower, upper)`` (the last bin is closed); bounds are numbers or ISO times."""

    lower: float | str
    upper: float | str
    count: int


class TimeProfile(BaseModel):
    """How a timestamp column's rows arrive: range, freshness and rates (UTC; naive times are taken as UTC)."""

    min_ts: str
    max_ts: str
    span_seconds: float
    reference_time: str
    freshness_seconds: float | None = Field(description="reference_time - max_ts (negative when max_ts is ahead)")
    future_count: int = Field(description="rows later than reference_time")
    rows_per_day: dict[str, int]
    rows_per_hour: dict[int, int] = Field(description="hour of day 0-23 -> rows")
    mean_events_per_sec: float = Field(description="rows / span_seconds")
    peak_events_per_sec: float = Field(description="most rows in any one minute / 60")
    peak_minute: str | None = None
    source: str = Field("native", description="native | text (parsed from strings) | epoch_ms | epoch_s")


class ColumnProfile(BaseModel):
    """Statistics of one column, all computed in DuckDB."""

    name: str
    dtype: str
    kind: str = Field(description="numeric | string | temporal | boolean | nested | other")
    count: int = Field(description="non-null values")
    null_count: int
    null_share: float
    distinct_count: int | None = None
    distinct_approximate: bool = False
    min: Any = None
    max: Any = None
    mean: float | None = None
    std: float | None = None
    skewness: float | None = None
    quantiles: dict[float, Any] = Field(default_factory=dict)
    quantiles_approximate: bool = False
    top_values: list[tuple[Any, int]] = Field(default_factory=list)
    inferred_type: str
    inferred_share: float | None = Field(None, description="share of non-null values matching inferred_type")
    histogram: list[HistogramBin] = Field(default_factory=list)
    length: LengthStats | None = None
    zero_count: int | None = None
    negative_count: int | None = None
    patterns: list[Pattern] = Field(default_factory=list)
    patterns_sampled: bool = False
    duplicate_value_rows: int | None = Field(None, description="rows beyond the first per value (key-like columns)")
    time: TimeProfile | None = None
    note: str | None = None

    def _repr_html_(self) -> str:
        return html.column_html(self)


class Alert(BaseModel):
    """Something worth a look: ``kind`` (e.g. ``negative_amounts``), the column, a sentence and the figures."""

    kind: str
    column: str | None = None
    message: str
    severity: str = "warning"
    table: str | None = None
    count: int | None = None
    share: float | None = None

    def __str__(self) -> str:
        where = ".".join(x for x in (self.table, self.column) if x)
        return f"[{self.severity}] {self.kind}{' ' + where if where else ''}: {self.message}"


class TableProfile(BaseModel):
    """The profile of one table: ``row_count``, ``columns`` by name, ``candidate_keys`` and ``alerts``."""

    table: str
    row_count: int
    columns: dict[str, ColumnProfile]
    candidate_keys: list[list[str]] = Field(default_factory=list)
    alerts: list[Alert] = Field(default_factory=list)
    duplicate_row_count: int = Field(0, description="rows identical to an earlier row (64-bit row hash)")
    avg_row_bytes: float = Field(0.0, description="estimated serialized row size: string lengths + fixed widths")
    reference_time: str
    exact_distinct: bool = Field(True, description="False when distinct counts above the threshold are HLL estimates")
    sample_rows: int | None = Field(None, description="rows sampled for patterns/type inference (None = all rows)")
    scans: int = Field(0, description="queries run against the table")
    seconds: float = 0.0

    def alerts_of(self, kind: str, column: str | None = None) -> list[Alert]:
        return [a for a in self.alerts if a.kind == kind and (column is None or a.column == column)]

    def summary(self) -> str:
        return html.table_summary(self)

    def to_frame(self):
        """One row per column with the headline figures, as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame([html.column_row(c) for c in self.columns.values()])

    def _repr_html_(self) -> str:
        return html.table_html(self)


class ForeignKey(BaseModel):
    """``from_table.from_columns`` values found in ``to_table.to_columns``; coverage = matched non-null rows share."""

    from_table: str
    from_columns: list[str]
    to_table: str
    to_columns: list[str]
    coverage: float
    value_coverage: float = Field(1.0, description="share of the child's distinct non-null values found in the parent")
    orphan_count: int = Field(description="non-null child rows whose value is missing from the parent")
    orphan_values: int = Field(0, description="distinct missing values")
    orphan_sample: list[Any] = Field(default_factory=list,
                                     description="up to 10 missing values, sorted (a list per value for 2 columns)")
    name_hint: bool = Field(False, description="the column names agree (a tie-breaker, never required)")

    def __str__(self) -> str:
        return (f"{self.from_table}({', '.join(self.from_columns)}) -> {self.to_table}({', '.join(self.to_columns)})"
                f" coverage {self.coverage:.2%}, {self.orphan_count} orphan rows")


class DatasetProfile(BaseModel):
    """Profiles of several tables plus the foreign keys between them (and their orphan alerts)."""

    profiles: dict[str, TableProfile]
    foreign_keys: list[ForeignKey] = Field(default_factory=list)
    alerts: list[Alert] = Field(default_factory=list, description="every table's alerts plus orphan foreign keys")
    fk_candidates: int = Field(0, description="foreign-key candidates left after the cheap (no SQL) filters")
    fk_probe_queries: int = Field(0, description="sample-probe queries (one per child and per parent table probed)")
    fk_verify_queries: int = Field(0, description="exact anti-joins run (candidates that survived the probe)")

    def summary(self) -> str:
        return html.dataset_summary(self)

    def _repr_html_(self) -> str:
        return html.dataset_html(self)
