"""Fixtures for the transform tests: workspaces holding the sample shop's source tables (no event stream)."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench as wb

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SHOP_TABLES = ("customers", "orders", "order_items", "payments", "stores")


def shop_workspace(path: str | None = None) -> wb.Workspace:
    ws = wb.Workspace(path)
    for t in SHOP_TABLES:
        ws.load(SAMPLE / f"{t}.csv")
    return ws


@pytest.fixture
def raw_ws():
    """A fresh in-memory workspace with the five shop tables."""
    ws = shop_workspace()
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def shop_ws():
    """One workspace per test module, shared by tests that only read the built sample shop."""
    ws = shop_workspace()
    yield ws
    ws.close()
