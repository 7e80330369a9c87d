"""Helpers shared by the transform tests (a module with a unique name, importable from any test)."""

from __future__ import annotations

from pathlib import Path

import workbench as wb

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SHOP_TABLES = ("customers", "orders", "order_items", "payments", "stores")


def shop_workspace(path: str | None = None) -> wb.Workspace:
    """A workspace (in memory, or the .duckdb file ``path``) holding the five shop tables in schema main."""
    ws = wb.Workspace(path)
    for t in SHOP_TABLES:
        ws.load(SAMPLE / f"{t}.csv")
    return ws
