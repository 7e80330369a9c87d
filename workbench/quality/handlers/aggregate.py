"""Column aggregates: one aggregate over the non-missing values, compared with the bounds; freshness."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from workbench.quality.compile import CompiledCheck, Params, TableInfo
from workbench.quality.handlers.base import ColumnRangeKwargs, Expectation, _Column, between, plain


class AggregateExpectation(Expectation):
    """``<sql>(column)`` over the non-missing values must lie within [min_value, max_value]."""

    kind: ClassVar[str] = "aggregate"
    #: the aggregate, ``{c}`` standing for the quoted column
    sql: ClassVar[str] = ""

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        col = self.kwargs.column
        c.items[f"e{c.position}_value"] = self.sql.format(c=t.col(col)) + f" FILTER (WHERE {t.present(col)})"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        value = plain(row[f"e{c.position}_value"])
        return {"observed_value": value, "success": between(value, self.kwargs)}


class ExpectColumnMinToBeBetween(AggregateExpectation):
    """``expect_column_min_to_be_between``: min between."""

    type: Literal["expect_column_min_to_be_between"] = "expect_column_min_to_be_between"
    kwargs: ColumnRangeKwargs
    phrase: ClassVar[str] = "min between"
    sql: ClassVar[str] = "min({c})"


class ExpectColumnMaxToBeBetween(AggregateExpectation):
    """``expect_column_max_to_be_between``: max between."""

    type: Literal["expect_column_max_to_be_between"] = "expect_column_max_to_be_between"
    kwargs: ColumnRangeKwargs
    phrase: ClassVar[str] = "max between"
    sql: ClassVar[str] = "max({c})"


class ExpectColumnMeanToBeBetween(AggregateExpectation):
    """``expect_column_mean_to_be_between``: mean between."""

    type: Literal["expect_column_mean_to_be_between"] = "expect_column_mean_to_be_between"
    kwargs: ColumnRangeKwargs
    phrase: ClassVar[str] = "mean between"
    sql: ClassVar[str] = "avg({c})"


class ExpectColumnMedianToBeBetween(AggregateExpectation):
    """``expect_column_median_to_be_between``: median between."""

    type: Literal["expect_column_median_to_be_between"] = "expect_column_median_to_be_between"
    kwargs: ColumnRangeKwargs
    phrase: ClassVar[str] = "median between"
    sql: ClassVar[str] = "median({c})"


class ExpectColumnStdevToBeBetween(AggregateExpectation):
    """``expect_column_stdev_to_be_between``: stdev between."""

    type: Literal["expect_column_stdev_to_be_between"] = "expect_column_stdev_to_be_between"
    kwargs: ColumnRangeKwargs
    phrase: ClassVar[str] = "stdev between"
    sql: ClassVar[str] = "stddev_samp({c})"


class ExpectColumnSumToBeBetween(AggregateExpectation):
    """``expect_column_sum_to_be_between``: sum between."""

    type: Literal["expect_column_sum_to_be_between"] = "expect_column_sum_to_be_between"
    kwargs: ColumnRangeKwargs
    phrase: ClassVar[str] = "sum between"
    sql: ClassVar[str] = "sum({c})"


class ExpectColumnUniqueValueCountToBeBetween(AggregateExpectation):
    """``expect_column_unique_value_count_to_be_between``: distinct count between."""

    type: Literal["expect_column_unique_value_count_to_be_between"] = "expect_column_unique_value_count_to_be_between"
    kwargs: ColumnRangeKwargs
    category: ClassVar[str] = "uniqueness"
    phrase: ClassVar[str] = "distinct count between"
    sql: ClassVar[str] = "count(DISTINCT {c})"


class ExpectColumnProportionOfUniqueValuesToBeBetween(Expectation):
    """``expect_column_proportion_of_unique_values_to_be_between``: proportion unique between."""

    type: Literal["expect_column_proportion_of_unique_values_to_be_between"] = (
        "expect_column_proportion_of_unique_values_to_be_between")
    kwargs: ColumnRangeKwargs
    kind: ClassVar[str] = "aggregate"
    category: ClassVar[str] = "uniqueness"
    phrase: ClassVar[str] = "proportion unique between"

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        col, n = self.kwargs.column, f"e{c.position}"
        c.items[f"{n}_distinct"] = f"count(DISTINCT {t.col(col)}) FILTER (WHERE {t.present(col)})"
        c.items[f"{n}_considered"] = f"count(*) FILTER (WHERE {t.present(col)})"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        considered = int(row[f"e{c.position}_considered"])
        value = int(row[f"e{c.position}_distinct"]) / considered if considered else None
        return {"observed_value": value, "success": between(value, self.kwargs)}


# --- freshness (workbench addition) -------------------------------------------------------------
class FreshnessKwargs(_Column):
    max_age_seconds: float = Field(gt=0)
    #: ISO timestamp the age is measured from (default: now, UTC)
    reference_time: str | None = None
    #: rows later than reference_time are unexpected unless this is true (clock skew is a defect)
    allow_future: bool = False

    @field_validator("reference_time")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                datetime.fromisoformat(v)
            except ValueError as exc:
                raise ValueError(f"reference_time {v!r} is not an ISO timestamp") from exc
        return v


def _reference(iso: str | None) -> datetime:
    """The freshness reference as naive UTC (now when not given)."""
    ref = datetime.fromisoformat(iso) if iso else datetime.now(UTC)
    return ref.astimezone(UTC).replace(tzinfo=None) if ref.tzinfo else ref


class ExpectColumnMaxToBeFresh(Expectation):
    """``expect_column_max_to_be_fresh``: the latest timestamp is at most ``max_age_seconds`` old, none in the
    future (workbench addition)."""

    type: Literal["expect_column_max_to_be_fresh"] = "expect_column_max_to_be_fresh"
    kwargs: FreshnessKwargs
    kind: ClassVar[str] = "aggregate"
    category: ClassVar[str] = "freshness"
    phrase: ClassVar[str] = "fresh"
    extension: ClassVar[bool] = True

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        col, n = self.kwargs.column, f"e{c.position}"
        ref = c.state["reference"] = _reference(self.kwargs.reference_time)
        bindable = ref.replace(tzinfo=UTC) if "TIME ZONE" in t.dtype(col) else ref
        c.items[f"{n}_max"] = f"max({t.col(col)}) FILTER (WHERE {t.present(col)})"
        future = f"{t.col(col)} > {p(bindable)}"
        c.items[f"{n}_future"] = f"count(*) FILTER (WHERE {future})"
        c.sample_where = future

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        k, n, ref = self.kwargs, f"e{c.position}", c.state["reference"]
        latest, future = row[f"{n}_max"], int(row[f"{n}_future"])
        if latest is None:
            return {"success": False, "observed_value": None, "unexpected_count": 0, "element_count": run.rows,
                    "details": {"note": "no timestamps to judge"}}
        if isinstance(latest, str):
            latest = datetime.fromisoformat(latest)
        if isinstance(latest, date) and not isinstance(latest, datetime):
            latest = datetime(latest.year, latest.month, latest.day)
        if latest.tzinfo:
            latest = latest.astimezone(UTC).replace(tzinfo=None)
        age = (ref - latest).total_seconds()
        ok = age <= k.max_age_seconds and (k.allow_future or future == 0)
        observed = {"max": latest.isoformat(sep=" "), "reference_time": ref.isoformat(sep=" "), "age_seconds": age,
                    "future_rows": future}
        return {"success": bool(ok), "observed_value": observed, "unexpected_count": future, "element_count": run.rows}
