"""Compile a suite into DuckDB SQL: one aggregate query for every row-level check of a table.

Each expectation adds ``count(*) FILTER (WHERE ...)`` items (or one scalar subquery, for
uniqueness, foreign keys and other tables) to a single SELECT over the table; identifiers go
through :func:`quote_ident` and every value is a numbered parameter (``$1``), never pasted.

Semantics follow Great Expectations: missing values (NULL, and NaN in float columns, as pandas
treats them) are neither expected nor unexpected for column map checks; regexes match anywhere
in the value; a unique check marks every row of a duplicated group unexpected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import ExpectationError
from workbench.quality import expectations as ex
from workbench.workspace import quote_ident

FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")
STRING_TYPES = ("VARCHAR", "TEXT", "STRING")
#: DuckDB types a string value may be cast to inside SQL (the type name comes from this list, never from input)
CASTABLE = re.compile(
    r"^(DATE|TIME|TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_NS|TIMESTAMP_MS|TIMESTAMP_S|TINYINT|SMALLINT|"
    r"INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|BOOLEAN|UUID)$"
)


class Params:
    """Numbered parameters: ``p(value)`` returns ``$n`` and remembers the value."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


@dataclass
class RowCheck:
    """A compiled row-level expectation: which rows count, which are unexpected, what to sample."""

    considered: str  # SQL predicate: rows the check looks at (non-missing)
    unexpected: str  # SQL predicate, evaluated on considered rows
    columns: list[str]  # columns shown in samples
    #: not-null style: GX reports unexpected_percent over all rows and no missing_count
    count_all: bool = False
    #: ``unexpected`` is NULL for a NULL value, so on a non-float column it needs no ``considered`` guard
    null_propagating: bool = False

    def unexpected_rows(self, t: TableInfo) -> str:
        """Predicate for considered-and-unexpected rows, as short as the semantics allow (it runs per row)."""
        if self.considered == "TRUE":
            return self.unexpected
        if self.null_propagating and t.dtype(self.columns[0]) not in FLOAT_TYPES:
            return self.unexpected
        return f"({self.considered}) AND ({self.unexpected})"

    def considered_count(self, t: TableInfo) -> str:
        """count(*) of the considered rows (``count(col)`` when that is the same thing)."""
        if self.considered == "TRUE":
            return "count(*)"
        col = self.columns[0]
        if len(self.columns) == 1 and self.considered == t.present(col) and t.dtype(col) not in FLOAT_TYPES:
            return f"count({t.col(col)})"
        return f"count(*) FILTER (WHERE {self.considered})"


@dataclass
class Compiled:
    """SQL items one expectation contributes to the scan, plus how to read them back."""

    position: int
    expectation: ex.Expectation
    items: dict[str, str] = field(default_factory=dict)  # result key -> SQL (aggregate or scalar subquery)
    row_check: RowCheck | None = None
    #: SQL predicate selecting the unexpected rows for samples (None: nothing to sample)
    sample_where: str | None = None


@dataclass
class TableInfo:
    """What compilation needs to know about the validated relation."""

    name: str
    relation: str  # quoted relation the scan reads (the table, or a sample of it)
    schema: dict[str, str]

    def col(self, name: str) -> str:
        return quote_ident(name)

    def dtype(self, name: str) -> str:
        return self.schema[name].upper()

    def missing(self, name: str) -> str:
        c = self.col(name)
        if self.dtype(name) in FLOAT_TYPES:
            return f"({c} IS NULL OR isnan({c}))"
        return f"{c} IS NULL"

    def present(self, name: str) -> str:
        return f"NOT {self.missing(name)}"

    def as_text(self, name: str) -> str:
        c = self.col(name)
        return c if self.dtype(name) in STRING_TYPES else f"CAST({c} AS VARCHAR)"

    def bind(self, p: Params, value: Any, column: str) -> str:
        """A parameter compared with ``column``: strings are cast to temporal/numeric column types."""
        dtype = self.dtype(column)
        if isinstance(value, str) and dtype not in STRING_TYPES and CASTABLE.match(dtype):
            return f"CAST({p(value)} AS {dtype})"
        return p(value)


def _range_predicate(expr: str, k: Any, p: Params, bind: Callable[[Any], str]) -> str:
    """``expr`` within [min_value, max_value] (strict bounds when asked)."""
    parts = []
    if k.min_value is not None:
        parts.append(f"{expr} {'>' if k.strict_min else '>='} {bind(k.min_value)}")
    if k.max_value is not None:
        parts.append(f"{expr} {'<' if k.strict_max else '<='} {bind(k.max_value)}")
    return " AND ".join(parts) or "TRUE"


def _ignore(t: TableInfo, cols: list[str], rule: str) -> str:
    """The considered-rows predicate for multi-column checks (GX ``ignore_row_if``)."""
    missing = [t.missing(c) for c in cols]
    if rule in ("all_values_are_missing", "both_values_are_missing"):
        return f"NOT ({' AND '.join(missing)})"
    if rule in ("any_value_is_missing", "either_value_is_missing"):
        return f"NOT ({' OR '.join(missing)})"
    return "TRUE"


