"""Expectations that read beyond the validated rows: other tables, the validation history, custom SQL."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import duckdb
from pydantic import Field

from workbench.errors import ColumnNotFoundError, ExpectationError, did_you_mean
from workbench.quality import history
from workbench.quality.compile import CompiledCheck, Params, RowCheck, TableInfo
from workbench.quality.handlers.base import (
    Expectation,
    Kwargs,
    MapExpectation,
    _Column,
    _Mostly,
    dbt_config,
    plain,
)
from workbench.workspace import quote_ident

if TYPE_CHECKING:
    from workbench.workspace import Workspace

#: rows of a custom query kept as the partial unexpected list
PARTIAL = 20
_REF = re.compile(r"""^\s*(?:ref|source)\s*\((?:\s*['"][^'"]+['"]\s*,)?\s*['"]([^'"]+)['"]\s*\)\s*$""")
_EXPR_QUERY = re.compile(r"^SELECT \* FROM \{batch\} WHERE NOT \((?P<expr>.*)\)$", re.S)


class OtherTableKwargs(Kwargs):
    other_table_name: str = Field(min_length=1)


class ForeignKeyKwargs(_Column, _Mostly):
    other_table_name: str = Field(min_length=1)
    other_column: str = Field(min_length=1)


class VolumeAnomalyKwargs(Kwargs):
    #: how many earlier validations of the table to compare against
    window: int = Field(10, ge=1)
    #: fewer earlier runs than this: pass, saying the history is too short
    min_history: int = Field(3, ge=1)
    #: fail when |row_count - mean| / stdev exceeds this (None: no z-score test)
    max_z_score: float | None = Field(3.0, gt=0)
    #: fail when |row_count - mean| / mean exceeds this (None: no relative test)
    max_relative_change: float | None = Field(None, ge=0)


class ReconcileKwargs(Kwargs):
    source_table: str = Field(min_length=1)
    #: allowed |target - source| / source for the row count (0: exact)
    count_tolerance: float = Field(0.0, ge=0)
    #: columns whose sums must agree: a list (same name in both) or {target_column: source_column}
    sum_columns: list[str] | dict[str, str] = Field(default_factory=list)
    #: allowed relative difference of each sum
    sum_tolerance: float = Field(0.0, ge=0)

    def pairs(self) -> list[tuple[str, str]]:
        """(target column, source column) pairs."""
        return list(self.sum_columns.items()) if isinstance(self.sum_columns, dict) else [
            (c, c) for c in self.sum_columns]


class UnexpectedRowsKwargs(Kwargs):
    #: a SELECT returning the unexpected rows; ``{batch}`` stands for the validated table
    unexpected_rows_query: str = Field(min_length=1)


def _missing_column(where: str, name: str, table: str, pool: list[str]) -> ColumnNotFoundError:
    return ColumnNotFoundError(f"{where} names column {name!r}, which is not in table {table!r} "
                               f"(columns: {', '.join(pool)}).", hint=did_you_mean(name, pool) or "Check the name.")


class ExpectTableRowCountToEqualOtherTable(Expectation):
    """``expect_table_row_count_to_equal_other_table``: row count equals other table."""

    type: Literal["expect_table_row_count_to_equal_other_table"] = "expect_table_row_count_to_equal_other_table"
    kwargs: OtherTableKwargs
    kind: ClassVar[str] = "cross"
    category: ClassVar[str] = "volume"
    phrase: ClassVar[str] = "row count equals other table"

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        c.items[f"e{c.position}_other"] = f"(SELECT count(*) FROM {quote_ident(self.kwargs.other_table_name)})"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        other = int(row[f"e{c.position}_other"])
        return {"observed_value": {"self": run.table_rows, "other": other}, "success": run.table_rows == other}


class ExpectColumnValuesToBeInOtherTable(MapExpectation):
    """``expect_column_values_to_be_in_other_table``: in other table (foreign key; dbt ``relationships``)."""

    type: Literal["expect_column_values_to_be_in_other_table"] = "expect_column_values_to_be_in_other_table"
    kwargs: ForeignKeyKwargs
    kind: ClassVar[str] = "cross"
    phrase: ClassVar[str] = "in other table (foreign key)"
    extension: ClassVar[bool] = True
    dbt_tests: ClassVar[tuple[str, ...]] = ("relationships",)

    def check_references(self, ws: Workspace, table: str, where: str) -> None:
        k = self.kwargs
        other_cols = ws.columns(k.other_table_name)
        if k.other_column not in other_cols:
            raise _missing_column(where, k.other_column, k.other_table_name, other_cols)

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:
        k = self.kwargs
        probe = (f"NOT EXISTS (SELECT 1 FROM {quote_ident(k.other_table_name)} AS __o "
                 f"WHERE __o.{quote_ident(k.other_column)} = {t.relation}.{t.col(k.column)})")
        return RowCheck(t.present(k.column), probe, [k.column])

    def unexpected_count(self, rc: RowCheck, t: TableInfo) -> str:
        # a correlated probe cannot sit in an aggregate FILTER: count it in a subquery
        return f"(SELECT count(*) FROM {t.relation} WHERE ({rc.considered}) AND ({rc.unexpected}))"

    @classmethod
    def kwargs_from_dbt(cls, column: str | None, args: dict[str, Any]) -> dict[str, Any]:
        m = _REF.match(str(args["to"]))
        return {"column": column, "other_table_name": m.group(1) if m else str(args["to"]),
                "other_column": args["field"]}

    def to_dbt(self) -> tuple[str | None, str, dict[str, Any]] | None:
        k = self.kwargs
        return k.column, "relationships", {"to": f"ref('{k.other_table_name}')", "field": k.other_column,
                                           **dbt_config(self)}


class ExpectTableRowCountToNotBeAnomalous(Expectation):
    """``expect_table_row_count_to_not_be_anomalous``: row count within history (workbench addition)."""

    type: Literal["expect_table_row_count_to_not_be_anomalous"] = "expect_table_row_count_to_not_be_anomalous"
    kwargs: VolumeAnomalyKwargs
    kind: ClassVar[str] = "cross"
    category: ClassVar[str] = "volume"
    phrase: ClassVar[str] = "row count within history"
    extension: ClassVar[bool] = True

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        previous = history.previous_counts(run.ws, run.table, self.kwargs.window)
        ok, observed = history.judge(run.table_rows, previous, self.kwargs)
        return {"observed_value": observed, "success": ok}


class ExpectTableToReconcileWithSource(Expectation):
    """``expect_table_to_reconcile_with_source``: reconciles with source (workbench addition)."""

    type: Literal["expect_table_to_reconcile_with_source"] = "expect_table_to_reconcile_with_source"
    kwargs: ReconcileKwargs
    kind: ClassVar[str] = "cross"
    category: ClassVar[str] = "volume"
    phrase: ClassVar[str] = "reconciles with source"
    extension: ClassVar[bool] = True

    def columns(self) -> list[str]:
        return list(self.kwargs.sum_columns) if self.kwargs.sum_columns else []

    def check_references(self, ws: Workspace, table: str, where: str) -> None:
        k = self.kwargs
        cols, src_cols = ws.columns(table), ws.columns(k.source_table)
        for tgt, src in k.pairs():
            for name, pool, tname in ((tgt, cols, table), (src, src_cols, k.source_table)):
                if name not in pool:
                    raise _missing_column(where, name, tname, pool)

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        n, src = f"e{c.position}", quote_ident(self.kwargs.source_table)
        c.items[f"{n}_source_count"] = f"(SELECT count(*) FROM {src})"
        c.items[f"{n}_target_count"] = f"(SELECT count(*) FROM {full_relation})"
        for i, (target_col, source_col) in enumerate(self.kwargs.pairs()):
            c.items[f"{n}_tsum{i}"] = f"(SELECT sum({quote_ident(target_col)}) FROM {full_relation})"
            c.items[f"{n}_ssum{i}"] = f"(SELECT sum({quote_ident(source_col)}) FROM {src})"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        k, n = self.kwargs, f"e{c.position}"
        src, tgt = int(row[f"{n}_source_count"]), int(row[f"{n}_target_count"])
        count_diff = abs(tgt - src) / src if src else (0.0 if tgt == 0 else math.inf)
        observed: dict[str, Any] = {"source_count": src, "target_count": tgt, "count_relative_diff": count_diff}
        ok = count_diff <= k.count_tolerance
        sums = {}
        for i, (target_col, source_col) in enumerate(k.pairs()):
            t_sum, s_sum = plain(row[f"{n}_tsum{i}"]) or 0, plain(row[f"{n}_ssum{i}"]) or 0
            diff = abs(t_sum - s_sum) / abs(s_sum) if s_sum else (0.0 if t_sum == 0 else math.inf)
            sums[target_col] = {"source_column": source_col, "target": t_sum, "source": s_sum, "relative_diff": diff}
            ok &= diff <= k.sum_tolerance
        observed["sums"] = sums
        return {"success": bool(ok), "observed_value": observed}


class UnexpectedRowsExpectation(Expectation):
    """``unexpected_rows_expectation``: custom SQL finds no rows (GX 1.x; dbt ``expression_is_true``)."""

    type: Literal["unexpected_rows_expectation"] = "unexpected_rows_expectation"
    kwargs: UnexpectedRowsKwargs
    kind: ClassVar[str] = "cross"
    phrase: ClassVar[str] = "custom SQL finds no rows"
    dbt_tests: ClassVar[tuple[str, ...]] = ("expression_is_true",)

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        import sqlglot  # only custom SQL needs a parser; keep the import off the common path
        from sqlglot import exp

        where = f"Expectation #{c.position + 1} ({self.type})"
        query = self.kwargs.unexpected_rows_query.replace("{batch}", run.info.relation)
        try:
            parsed = sqlglot.parse(query, read="duckdb")
        except sqlglot.errors.ParseError as exc:
            raise ExpectationError(f"{where}: the query does not parse: {str(exc).splitlines()[0]}",
                                   hint="Write one SELECT; use {batch} for the table.") from None
        if len(parsed) != 1 or not isinstance(parsed[0], exp.Query):
            raise ExpectationError(f"{where}: the query must be one SELECT returning the unexpected rows.",
                                   hint="Use {batch} for the validated table.")
        try:
            count = int(run.query(f"SELECT count(*) FROM ({query}) AS __q").fetchone()[0])
            cur = run.query(f"SELECT * FROM ({query}) AS __q LIMIT {PARTIAL}")
        except duckdb.Error as exc:
            raise ExpectationError(f"{where}: the query failed: {str(exc).splitlines()[0]}",
                                   hint="Run it by hand with ws.query(...).") from None
        cols = [d[0] for d in cur.description]
        rows = [{k: plain(v) for k, v in zip(cols, r, strict=True)} for r in cur.fetchall()]
        return {"success": count == 0, "unexpected_count": count, "observed_value": count,
                "partial_unexpected_list": rows, "failing_rows": rows,
                "details": {"unexpected_rows_query": self.kwargs.unexpected_rows_query}}

    @classmethod
    def kwargs_from_dbt(cls, column: str | None, args: dict[str, Any]) -> dict[str, Any]:
        expr = args["expression"] if column is None else f"{column} {args['expression']}"
        return {"unexpected_rows_query": f"SELECT * FROM {{batch}} WHERE NOT ({expr})"}

    def to_dbt(self) -> tuple[str | None, str, dict[str, Any]] | None:
        m = _EXPR_QUERY.match(self.kwargs.unexpected_rows_query.strip())
        return (None, "dbt_utils.expression_is_true", {"expression": m.group("expr"), **dbt_config(self)}) if m else None
