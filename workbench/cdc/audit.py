"""Idempotency audit: order-independent table checksums, and "run it twice, is anything different?".

:func:`table_checksum` hashes a table's content in DuckDB: each row becomes JSON over its columns in
name order, the 128-bit MD5 of every row is summed (so row order never matters but a repeated row
does), and the count, the sums and the column names are hashed with SHA-256.
:func:`audit_idempotency` runs a transform (a callable or SQL) twice and compares checksums; when
they differ it shows the rows that changed.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from workbench.errors import WorkbenchError
from workbench.sqltypes import type_family
from workbench.workspace import Workspace, quote_ident


def table_checksum(ws: Workspace, table: str, *, exclude: Sequence[str] = ()) -> str:
    """Order-independent content hash (hex SHA-256) of ``table``, computed in DuckDB.

    Two tables holding the same multiset of rows under the same column names hash equal, whatever
    their row or column order. ``exclude`` leaves out columns such as load timestamps.
    """
    ws.require_table(table)
    cols = sorted(c for c in ws.columns(table) if c not in set(exclude))
    if not cols:
        raise WorkbenchError(f"Table {table!r} has no columns left to checksum.", hint="Exclude fewer columns.")
    row = "to_json(struct_pack(" + ", ".join(f"{quote_ident(c)} := {quote_ident(c)}" for c in cols) + "))"
    return ws.con.execute(
        f"""SELECT sha256(concat_ws('|', ?, count(*), coalesce(sum(md5_number_lower(j)), 0),
                                    coalesce(sum(md5_number_upper(j)), 0)))
            FROM (SELECT {row} AS j FROM {quote_ident(table)})""",
        [",".join(cols)],
    ).fetchone()[0]


class TableDiff(BaseModel):
    """Rows in one table and not the other (as multisets)."""

    added_count: int
    removed_count: int
    added: list[dict[str, Any]] = Field(default_factory=list, description="up to `limit` rows only in the second")
    removed: list[dict[str, Any]] = Field(default_factory=list, description="up to `limit` rows only in the first")


def diff_tables(ws: Workspace, before: str, after: str, *, limit: int = 20) -> TableDiff:
    """Rows of ``after`` not in ``before`` (added) and of ``before`` not in ``after`` (removed), in DuckDB."""
    have = set(ws.con.sql(f"SELECT * FROM {quote_ident(before)} LIMIT 0").columns)
    cols = [c for c in ws.con.sql(f"SELECT * FROM {quote_ident(after)} LIMIT 0").columns if c in have]
    sel = ", ".join(quote_ident(c) for c in cols)
    out: dict[str, Any] = {}
    for name, a, b in (("added", after, before), ("removed", before, after)):
        q = f"SELECT {sel} FROM {quote_ident(a)} EXCEPT ALL SELECT {sel} FROM {quote_ident(b)}"
        out[f"{name}_count"] = ws.con.execute(f"SELECT count(*) FROM ({q})").fetchone()[0]
        cur = ws.con.execute(f"SELECT * FROM ({q}) ORDER BY ALL LIMIT ?", [limit])
        names = [d[0] for d in cur.description]
        out[name] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return TableDiff(**out)


class AuditResult(BaseModel):
    """Checksums of ``table`` after each run; ``idempotent`` when all runs left the same content."""

    table: str
    runs: int
    checksums: list[str]
    row_counts: list[int]
    idempotent: bool
    diff: TableDiff | None = None
    #: why the runs differ, when the workbench can tell (e.g. only floating-point columns drift)
    cause: str | None = None

    def summary(self) -> str:
        head = (f"{self.table}: {'idempotent' if self.idempotent else 'NOT idempotent'} over {self.runs} runs "
                f"(rows {' -> '.join(str(n) for n in self.row_counts)}; checksums "
                f"{', '.join(c[:12] for c in self.checksums)})")
        if self.diff is None:
            return head
        lines = [head, f"  second run added {self.diff.added_count} row(s), removed {self.diff.removed_count}"]
        lines += [f"  cause: {self.cause}"] if self.cause else []
        lines += [f"  + {r}" for r in self.diff.added[:5]] + [f"  - {r}" for r in self.diff.removed[:5]]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"


def audit_idempotency(ws: Workspace, table: str, run: Callable[[Workspace], Any] | str | Sequence[str], *,
                      runs: int = 2, exclude: Sequence[str] = (), limit: int = 20) -> AuditResult:
    """Run ``run`` (a callable taking the workspace, or SQL statements) ``runs`` times; compare ``table``'s checksums.

    On a difference, ``diff`` holds the rows the last run added or removed relative to the first.
    """
    if runs < 2:
        raise WorkbenchError("An idempotency audit needs at least 2 runs.", hint="Pass runs=2 or more.")
    statements = [run] if isinstance(run, str) else run
    checksums: list[str] = []
    counts: list[int] = []
    snapshot = f"__wb_audit_{uuid.uuid4().hex[:12]}"
    try:
        for i in range(runs):
            if callable(statements):
                statements(ws)
            else:
                for sql in statements:
                    ws.con.execute(sql)
            checksums.append(table_checksum(ws, table, exclude=exclude))
            counts.append(ws.row_count(table))
            if i == 0:
                ws.con.execute(f"CREATE TEMP TABLE {quote_ident(snapshot)} AS SELECT * FROM {quote_ident(table)}")
        idempotent = len(set(checksums)) == 1
        diff = None if idempotent else diff_tables(ws, snapshot, table, limit=limit)
        cause = None if idempotent else _float_drift(ws, snapshot, table, exclude)
    finally:
        ws.con.execute(f"DROP TABLE IF EXISTS {quote_ident(snapshot)}")
    return AuditResult(table=table, runs=runs, checksums=checksums, row_counts=counts, idempotent=idempotent,
                       diff=diff, cause=cause)


def _float_drift(ws: Workspace, before: str, after: str, exclude: Sequence[str]) -> str | None:
    """A cause when the two runs agree on every column except floating-point ones, else None."""
    schema = ws.schema(after)
    floats = [c for c, t in schema.items() if type_family(t) == "float" and c not in set(exclude)]
    rest = [c for c in schema if c not in set(floats) | set(exclude)]
    if not floats or not rest:
        return None
    sel = ", ".join(quote_ident(c) for c in rest)
    differs = ws.con.execute(
        f"SELECT EXISTS (SELECT {sel} FROM {quote_ident(before)} EXCEPT ALL SELECT {sel} FROM {quote_ident(after)}) "
        f"OR EXISTS (SELECT {sel} FROM {quote_ident(after)} EXCEPT ALL SELECT {sel} FROM {quote_ident(before)})"
    ).fetchone()[0]
    if differs:
        return None
    return (f"only the floating-point column(s) {', '.join(floats)} differ. DuckDB adds DOUBLE values in "
            "parallel, so a sum can change in its last digit from run to run; store amounts and their sums as "
            "DECIMAL (e.g. CAST(amount AS DECIMAL(18, 2))) to make re-runs exact.")
