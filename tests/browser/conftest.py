"""Browser fixtures: JupyterLab and the Voilà dashboard on loopback, driven by Debian's headless Chromium.

Each server runs on 127.0.0.1 with a free port and a random token, over a temporary copy of
``workbench/notebooks/`` and ``sample_data/`` (tests never write into the repository), with its own Jupyter
config/settings/runtime folders. Readiness is polled over HTTP; servers are torn down (whole
process group) in the fixture finalizers. Fixtures are module-scoped, so ``pytest -n 2 --dist
loadscope`` gives each worker its own servers. Without Chromium the tests skip, or fail under CI.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_helpers import NOTEBOOKS, ROOT, SAMPLE_DATA, SCREENSHOTS
from harness import free_port, missing_tool

from workbench.app import READY_PATH

STARTUP_TIMEOUT = 120.0
#: CI containers often run as root, which Jupyter refuses without this flag
ROOT_FLAG = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []

#: repository folders besides workbench/notebooks/ and sample_data/ that the served copy needs (the example
#: dbt project comes from the installed package, workbench.resources.example_dbt_project())
SIBLINGS: tuple[str, ...] = ()

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: JupyterLab user settings for a quiet, deterministic test session: no news/update toasts, every
#: cell attached to the DOM (no virtual scrolling), no autosave racing the test.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def chromium_or_skip() -> str:
    """Path of Debian's Chromium; skip when absent, fail under CI (``.ci/run`` installs it)."""
    path = shutil.which("chromium")
    if path:
        return path
    message = "Chromium is not installed (apt-get install chromium); the browser tests need it"
    missing_tool(message, "them")


@dataclass
class Server:
    """A running server: its base URL, token, the folder it serves and its log file."""

    url: str
    token: str
    root: Path
    log: Path
    proc: subprocess.Popen

    def page_url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path}{sep}token={self.token}"

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def _wait_ready(proc: subprocess.Popen, probe: str, log: Path) -> None:
    """Poll ``probe`` until it answers 200; raise with the server log if the process dies or time runs out."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(probe, timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server not ready after {STARTUP_TIMEOUT:.0f}s:\n{log.read_text(errors='replace')[-4000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server's process group (kernels follow: they watch their parent), killing it if it hangs."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def start_server(cmd: list[str], *, cwd: Path, env: dict[str, str], probe: str, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(proc, probe, log)
    except BaseException:
        _stop(proc)
        raise
    return proc


def jupyter_env(home: Path) -> dict[str, str]:
    """Environment isolating a server from the user's Jupyter config, settings and runtime files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "WORKBENCH_"))}
    for name in ("config", "data", "runtime", "settings", "workspaces"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        PYTHONUNBUFFERED="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    for rel, values in LAB_SETTINGS.items():
        target = home / "settings" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    return env


@pytest.fixture(scope="module")
def served_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway copy of the notebooks and sample data (``../../sample_data`` resolves inside it)."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(NOTEBOOKS, root / "workbench" / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.duckdb*"))
    shutil.copytree(SAMPLE_DATA, root / "sample_data")
    for extra in SIBLINGS:  # folders the notebooks reach with ../ (e.g. the example dbt project)
        if (ROOT / extra).is_dir():
            shutil.copytree(ROOT / extra, root / extra, ignore=shutil.ignore_patterns("target", "*.duckdb*"))
    return root


@pytest.fixture(scope="module")
def lab(served_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """JupyterLab serving the copy, on 127.0.0.1 with a random token."""
    chromium_or_skip()
    home = tmp_path_factory.mktemp("jupyter-home")
    token, port = secrets.token_hex(16), free_port()
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={served_copy}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.extension_manager=readonly",
        *ROOT_FLAG,
    ]  # fmt: skip
    log = home / "lab.log"
    proc = start_server(cmd, cwd=served_copy, env=jupyter_env(home), probe=f"http://127.0.0.1:{port}/api/status?token={token}", log=log)
    server = Server(f"http://127.0.0.1:{port}", token, served_copy, log, proc)
    yield server
    _stop(proc)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The dashboard exactly as a user starts it: ``workbench app --no-browser --port N``, over a copy of the data."""
    chromium_or_skip()
    home = tmp_path_factory.mktemp("dashboard-home")
    data = home / "sample_data"
    shutil.copytree(SAMPLE_DATA, data)
    token, port = secrets.token_hex(16), free_port()
    cmd = [
        sys.executable, "-m", "workbench.cli", "app",
        "--no-browser", "--port", str(port), "--token", token, "--data-dir", str(data),
    ]  # fmt: skip
    log = home / "voila.log"
    probe = f"http://127.0.0.1:{port}/{READY_PATH}"
    proc = start_server(cmd, cwd=home, env=jupyter_env(home), probe=probe, log=log)
    server = Server(f"http://127.0.0.1:{port}", token, home, log, proc)
    yield server
    _stop(proc)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per module (Debian's package; never a Playwright download)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh page (own context) at a size where a step's widgets fit on screen; uncaught JS errors recorded.

    When the test fails, the page is saved as ``test-artifacts/screenshots/FAILED-<test>.png``.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    context.set_default_timeout(60_000)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    yield pg
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in request.node.name)
        pg.screenshot(path=str(SCREENSHOTS / f"FAILED-{name}.png"), full_page=True)
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
