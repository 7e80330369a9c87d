"""Materializations in DuckDB: view, table, ephemeral (inlined as a CTE) and incremental.

Incremental strategies: ``append``, ``delete+insert`` and ``merge`` on ``unique_key``. Every model
is written inside one transaction, so a failing statement leaves the previous relation untouched;
building twice on the same input leaves identical tables.
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

import duckdb

from workbench.errors import TransformError
from workbench.transform.spec import STRATEGIES, SeedSpec
from workbench.workspace import quote_ident

_LEADING_WITH = re.compile(r"^(\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*)with\s+(?!recursive\b)", re.I | re.S)
_DUCKDB_LINE = re.compile(r"LINE (\d+):")


def relation(schema: str, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def cte_name(model: str) -> str:
    """The CTE an ephemeral model is inlined as (dbt's naming)."""
    return f"__dbt__cte__{model}"


def strip_sql(sql: str) -> str:
    """Model SQL without trailing semicolons and whitespace."""
    return sql.rstrip().rstrip(";").rstrip()


def inject_ctes(sql: str, ctes: list[tuple[str, str]]) -> tuple[str, int]:
    """Prefix ``sql`` with ephemeral models as CTEs (merging into its own WITH); returns (sql, lines added)."""
    if not ctes:
        return sql, 0
    block = ",\n".join(f"{cte_name(name)} as (\n{body}\n)" for name, body in ctes)
    m = _LEADING_WITH.match(sql)
    if m:
        merged = sql[: m.start()] + m.group(1) + "with " + block + ",\n" + sql[m.end():]
    else:
        merged = f"with {block}\n{sql}"
    return merged, block.count("\n") + 1


def existing_kind(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str | None:
    """``'table'``, ``'view'`` or None for a relation in the current database."""
    row = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ? "
        "AND table_catalog = current_database()",
        [schema, name],
    ).fetchone()
    if row is None:
        return None
    return "view" if row[0] == "VIEW" else "table"


def _drop_if_other(con: duckdb.DuckDBPyConnection, schema: str, name: str, wanted: str) -> None:
    kind = existing_kind(con, schema, name)
    if kind is not None and kind != wanted:
        con.execute(f"DROP {'VIEW' if kind == 'view' else 'TABLE'} {relation(schema, name)}")


class SqlFailure(Exception):
    """DuckDB rejected a model's SQL; ``line`` is the line of the compiled SQL when DuckDB reports one."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _run(con: duckdb.DuckDBPyConnection, statements: list[str]) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        for stmt in statements:
            con.execute(stmt)
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        text = str(exc).strip()
        m = _DUCKDB_LINE.search(text)
        raise SqlFailure(text.split("\n\nLINE")[0].strip(), int(m.group(1)) if m else None) from None


def materialize(
    con: duckdb.DuckDBPyConnection,
    *,
    schema: str,
    name: str,
    sql: str,
    materialized: str,
    incremental_run: bool = False,
    strategy: str | None = None,
    unique_key: Any = None,
) -> int | None:
    """Create or update ``schema.name`` from ``sql``; returns the row count for tables (None for views)."""
    rel = relation(schema, name)
    if materialized == "view":
        _drop_if_other(con, schema, name, "view")
        _run(con, [f"CREATE OR REPLACE VIEW {rel} AS {sql}\n"])
        return None
    if materialized == "table" or (materialized == "incremental" and not incremental_run):
        _drop_if_other(con, schema, name, "table")
        _run(con, [f"CREATE OR REPLACE TABLE {rel} AS {sql}\n"])
    elif materialized == "incremental":
        _run(con, incremental_statements(rel, sql, strategy, unique_key, name))
    else:
        raise TransformError(f"Model {name!r}: unknown materialization {materialized!r}.",
                             hint="Use view, table, ephemeral or incremental.")
    return int(con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0])


def _keys(unique_key: Any) -> list[str]:
    if unique_key is None:
        return []
    return [unique_key] if isinstance(unique_key, str) else list(unique_key)


def incremental_statements(rel: str, sql: str, strategy: str | None, unique_key: Any, name: str) -> list[str]:
    """The statements that apply one incremental run of ``sql`` to the existing ``rel``."""
    keys = _keys(unique_key)
    strategy = strategy or ("delete+insert" if keys else "append")
    if strategy not in STRATEGIES:
        raise TransformError(f"Model {name!r}: unknown incremental_strategy {strategy!r}.",
                             hint=f"Use one of {', '.join(STRATEGIES)}.")
    if strategy == "append":
        return [f"INSERT INTO {rel} BY NAME {sql}\n"]
    if not keys:
        raise TransformError(f"Model {name!r}: incremental_strategy {strategy!r} needs a unique_key.",
                             hint="Add unique_key='id' (or a list of columns) to the model's config.")
    tmp = quote_ident(f"__wb_incr_{name}")
    on = " AND ".join(f"{rel}.{quote_ident(k)} = {tmp}.{quote_ident(k)}" for k in keys)
    stmts = [f"CREATE OR REPLACE TEMP TABLE {tmp} AS {sql}\n"]
    if strategy == "delete+insert":
        stmts += [f"DELETE FROM {rel} USING {tmp} WHERE {on}", f"INSERT INTO {rel} BY NAME SELECT * FROM {tmp}"]
    else:
        stmts += [f"MERGE INTO {rel} USING {tmp} ON {on} WHEN MATCHED THEN UPDATE WHEN NOT MATCHED THEN INSERT"]
    stmts.append(f"DROP TABLE {tmp}")
    return stmts


def load_seed(con: duckdb.DuckDBPyConnection, schema: str, seed: SeedSpec, source_path: str | None = None) -> int:
    """(Re)create ``schema.seed`` from the seed's CSV, with ``column_types`` overriding inference."""
    rel = relation(schema, seed.name)
    path = source_path
    tmp = None
    if path is None:
        fd, tmp = tempfile.mkstemp(suffix=".csv")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(seed.csv_text)
        path = tmp
    try:
        _drop_if_other(con, schema, seed.name, "table")
        con.execute("BEGIN TRANSACTION")
        try:
            if seed.column_types:
                con.execute(f"CREATE OR REPLACE TABLE {rel} AS SELECT * FROM read_csv(?, header = true, types = ?)",
                            [path, dict(seed.column_types)])
            else:
                con.execute(f"CREATE OR REPLACE TABLE {rel} AS SELECT * FROM read_csv(?, header = true)", [path])
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise TransformError(f"Seed {seed.name!r} ({seed.path}): {str(exc).strip().splitlines()[0]}",
                                 hint="Check the CSV's header and the seed's column_types.") from None
    finally:
        if tmp:
            os.unlink(tmp)
    return int(con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0])
