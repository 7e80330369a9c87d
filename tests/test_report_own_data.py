"""``workbench report`` on data this project did not generate, as a new user runs it: the command, their folder.

Datasets: tables shipped in PyPI packages (vega_datasets, palmerpenguins) and a hand-written airline export
(natural three-letter codes with an orphan, text timestamps, no change stream). Every notebook runs, the HTML
report and the artifacts are written, the exported dbt project builds in real dbt with the rows the workbench
built, every choice made for the user is in the design document with its reason, and nothing names the sample.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from peers import peer_python, run_peer

import workbench as wb
from workbench.report import step_notebooks
from workbench.resources import notebooks_dir
from workbench.transform.scaffold import snake_case

pytestmark = [pytest.mark.slow, pytest.mark.interop]

FIXTURES = Path(__file__).parent / "fixtures" / "own_data"
SAMPLE_WORDS = re.compile(r"(?<![a-z])(orders|shop)(?![a-z])", re.I)  # also in fct_orders, shop_dbt
TEXT = {".ipynb", ".html", ".md", ".yaml", ".yml", ".py", ".sql", ".json", ".sh", ".txt", ".csv"}


def _package_data(module: str, *parts: str) -> Path:
    mod = pytest.importorskip(module)
    return Path(mod.__file__).parent.joinpath(*parts)


def _vega(folder: Path) -> Path:
    src = _package_data("vega_datasets", "_data")
    for name in ("airports.csv", "stocks.csv", "seattle-weather.csv"):
        shutil.copy(src / name, folder / name)
    return folder


def _penguins(folder: Path) -> Path:
    src = _package_data("palmerpenguins", "data")
    for name in ("penguins.csv", "penguins-raw.csv"):
        shutil.copy(src / name, folder / name)
    return folder


def _airline(folder: Path) -> Path:
    shutil.copytree(FIXTURES / "airline", folder, dirs_exist_ok=True)
    return folder


DATASETS = {"vega": _vega, "penguins": _penguins, "airline": _airline}


@pytest.fixture(scope="module")
def dbt_py() -> Path:
    return peer_python("dbt", ["dbt-core>=1.9,<1.12", "dbt-duckdb"])


def _report(data_dir: Path, out: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "workbench", "report", "--data-dir", str(data_dir), "--out", str(out)],
                          capture_output=True, text=True, timeout=1500, env=env, cwd=out.parent)


def _run_pipeline(py: Path, home: Path, data_dir: Path) -> dict:
    """The exported pipeline's own load fills the warehouse (no table by hand), then real ``dbt build``."""
    env = {"PIPELINE_HOME": str(home), "PIPELINE_DATA_DIR": str(data_dir), "PII_SALT": "test-salt",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false",
           "DBT_LOG_PATH": str(home / "logs"), "DBT_TARGET_PATH": str(home / "dbt" / "target")}
    for src in json.loads((home / "pipeline" / "config.json").read_text())["sources"]:
        for step in ("extract", "load"):
            proc = run_peer(py, [str(py), "-m", f"pipeline.{step}", "--table", src["name"]], cwd=home, env=env)
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    proc = run_peer(py, [str(py.parent / "dbt"), "build", "--profiles-dir", "."], cwd=home / "dbt", env=env,
                    timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return json.loads((home / "dbt" / "target" / "run_results.json").read_text())


def _rows(con: duckdb.DuckDBPyConnection, table: str, leave_out: set[str]) -> list[tuple]:
    cols = [r[0] for r in con.execute(f'DESCRIBE main."{table}"').fetchall() if r[0] not in leave_out]
    rows = con.execute(f'SELECT {", ".join(wb.quote_ident(c) for c in cols)} FROM main."{table}"').fetchall()
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_report_over_data_we_did_not_generate(dataset, tmp_path, dbt_py):
    (tmp_path / dataset).mkdir()
    data_dir = DATASETS[dataset](tmp_path / dataset)
    out = tmp_path / "report"
    proc = _report(data_dir, out)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    steps = [p.stem for p in step_notebooks(notebooks_dir())]
    for step in steps:
        assert (out / f"{step}.ipynb").is_file() and (out / f"{step}.html").is_file(), step
    assert (out / "design_report.html").is_file()
    artifacts = out / "artifacts"
    for required in ("design.md", "design.ja.md", "design.yaml", "dbt/dbt_project.yml", "dbt/models/schema.yml"):
        assert (artifacts / required).is_file(), required
    assert list((artifacts / "airflow" / "dags").glob(f"{dataset}_pipeline.py"))

    # nothing the report or the artifacts say names the sample (the folder is the user's, the names theirs)
    named = [f"{p.relative_to(out)}: {m.group(0)!r}" for p in out.rglob("*") if p.suffix in TEXT and p.is_file()
             for m in [SAMPLE_WORDS.search(p.read_text(encoding="utf-8", errors="replace"))] if m]
    assert named == []

    # every choice made for the user is in the design, with its reason, and in the document
    design = wb.PipelineDesign.load(out / "design.yaml")
    steps_chosen = {c.step for c in design.choices}
    assert {"profile", "architecture", "transform", "quality", "cdc"} <= steps_chosen, steps_chosen
    assert all(c.reason for c in design.choices if c.choice.startswith("fact table"))
    document = (artifacts / "design.md").read_text(encoding="utf-8")
    assert "## Chosen from your data" in document
    fact = next(c for c in design.choices if c.step == "profile" and c.choice.startswith("fact table"))
    assert fact.choice in document and design.name == f"{dataset}_pipeline"

    # the exported pipeline loads the files and real dbt builds its project with the rows the workbench built
    home = tmp_path / "pipeline_home"
    shutil.copytree(artifacts, home)
    results = _run_pipeline(dbt_py, home, data_dir)
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    assert statuses and not {s for s in statuses.values()} - {"success", "pass", "warn"}, statuses
    models = [m.name for m in design.transforms.models]
    assert any(m.startswith("fct_") for m in models) and any(m.startswith("stg_") for m in models)
    ours = duckdb.connect(str(out / "workbench.duckdb"), read_only=True)
    theirs = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        # PII the design protects is hashed by the exported staging models, not by the prototype
        protected = {f.column for f in design.pii.fields if f.handling != "keep"}
        protected |= {snake_case(c) for c in protected}
        for m in models:
            assert _rows(ours, m, protected) == _rows(theirs, m, protected), m
    finally:
        ours.close()
        theirs.close()
