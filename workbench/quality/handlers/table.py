"""Table and schema expectations: answered from the catalog and the row count, no SQL of their own."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar, Literal

from workbench.errors import did_you_mean
from workbench.quality.compile import CompiledCheck
from workbench.quality.handlers.base import (
    Expectation,
    Kwargs,
    TableRangeKwargs,
    TableValueKwargs,
    _Column,
    between,
)
from workbench.sqltypes import is_timestamp, normalize, type_family


class ColumnSetMatchKwargs(Kwargs):
    column_set: list[str]
    exact_match: bool = True


class ColumnListKwargs(Kwargs):
    column_list: list[str]


class ColumnExistKwargs(_Column):
    column_index: int | None = None


class ColumnTypeKwargs(_Column):
    type_: str


class ColumnTypeListKwargs(_Column):
    type_list: list[str]


class TableExpectation(Expectation):
    kind: ClassVar[str] = "table"
    category: ClassVar[str] = "schema"


# --- row count -------------------------------------------------------------------------------
class ExpectTableRowCountToBeBetween(TableExpectation):
    """``expect_table_row_count_to_be_between``: row count between."""

    type: Literal["expect_table_row_count_to_be_between"] = "expect_table_row_count_to_be_between"
    kwargs: TableRangeKwargs
    category: ClassVar[str] = "volume"
    phrase: ClassVar[str] = "row count between"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        return {"success": between(run.table_rows, self.kwargs), "observed_value": run.table_rows}


class ExpectTableRowCountToEqual(TableExpectation):
    """``expect_table_row_count_to_equal``: row count equals."""

    type: Literal["expect_table_row_count_to_equal"] = "expect_table_row_count_to_equal"
    kwargs: TableValueKwargs
    category: ClassVar[str] = "volume"
    phrase: ClassVar[str] = "row count equals"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        return {"success": run.table_rows == self.kwargs.value, "observed_value": run.table_rows}


# --- columns -------------------------------------------------------------------------------------
class ExpectTableColumnsToMatchSet(TableExpectation):
    """``expect_table_columns_to_match_set``: columns match set."""

    type: Literal["expect_table_columns_to_match_set"] = "expect_table_columns_to_match_set"
    kwargs: ColumnSetMatchKwargs
    phrase: ClassVar[str] = "columns match set"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        cols = list(run.schema)
        have, want = set(cols), set(self.kwargs.column_set)
        ok = have == want if self.kwargs.exact_match else want <= have
        return {"success": ok, "observed_value": cols,
                "details": {"mismatched": {"unexpected": sorted(have - want), "missing": sorted(want - have)}}}


class ExpectTableColumnsToMatchOrderedList(TableExpectation):
    """``expect_table_columns_to_match_ordered_list``: columns match ordered list."""

    type: Literal["expect_table_columns_to_match_ordered_list"] = "expect_table_columns_to_match_ordered_list"
    kwargs: ColumnListKwargs
    phrase: ClassVar[str] = "columns match ordered list"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        cols = list(run.schema)
        return {"success": cols == list(self.kwargs.column_list), "observed_value": cols}


class ExpectTableColumnCountToEqual(TableExpectation):
    """``expect_table_column_count_to_equal``: column count equals."""

    type: Literal["expect_table_column_count_to_equal"] = "expect_table_column_count_to_equal"
    kwargs: TableValueKwargs
    phrase: ClassVar[str] = "column count equals"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        return {"success": len(run.schema) == self.kwargs.value, "observed_value": len(run.schema)}


class ExpectTableColumnCountToBeBetween(TableExpectation):
    """``expect_table_column_count_to_be_between``: column count between."""

    type: Literal["expect_table_column_count_to_be_between"] = "expect_table_column_count_to_be_between"
    kwargs: TableRangeKwargs
    phrase: ClassVar[str] = "column count between"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        return {"success": between(len(run.schema), self.kwargs), "observed_value": len(run.schema)}


class ExpectColumnToExist(TableExpectation):
    """``expect_column_to_exist``: exists."""

    type: Literal["expect_column_to_exist"] = "expect_column_to_exist"
    kwargs: ColumnExistKwargs
    phrase: ClassVar[str] = "exists"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        k, cols = self.kwargs, list(run.schema)
        ok = k.column in run.schema and (k.column_index is None or cols.index(k.column) == k.column_index)
        return {"success": ok, "observed_value": cols,
                "details": {} if k.column in run.schema else {"did_you_mean": did_you_mean(k.column, cols)}}


# --- column types ----------------------------------------------------------------------------------
#: pandas / numpy / Python / SQL spellings -> family
TYPE_ALIASES: dict[str, str] = {
    **{a: "integer" for a in ("int", "integer", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                              "uint64", "long", "bigint", "smallint", "tinyint")},
    **{a: "float" for a in ("float", "float16", "float32", "float64", "double", "real", "decimal", "numeric")},
    **{a: "string" for a in ("str", "string", "object", "unicode", "varchar", "text", "char")},
    **{a: "boolean" for a in ("bool", "boolean")},
    **{a: "timestamp" for a in ("datetime", "datetime64", "datetime64[ns]", "datetime64[us]", "datetime64[ms]",
                                "timestamp", "datetime64[ns, utc]", "datetime64[us, utc]")},
    "date": "date",
}


def type_matches(expected: str, dtype: str) -> bool:
    """Does DuckDB type ``dtype`` satisfy a GX ``type_`` given in DuckDB, pandas or Python spelling?"""
    actual = dtype.upper()
    want = expected.strip()
    if want.upper() in (actual, actual.split("(")[0]):
        return True
    family = TYPE_ALIASES.get(want.lower())
    if family == "timestamp":
        return is_timestamp(dtype)
    if family == "date":
        return normalize(dtype) == "DATE"
    if family == "float":  # pandas reads DECIMAL as float
        return type_family(dtype) in ("float", "decimal")
    if family == "string":
        return normalize(dtype) == "VARCHAR"
    return family is not None and type_family(dtype) == family


class _ColumnTypeExpectation(TableExpectation):
    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        dtype = run.schema.get(self.kwargs.column)
        if dtype is None:
            cols = list(run.schema)
            return {"success": False, "observed_value": None,
                    "details": {"note": f"column {self.kwargs.column!r} does not exist",
                                "did_you_mean": did_you_mean(self.kwargs.column, cols)}}
        return {"success": any(type_matches(x, dtype) for x in self.accepted()), "observed_value": dtype}

    @abstractmethod
    def accepted(self) -> list[str]:
        """The type names the column may have."""


class ExpectColumnValuesToBeOfType(_ColumnTypeExpectation):
    """``expect_column_values_to_be_of_type``: of type."""

    type: Literal["expect_column_values_to_be_of_type"] = "expect_column_values_to_be_of_type"
    kwargs: ColumnTypeKwargs
    phrase: ClassVar[str] = "of type"

    def accepted(self) -> list[str]:
        return [self.kwargs.type_]


class ExpectColumnValuesToBeInTypeList(_ColumnTypeExpectation):
    """``expect_column_values_to_be_in_type_list``: type in list."""

    type: Literal["expect_column_values_to_be_in_type_list"] = "expect_column_values_to_be_in_type_list"
    kwargs: ColumnTypeListKwargs
    phrase: ClassVar[str] = "type in list"

    def accepted(self) -> list[str]:
        return list(self.kwargs.type_list)

