"""The exported pipeline extracts from a real PostgreSQL by timestamp windows (``PIPELINE_SOURCE_URL``).

The airline fixture's tables are loaded into a throwaway cluster (typed columns: timestamps are ``timestamp``),
in schema ``ops`` (the design's ``schema_name``), plus two clones of a flight updated exactly on the window's
bounds. Real Airflow (``airflow dags test``) runs the exported DAG with an empty landing folder, its tasks'
``python`` from a venv with psycopg. Checked: every task green; the extract holds exactly the rows PostgreSQL
counts in the window; a re-run changes no warehouse checksum; an UPDATE bumping a loaded row into the next
window is merged by that window's run (new value, one row per key). Without psycopg the step says what to
install; a wrong schema names the setting to fix.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from harness import warehouse_checksums, webhook
from peers import peer_python, run_peer

import workbench as wb
from workbench.design.plan import build_plan
from workbench.workspace import quote_ident

pytestmark = [pytest.mark.interop, pytest.mark.slow]

AIRLINE = Path(__file__).parents[1] / "fixtures" / "own_data" / "airline"
CLIENT = Path(__file__).with_name("pg_client.py")
DAG_ID = "airline_pipeline"
SCHEMA = "ops"
#: the run's logical date: the hourly interval [09:00, 10:00)
RUN = datetime(2026, 9, 1, 10)
WINDOW = (RUN - timedelta(hours=1), RUN)
PG_TYPES = {"VARCHAR": "text", "TIMESTAMP": "timestamp", "BIGINT": "bigint", "DOUBLE": "double precision",
            "BOOLEAN": "boolean", "DATE": "date"}


@pytest.fixture(scope="module")
def tools() -> dict[str, Path]:
    return {"airflow": peer_python("airflow", ["apache-airflow>=3.0,<4"]),
            "dbt": peer_python("dbt-pg", ["dbt-core>=1.9,<1.12", "dbt-duckdb", "psycopg[binary]>=3.1", "pyarrow>=14"])}


@pytest.fixture(scope="module")
def design() -> wb.PipelineDesign:
    ws = wb.open_workspace(None, AIRLINE)
    try:
        d = wb.PipelineDesign()
        wb.complete_design(d, ws, data_dir=AIRLINE)
    finally:
        ws.close()
    for s in d.sources:
        s.system, s.schema_name = "postgresql", SCHEMA
    assert d.orchestration.pipeline_id == DAG_ID and d.cdc.method == "timestamp"
    return d


@pytest.fixture(scope="module")
def exported(design, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "artifacts"
    design.export(out)
    return out


def _pg(tools: dict[str, Path], url: str, *statements: dict) -> list:
    """Run ``statements`` (SQL with bound parameters) in PostgreSQL through psycopg in the peer venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run([str(tools["dbt"]), str(CLIENT), url], input=json.dumps(statements), env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture
def source_url(postgres, design, tools, request) -> str:
    """A fresh database holding the airline tables in schema ``ops``, plus flights on the window's bounds."""
    url = postgres.createdb(request.node.name.lower()[:60])
    statements: list[dict] = [{"sql": f"CREATE SCHEMA {quote_ident(SCHEMA)}"}]
    for s in design.sources:
        table = f"{quote_ident(SCHEMA)}.{quote_ident(s.name)}"
        cols = ", ".join(f"{quote_ident(c.name)} {PG_TYPES[c.type]}" for c in s.columns)
        keys = ", ".join(quote_ident(k) for k in s.primary_key)
        statements += [{"sql": f"CREATE TABLE {table} ({cols}, PRIMARY KEY ({keys}))"},
                       {"sql": f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)",
                        "copy_from": str(AIRLINE / f"{s.name}.csv")}]
    # clones of a flight updated exactly at the window's start (inside) and end (outside: the next window)
    clone = ('INSERT INTO "ops"."flights" SELECT %s, "Carrier", "Origin", "Dest", "Scheduled Departure", '
             '"DepartedAt", "ArrivedAt", %s::timestamp, "Seats", "Status" FROM "ops"."flights" WHERE "Flight No" = %s')
    statements += [{"sql": clone, "params": ["NH900", WINDOW[0].isoformat(), "NH100"]},
                   {"sql": clone, "params": ["NH901", WINDOW[1].isoformat(), "NH100"]}]
    _pg(tools, url, *statements)
    return url


