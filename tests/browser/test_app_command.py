"""``workbench app`` without a browser: the command it builds and how it refuses bad input."""

from __future__ import annotations

import subprocess
import sys

import nbformat

from workbench.app import DASHBOARD, voila_command


def test_voila_serves_the_packaged_dashboard_on_loopback_with_the_token():
    cmd = voila_command(port=9123, token="s3cret")
    assert cmd[:4] == [sys.executable, "-m", "voila", str(DASHBOARD)]
    assert {"--no-browser", "--port=9123", "--Voila.ip=127.0.0.1", "--strip_sources=True", "--Voila.token=s3cret"} <= set(cmd)
    assert not any(a.startswith("--Voila.token") for a in voila_command(port=9123, token=""))


def test_dashboard_notebook_only_calls_the_ui():
    nb = nbformat.read(DASHBOARD, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code == ["from workbench.ui.dashboard import dashboard\n\ndashboard()"]
    assert all(not c.get("outputs") for c in nb.cells)


def test_app_refuses_a_missing_data_folder_with_a_hint(tmp_path):
    missing = tmp_path / "nope"
    proc = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "app", "--no-browser", "--data-dir", str(missing)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert str(missing) in proc.stderr and "--data-dir" in proc.stderr
