"""Shared fixtures: the bundled sample data and a workspace loaded from it (real DuckDB, real files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.session import open_workspace

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "sample_data"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def manifest() -> dict:
    """The planted-defect counts of the committed sample data."""
    return json.loads((SAMPLE_DIR / "manifest.json").read_text())


@pytest.fixture
def ws():
    """A fresh in-memory workspace with every sample table loaded."""
    workspace = open_workspace(None, SAMPLE_DIR)
    yield workspace
    workspace.close()
