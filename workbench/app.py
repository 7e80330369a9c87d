"""``workbench app``: the dashboard (architecture simulator + profile explorer) served by Voilà.

Voilà runs ``workbench/app/workbench_dashboard.ipynb`` and shows only its outputs: no code cells.
The launcher is thin: it builds the ``voila`` command, hands the data folder and workspace to the
dashboard's kernel through environment variables, prints the URL (with a random token) and, unless
``--no-browser``, opens it once the server answers.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import webbrowser
from pathlib import Path

from workbench.errors import DataSourceError
from workbench.resources import dashboard_notebook

#: the notebook Voilà serves (package data beside this module)
DASHBOARD = dashboard_notebook()
#: environment variables the launcher sets and ``workbench.ui.dashboard`` reads
DATA_ENV = "WORKBENCH_APP_DATA_DIR"
WORKSPACE_ENV = "WORKBENCH_APP_WORKSPACE"
DEFAULT_PORT = 8866
LAB_ONLY_EXTENSIONS = ("jupyterlab-jupytext", "@voila-dashboards/jupyterlab-preview")
#: a cheap page that answers once Voilà is up (the dashboard page itself would start a kernel)
READY_PATH = "voila/static/voila.js"


def voila_command(port: int = DEFAULT_PORT, token: str = "", ip: str = "127.0.0.1") -> list[str]:
    """The ``voila`` command line serving the dashboard on ``ip:port`` (token required when non-empty)."""
    cmd = [
        sys.executable, "-m", "voila", str(DASHBOARD),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--theme=light",
        "--strip_sources=True",
        "--show_tracebacks=True",  # a local, single-user page: say what went wrong
        # JupyterLab-only extensions (built for a newer JupyterLab than Voila's) only break the page
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in LAB_ONLY_EXTENSIONS),
    ]  # fmt: skip
    if token:
        cmd.append(f"--Voila.token={token}")
    return cmd


def dashboard_url(port: int, token: str = "", ip: str = "127.0.0.1") -> str:
    return f"http://{ip}:{port}/" + (f"?token={token}" if token else "")


def _open_when_ready(url: str, probe: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(probe, timeout=5):
                webbrowser.open(url)
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)


def run_app(
    port: int = DEFAULT_PORT,
    *,
    open_browser: bool = True,
    data_dir: str | os.PathLike | None = None,
    workspace: str | os.PathLike | None = None,
    token: str | None = None,
) -> int:
    """Serve the dashboard until interrupted; return Voilà's exit code.

    ``data_dir`` is the folder of data files (default: the bundled sample); ``workspace`` a
    ``.duckdb`` file to open (default: in memory). ``token=None`` generates a random one; ``""``
    serves without a token (only sensible on a single-user machine).
    """
    env = dict(os.environ)
    if data_dir:
        folder = Path(data_dir).resolve()
        if not folder.is_dir():
            raise DataSourceError(
                f"Data folder {str(data_dir)!r} does not exist.",
                hint="Pass --data-dir a folder of CSV/Parquet/JSON files, or omit it to use the sample data.",
            )
        env[DATA_ENV] = str(folder)
    if workspace:
        env[WORKSPACE_ENV] = str(Path(workspace).resolve())
    token = secrets.token_urlsafe(16) if token is None else token
    url = dashboard_url(port, token)
    proc = subprocess.Popen(voila_command(port, token), env=env)
    print(f"Pipeline Workbench dashboard: {url}\n(Ctrl+C to stop)", flush=True)
    if open_browser:
        probe = f"http://127.0.0.1:{port}/{READY_PATH}"
        threading.Thread(target=_open_when_ready, args=(url, probe, proc), daemon=True).start()
    if hasattr(signal, "SIGTERM"):  # stopping the launcher stops Voila (and so its kernels)
        signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()