def _home(exported: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(exported, home)
    (tmp_path / "landing").mkdir()  # empty: every row must come from PostgreSQL
    return home


def _env(tools: dict[str, Path], home: Path, source_url: str) -> dict[str, str]:
    return {"AIRFLOW_HOME": str(home.parent / "airflow"), "AIRFLOW__CORE__DAGS_FOLDER": str(home / "airflow" / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PIPELINE_HOME": str(home),
            "PIPELINE_DATA_DIR": str(home.parent / "landing"), "PIPELINE_SOURCE_URL": source_url,
            "PII_SALT": "test-salt", "PIPELINE_RETRIES": "0", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # tasks run `python` and `dbt` from the venv with psycopg: duckdb, dbt, psycopg, no workbench
            "PATH": f"{tools['dbt'].parent}{os.pathsep}{tools['airflow'].parent}{os.pathsep}{os.environ['PATH']}"}


def _dags_test(tools: dict[str, Path], env: dict[str, str], when: datetime, green: bool = True) -> dict[str, str]:
    """Run the DAG for ``when``; returns each task's state (all ``success`` unless ``green`` is False)."""
    airflow, airflow_home = str(tools["airflow"].parent / "airflow"), Path(env["AIRFLOW_HOME"])
    if not (airflow_home / "airflow.db").exists():
        airflow_home.mkdir(parents=True, exist_ok=True)
        done = run_peer(tools["airflow"], [airflow, "db", "migrate"], env=env, timeout=600)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    done = run_peer(tools["airflow"], [airflow, "dags", "test", DAG_ID, when.isoformat() + "+00:00"], env=env,
                    timeout=900)
    con = sqlite3.connect(airflow_home / "airflow.db")
    try:
        run_id = con.execute("SELECT run_id FROM dag_run WHERE dag_id = ? AND logical_date LIKE ? ORDER BY id DESC",
                             [DAG_ID, when.strftime("%Y-%m-%d %H:%M:%S") + "%"]).fetchone()[0]
        states = dict(con.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
                                  [DAG_ID, run_id]).fetchall())
    finally:
        con.close()
    assert not green or (done.returncode == 0 and set(states.values()) == {"success"}), (states, done.stdout[-4000:])
    return states


def _query(path: Path | None, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of ``sql`` over the warehouse at ``path`` (read only), or in memory (over Parquet) without one."""
    con = duckdb.connect(str(path), read_only=True) if path else duckdb.connect()
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_airflow_extracts_the_window_from_postgres_and_a_rerun_changes_nothing(tools, exported, source_url,
                                                                             tmp_path):
    home = _home(exported, tmp_path)
    env = _env(tools, home, source_url)
    states = _dags_test(tools, env, RUN)
    assert set(states) == {s.id for s in build_plan(wb.PipelineDesign.load(home / "design.yaml"))}
    config = json.loads((home / "pipeline" / "config.json").read_text())
    assert {s["schema"] for s in config["sources"]} == {SCHEMA}
    assert source_url not in "".join(p.read_text(errors="replace") for p in home.rglob("*") if p.is_file()
                                     and p.suffix not in (".duckdb", ".parquet"))

    in_window = _pg(tools, source_url, {
        "sql": 'SELECT "Flight No" FROM "ops"."flights" WHERE "UpdatedAt" >= %s::timestamp '
               'AND "UpdatedAt" < %s::timestamp ORDER BY 1', "params": [w.isoformat() for w in WINDOW]})[0]
    extract = (home / "extracts" / "flights.parquet").as_posix()
    extracted = _query(None, 'SELECT "Flight No" FROM read_parquet(?) ORDER BY 1', [extract])
    assert [r[0] for r in extracted] == [r[0] for r in in_window] == ["NH100", "NH900"]
    types = dict(_query(None, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))",
                        [extract]))
    assert types["UpdatedAt"] == types["DepartedAt"] == "TIMESTAMP" and types["Seats"] == "BIGINT"
    whole = _pg(tools, source_url, {"sql": 'SELECT count(*) FROM "ops"."airports"'})[0][0][0]
    airports = (home / "extracts" / "airports.parquet").as_posix()
    assert _query(None, "SELECT count(*) FROM read_parquet(?)", [airports])[0][0] == whole

    first = warehouse_checksums(home)
    assert {"flights", "airports", "carriers", "stg_flights", "fct_flights"} <= set(first)
    _dags_test(tools, env, RUN)
    assert warehouse_checksums(home) == first


def test_an_update_in_postgres_is_merged_by_the_next_window(tools, exported, source_url, tmp_path):
    home = _home(exported, tmp_path)
    env = _env(tools, home, source_url)
    _dags_test(tools, env, RUN)
    fct = 'SELECT "status", count(*) OVER () FROM "main"."fct_flights" WHERE "flight_no" = ?'
    assert _query(home / "warehouse.duckdb", fct, ["NH100"]) == [("landed", 1)]
    bumped = RUN + timedelta(minutes=30)  # inside the next window [10:00, 11:00)
    _pg(tools, source_url, {"sql": 'UPDATE "ops"."flights" SET "Status" = %s, "UpdatedAt" = %s::timestamp '
                                   'WHERE "Flight No" = %s', "params": ["diverted", bumped.isoformat(), "NH100"]})
    _dags_test(tools, env, RUN + timedelta(hours=1))
    raw = 'SELECT "Status", "UpdatedAt", count(*) OVER () FROM "main"."flights" WHERE "Flight No" = ?'
    assert _query(home / "warehouse.duckdb", raw, ["NH100"]) == [("diverted", bumped, 1)]
    assert _query(home / "warehouse.duckdb", fct, ["NH100"]) == [("diverted", 1)]
    keys = 'SELECT count(*), count(DISTINCT "Flight No") FROM "main"."flights"'
    total, distinct = _query(home / "warehouse.duckdb", keys)[0]
    assert total == distinct == 3  # NH100 (window 1, merged in window 2), NH900 (window 1), NH901 (window 2)


def test_the_extract_says_what_to_install_or_fix(tools, exported, source_url, tmp_path):
    home = _home(exported, tmp_path)
    env = {"PIPELINE_HOME": str(home), "PIPELINE_SOURCE_URL": source_url}
    bare = peer_python("dbt", ["dbt-core>=1.9,<1.12", "dbt-duckdb"])  # duckdb, no psycopg
    done = run_peer(bare, [str(bare), "-m", "pipeline.extract", "--table", "flights"], cwd=home, env=env)
    assert done.returncode == 2 and "pip install 'psycopg[binary]>=3.1' pyarrow" in done.stderr, done.stderr
    config = home / "pipeline" / "config.json"
    wrong = json.loads(config.read_text())
    for s in wrong["sources"]:
        s["schema"] = "nowhere"
    config.write_text(json.dumps(wrong))
    done = run_peer(tools["dbt"], [str(tools["dbt"]), "-m", "pipeline.extract", "--table", "flights"], cwd=home,
                    env=env)
    assert done.returncode == 2 and "no table nowhere.flights in the source database" in done.stderr, done.stderr
    assert "schema_name" in done.stderr and "Traceback" not in done.stderr


def test_three_hourly_runs_from_postgres_equal_one_run_over_the_three_hours(tools, exported, source_url, tmp_path):
    hourly = _home(exported, tmp_path / "hourly")
    env = _env(tools, hourly, source_url)
    for h in range(3):
        _dags_test(tools, env, RUN + timedelta(hours=h))
    once = _home(exported, tmp_path / "once")
    run_env = {**_env(tools, once, source_url), "WINDOW_START": WINDOW[0].isoformat(),
               "WINDOW_END": (RUN + timedelta(hours=2)).isoformat()}
    for step in build_plan(wb.PipelineDesign.load(once / "design.yaml")):
        done = run_peer(tools["dbt"], ["bash", "-c", step.command], env=run_env, cwd=once, timeout=600)
        assert done.returncode == 0, (step.id, done.stdout[-2000:], done.stderr[-2000:])
    assert warehouse_checksums(hourly) == warehouse_checksums(once)
    counted = _pg(tools, source_url, {"sql": 'SELECT count(*) FROM "ops"."flights" WHERE "UpdatedAt" >= %s::timestamp '
                                             'AND "UpdatedAt" < %s::timestamp',
                                      "params": [WINDOW[0].isoformat(), run_env["WINDOW_END"]]})[0][0][0]
    assert _query(once / "warehouse.duckdb", 'SELECT count(*) FROM "main"."flights"')[0][0] == counted > 3


def test_a_null_key_written_in_postgres_fails_the_source_gate_and_alerts(tools, exported, source_url, tmp_path):
    _pg(tools, source_url, {"sql": 'ALTER TABLE "ops"."flights" DROP CONSTRAINT "flights_pkey"'},
        {"sql": 'ALTER TABLE "ops"."flights" ALTER COLUMN "Flight No" DROP NOT NULL'},
        {"sql": 'UPDATE "ops"."flights" SET "Flight No" = NULL WHERE "Flight No" = %s', "params": ["NH900"]})
    home = _home(exported, tmp_path)
    with webhook() as (url, received):
        env = {**_env(tools, home, source_url), "PIPELINE_ALERT_WEBHOOK": url}
        states = _dags_test(tools, env, RUN, green=False)
    assert states["quality_gate_source"] == "failed", states
    downstream = {t: s for t, s in states.items() if not t.startswith(("extract_", "load_", "quality_gate_source"))}
    assert downstream and set(downstream.values()) == {"upstream_failed"}, downstream
    assert [a["task"] for a in received] == ["quality_gate_source"]
    failed = _query(home / "warehouse.duckdb", "SELECT check_name, observed FROM _pipeline_checks WHERE NOT success")
    assert failed == [("expect_column_values_to_not_be_null(Flight No)", "1 of 2 rows unexpected")]