def row_check(e: ex.Expectation, t: TableInfo, p: Params) -> RowCheck:
    """The considered/unexpected predicates of a row-level (map) expectation."""
    k = e.kwargs
    name = e.type
    if hasattr(k, "column") and name != "expect_column_values_to_be_in_other_table":
        c, col = t.col(k.column), k.column
        present = t.present(col)
        if name == "expect_column_values_to_not_be_null":
            return RowCheck("TRUE", t.missing(col), [col], count_all=True)
        if name == "expect_column_values_to_be_null":
            return RowCheck("TRUE", present, [col], count_all=True)
        if name == "expect_column_values_to_be_between":
            return RowCheck(present, f"NOT ({_range_predicate(c, k, p, lambda v: t.bind(p, v, col))})", [col], null_propagating=True)
        if name in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
            values = [v for v in k.value_set if v is not None]
            inside = f"{c} IN ({', '.join(t.bind(p, v, col) for v in values)})" if values else "FALSE"
            bad = f"NOT ({inside})" if name.endswith("to_be_in_set") else inside
            return RowCheck(present, bad, [col], null_propagating=bool(values))
        if name in ("expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex"):
            match = f"regexp_matches({t.as_text(col)}, {p(k.regex)})"
            return RowCheck(present, f"NOT {match}" if "_to_match_" in name else match, [col], null_propagating=True)
        if name == "expect_column_value_lengths_to_be_between":
            length = f"length({t.as_text(col)})"
            return RowCheck(present, f"NOT ({_range_predicate(length, k, p, p)})", [col], null_propagating=True)
        if name == "expect_column_value_lengths_to_equal":
            return RowCheck(present, f"length({t.as_text(col)}) <> {p(k.value)}", [col], null_propagating=True)
    if name == "expect_column_values_to_be_in_other_table":
        other = quote_ident(k.other_table_name)
        probe = (f"NOT EXISTS (SELECT 1 FROM {other} AS __o "
                 f"WHERE __o.{quote_ident(k.other_column)} = {t.relation}.{t.col(k.column)})")
        return RowCheck(t.present(k.column), probe, [k.column])
    if name == "expect_column_pair_values_a_to_be_greater_than_b":
        op = ">=" if k.or_equal else ">"
        a, b = t.col(k.column_A), t.col(k.column_B)
        return RowCheck(_ignore(t, [k.column_A, k.column_B], k.ignore_row_if),
                        f"NOT coalesce({a} {op} {b}, FALSE)", [k.column_A, k.column_B])
    if name == "expect_column_pair_values_to_be_equal":
        a, b = t.col(k.column_A), t.col(k.column_B)
        return RowCheck(_ignore(t, [k.column_A, k.column_B], k.ignore_row_if),
                        f"NOT coalesce({a} = {b}, FALSE)", [k.column_A, k.column_B])
    if name == "expect_multicolumn_sum_to_equal":
        total = " + ".join(f"coalesce({t.col(c)}, 0)" for c in k.column_list)
        return RowCheck(_ignore(t, k.column_list, k.ignore_row_if), f"({total}) <> {p(k.sum_total)}",
                        list(k.column_list))
    raise ExpectationError(f"{name} is not a row-level expectation.")  # pragma: no cover - catalogue guard


def unique_check(e: ex.Expectation, t: TableInfo) -> tuple[RowCheck, str]:
    """Considered predicate and the duplicated-groups relation of a (compound) unique check."""
    k = e.kwargs
    cols = [k.column] if hasattr(k, "column") else list(k.column_list)
    considered = t.present(cols[0]) if len(cols) == 1 else _ignore(t, cols, k.ignore_row_if)
    keys = ", ".join(t.col(c) for c in cols)
    dups = f"SELECT {keys} FROM {t.relation} WHERE {considered} GROUP BY ALL HAVING count(*) > 1"
    match = " AND ".join(f"__d.{t.col(c)} IS NOT DISTINCT FROM {t.relation}.{t.col(c)}" for c in cols)
    unexpected = f"EXISTS (SELECT 1 FROM ({dups}) AS __d WHERE {match})"
    return RowCheck(considered, unexpected, cols), keys


#: a single-column unique check samples the rows of this many smallest duplicated values
SAMPLE_KEYS = 20

AGGREGATES = {
    "expect_column_min_to_be_between": "min({c})",
    "expect_column_max_to_be_between": "max({c})",
    "expect_column_mean_to_be_between": "avg({c})",
    "expect_column_median_to_be_between": "median({c})",
    "expect_column_stdev_to_be_between": "stddev_samp({c})",
    "expect_column_sum_to_be_between": "sum({c})",
    "expect_column_unique_value_count_to_be_between": "count(DISTINCT {c})",
}


