"""The exported ``pipeline/`` steps run as a user runs them (``python -m pipeline.<step>``) over landing files.

No orchestrator here (``test_pipeline_airflow.py`` runs them in real Airflow): the gate modes, the idempotent
merge of a window, clear errors. The steps run with this interpreter, which has DuckDB; they import no workbench.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import workbench as wb

AIRLINE = Path(__file__).parents[1] / "fixtures" / "own_data" / "airline"
WINDOW = {"WINDOW_START": "2026-09-01T09:00:00", "WINDOW_END": "2026-09-01T10:00:00"}


@pytest.fixture(scope="module")
def design() -> wb.PipelineDesign:
    d = wb.PipelineDesign()
    wb.complete_design(d, wb.open_workspace(None, AIRLINE), data_dir=AIRLINE)
    return d


def _landing(tmp_path: Path, blank_key_in_window: bool = False) -> Path:
    landing = tmp_path / "landing"
    shutil.copytree(AIRLINE, landing)
    if blank_key_in_window:
        rows = list(csv.DictReader(open(landing / "flights.csv", newline="")))
        bad = next(r for r in rows if WINDOW["WINDOW_START"] <= r["UpdatedAt"].replace(" ", "T") < WINDOW["WINDOW_END"])
        bad["Flight No"] = ""
        with open(landing / "flights.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return landing


def _step(home: Path, landing: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=home, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PIPELINE_HOME": str(home), "PIPELINE_DATA_DIR": str(landing),
                               **WINDOW, **env})


def _load_all(home: Path, landing: Path, design: wb.PipelineDesign) -> None:
    for s in design.sources:
        for step in ("pipeline.extract", "pipeline.load"):
            done = _step(home, landing, step, "--table", s.name)
            assert done.returncode == 0, done.stderr


def _export(design: wb.PipelineDesign, tmp_path: Path, gate: str) -> Path:
    d = design.model_copy(deep=True)
    d.quality.gate = gate
    d.quality.sample_fraction = 1.0 if gate == "sample" else None  # the whole window: deterministic
    d.export(tmp_path / "home", targets=["pipeline", "dbt"])
    return tmp_path / "home"


def test_a_window_merged_twice_leaves_the_warehouse_as_once(design, tmp_path):
    home, landing = _export(design, tmp_path, "strict"), _landing(tmp_path)
    _load_all(home, landing, design)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        once = con.execute('SELECT * FROM flights ORDER BY "Flight No"').fetchall()
    _load_all(home, landing, design)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute('SELECT * FROM flights ORDER BY "Flight No"').fetchall() == once
    in_window = [r for r in csv.DictReader(open(AIRLINE / "flights.csv"))
                 if WINDOW["WINDOW_START"] <= r["UpdatedAt"].replace(" ", "T") < WINDOW["WINDOW_END"]]
    assert len(once) == len(in_window) > 0


@pytest.mark.parametrize("gate", ["strict", "warn", "sample"])
def test_each_gate_mode_does_what_it_says_on_a_null_key(design, tmp_path, gate):
    home, landing = _export(design, tmp_path, gate), _landing(tmp_path, blank_key_in_window=True)
    _load_all(home, landing, design)
    done = _step(home, landing, "pipeline.gate", "--layer", "source")
    assert "FAIL [critical] expect_column_values_to_not_be_null(Flight No)" in done.stdout
    assert done.returncode == (1 if gate == "strict" else 0), done.stdout + done.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        history = con.execute("SELECT count(*) FILTER (WHERE NOT success) FROM _pipeline_checks").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if gate == "sample":  # the failing rows of a critical check are moved aside, not lost
            rejected = con.execute('SELECT "Flight No", _rejected_by FROM flights_rejected').fetchall()
            left = con.execute('SELECT count(*) FROM flights WHERE "Flight No" IS NULL').fetchall()
    assert history >= 1
    if gate == "sample":
        assert "flights_rejected" in tables
        assert rejected == [(None, "expect_column_values_to_not_be_null(Flight No)")] and left == [(0,)]
        _load_all(home, landing, design)  # the window re-loaded, then gated again
        again = _step(home, landing, "pipeline.gate", "--layer", "source")
        assert again.returncode == 0 and "moved 0 rows failing expect_column_values_to_not_be_null(Flight No) to flights_rejected" in again.stdout, again.stdout
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM flights_rejected").fetchall() == [(1,)]
    else:
        assert "flights_rejected" not in tables


def test_a_check_the_table_no_longer_fits_fails_the_gate_with_its_reason(design, tmp_path):
    home, landing = _export(design, tmp_path, "strict"), _landing(tmp_path)
    _load_all(home, landing, design)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:  # someone changes the contract under the gate
        con.execute('ALTER TABLE flights DROP COLUMN "Flight No"')
    done = _step(home, landing, "pipeline.gate", "--layer", "source")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "FAIL [critical] expect_column_values_to_not_be_null(Flight No): cannot run on main.flights" in done.stdout


def test_a_missing_landing_file_is_one_clear_error(design, tmp_path):
    home = _export(design, tmp_path, "strict")
    done = _step(home, tmp_path / "nowhere", "pipeline.extract", "--table", "flights")
    assert done.returncode == 2 and done.stderr.startswith("error: no landing file for source 'flights'")
    assert "PIPELINE_DATA_DIR" in done.stderr and "Traceback" not in done.stderr


def test_the_config_lists_what_the_gate_cannot_run_and_binds_no_fixed_snapshot(design, tmp_path):
    home = _export(design, tmp_path, "strict")
    config = json.loads((home / "pipeline" / "config.json").read_text())
    source = next(s for s in config["checks"]["source"] if s["table"] == "flights")
    assert source["window_column"] == "UpdatedAt"
    assert any("anomalous" in n for n in source["not_compiled"])
    volume = next(c for c in source["checks"] if c["kind"] == "row_count")
    assert volume["min_value"] is None and volume["max_value"] > 0  # bounds per window, from the profiled rate
    fresh = next(c for c in source["checks"] if c["kind"] == "fresh")
    assert "reference_time" not in json.dumps(fresh)  # measured from the run's window end


SAMPLE = Path(__file__).parents[2] / "sample_data"


@pytest.fixture(scope="module")
def log_design() -> wb.PipelineDesign:
    """The sample's design as the CDC step makes it: the change events of ``orders`` in ``order_events``."""
    d = wb.PipelineDesign()
    ws = wb.open_workspace(None, SAMPLE)
    wb.complete_design(d, ws, data_dir=SAMPLE)
    choice = wb.choose_cdc(ws)
    assert (choice.method, choice.table, choice.events_table) == ("log", "orders", "order_events")
    wb.record_cdc(d, method="log", choice=choice)
    return d


