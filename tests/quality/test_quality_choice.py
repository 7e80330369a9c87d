"""Which suites the quality step runs: GX files, the example shop suites, or suggestions from the profile.

The rule for suggestions: every suggested check passes on the data it came from, except a check that flags a
defect the profile found, i.e. a failing check's table and column carry a warning alert in the profile (a
duplicated key, orphans, negative amounts, malformed values, rows dated after the snapshot).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import workbench as wb
from workbench.errors import ExpectationError, TableNotFoundError
from workbench.quality.choose import arrival_snapshot, quality_snapshot, quality_suites, sink_suite
from workbench.resources import notebooks_dir

VENV_SITE = Path(pd.__file__).resolve().parents[1]


def _choose(data_dir: Path, **kw):
    ws = wb.open_workspace(None, data_dir)
    tables = wb.source_tables(ws, data_dir)
    focus = wb.choose_focus(ws, tables)
    snap = quality_snapshot(ws, focus, data_dir=data_dir)
    d = wb.profile_dataset(ws, tables, reference_time=snap.time)
    return ws, d, quality_suites(ws, d, snapshot=snap, focus=focus, **kw)


def _failures_not_flagged(ws, d, choice) -> list[str]:
    """Failing checks whose table and column carry no warning alert in the profile (there must be none)."""
    out = []
    for s in choice.suites:
        table = choice.tables[s.name]
        flagged = {a.column for a in d.alerts if a.table == table and a.severity != "info"}
        for r in wb.validate(ws, table, s).results:
            if not r.success and r.kwargs.get("column") not in flagged:
                out.append(f"{s.name}: {r.label}")
    return out


@pytest.fixture
def export_dir(tmp_path) -> Path:
    """Hand-written CSVs like a real export: hourly readings of devices, text timestamps, two planted defects."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "devices.csv").write_text("device_id,site,installed_on\n" + "".join(
        f"D{i:03},{['north', 'south', 'east'][i % 3]},2025-0{1 + i % 9}-15\n" for i in range(40)))
    rows = ["reading_id,device_id,recorded_at,temperature_c,status"]
    for i in range(24 * 10):
        device = "D999" if i == 17 else f"D{i % 40:03}"  # one orphan device
        rid = 5 if i == 200 else i  # one duplicated reading id
        rows.append(f"{rid},{device},2026-11-{20 + i // 24:02} {i % 24:02}:30:00,{18 + (i % 7) * 0.5},"
                    f"{['ok', 'ok', 'warn'][i % 3]}")
    (folder / "readings.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_the_sample_runs_the_example_suites_at_its_declared_extract_time(sample_dir):
    ws, d, choice = _choose(sample_dir)
    assert choice.source == "example" and choice.fact_table == "orders"
    assert choice.tables == {"customers.transform": "customers", "orders.source": "orders",
                             "orders.transform": "orders", "payments.transform": "payments"}
    assert choice.reference_time == "2026-11-01T00:00:00" and "manifest.json declares" in choice.reason
    assert choice.gate_suite().name == "orders.transform" and choice.key_columns("orders") == ["order_id"]
    orders = wb.validate(ws, "orders", choice.gate_suite())
    assert orders.result_for("expect_column_values_to_be_between", "created_at").unexpected_count == 3
    fresh = wb.validate(ws, "orders", next(s for s in choice.suites if s.name == "orders.source"))
    assert fresh.result_for("expect_column_max_to_be_fresh").observed_value["reference_time"] == "2026-11-01 00:00:00"


def test_every_planted_defect_the_manifest_declares_is_caught_by_its_check(sample_dir):
    ws, _, choice = _choose(sample_dir)
    results = {s.name: wb.validate(ws, choice.tables[s.name], s) for s in choice.suites}
    manifest = json.loads((sample_dir / "manifest.json").read_text())
    rows = wb.planted_defects(manifest, results)
    assert [d for d, *_ in rows] == list(manifest["defect_checks"])
    assert all(caught == planted for _, planted, caught in rows), rows
    assert wb.planted_defects(manifest, {})[0][2] is None  # a suite not run: not checked
    assert wb.planted_defects(None, results) == []


def test_the_sample_without_its_manifest_snapshots_at_the_newest_regular_arrival(sample_dir, tmp_path):
    ws = wb.open_workspace(None, sample_dir)
    snap = arrival_snapshot(ws, wb.choose_focus(ws))
    assert snap.time == "2026-10-31T23:52:45" and snap.longest_gap_days == 1
    assert "3 rows dated after it fall on sparse days" in snap.reason


def test_an_export_gets_layered_suggestions_that_pass_on_it_except_the_defects_it_holds(export_dir):
    ws, d, choice = _choose(export_dir)
    assert choice.source == "suggested" and "the bundled example suites check" in choice.reason
    assert choice.fact_table == "readings" and choice.reference_time == "2026-11-29T23:30:00"
    assert sorted(choice.tables) == ["devices.source", "devices.transform", "readings.source", "readings.transform"]
    assert {choice.layer_of(s) for s in choice.suites_of("source")} == {"source"}
    assert _failures_not_flagged(ws, d, choice) == []
    readings = wb.validate(ws, "readings", choice.gate_suite())
    assert readings.result_for("expect_column_values_to_be_unique", "reading_id").unexpected_count == 2
    assert readings.result_for("expect_column_values_to_be_in_other_table").unexpected_count == 1
    source = next(s for s in choice.suites if s.name == "readings.source")
    fresh = next(e for e in source.expectations if e.type == "expect_column_max_to_be_fresh")
    assert fresh.kwargs.max_age_seconds == 2 * 86_400 and "run time" in source.meta["notes"]


def test_suggested_source_checks_pass_on_an_hourly_window_of_a_few_rows(export_dir):
    ws, _, choice = _choose(export_dir)
    ws.con.execute("CREATE TABLE readings_window AS SELECT * FROM readings ORDER BY recorded_at DESC LIMIT 3")
    source = next(s for s in choice.suites if s.name == "readings.source")
    v = wb.validate(ws, "readings_window", source, gate="strict")
    assert v.success and v.failures == []


def test_a_folder_of_gx_suites_is_read_as_given_with_the_snapshot_bound(export_dir, tmp_path):
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "readings.warning.json").write_text(json.dumps({  # GX 0.x, no table in meta: read from the name
        "expectation_suite_name": "readings.warning", "meta": {"great_expectations_version": "0.18.21"},
        "expectations": [{"expectation_type": "expect_column_values_to_not_be_null",
                          "kwargs": {"column": "device_id"}, "meta": {}}]}))
    (suites / "fresh.json").write_text(json.dumps({  # GX 1.x with a suite parameter
        "name": "fresh", "meta": {"table": "readings"}, "expectations": [
            {"type": "expect_column_max_to_be_fresh", "kwargs": {
                "column": "recorded_at", "max_age_seconds": 3600, "reference_time": {"$PARAMETER": "reference_time"}}}]}))
    ws, _, choice = _choose(export_dir, suites_dir=suites)
    assert choice.source == "files" and choice.tables == {"fresh": "readings", "readings.warning": "readings"}
    fresh = next(s for s in choice.suites if s.name == "fresh")
    assert fresh.expectations[0].kwargs.reference_time == "2026-11-29T23:30:00"
    assert wb.validate(ws, "readings", fresh).success
    assert choice.gate_suite().name == "fresh"  # no layers: GX suites count as transform checks


