"""Distinct-value sets: the column's distinct non-missing values, compared with ``value_set`` (GX 1.x fields).

``unexpected_count`` counts distinct values outside the set, ``missing_count`` set values absent from the
column; ``observed_value`` keeps the full sorted distinct list.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from workbench.quality.compile import CompiledCheck, Params, TableInfo
from workbench.quality.handlers.base import ColumnDistinctSetKwargs, Expectation, plain


class DistinctExpectation(Expectation):
    kind: ClassVar[str] = "distinct"
    #: report distinct values outside the set as unexpected
    check_extra: ClassVar[bool] = True
    #: report set values absent from the column as missing
    check_missing: ClassVar[bool] = True

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        col = self.kwargs.column
        c.items[f"e{c.position}_values"] = f"list(DISTINCT {t.col(col)}) FILTER (WHERE {t.present(col)})"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        observed = sorted((plain(v) for v in row[f"e{c.position}_values"] or []), key=str)
        have, want = set(observed), {v for v in self.kwargs.value_set if v is not None}
        extra, missing = sorted(have - want, key=str), sorted(want - have, key=str)
        out: dict[str, Any] = {"observed_value": observed}
        if self.check_extra:
            out.update(unexpected_count=len(extra), partial_unexpected_list=extra)
        if self.check_missing:
            out.update(missing_count=len(missing), details={"partial_missing_list": missing})
        out["success"] = not out.get("unexpected_count") and not out.get("missing_count")
        return out


class ExpectColumnDistinctValuesToBeInSet(DistinctExpectation):
    """``expect_column_distinct_values_to_be_in_set``: distinct values in set."""

    type: Literal["expect_column_distinct_values_to_be_in_set"] = "expect_column_distinct_values_to_be_in_set"
    kwargs: ColumnDistinctSetKwargs
    phrase: ClassVar[str] = "distinct values in set"
    check_missing: ClassVar[bool] = False


class ExpectColumnDistinctValuesToContainSet(DistinctExpectation):
    """``expect_column_distinct_values_to_contain_set``: distinct values contain set."""

    type: Literal["expect_column_distinct_values_to_contain_set"] = "expect_column_distinct_values_to_contain_set"
    kwargs: ColumnDistinctSetKwargs
    phrase: ClassVar[str] = "distinct values contain set"
    check_extra: ClassVar[bool] = False


class ExpectColumnDistinctValuesToEqualSet(DistinctExpectation):
    """``expect_column_distinct_values_to_equal_set``: distinct values equal set."""

    type: Literal["expect_column_distinct_values_to_equal_set"] = "expect_column_distinct_values_to_equal_set"
    kwargs: ColumnDistinctSetKwargs
    phrase: ClassVar[str] = "distinct values equal set"
