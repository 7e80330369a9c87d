"""Multi-column row checks: column pairs and sums, rows skipped per GX ``ignore_row_if``."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar, Literal

from pydantic import Field

from workbench.quality.compile import Params, RowCheck, TableInfo
from workbench.quality.handlers.base import IgnoreAll, IgnorePair, MapExpectation, _Mostly, ignore_rows


class PairKwargs(_Mostly):
    column_A: str = Field(min_length=1)
    column_B: str = Field(min_length=1)
    ignore_row_if: IgnorePair = "both_values_are_missing"


class PairGreaterKwargs(PairKwargs):
    or_equal: bool = False


class MulticolumnSumKwargs(_Mostly):
    column_list: list[str] = Field(min_length=1)
    sum_total: int | float
    ignore_row_if: IgnoreAll = "all_values_are_missing"


class PairExpectation(MapExpectation):
    """``A <op> B`` on every row not ignored by ``ignore_row_if``; a NULL on one side of a row that is not
    ignored makes it unexpected (GX)."""

    @abstractmethod
    def operator(self) -> str:
        """The SQL comparison of A with B."""

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        k = self.kwargs
        a, b = t.col(k.column_A), t.col(k.column_B)
        return RowCheck(ignore_rows(t, [k.column_A, k.column_B], k.ignore_row_if),
                        f"NOT coalesce({a} {self.operator()} {b}, FALSE)", [k.column_A, k.column_B])


class ExpectColumnPairValuesToBeEqual(PairExpectation):
    """``expect_column_pair_values_to_be_equal``: A equals B."""

    type: Literal["expect_column_pair_values_to_be_equal"] = "expect_column_pair_values_to_be_equal"
    kwargs: PairKwargs
    phrase: ClassVar[str] = "A equals B"

    def operator(self) -> str:
        return "="


class ExpectColumnPairValuesAToBeGreaterThanB(PairExpectation):
    """``expect_column_pair_values_a_to_be_greater_than_b``: A > B (A >= B with ``or_equal``)."""

    type: Literal["expect_column_pair_values_a_to_be_greater_than_b"] = (
        "expect_column_pair_values_a_to_be_greater_than_b")
    kwargs: PairGreaterKwargs
    phrase: ClassVar[str] = "A greater than B"
    gx0_type: ClassVar[str | None] = "expect_column_pair_values_A_to_be_greater_than_B"

    def operator(self) -> str:
        return ">=" if self.kwargs.or_equal else ">"


class ExpectMulticolumnSumToEqual(MapExpectation):
    """``expect_multicolumn_sum_to_equal``: sum equals (missing values count as 0)."""

    type: Literal["expect_multicolumn_sum_to_equal"] = "expect_multicolumn_sum_to_equal"
    kwargs: MulticolumnSumKwargs
    phrase: ClassVar[str] = "sum equals"

    def columns(self) -> list[str]:
        return list(self.kwargs.column_list)

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        k = self.kwargs
        total = " + ".join(f"coalesce({t.col(c)}, 0)" for c in k.column_list)
        return RowCheck(ignore_rows(t, k.column_list, k.ignore_row_if), f"({total}) <> {p(k.sum_total)}",
                        list(k.column_list))