def test_suite_files_that_cannot_be_placed_are_clear_errors(export_dir, tmp_path):
    with pytest.raises(ExpectationError, match="holds no .json suite files"):
        _choose(export_dir, suites_dir=tmp_path)
    (tmp_path / "x.json").write_text(json.dumps({"name": "warehouse", "expectations": []}))
    with pytest.raises(TableNotFoundError, match=r"'warehouse' \(x.json\) does not say which table"):
        _choose(export_dir, suites_dir=tmp_path)


@pytest.mark.parametrize("path", ["palmerpenguins/data/penguins.csv", "vega_datasets/_data/seattle-weather.csv"])
def test_data_we_did_not_generate_gets_suggestions_that_pass_on_it(path, tmp_path):
    shutil.copy(VENV_SITE / path, tmp_path)
    ws, d, choice = _choose(tmp_path)
    assert choice.source == "suggested" and len(choice.suites) == 2
    assert _failures_not_flagged(ws, d, choice) == []


def test_the_sink_suite_checks_the_key_reconciliation_and_negative_amounts(ws):
    p = wb.profile(ws, "payments")
    ws.con.execute("CREATE TABLE payments_sink AS SELECT * FROM payments")
    sink = sink_suite(p, ["payment_id"], "payments_sink")
    v = wb.validate(ws, "payments_sink", sink)
    assert [r.success for r in sorted(v.results, key=lambda r: r.position)] == [True, True, False]
    assert v.result_for("unexpected_rows_expectation").observed_value == 8


def test_notebook_04_runs_on_a_folder_that_is_not_the_sample(export_dir, tmp_path):
    import papermill as pm

    out = tmp_path / "04_quality.ipynb"
    pm.execute_notebook(notebooks_dir() / "04_quality.ipynb", out, kernel_name="python3", progress_bar=False,
                        cwd=notebooks_dir(), parameters={"data_dir": str(export_dir), "out_dir": str(tmp_path / "out"),
                                                          "design_path": str(tmp_path / "design.yaml")})
    text = "\n".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    assert "suites: suggested from the profile of 2 tables" in text
    assert f"no planted-defect manifest in {str(export_dir)!r}" in text
    assert "readings.transform.gx.json round-trips: True" in text
    design = wb.PipelineDesign.load(tmp_path / "design.yaml")
    assert {(s.table, s.layer) for s in design.quality.suites} >= {("readings", "source"), ("readings", "transform")}
