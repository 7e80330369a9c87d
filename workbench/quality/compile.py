"""Compile a suite into DuckDB SQL: one aggregate query for every row-level check of a table.

This module is the shared machinery (parameters, the table's facts, the scan and sample queries); what
each expectation type compiles to lives with its handler in :mod:`workbench.quality.handlers`. Each
expectation adds ``count(*) FILTER (WHERE ...)`` items (or one scalar subquery, for
uniqueness, foreign keys and other tables) to a single SELECT over the table; identifiers go
through :func:`quote_ident` and every value is a numbered parameter (``$1``), never pasted.

Semantics follow Great Expectations: missing values (NULL, and NaN in float columns, as pandas
treats them) are neither expected nor unexpected for column map checks; regexes match anywhere
in the value; a unique check marks every row of a duplicated group unexpected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.sqltypes import normalize, type_family
from workbench.workspace import quote_ident

if TYPE_CHECKING:
    from workbench.quality.expectations import Expectation

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
        if self.null_propagating and not t.is_float(self.columns[0]):
            return self.unexpected
        return f"({self.considered}) AND ({self.unexpected})"

    def considered_count(self, t: TableInfo) -> str:
        """count(*) of the considered rows (``count(col)`` when that is the same thing)."""
        if self.considered == "TRUE":
            return "count(*)"
        col = self.columns[0]
        if len(self.columns) == 1 and self.considered == t.present(col) and not t.is_float(col):
            return f"count({t.col(col)})"
        return f"count(*) FILTER (WHERE {self.considered})"


@dataclass
class CompiledCheck:
    """SQL items one expectation contributes to the scan, plus how to read them back."""

    position: int
    expectation: Expectation
    items: dict[str, str] = field(default_factory=dict)  # result key -> SQL (aggregate or scalar subquery)
    row_check: RowCheck | None = None
    #: SQL predicate selecting the unexpected rows for samples (None: nothing to sample)
    sample_where: str | None = None
    #: what the handler computed at compile time and needs again to evaluate (e.g. freshness' reference time)
    state: dict[str, Any] = field(default_factory=dict)


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

    def is_float(self, name: str) -> bool:
        return type_family(self.schema[name]) == "float"

    def missing(self, name: str) -> str:
        c = self.col(name)
        if self.is_float(name):
            return f"({c} IS NULL OR isnan({c}))"
        return f"{c} IS NULL"

    def present(self, name: str) -> str:
        return f"NOT {self.missing(name)}"

    def as_text(self, name: str) -> str:
        c = self.col(name)
        return c if normalize(self.schema[name]) == "VARCHAR" else f"CAST({c} AS VARCHAR)"

    def bind(self, p: Params, value: Any, column: str) -> str:
        """A parameter compared with ``column``: strings are cast to temporal/numeric column types."""
        dtype = self.dtype(column)
        if isinstance(value, str) and CASTABLE.match(dtype):
            return f"CAST({p(value)} AS {dtype})"
        return p(value)


def compile_expectation(position: int, e: Expectation, t: TableInfo, p: Params, full_relation: str) -> CompiledCheck:
    """The SQL items of one expectation: its handler (the expectation class) fills them in."""
    out = CompiledCheck(position, e)
    e.compile(out, t, p, full_relation)
    return out


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
