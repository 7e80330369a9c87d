"""A saved workspace between processes: one writer at a time, named clearly; readers share it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from workbench.errors import DataSourceError, WorkspaceLockedError
from workbench.session import open_workspace
from workbench.workspace import Workspace

#: a second process that opens the workspace (read-only or not), says so, and holds it until stdin closes
HOLDER = """
import sys
from workbench.session import open_workspace
ws = open_workspace(sys.argv[1], read_only=sys.argv[2] == "ro")
print("holding", len(ws.tables()), flush=True)
sys.stdin.read()
"""


@pytest.fixture
def saved(tmp_path, sample_dir):
    path = tmp_path / "shared.duckdb"
    open_workspace(path, sample_dir).con.close()
    return path


def _hold(path, mode):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), mode], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("holding 6"), line
    return proc


def _release(proc):
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0


def test_a_second_writer_gets_the_holder_and_the_fix(saved):
    holder = _hold(saved, "rw")
    try:
        with pytest.raises(WorkspaceLockedError, match=rf"shared.duckdb' is open in another process .*PID {holder.pid}"
                                                       r".*Shut Down Kernel.*read_only=True"):
            Workspace(saved)
    finally:
        _release(holder)
    assert "orders" in Workspace(saved).tables()  # free again once the holder is gone


def test_readers_share_a_saved_workspace_like_dashboard_tabs(saved):
    from workbench.ui.dashboard import dashboard

    holder = _hold(saved, "ro")  # the first browser tab's kernel
    try:
        board = dashboard(workspace_path=str(saved))  # the second tab, while the first still reads
        assert [board.get_title(i) for i in range(len(board.children))] == ["Architecture", "Profile", "Data"]
        assert "orders" in board.children[2].value
    finally:
        _release(holder)


def test_read_only_open_of_an_empty_workspace_says_how_to_fill_it(tmp_path):
    empty = tmp_path / "empty.duckdb"
    Workspace(empty).con.close()
    with pytest.raises(DataSourceError, match="holds no tables.*workbench report"):
        open_workspace(empty, read_only=True)