def compile_expectation(position: int, e: ex.Expectation, t: TableInfo, p: Params,
                        full_relation: str) -> Compiled:
    """The SQL items of one expectation (table/schema checks need none: they read the catalog)."""
    out = Compiled(position, e)
    k = e.kwargs
    n = f"e{position}"
    if e.kind == "map" or e.type == "expect_column_values_to_be_in_other_table":
        rc = row_check(e, t, p)
        out.row_check = rc
        out.items[f"{n}_considered"] = rc.considered_count(t)
        if e.kind == "map":
            out.items[f"{n}_unexpected"] = f"count(*) FILTER (WHERE {rc.unexpected_rows(t)})"
        else:  # a correlated probe cannot sit in an aggregate FILTER: count it in a subquery
            out.items[f"{n}_unexpected"] = (
                f"(SELECT count(*) FROM {t.relation} WHERE ({rc.considered}) AND ({rc.unexpected}))")
        out.sample_where = f"({rc.considered}) AND ({rc.unexpected})"
    elif e.kind == "unique":
        rc, keys = unique_check(e, t)
        out.row_check = rc
        out.items[f"{n}_considered"] = rc.considered_count(t)
        first = f", 'keys': min(__k, {SAMPLE_KEYS})" if len(rc.columns) == 1 else ""
        key_alias = f"{keys} AS __k" if len(rc.columns) == 1 else keys
        # one hash aggregate gives the unexpected rows, the duplicated groups and a few duplicated values
        out.items[f"{n}_dups"] = (
            f"(SELECT {{'rows': coalesce(sum(__n), 0), 'groups': count(*){first}}} FROM "
            f"(SELECT {key_alias}, count(*) AS __n FROM {t.relation} WHERE {rc.considered} "
            f"GROUP BY ALL HAVING count(*) > 1))"
        )
        out.sample_where = f"({rc.considered}) AND ({rc.unexpected})"
    elif e.type in AGGREGATES:
        out.items[f"{n}_value"] = AGGREGATES[e.type].format(c=t.col(k.column)) + f" FILTER (WHERE {t.present(k.column)})"
    elif e.type == "expect_column_proportion_of_unique_values_to_be_between":
        out.items[f"{n}_distinct"] = f"count(DISTINCT {t.col(k.column)}) FILTER (WHERE {t.present(k.column)})"
        out.items[f"{n}_considered"] = f"count(*) FILTER (WHERE {t.present(k.column)})"
    elif e.kind == "distinct":
        out.items[f"{n}_values"] = f"list(DISTINCT {t.col(k.column)}) FILTER (WHERE {t.present(k.column)})"
    elif e.type == "expect_column_max_to_be_fresh":
        out.items[f"{n}_max"] = f"max({t.col(k.column)}) FILTER (WHERE {t.present(k.column)})"
    elif e.type == "expect_table_row_count_to_equal_other_table":
        out.items[f"{n}_other"] = f"(SELECT count(*) FROM {quote_ident(k.other_table_name)})"
    elif e.type == "expect_table_to_reconcile_with_source":
        src = quote_ident(k.source_table)
        out.items[f"{n}_source_count"] = f"(SELECT count(*) FROM {src})"
        out.items[f"{n}_target_count"] = f"(SELECT count(*) FROM {full_relation})"
        pairs = k.sum_columns.items() if isinstance(k.sum_columns, dict) else [(c, c) for c in k.sum_columns]
        for i, (target_col, source_col) in enumerate(pairs):
            out.items[f"{n}_tsum{i}"] = f"(SELECT sum({quote_ident(target_col)}) FROM {full_relation})"
            out.items[f"{n}_ssum{i}"] = f"(SELECT sum({quote_ident(source_col)}) FROM {src})"
    return out


def future_rows(e: ex.Expectation, t: TableInfo, p: Params, reference: Any) -> str:
    """Freshness: the predicate for rows later than the reference time (clock skew)."""
    col = e.kwargs.column
    return f"{t.col(col)} > {p(reference)}"


_PLACEHOLDER = re.compile(r'("(?:[^"]|"")*")|\$(\d+)')


def renumber(sql: str, values: list[Any]) -> tuple[str, list[Any]]:
    """Keep only the parameters ``sql`` uses, numbered from $1 (quoted identifiers are left alone)."""
    used: dict[int, int] = {}

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        old = int(m.group(2))
        used.setdefault(old, len(used) + 1)
        return f"${used[old]}"

    out = _PLACEHOLDER.sub(sub, sql)
    return out, [values[old - 1] for old in used]


def scan_sql(t: TableInfo, items: dict[str, str]) -> str:
    """One SELECT over the relation computing every item (scalar subqueries included)."""
    select = ",\n  ".join(f"{sql} AS {quote_ident(key)}" for key, sql in items.items())
    return f"SELECT count(*) AS __rows,\n  {select}\nFROM {t.relation}" if items else (
        f"SELECT count(*) AS __rows FROM {t.relation}")


def sample_sql(t: TableInfo, where: str, columns: list[str], limit: int) -> str:
    """The first ``limit`` unexpected rows (insertion order), with the sample columns."""
    cols = ", ".join(t.col(c) for c in columns)
    return f"SELECT {cols} FROM {t.relation} WHERE {where} LIMIT {int(limit)}"
