"""Validation history kept in the workspace (schema ``wb_quality``), for volume-anomaly checks.

Every full (unsampled) validation appends the table's row count; ``expect_table_row_count_to_not_be_anomalous``
compares the current count with the last ``window`` of them. The schema is not ``main``, so the
history never shows up among the user's tables.
"""

from __future__ import annotations

import statistics
from typing import Any

import duckdb

from workbench.workspace import Workspace

SCHEMA = "wb_quality"
TABLE = f"{SCHEMA}.history"


def ensure(ws: Workspace) -> None:
    ws.con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    ws.con.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (run_at TIMESTAMP, table_name VARCHAR, suite VARCHAR, "
        "row_count BIGINT, success BOOLEAN)"
    )


def previous_counts(ws: Workspace, table: str, window: int) -> list[int]:
    """Row counts of the last ``window`` recorded validations of ``table``, oldest first."""
    try:
        rows = ws.con.execute(
            f"SELECT row_count FROM {TABLE} WHERE table_name = $1 ORDER BY run_at DESC LIMIT $2", [table, window]
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return [int(r[0]) for r in reversed(rows)]


def record(ws: Workspace, table: str, suite: str, row_count: int, success: bool) -> bool:
    """Append one run; False when the workspace cannot be written (read-only)."""
    try:
        ensure(ws)
        ws.con.execute(f"INSERT INTO {TABLE} VALUES (now()::TIMESTAMP, $1, $2, $3, $4)",
                       [table, suite, row_count, success])
    except duckdb.Error:
        return False
    return True


def clear(ws: Workspace, table: str | None = None) -> None:
    """Forget the recorded runs (of one table, or all)."""
    try:
        if table is None:
            ws.con.execute(f"DELETE FROM {TABLE}")
        else:
            ws.con.execute(f"DELETE FROM {TABLE} WHERE table_name = $1", [table])
    except duckdb.CatalogException:
        return


def judge(count: int, history: list[int], kwargs: Any) -> tuple[bool, dict[str, Any]]:
    """Is ``count`` in line with ``history``? Returns (success, observed details)."""
    observed: dict[str, Any] = {"row_count": count, "history": history}
    if len(history) < kwargs.min_history:
        observed["note"] = f"only {len(history)} earlier runs (need {kwargs.min_history}): not judged yet"
        return True, observed
    mean = statistics.fmean(history)
    stdev = statistics.stdev(history) if len(history) > 1 else 0.0
    observed.update(mean=mean, stdev=stdev)
    ok = True
    if kwargs.max_z_score is not None:
        z = abs(count - mean) / stdev if stdev > 0 else (0.0 if count == mean else float("inf"))
        observed["z_score"] = z
        ok &= z <= kwargs.max_z_score
    if kwargs.max_relative_change is not None:
        change = abs(count - mean) / mean if mean else (0.0 if count == 0 else float("inf"))
        observed["relative_change"] = change
        ok &= change <= kwargs.max_relative_change
    return bool(ok), observed
