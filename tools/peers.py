"""Peer tools (dbt, Great Expectations, Airflow, Dagster...) in their own cached virtual environments.

The workbench never imports a peer: interop tests create ``.venvs/<name>`` once with uv, install
the peer's pinned requirements there, and talk to it through files and subprocesses, as a user would.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / ".venvs"


def _uv() -> list[str]:
    exe = shutil.which("uv")
    return [exe] if exe else [sys.executable, "-m", "uv"]


def peer_python(name: str, requirements: list[str], python: str = "3.11") -> Path:
    """Return the python of ``.venvs/<name>``, creating it (with ``requirements``) when missing or stale."""
    venv = VENVS / name
    stamp = venv / ".requirements"
    wanted = hashlib.sha256("\n".join(sorted(requirements)).encode()).hexdigest()
    py = venv / "bin" / "python"
    VENVS.mkdir(exist_ok=True)
    # one lock per venv: parallel test workers wait for the first to finish installing
    with open(VENVS / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if py.exists() and stamp.exists() and stamp.read_text() == wanted:
            return py
        if venv.exists():
            shutil.rmtree(venv)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        subprocess.run([*_uv(), "venv", "-q", "-p", python, str(venv)], check=True, env=env)
        subprocess.run([*_uv(), "pip", "install", "-q", "-p", str(py), *requirements], check=True, env=env)
        stamp.write_text(wanted)
    return py


def run_peer(py: Path, args: list[str], cwd: Path | None = None, timeout: int = 900,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a command from the peer's venv (``py -m ...`` or a script in its bin/), capturing output."""
    base = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    base["PATH"] = f"{py.parent}{os.pathsep}{base.get('PATH', '')}"
    return subprocess.run(args, cwd=cwd, env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)