def _apply_orders(home: Path, *untils: str | None) -> None:
    for until in untils:
        for step in ("pipeline.extract", "pipeline.load"):
            done = _step(home, SAMPLE, step, "--table", "orders", WINDOW_END=until or "", WINDOW_START="")
            assert done.returncode == 0, done.stderr


def test_a_log_design_applies_the_landed_change_events_as_the_cdc_step_does(log_design, tmp_path):
    home = tmp_path / "once"
    log_design.export(home, targets="pipeline")
    assert json.loads((home / "pipeline" / "config.json").read_text())["sources"][3]["method"] == "log"
    _apply_orders(home, None)
    ws = wb.open_workspace(None, SAMPLE)
    wb.apply_changes(ws, "replica", "order_events", key="order_id")
    ws.con.execute(f"ATTACH '{home / 'warehouse.duckdb'}' AS wh")
    cols = ", ".join(r[0] for r in ws.con.sql("DESCRIBE replica").fetchall())
    for a, b in (("replica", "wh.main.orders"), ("wh.main.orders", "replica")):
        assert ws.con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b})").fetchall() == [(0,)]
    # the sample's 12 malformed events (sample_data/README.md), each dead-lettered once
    assert dict(ws.con.sql("SELECT reason, count(*) FROM wh.main.orders_dead_letter GROUP BY ALL").fetchall()) == {
        "missing op": 4, "unknown op": 4, "missing key": 4}
    ws.close()
    # incremental runs (a first run reads from the log's start), a re-run and a full run: the same warehouse
    hourly = tmp_path / "hourly"
    log_design.export(hourly, targets="pipeline")
    _apply_orders(hourly, "2026-10-12T10:00:00", "2026-10-12T10:00:00", "2026-10-20T00:00:00", None, None)
    tables = ["main.orders", "main.orders_dead_letter"]
    sums = [{t: duckdb.connect(str(h / "warehouse.duckdb"), read_only=True).execute(
        f"SELECT count(*), sum(hash(t)) FROM {t} AS t").fetchall() for t in tables} for h in (home, hourly)]
    assert sums[0] == sums[1]
    # a window that ends before the schema change (2026-10-19 22:28) has no `channel` column yet
    early = tmp_path / "early"
    log_design.export(early, targets="pipeline")
    _apply_orders(early, "2026-10-12T10:00:00")
    con = duckdb.connect(str(early / "warehouse.duckdb"), read_only=True)
    types = dict(r[:2] for r in con.execute("DESCRIBE main.orders").fetchall())
    assert "channel" not in types
    assert types["updated_at"] == "TIMESTAMP"  # the design's column type, where JSON inference says VARCHAR
    assert con.execute("SELECT max(created_at) < TIMESTAMP '2026-10-12 10:00:00' FROM main.orders").fetchall() == [(True,)]


