#!/usr/bin/env python3
"""Set up the workbench and run its jobs with nothing but Python 3.11+ and pip.

    python3 dev.py report     # create .venv, install, run the design report over the sample data
    python3 dev.py test       # create .venv, install, run the whole test suite (unit, notebooks, interop, browser)
    python3 dev.py lab        # open the notebooks in JupyterLab
    python3 dev.py nb-refresh workbench/notebooks/01_profile.ipynb   # re-execute, keep only pinned outputs

Standard library only: it bootstraps ``.venv`` (with uv from PyPI for speed) and re-runs inside it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".installed"


def run(cmd: list[str], **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def setup() -> None:
    """Create .venv and install the workbench with its dev extras (skipped when pyproject is unchanged)."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    run([PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "uv"], env=env)
    run([PY, "-m", "uv", "pip", "install", "-q", "--python", PY, "-e", ".[dev,bench]"], env=env)
    STAMP.write_text(wanted)


def in_venv(args: list[str]) -> int:
    env = {**os.environ, "VIRTUAL_ENV": str(VENV), "PATH": f"{PY.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(a) for a in args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    setup()
    if command == "setup":
        return 0
    if command == "report":
        return in_venv([PY.parent / "workbench", "report", *rest])
    if command == "test":
        return in_venv([PY, "-m", "pytest", "-n", "2", "--dist", "loadscope", "--nbval-lax", *rest])
    if command == "lab":
        return in_venv([PY.parent / "jupyter", "lab", "--notebook-dir", ROOT / "workbench" / "notebooks", *rest])
    if command == "nb-refresh":
        return in_venv([PY, ROOT / "tools" / "nb_refresh.py", *rest])
    if command == "app":
        return in_venv([PY.parent / "workbench", "app", *rest])
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
