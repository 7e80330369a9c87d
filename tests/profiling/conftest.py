"""Profiles of the bundled sample data, computed once per module (profiling is read-only)."""

from __future__ import annotations

import pytest

from workbench.profiling import profile_dataset
from workbench.sample_data import SNAPSHOT_AT
from workbench.session import open_workspace
from workbench.workspace import Workspace


@pytest.fixture(scope="module")
def sample_ws(sample_dir):
    ws = open_workspace(None, sample_dir)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def dataset(sample_ws):
    return profile_dataset(sample_ws, reference_time=SNAPSHOT_AT)


@pytest.fixture
def empty_ws():
    ws = Workspace()
    yield ws
    ws.close()
