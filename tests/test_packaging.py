"""The wheel is enough: built, installed (not editable) in a fresh venv, ``workbench report`` runs from an empty folder.

The step notebooks, the example dbt project and the dashboard ship as package data
(``workbench.resources``); the sample data is generated into the user cache when no clone is around.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: what the build needs from the repository (copied, so the build never writes into the clone)
SOURCES = ("pyproject.toml", "README.md", "workbench")


def _uv() -> list[str]:
    exe = shutil.which("uv")
    return [exe] if exe else [sys.executable, "-m", "uv"]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    return {**env, **extra}


def _run(args: list, cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.mark.slow
def test_wheel_installs_and_runs_the_report_from_an_empty_folder(tmp_path):
    started = time.monotonic()
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.duckdb*", "target")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy(path, src / name)
    env = _clean_env()
    dist = tmp_path / "dist"
    _run([*_uv(), "build", "--wheel", "-q", "--out-dir", dist, src], cwd=tmp_path, env=env)
    (wheel,) = dist.glob("pipeline_workbench-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = sorted(ROOT.joinpath("workbench", "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks and all(f"workbench/notebooks/{nb.name}" in names for nb in notebooks)
    assert "workbench/app/workbench_dashboard.ipynb" in names
    assert "workbench/__main__.py" in names and "workbench/resources.py" in names
    shop = ROOT / "workbench" / "examples" / "shop_dbt"
    shop_files = [p.relative_to(ROOT).as_posix() for p in shop.rglob("*") if p.is_file()
                  and p.suffix in {".sql", ".yml", ".csv", ".md"}]
    assert "workbench/examples/shop_dbt/dbt_project.yml" in shop_files
    assert set(shop_files) <= names, sorted(set(shop_files) - names)

    venv = tmp_path / "venv"
    _run([*_uv(), "venv", "-q", "-p", f"{sys.version_info.major}.{sys.version_info.minor}", venv],
         cwd=tmp_path, env=env)
    py = venv / "bin" / "python"
    _run([*_uv(), "pip", "install", "-q", "-p", py, wheel], cwd=tmp_path, env=env)
    installed = time.monotonic()

    empty = tmp_path / "empty"
    empty.mkdir()
    home = tmp_path / "home"  # no user kernelspecs, no cached sample data: only what the wheel brings
    run_env = _clean_env(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local"),
                         JUPYTER_DATA_DIR=str(home / ".jupyter-data"), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
                         PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    where = _run([py, "-c", "import workbench, workbench.resources as r; print(workbench.__file__); "
                  "print(r.example_dbt_project()); print(r.dashboard_notebook())"], cwd=empty, env=run_env)
    assert str(ROOT) not in where.stdout and str(venv) in where.stdout.splitlines()[0], where.stdout

    help_module = _run([py, "-m", "workbench", "--help"], cwd=empty, env=run_env).stdout
    help_script = _run([venv / "bin" / "workbench", "--help"], cwd=empty, env=run_env).stdout
    assert help_module == help_script and "report" in help_module

    out = tmp_path / "out"
    _run([venv / "bin" / "workbench", "report", "--out", out], cwd=empty, env=run_env, timeout=1800)
    assert (out / "design_report.html").stat().st_size > 0
    assert (out / "design.yaml").stat().st_size > 0
    assert not list(empty.iterdir()), "the report wrote into the working directory"
    package = Path(where.stdout.splitlines()[0]).parent
    strays = [p for p in package.rglob("*") if p.suffix in {".duckdb", ".wal", ".html"} or p.name == "target"]
    assert not strays, f"the report wrote into the installed package: {strays}"
    print(f"packaging: build+install {installed - started:.0f} s, report {time.monotonic() - installed:.0f} s")
