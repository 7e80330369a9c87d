"""Fixtures for the transform tests: workspaces holding the sample shop's source tables (no event stream)."""

from __future__ import annotations

import pytest
from transform_helpers import shop_workspace


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
