"""Workspace: one DuckDB database holding the user's sample tables.

``Workspace()`` is in memory; ``Workspace("design.duckdb")`` persists. ``load()`` takes CSV/TSV,
Parquet, JSON/NDJSON files, globs and pandas DataFrames. Every name that goes into SQL passes
through :func:`quote_ident`; every value is a bound parameter.
"""

from __future__ import annotations

import glob as globlib
import os
import re
import uuid
from pathlib import Path
from typing import Any

import duckdb

from workbench.errors import (
    ColumnNotFoundError,
    DataSourceError,
    TableExistsError,
    TableNotFoundError,
    WorkspaceLockedError,
    did_you_mean,
)

#: file suffix -> (DuckDB reader, extra reader options given as SQL literals we control)
READERS: dict[str, tuple[str, str]] = {
    ".csv": ("read_csv", ", delim = ',', header = true"),
    ".tsv": ("read_csv", ", delim = '\t', header = true"),
    ".txt": ("read_csv", ", header = true"),
    ".parquet": ("read_parquet", ""),
    ".pq": ("read_parquet", ""),
    ".json": ("read_json_auto", ""),
    ".ndjson": ("read_json_auto", ", format = 'newline_delimited'"),
    ".jsonl": ("read_json_auto", ", format = 'newline_delimited'"),
}


