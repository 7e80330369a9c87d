"""Interop with real dbt-core + dbt-duckdb (in their own venv): same tables, same test outcomes."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import duckdb
import pytest
from peers import peer_python, run_peer
from transform_helpers import shop_workspace

import workbench as wb
from workbench.resources import example_dbt_project
from workbench.transform import TransformProject

pytestmark = [pytest.mark.interop, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SHOP = example_dbt_project()
JAFFLE = Path(__file__).parent / "fixtures" / "jaffle_shop"
DBT_REQUIREMENTS = ["dbt-core>=1.9,<1.12", "dbt-duckdb"]


@pytest.fixture(scope="module")
def dbt_py() -> Path:
    return peer_python("dbt", DBT_REQUIREMENTS)


def dbt_build(py: Path, project: Path) -> dict:
    """Run ``dbt build`` in ``project`` (profiles.yml beside it); return run_results.json."""
    env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false",
           "DBT_LOG_PATH": str(project / "logs"), "DBT_TARGET_PATH": str(project / "target")}
    proc = run_peer(py, [str(py.parent / "dbt"), "build", "--project-dir", str(project), "--profiles-dir",
                         str(project)], cwd=project, env=env, timeout=600)
    assert proc.returncode in (0, 1), proc.stdout[-4000:] + proc.stderr[-2000:]
    return json.loads((project / "target" / "run_results.json").read_text())


def normalise(rows: list[tuple]) -> list[tuple]:
    """Rows with floats rounded (sums may add in another order), sorted with NULLs first."""
    def cell(v):
        return round(v, 6) if isinstance(v, float) and math.isfinite(v) else v

    fixed = [tuple(cell(v) for v in r) for r in rows]
    return sorted(fixed, key=lambda r: tuple((v is not None, str(type(v)), v) for v in r))


def rows(con, relation: str, columns: list[str]) -> list[tuple]:
    cols = ", ".join(f'"{c}"' for c in columns)
    return normalise(con.execute(f"SELECT {cols} FROM {relation}").fetchall())


def compare(ws: wb.Workspace, db_file: Path, names: list[str]) -> None:
    dbt_con = duckdb.connect(str(db_file), read_only=True)
    try:
        for name in names:
            ours = [r[0] for r in ws.con.execute(f'DESCRIBE main."{name}"').fetchall()]
            theirs = [r[0] for r in dbt_con.execute(f'DESCRIBE main."{name}"').fetchall()]
            assert ours == theirs, name
            assert rows(ws.con, f'main."{name}"', ours) == rows(dbt_con, f'main."{name}"', ours), name
    finally:
        dbt_con.close()


def test_exported_sample_shop_builds_in_dbt_with_identical_tables(dbt_py, tmp_path):
    db_file = tmp_path / "shop.duckdb"
    shop_workspace(str(db_file)).close()  # the sample tables, in schema main of a .duckdb file
    proj = TransformProject.from_dbt(SHOP)
    out = tmp_path / "dbt_project"
    proj.export_dbt(out, duckdb_path=str(db_file))

    results = dbt_build(dbt_py, out)
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    assert not [u for u, s in statuses.items() if s in ("error", "fail", "skipped")], statuses

    ws = shop_workspace()
    ours = proj.build(ws)
    assert ours.ok
    models = sorted(proj.models) + sorted(proj.seeds)
    compare(ws, db_file, models)
    dbt_tests = sorted((r["status"], r["failures"]) for r in results["results"] if r["unique_id"].startswith("test."))
    our_tests = sorted((n.status, n.failures) for n in ours.tests())
    assert dbt_tests == our_tests


def test_existing_dbt_project_builds_like_dbt(dbt_py, tmp_path):
    project = tmp_path / "jaffle_shop"
    shutil.copytree(JAFFLE, project)
    db_file = tmp_path / "jaffle.duckdb"
    (project / "profiles.yml").write_text(
        f"jaffle_shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{db_file}'\n"
        "      schema: main\n      threads: 1\n")
    results = dbt_build(dbt_py, project)
    assert all(r["status"] in ("success", "pass") for r in results["results"]), results["results"]

    proj = TransformProject.from_dbt(JAFFLE)
    ws = wb.Workspace()
    r = proj.build(ws)
    assert r.ok
    compare(ws, db_file, ["customers", "orders", "stg_customers", "stg_orders", "stg_payments",
                          "raw_customers", "raw_orders", "raw_payments"])
    assert len(results["results"]) == len(r.nodes)


def test_incremental_merge_and_ephemeral_match_dbt(dbt_py, tmp_path):
    """A Python-built project using ephemeral + incremental merge, exported and run twice by dbt."""
    db_file = tmp_path / "incr.duckdb"
    ws = wb.Workspace(str(db_file))
    ws.con.execute("CREATE TABLE events AS SELECT range AS id, range % 5 AS v, range AS ts FROM range(50)")
    ws.close()
    proj = TransformProject("incr")
    proj.add_source("raw", ["events"])
    proj.add_model("int_events", "select id, v * 10 as v10, ts from {{ source('raw', 'events') }}",
                   materialized="ephemeral")
    proj.add_model("fct_events", "select id, v10, ts from {{ ref('int_events') }}\n"
                   "{% if is_incremental() %}where ts > (select max(ts) - 10 from {{ this }}){% endif %}",
                   materialized="incremental", unique_key="id", incremental_strategy="merge",
                   tests={"id": ["unique", "not_null"]})
    out = tmp_path / "dbt_project"
    proj.export_dbt(out, duckdb_path=str(db_file))
    dbt_build(dbt_py, out)
    results = dbt_build(dbt_py, out)  # second run takes the incremental path
    assert all(r["status"] in ("success", "pass") for r in results["results"]), results["results"]

    ours = wb.Workspace()
    ours.con.execute("CREATE TABLE events AS SELECT range AS id, range % 5 AS v, range AS ts FROM range(50)")
    assert proj.build(ours).ok and proj.build(ours).ok
    compare(ours, db_file, ["fct_events"])
