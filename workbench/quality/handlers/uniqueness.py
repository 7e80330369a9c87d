"""Uniqueness: every row of a duplicated group is unexpected (GX semantics), found by one hash aggregate."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar, Literal

from pydantic import Field

from workbench.quality.compile import CompiledCheck, Params, RowCheck, TableInfo
from workbench.quality.handlers.base import (
    ColumnMostlyKwargs,
    Expectation,
    IgnoreAll,
    _Mostly,
    dbt_config,
    ignore_rows,
    map_fields,
)

#: a single-column unique check samples the rows of this many smallest duplicated values
SAMPLE_KEYS = 20


class CompoundUniqueKwargs(_Mostly):
    column_list: list[str] = Field(min_length=1)
    ignore_row_if: IgnoreAll = "all_values_are_missing"


class UniqueExpectation(Expectation):
    kind: ClassVar[str] = "unique"
    category: ClassVar[str] = "uniqueness"

    @abstractmethod
    def considered(self, t: TableInfo) -> str:
        """The SQL predicate of the rows the uniqueness is judged on."""

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        cols = self.columns()
        considered = self.considered(t)
        keys = ", ".join(t.col(col) for col in cols)
        dups = f"SELECT {keys} FROM {t.relation} WHERE {considered} GROUP BY ALL HAVING count(*) > 1"
        match = " AND ".join(f"__d.{t.col(col)} IS NOT DISTINCT FROM {t.relation}.{t.col(col)}" for col in cols)
        c.row_check = RowCheck(considered, f"EXISTS (SELECT 1 FROM ({dups}) AS __d WHERE {match})", cols)
        n = f"e{c.position}"
        c.items[f"{n}_considered"] = c.row_check.considered_count(t)
        first = f", 'keys': min(__k, {SAMPLE_KEYS})" if len(cols) == 1 else ""
        key_alias = f"{keys} AS __k" if len(cols) == 1 else keys
        # one hash aggregate gives the unexpected rows, the duplicated groups and a few duplicated values
        c.items[f"{n}_dups"] = (
            f"(SELECT {{'rows': coalesce(sum(__n), 0), 'groups': count(*){first}}} FROM "
            f"(SELECT {key_alias}, count(*) AS __n FROM {t.relation} WHERE {considered} "
            f"GROUP BY ALL HAVING count(*) > 1))"
        )
        c.sample_where = f"({considered}) AND ({c.row_check.unexpected})"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        n = f"e{c.position}"
        dups = row[f"{n}_dups"]
        unexpected = int(dups["rows"])
        if dups.get("keys"):  # sample the rows of a few duplicated values, not a second group-by
            c.sample_where = f"list_contains({run.p(dups['keys'])}, {run.info.col(c.row_check.columns[0])})"
        out = map_fields(run.rows, int(row[f"{n}_considered"]), unexpected, self.mostly, False)
        out["details"] = {"duplicated_values": int(dups["groups"]), "surplus_rows": unexpected - int(dups["groups"])}
        return out


class ExpectColumnValuesToBeUnique(UniqueExpectation):
    """``expect_column_values_to_be_unique``: unique (dbt ``unique``)."""

    type: Literal["expect_column_values_to_be_unique"] = "expect_column_values_to_be_unique"
    kwargs: ColumnMostlyKwargs
    phrase: ClassVar[str] = "unique"
    dbt_tests: ClassVar[tuple[str, ...]] = ("unique",)

    def considered(self, t: TableInfo) -> str:
        return t.present(self.kwargs.column)

    def to_dbt(self) -> tuple[str | None, str, dict[str, Any]] | None:
        return self.kwargs.column, "unique", dbt_config(self)


class ExpectCompoundColumnsToBeUnique(UniqueExpectation):
    """``expect_compound_columns_to_be_unique``: unique together (dbt ``unique_combination_of_columns``)."""

    type: Literal["expect_compound_columns_to_be_unique"] = "expect_compound_columns_to_be_unique"
    kwargs: CompoundUniqueKwargs
    phrase: ClassVar[str] = "unique together"
    dbt_tests: ClassVar[tuple[str, ...]] = ("unique_combination_of_columns",)

    def columns(self) -> list[str]:
        return list(self.kwargs.column_list)

    def considered(self, t: TableInfo) -> str:
        cols = self.kwargs.column_list
        return t.present(cols[0]) if len(cols) == 1 else ignore_rows(t, cols, self.kwargs.ignore_row_if)

    @classmethod
    def kwargs_from_dbt(cls, column: str | None, args: dict[str, Any]) -> dict[str, Any]:
        return {"column_list": list(args["combination_of_columns"])}

    def to_dbt(self) -> tuple[str | None, str, dict[str, Any]] | None:
        return None, "dbt_utils.unique_combination_of_columns", {
            "combination_of_columns": list(self.kwargs.column_list), **dbt_config(self)}
