"""Choosing the CDC method from the data, the incremental extract, the simulated snapshots and the re-run plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import palmerpenguins
import pytest
import vega_datasets

from workbench.cdc import (
    apply_changes,
    choose_cdc,
    diff_snapshots,
    incremental_extract,
    rerun_plan,
    simulate_snapshots,
    table_checksum,
)
from workbench.errors import ChangeEventError, ColumnNotFoundError
from workbench.session import open_workspace

ROOT = Path(__file__).resolve().parents[2]
WEATHER = Path(vega_datasets.__file__).parent / "_data" / "seattle-weather.csv"
PENGUINS = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"

# a hand-written export: camelCase headers, an UpdatedAt stamp, a later ArrivedAt, a repeated row
FLIGHTS = """FlightId,Carrier,Origin,DepartedAt,ArrivedAt,UpdatedAt,DelayMinutes
F1,AA,SEA,2024-03-01 06:00:00,2024-03-01 08:10:00,2024-03-01 08:30:00,5
F2,UA,SFO,2024-03-01 07:15:00,2024-03-01 09:00:00,2024-03-01 07:15:00,0
F3,AA,SEA,2024-03-02 06:05:00,2024-03-02 08:00:00,2024-03-02 09:45:00,35
F4,DL,JFK,2024-03-03 10:00:00,2024-03-03 13:20:00,2024-03-03 13:25:00,12
F5,UA,SFO,2024-03-05 11:30:00,2024-03-05 12:40:00,2024-03-06 01:00:00,80
F6,DL,JFK,2024-03-09 09:00:00,2024-03-09 11:00:00,2024-03-09 11:05:00,-3
F7,AA,SEA,2024-03-10 06:00:00,2024-03-10 08:00:00,2024-03-10 08:02:00,1
"""
AIRPORTS = "iata,name,city\nSEA,Seattle-Tacoma,Seattle\nSFO,San Francisco Intl,San Francisco\nJFK,John F Kennedy,New York\n"


@pytest.fixture
def flights_dir(tmp_path) -> Path:
    (tmp_path / "flights.csv").write_text(FLIGHTS)
    (tmp_path / "airports.csv").write_text(AIRPORTS)
    return tmp_path


@pytest.fixture
def fws(flights_dir):
    workspace = open_workspace(None, flights_dir)
    yield workspace
    workspace.close()


def test_the_sample_is_log_based_on_its_change_events(ws):
    choice = choose_cdc(ws)
    assert (choice.method, choice.events_table, choice.table, choice.key) == ("log", "order_events", "orders",
                                                                             ["order_id"])
    assert "'order_events' holds change events" in choice.reason


def test_an_export_with_an_updated_at_column_is_timestamp_based(fws):
    choice = choose_cdc(fws)
    assert (choice.method, choice.table, choice.key) == ("timestamp", "flights", ["FlightId"])
    # ArrivedAt is also never before DepartedAt, but UpdatedAt is named as the row's last change
    assert (choice.update_column, choice.created_column) == ("UpdatedAt", "DepartedAt")
    assert "'UpdatedAt' is named like a last-change stamp" in choice.reason


def test_an_unnamed_update_column_is_found_by_its_values(tmp_path):
    (tmp_path / "tickets.csv").write_text("ticket,opened,touched\n1,2024-01-01 10:00,2024-01-02 09:00\n"
                                          "2,2024-01-01 11:00,2024-01-01 11:00\n3,2024-01-03 08:00,2024-01-05 12:00\n")
    with open_workspace(None, tmp_path) as ws:
        choice = choose_cdc(ws)
    assert (choice.method, choice.update_column, choice.key) == ("timestamp", "touched", ["ticket"])
    assert "at or after the arrival time 'opened' on 100.0% of rows" in choice.reason


def test_a_table_without_an_update_column_needs_a_snapshot_diff(tmp_path):
    shutil.copy(WEATHER, tmp_path)
    with open_workspace(None, tmp_path) as ws:
        choice = choose_cdc(ws)
    assert (choice.method, choice.table, choice.key, choice.update_column) == ("snapshot", "seattle-weather",
                                                                              ["date"], None)
    assert "a full snapshot diff of two extracts is needed" in choice.reason


def test_explicit_parameters_win(ws, fws):
    choice = choose_cdc(ws, table="orders", update_column="updated_at", key="order_id")
    assert (choice.method, choice.update_column, choice.key) == ("timestamp", "updated_at", ["order_id"])
    assert "'updated_at': chosen by you" in choice.reason and "key order_id: chosen by you" in choice.reason
    assert choose_cdc(ws, events_table="order_events", key=["order_id"]).reason.startswith(
        "change events 'order_events': chosen by you")
    assert choose_cdc(fws, table="airports").method == "snapshot"
    with pytest.raises(ChangeEventError, match="holds no change events"):
        choose_cdc(fws, events_table="flights")
    with pytest.raises(ColumnNotFoundError, match="'ChangedOn' is not in table 'flights'"):
        choose_cdc(fws, update_column="ChangedOn")


def test_derived_change_events_are_not_taken_for_a_change_log(fws):
    incremental_extract(fws, "flights", "UpdatedAt", "FlightId")
    assert "flights_changes" in fws.tables()
    assert choose_cdc(fws).method == "timestamp"


def test_incremental_extract_is_idempotent_and_moves_the_high_water_mark(fws):
    first = incremental_extract(fws, "flights", "UpdatedAt", "FlightId", watermark="2024-03-02 00:00:00",
                                until="2024-03-06 00:00:00", created_column="DepartedAt")
    # F3 and F4 changed in the window; F5 departed inside it but its last change is after it
    assert (first.rows, first.creates, first.updates) == (2, 2, 0)
    assert str(first.new_watermark) == "2024-03-03 13:25:00"
    once = table_checksum(fws, first.table)
    again = incremental_extract(fws, "flights", "UpdatedAt", "FlightId", watermark="2024-03-02 00:00:00",
                                until="2024-03-06 00:00:00", created_column="DepartedAt", replace=True)
    assert again.rows == first.rows and table_checksum(fws, first.table) == once
    following = incremental_extract(fws, "flights", "UpdatedAt", "FlightId", watermark=first.new_watermark,
                                    created_column="DepartedAt", name="flights_next")
    assert following.rows == 3 and str(following.new_watermark) == "2024-03-10 08:02:00"
    last = incremental_extract(fws, "flights", "UpdatedAt", "FlightId", watermark=following.new_watermark,
                               name="flights_last")
    assert last.rows == 0 and last.new_watermark == following.new_watermark
    # the extract's events apply like a change log, and applying them twice changes nothing
    applied = apply_changes(fws, "flights_replica", first.table, key="FlightId")
    assert applied.applied == 2
    checksum = table_checksum(fws, "flights_replica")
    apply_changes(fws, "flights_replica", first.table, key="FlightId")
    assert table_checksum(fws, "flights_replica") == checksum


def test_simulated_snapshots_diff_into_creates_updates_and_deletes(ws):
    snaps = simulate_snapshots(ws, "customers", "customer_id")
    assert snaps.changed_column == "email" and min(snaps.added, snaps.removed, snaps.changed) > 0
    events = diff_snapshots(ws, snaps.old, snaps.new, "customer_id", replace=True)
    ops = dict(ws.con.execute(f"SELECT op, count(*) FROM {events} GROUP BY op").fetchall())
    assert ops == {"c": snaps.added, "d": snaps.removed, "u": snaps.changed}
    assert ws.row_count("customers") == 500  # the user's table is untouched


def test_rerun_plan_on_the_sample_keeps_its_story(ws, manifest):
    plan = rerun_plan(ws, manifest=manifest)
    assert (plan.table, plan.date_column, plan.group_column, plan.measure) == ("orders", "created_at", "store_id",
                                                                             "total_amount")
    assert (str(plan.start), str(plan.end), plan.target, plan.partition_column) == ("2026-10-10", "2026-10-16",
                                                                                   "daily_orders", "order_date")
    assert "TIMESTAMP '2026-10-04'" in plan.audit_append and plan.dag_id == "orders_daily"
    assert "the last 7 days of data" in rerun_plan(ws).reason


def test_rerun_plan_on_other_data_derives_names_window_and_sql(fws):
    plan = rerun_plan(fws)
    assert (plan.table, plan.date_column, plan.group_column, plan.measure) == ("flights", "DepartedAt", "Carrier",
                                                                             "DelayMinutes")
    assert (str(plan.start), str(plan.end)) == ("2024-03-04", "2024-03-10")
    assert (plan.target, plan.partition_column, plan.count_column) == ("daily_flights", "flight_date", "flights")
    fws.con.execute(plan.audit_create)
    fws.con.execute(plan.audit_replace)
    assert fws.query("SELECT * FROM daily_first_days ORDER BY d")["flights"].tolist() == [2, 1, 1]
    fws.con.execute(plan.build_sql)
    assert fws.con.execute(plan.window_sum_sql).fetchone()[0] == 3
    chosen = rerun_plan(fws, start="2024-03-01", end="2024-03-02")
    assert "window 2024-03-01 .. 2024-03-02: chosen by you" in chosen.reason


def test_rerun_plan_without_a_date_column_has_no_backfill(tmp_path):
    shutil.copy(PENGUINS, tmp_path)
    with open_workspace(None, tmp_path) as ws:
        plan = rerun_plan(ws)
        ws.con.execute(plan.audit_create)
        ws.con.execute(plan.audit_replace)
        counts = dict(ws.con.execute("SELECT * FROM daily_first_days").fetchall())
    assert plan.target is None and plan.group_column == "species"
    assert counts == {"Adelie": 152, "Chinstrap": 68, "Gentoo": 124}


@pytest.mark.parametrize("folder", ["flights", "weather"])
def test_notebook_05_runs_on_data_without_a_change_log(folder, flights_dir, tmp_path, monkeypatch):
    import papermill as pm

    from workbench.charts import OFFLINE_ENV

    data = flights_dir
    if folder == "weather":
        data = tmp_path / "weather"
        data.mkdir()
        shutil.copy(WEATHER, data)
    monkeypatch.setenv(OFFLINE_ENV, "1")  # the panels return their static results, as in a report
    out = tmp_path / "05_out.ipynb"
    pm.execute_notebook(str(ROOT / "workbench/notebooks/05_cdc.ipynb"), str(out), cwd=str(tmp_path),
                        kernel_name="python3", progress_bar=False,
                        parameters={"data_dir": str(data), "design_path": str(tmp_path / "design.yaml")})
    text = "\n".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    method = {"flights": "timestamp-based CDC", "weather": "snapshot-diff CDC"}[folder]
    assert method in text and "MATCH" in text and "replaced rows" in text
    assert "idempotent over 2 runs" in text
    assert (tmp_path / "design.yaml").exists()