def _envelope(op: str | None, ts: int, before: dict | None, after: dict | None) -> dict:
    """A Debezium envelope as a MySQL connector writes it: no ``event_id``, no ``source.lsn`` (position: ts_ms)."""
    out = {"ts_ms": ts, "source": {"connector": "mysql", "db": "erp", "table": "stock", "file": "binlog.000007"},
           "before": before, "after": after}
    return out if op is None else {"op": op, **out}


def test_a_log_design_applies_hand_written_change_events_with_a_compound_key(tmp_path):
    """Not the sample: other names, a two-column key, no event ids, no log sequence numbers, a replayed and
    a late-arriving event, a delete, one malformed event. The exported load agrees with ``apply_changes``."""
    data = tmp_path / "erp"
    data.mkdir()
    row = lambda depot, item, qty, at: {"Depot": depot, "Item Code": item, "On Hand": qty, "Changed At": at}  # noqa: E731
    with open(data / "stock.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Depot", "Item Code", "On Hand", "Changed At"])
        for depot in ("OSA", "TYO"):
            for i in range(1, 6):
                w.writerow([depot, f"A-{i}", 10 * i, "2026-10-01 08:00:00"])
    t0 = 1_790_000_000_000  # 2026-09-21
    events = [
        _envelope("c", t0, None, row("NGO", "A-1", 3, "2026-09-21 12:53:20")),
        _envelope("u", t0 + 60_000, row("OSA", "A-1", 10, None), row("OSA", "A-1", 7, "2026-09-21 12:54:20")),
        _envelope("u", t0 + 120_000, row("OSA", "A-1", 7, None), row("OSA", "A-1", 5, "2026-09-21 12:55:20")),
        _envelope("d", t0 + 180_000, row("TYO", "A-2", 20, None), None),
        _envelope("u", t0 + 90_000, row("OSA", "A-1", 7, None), row("OSA", "A-1", 6, "2026-09-21 12:54:50")),  # late
        _envelope(None, t0 + 200_000, None, row("TYO", "A-3", 1, "2026-09-21 12:56:40")),  # malformed: no op
    ]
    events.insert(3, events[1])  # the connector replays an event after a restart
    (data / "stock_changes.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    ws = wb.open_workspace(None, data)
    d = wb.PipelineDesign()
    wb.complete_design(d, ws, data_dir=data)
    choice = wb.choose_cdc(ws)
    assert (choice.method, choice.table, choice.events_table) == ("log", "stock", "stock_changes")
    assert sorted(choice.key) == ["Depot", "Item Code"]
    wb.record_cdc(d, method="log", choice=choice)
    home = tmp_path / "home"
    d.export(home, targets="pipeline")
    source = next(s for s in json.loads((home / "pipeline" / "config.json").read_text())["sources"] if s["name"] == "stock")
    assert source["method"] == "log" and source["events"] == "stock_changes"
    for until in ("2026-09-21T12:55:00", "2026-09-21T12:55:00", ""):  # an hourly-ish window, its re-run, then all
        for step in ("pipeline.extract", "pipeline.load"):
            done = _step(home, data, step, "--table", "stock", WINDOW_END=until, WINDOW_START="")
            assert done.returncode == 0, done.stderr
    wb.apply_changes(ws, "replica", "stock_changes", key=choice.key)
    ws.con.execute(f"ATTACH '{home / 'warehouse.duckdb'}' AS wh")
    cols = ", ".join(f'"{c}"' for c in ("Depot", "Item Code", "On Hand"))
    want = ws.con.execute(f"SELECT {cols} FROM replica ORDER BY ALL").fetchall()
    got = ws.con.execute(f"SELECT {cols} FROM wh.main.stock ORDER BY ALL").fetchall()
    assert got == want
    assert ("OSA", "A-1", 5) in got and ("NGO", "A-1", 3) in got  # the late event loses to the newer one
    assert not any(r[:2] == ("TYO", "A-2") for r in got)  # deleted
    assert ws.con.execute("SELECT reason, count(*) FROM wh.main.stock_dead_letter GROUP BY ALL").fetchall() == [
        ("missing op", 1)]
    ws.close()
