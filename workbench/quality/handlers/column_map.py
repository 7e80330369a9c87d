"""Column map expectations: one row predicate each, counted in the shared scan.

Missing values (NULL, and NaN in float columns) are neither expected nor unexpected, except for the
null checks themselves; regexes match anywhere in the value (GX semantics).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

import duckdb
from pydantic import field_validator

from workbench.errors import ExpectationError
from workbench.quality.compile import Params, RowCheck, TableInfo
from workbench.quality.handlers.base import (
    ColumnLengthEqualKwargs,
    ColumnLengthKwargs,
    ColumnMostlyKwargs,
    ColumnRangeMostlyKwargs,
    ColumnSetKwargs,
    MapExpectation,
    _Column,
    _Mostly,
    dbt_config,
    range_predicate,
)


class ColumnRegexKwargs(_Column, _Mostly):
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {v!r}: {exc}") from exc
        return v


# --- nulls -----------------------------------------------------------------------------------------
class ExpectColumnValuesToNotBeNull(MapExpectation):
    """``expect_column_values_to_not_be_null``: not null (dbt ``not_null``)."""

    type: Literal["expect_column_values_to_not_be_null"] = "expect_column_values_to_not_be_null"
    kwargs: ColumnMostlyKwargs
    category: ClassVar[str] = "not_null"
    phrase: ClassVar[str] = "not null"
    dbt_tests: ClassVar[tuple[str, ...]] = ("not_null",)

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        return RowCheck("TRUE", t.missing(self.kwargs.column), [self.kwargs.column], count_all=True)

    def to_dbt(self) -> tuple[str | None, str, dict[str, Any]] | None:
        return self.kwargs.column, "not_null", dbt_config(self)


class ExpectColumnValuesToBeNull(MapExpectation):
    """``expect_column_values_to_be_null``: null."""

    type: Literal["expect_column_values_to_be_null"] = "expect_column_values_to_be_null"
    kwargs: ColumnMostlyKwargs
    phrase: ClassVar[str] = "null"

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        return RowCheck("TRUE", t.present(self.kwargs.column), [self.kwargs.column], count_all=True)


# --- ranges and sets --------------------------------------------------------------------------------
class ExpectColumnValuesToBeBetween(MapExpectation):
    """``expect_column_values_to_be_between``: between (dbt ``dbt_utils.accepted_range``)."""

    type: Literal["expect_column_values_to_be_between"] = "expect_column_values_to_be_between"
    kwargs: ColumnRangeMostlyKwargs
    phrase: ClassVar[str] = "between"
    dbt_tests: ClassVar[tuple[str, ...]] = ("accepted_range",)

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        col = self.kwargs.column
        inside = range_predicate(t.col(col), self.kwargs, lambda v: t.bind(p, v, col))
        return RowCheck(t.present(col), f"NOT ({inside})", [col], null_propagating=True)

    @classmethod
    def kwargs_from_dbt(cls, column: str | None, args: dict[str, Any]) -> dict[str, Any]:
        kwargs = {"column": column, **{k: args[k] for k in ("min_value", "max_value") if k in args}}
        if args.get("inclusive", True) is False:
            kwargs.update(strict_min="min_value" in args, strict_max="max_value" in args)
        return kwargs

    def to_dbt(self) -> tuple[str | None, str, dict[str, Any]] | None:
        k = self.kwargs
        if k.strict_min != k.strict_max and k.min_value is not None and k.max_value is not None:
            return None  # dbt's ``inclusive`` applies to both bounds
        args = {n: getattr(k, n) for n in ("min_value", "max_value") if getattr(k, n) is not None}
        if k.strict_min or k.strict_max:
            args["inclusive"] = False
        return k.column, "dbt_utils.accepted_range", {**args, **dbt_config(self)}


class _SetExpectation(MapExpectation):
    #: True: a value outside the set is unexpected; False: a value inside it is
    in_set: ClassVar[bool] = True

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        col = self.kwargs.column
        values = [v for v in self.kwargs.value_set if v is not None]
        inside = f"{t.col(col)} IN ({', '.join(t.bind(p, v, col) for v in values)})" if values else "FALSE"
        bad = f"NOT ({inside})" if self.in_set else inside
        return RowCheck(t.present(col), bad, [col], null_propagating=bool(values))


class ExpectColumnValuesToBeInSet(_SetExpectation):
    """``expect_column_values_to_be_in_set``: in set (dbt ``accepted_values``)."""

    type: Literal["expect_column_values_to_be_in_set"] = "expect_column_values_to_be_in_set"
    kwargs: ColumnSetKwargs
    phrase: ClassVar[str] = "in set"
    dbt_tests: ClassVar[tuple[str, ...]] = ("accepted_values",)

    @classmethod
    def kwargs_from_dbt(cls, column: str | None, args: dict[str, Any]) -> dict[str, Any]:
        return {"column": column, "value_set": list(args.get("values", []))}

    def to_dbt(self) -> tuple[str | None, str, dict[str, Any]] | None:
        return self.kwargs.column, "accepted_values", {"values": list(self.kwargs.value_set), **dbt_config(self)}


class ExpectColumnValuesToNotBeInSet(_SetExpectation):
    """``expect_column_values_to_not_be_in_set``: not in set."""

    type: Literal["expect_column_values_to_not_be_in_set"] = "expect_column_values_to_not_be_in_set"
    kwargs: ColumnSetKwargs
    phrase: ClassVar[str] = "not in set"
    in_set: ClassVar[bool] = False


# --- regexes ---------------------------------------------------------------------------------------
class _RegexExpectation(MapExpectation):
    #: True: a value that does not match is unexpected; False: a value that matches is
    must_match: ClassVar[bool] = True

    def precheck(self, con: duckdb.DuckDBPyConnection, position: int) -> None:
        """Regexes must compile in DuckDB's engine (RE2), not only in Python's."""
        try:
            con.execute("SELECT regexp_matches('', $1)", [self.kwargs.regex])
        except duckdb.Error as exc:
            raise ExpectationError(
                f"Expectation #{position + 1} ({self.type}) on column {self.column!r}: invalid regex "
                f"{self.kwargs.regex!r}: {str(exc).splitlines()[0]}",
                hint="DuckDB uses RE2 syntax: no look-arounds or back-references.") from None

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        col = self.kwargs.column
        match = f"regexp_matches({t.as_text(col)}, {p(self.kwargs.regex)})"
        return RowCheck(t.present(col), f"NOT {match}" if self.must_match else match, [col], null_propagating=True)


class ExpectColumnValuesToMatchRegex(_RegexExpectation):
    """``expect_column_values_to_match_regex``: matches regex."""

    type: Literal["expect_column_values_to_match_regex"] = "expect_column_values_to_match_regex"
    kwargs: ColumnRegexKwargs
    phrase: ClassVar[str] = "matches regex"


class ExpectColumnValuesToNotMatchRegex(_RegexExpectation):
    """``expect_column_values_to_not_match_regex``: does not match regex."""

    type: Literal["expect_column_values_to_not_match_regex"] = "expect_column_values_to_not_match_regex"
    kwargs: ColumnRegexKwargs
    phrase: ClassVar[str] = "does not match regex"
    must_match: ClassVar[bool] = False


# --- lengths ---------------------------------------------------------------------------------------
class ExpectColumnValueLengthsToBeBetween(MapExpectation):
    """``expect_column_value_lengths_to_be_between``: length between."""

    type: Literal["expect_column_value_lengths_to_be_between"] = "expect_column_value_lengths_to_be_between"
    kwargs: ColumnLengthKwargs
    phrase: ClassVar[str] = "length between"

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        col = self.kwargs.column
        inside = range_predicate(f"length({t.as_text(col)})", self.kwargs, p)
        return RowCheck(t.present(col), f"NOT ({inside})", [col], null_propagating=True)


class ExpectColumnValueLengthsToEqual(MapExpectation):
    """``expect_column_value_lengths_to_equal``: length equals."""

    type: Literal["expect_column_value_lengths_to_equal"] = "expect_column_value_lengths_to_equal"
    kwargs: ColumnLengthEqualKwargs
    phrase: ClassVar[str] = "length equals"

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        col = self.kwargs.column
        return RowCheck(t.present(col), f"length({t.as_text(col)}) <> {p(self.kwargs.value)}", [col],
                        null_propagating=True)

