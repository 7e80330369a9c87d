"""environment.yml (conda-forge) describes the same packages and floors as pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
#: PyPI name -> conda-forge name where they differ
CONDA_NAMES = {"duckdb": "python-duckdb", "jupyterlab-widgets": "jupyterlab_widgets"}
SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse(spec: str) -> tuple[str, str]:
    name, version = SPEC.match(spec).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in ("dev", "bench"):
        specs += project["optional-dependencies"][extra]
    wanted = {}
    for spec in specs:
        name, version = _parse(spec)
        wanted[CONDA_NAMES.get(name, name).replace("_", "-")] = version

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    have = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, version = _parse(dep)
            if name not in ("python", "pip"):
                have[name] = version
    assert have == wanted
    assert {"pip": ["-e ."]} in env["dependencies"]