def quote_ident(name: str) -> str:
    """Quote an identifier for DuckDB, doubling embedded quotes: ``a"b`` becomes ``"a""b"``."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_table(name: str, schema: str | None = None) -> str:
    """A (schema-qualified) table reference with every part quoted."""
    return f"{quote_ident(schema)}.{quote_ident(name)}" if schema else quote_ident(name)


def table_name_for(source: str | os.PathLike) -> str:
    """The default table name for a file or glob: its stem without wildcards (``orders_*.csv`` -> ``orders``)."""
    stem = Path(str(source)).name
    for suffix in (".gz", ".zst"):
        stem = stem.removesuffix(suffix)
    stem = Path(stem).stem
    stem = re.sub(r"[*?\[\]]+", "", stem).strip("_-. ")
    return stem or Path(str(source)).parent.name or "data"


class Workspace:
    """A DuckDB database with the user's tables: ``ws = Workspace(); ws.load("orders.csv")``."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False) -> None:
        self.path = str(path) if path not in (None, "", ":memory:") else None
        if self.path:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(self.path or ":memory:", read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            holder = re.search(r"held in (.+?\(PID \d+\))", str(exc))
            raise WorkspaceLockedError(
                f"Workspace {self.path!r} is open in another process"
                f"{' (' + holder.group(1) + ')' if holder else ''}; DuckDB lets one process write a file at a time.",
                hint="Shut down the other notebook's kernel (Kernel > Shut Down Kernel), or open this one "
                     "read-only with wb.Workspace(path, read_only=True) once nothing writes to it.",
            ) from None

    # --- introspection ------------------------------------------------------------
    def __repr__(self) -> str:
        where = self.path or "in memory"
        return f"Workspace({where}, tables={self.tables()})"

    def tables(self) -> list[str]:
        """Names of the tables and views in the main schema, sorted."""
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name"
        ).fetchall()
        return [r[0] for r in rows]

    def has_table(self, name: str) -> bool:
        return name in self.tables()

    def require_table(self, name: str) -> str:
        """Return ``name`` if it is a table here, else raise a TableNotFoundError with suggestions."""
        tables = self.tables()
        if name not in tables:
            raise TableNotFoundError(
                f"Table {name!r} is not in the workspace (tables: {', '.join(tables) or 'none'}).",
                hint=did_you_mean(name, tables) or "Load it first with ws.load(path, name=...).",
            )
        return name

    def schema(self, table: str) -> dict[str, str]:
        """Column name -> DuckDB type, in table order."""
        self.require_table(table)
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name = ? AND table_catalog = current_database() "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return {name: dtype for name, dtype in rows}

    def columns(self, table: str) -> list[str]:
        return list(self.schema(table))

    def require_column(self, table: str, column: str) -> str:
        """Return ``column`` if ``table`` has it, else raise a ColumnNotFoundError listing the columns."""
        cols = self.columns(table)
        if column not in cols:
            raise ColumnNotFoundError(
                f"Column {column!r} is not in table {table!r} (columns: {', '.join(cols)}).",
                hint=did_you_mean(column, cols),
            )
        return column

    def row_count(self, table: str) -> int:
        self.require_table(table)
        return int(self.scalar(f"SELECT count(*) FROM {quote_ident(table)}"))

    def scalar(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        """The single value a query returns (the result is fully consumed, leaving the connection free)."""
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def query(self, sql: str, params: list[Any] | dict[str, Any] | None = None):
        """Run SQL with bound parameters and return a pandas DataFrame (for small results)."""
        return self.con.execute(sql, params or []).fetchdf()

    def head(self, table: str, n: int = 10):
        self.require_table(table)
        return self.con.execute(f"SELECT * FROM {quote_ident(table)} LIMIT ?", [n]).fetchdf()

    # --- loading --------------------------------------------------------------------
    def load(self, source: Any, name: str | None = None, *, replace: bool = False) -> str:
        """Load a file, glob or pandas DataFrame into a table and return the table name.

        Refuses to overwrite an existing table unless ``replace=True``.
        """
        if _is_dataframe(source):
            if not name:
                raise DataSourceError(
                    "A DataFrame has no file name to take a table name from.",
                    hint="Pass name=..., e.g. ws.load(df, name='orders').",
                )
            self._check_free(name, replace)
            view = f"__wb_df_{uuid.uuid4().hex}"
            cursor = self.con.cursor()  # its own handle: a pending result on ws.con cannot block register()
            cursor.register(view, source)
            try:
                self._create(name, f"SELECT * FROM {quote_ident(view)}", [], replace, origin="the DataFrame",
                             con=cursor)
            finally:
                cursor.close()
            return name

        if not isinstance(source, str | os.PathLike):
            raise DataSourceError(
                f"Cannot load an object of type {type(source).__name__}.",
                hint="Pass a file path, a glob such as 'data/*.parquet', or a pandas DataFrame.",
            )
        path = os.fspath(source)
        files = sorted(globlib.glob(path)) if globlib.has_magic(path) else [path]
        if not files:
            raise DataSourceError(f"No file matches {path!r}.", hint="Check the pattern and the working directory.")
        for f in files:
            if not os.path.exists(f):
                raise DataSourceError(
                    f"File {f!r} does not exist (working directory: {os.getcwd()}).",
                    hint="Check the path, or generate the sample data with `workbench sample-data`.",
                )
            if os.path.isdir(f):
                raise DataSourceError(f"{f!r} is a folder, not a file.", hint="Point at a file or a glob inside it.")
        suffix = _suffix(files[0])
        if suffix not in READERS or any(_suffix(f) != suffix for f in files):
            raise DataSourceError(
                f"Unsupported file type {suffix or '(none)'!r} for {files[0]!r}.",
                hint=f"Supported extensions: {', '.join(sorted(READERS))} (optionally .gz/.zst compressed).",
            )
        empty = [f for f in files if os.path.getsize(f) == 0]
        if empty:
            raise DataSourceError(f"File {empty[0]!r} is empty (0 bytes).", hint="Check the export that produced it.")
        name = name or table_name_for(path)
        self._check_free(name, replace)
        reader, options = READERS[suffix]
        self._create(name, f"SELECT * FROM {reader}(?{options})", [files], replace, origin=path)
        return name

    def drop(self, name: str) -> None:
        self.require_table(name)
        kind = self.scalar(
            "SELECT table_type FROM information_schema.tables WHERE table_schema='main' AND table_name = ?", [name]
        )
        self.con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {quote_ident(name)}")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- internals --------------------------------------------------------------------
    def _check_free(self, name: str, replace: bool) -> None:
        if not replace and self.has_table(name):
            raise TableExistsError(
                f"Table {name!r} already exists in the workspace.",
                hint="Pass replace=True to overwrite it, or name=... to load under another name.",
            )

    def _create(self, name: str, select: str, params: list[Any], replace: bool, *, origin: str,
                con: duckdb.DuckDBPyConnection | None = None) -> None:
        con = con or self.con
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(f"{verb} {quote_ident(name)} AS {select}", params)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            first = str(exc).strip().splitlines()[0]
            raise DataSourceError(
                f"Could not read {origin!r} into table {name!r}: {first}",
                hint="The file looks malformed (unbalanced quotes, ragged rows or the wrong encoding); "
                "fix the file or convert it to Parquet.",
            ) from exc


def _is_dataframe(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "columns")


def _suffix(path: str) -> str:
    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""
