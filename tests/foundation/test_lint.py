"""The tree stays ruff-clean (the linter configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_check_passes():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "workbench", "tests", "bench", "tools", "dev.py"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
