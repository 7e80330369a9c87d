"""Data tests: dbt's generic tests compiled to SQL that returns failing rows, and singular tests.

Built in: ``unique``, ``not_null``, ``accepted_values``, ``relationships`` and the dbt_utils tests
``accepted_range``, ``expression_is_true``, ``unique_combination_of_columns`` (with or without
the ``dbt_utils.`` prefix). Each compiles to the same query dbt runs; a test fails (or warns, with
``severity: warn``) when the query returns rows, and a sample of those rows is kept for display.
"""

from __future__ import annotations

from typing import Any

import duckdb

from workbench.errors import TransformError
from workbench.transform.spec import TestSpec
from workbench.workspace import quote_ident

SAMPLE_ROWS = 5
BUILTIN_TESTS = ("unique", "not_null", "accepted_values", "relationships",
                 "accepted_range", "expression_is_true", "unique_combination_of_columns")


def canonical(test: str) -> str:
    """``dbt_utils.accepted_range`` -> ``accepted_range``; other names unchanged."""
    return test.removeprefix("dbt_utils.")


def is_builtin(test: str) -> bool:
    return canonical(test) in BUILTIN_TESTS


def compile_test(t: TestSpec, rel: str, resolve_ref: Any) -> tuple[str, list[Any]]:
    """SQL returning the failing rows of generic test ``t`` on relation ``rel``, with its parameters.

    ``resolve_ref(name)`` turns the ``to: ref('x')`` of a relationships test into a relation.
    """
    kind = canonical(t.test)
    col = quote_ident(t.column) if t.column else None
    k = t.kwargs
    if t.where:
        rel = f"(SELECT * FROM {rel} WHERE {t.where}) AS dbt_subquery"
    if kind in ("unique", "not_null", "accepted_values", "relationships") and col is None:
        raise TransformError(f"Test {t.name!r}: {kind} needs a column.", hint="Attach it under a column in schema.yml.")
    if kind == "not_null":
        return f"SELECT * FROM {rel} WHERE {col} IS NULL", []
    if kind == "unique":
        return (f"SELECT {col} AS unique_field, count(*) AS n_records FROM {rel} "
                f"WHERE {col} IS NOT NULL GROUP BY {col} HAVING count(*) > 1"), []
    if kind == "accepted_values":
        values = k.get("values")
        if not isinstance(values, list) or not values:
            raise TransformError(f"Test {t.name!r}: accepted_values needs a non-empty list `values`.")
        quote = k.get("quote", True)
        params = [str(v) if quote else v for v in values]
        marks = ", ".join("?" for _ in values)
        return (f"WITH all_values AS (SELECT {col} AS value_field, count(*) AS n_records FROM {rel} "
                f"GROUP BY {col}) SELECT * FROM all_values WHERE value_field NOT IN ({marks})"), params
    if kind == "relationships":
        to, field = k.get("to"), k.get("field")
        if not to or not field:
            raise TransformError(f"Test {t.name!r}: relationships needs `to` (e.g. ref('customers')) and `field`.")
        parent = resolve_ref(to)
        return (f"WITH child AS (SELECT {col} AS from_field FROM {rel} WHERE {col} IS NOT NULL), "
                f"parent AS (SELECT {quote_ident(field)} AS to_field FROM {parent}) "
                "SELECT from_field FROM child LEFT JOIN parent ON child.from_field = parent.to_field "
                "WHERE parent.to_field IS NULL"), []
    if kind == "accepted_range":
        lo, hi = k.get("min_value"), k.get("max_value")
        inclusive = k.get("inclusive", True)
        if lo is None and hi is None:
            raise TransformError(f"Test {t.name!r}: accepted_range needs min_value and/or max_value.")
        target = col or "*"
        conds, params = [], []
        for value, op in ((lo, ">=" if inclusive else ">"), (hi, "<=" if inclusive else "<")):
            if value is None:
                continue
            if isinstance(value, str):  # a SQL expression, as dbt_utils pastes it
                conds.append(f"NOT ({target} {op} ({value}))")
            else:
                conds.append(f"NOT ({target} {op} ?)")
                params.append(value)
        return f"SELECT * FROM {rel} WHERE {' OR '.join(conds)}", params
    if kind == "expression_is_true":
        expr = k.get("expression")
        if not expr:
            raise TransformError(f"Test {t.name!r}: expression_is_true needs `expression`.")
        cond = f"{col} {expr}" if col else str(expr)
        return f"SELECT * FROM {rel} WHERE NOT ({cond})", []
    if kind == "unique_combination_of_columns":
        cols = k.get("combination_of_columns")
        if not cols:
            raise TransformError(f"Test {t.name!r}: unique_combination_of_columns needs `combination_of_columns`.")
        cl = ", ".join(quote_ident(c) for c in cols)
        return f"SELECT {cl}, count(*) AS n_records FROM {rel} GROUP BY {cl} HAVING count(*) > 1", []
    raise TransformError(f"Test {t.name!r}: unknown test {t.test!r}.",
                         hint=f"Built-in tests: {', '.join(BUILTIN_TESTS)}; or define "
                         f"{{% test {t.test}(model, column_name) %}} in macros/ or tests/generic/.")


def run_test_sql(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> tuple[int, list[str], list[tuple]]:
    """(failures, sample columns, sample rows) of a failing-rows query, in one scan; the sample is the
    first rows in sorted order, so it is the same on every run."""
    cur = con.execute(
        f"SELECT *, count(*) OVER () AS __wb_failures FROM ({sql}\n) AS t ORDER BY ALL LIMIT {SAMPLE_ROWS}", params)
    rows = cur.fetchall()
    cols = [d[0] for d in cur.description][:-1]
    if not rows:
        return 0, cols, []
    return int(rows[0][-1]), cols, [r[:-1] for r in rows]
