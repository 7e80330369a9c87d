"""Choosing the fact table and its arrival-time column from the data (explicit choices win)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

import workbench as wb
from workbench.profiling.focus import choose_arrival_column, choose_focus

NOW = datetime(2026, 12, 1)


@pytest.fixture()
def flights_ws():
    """A hand-written export in another domain: airports (natural key), flights with dep/arr stamps, no 'orders'."""
    ws = wb.Workspace()
    ws.load(pd.DataFrame({"iata": ["HND", "NRT", "KIX"], "city": ["Tokyo", "Narita", "Osaka"]}), name="airports")
    dep = pd.date_range("2026-11-01 06:00", periods=240, freq="7min")
    ws.load(pd.DataFrame({
        "flight_no": [f"NH{i:03d}" for i in range(240)],
        "origin": ["HND", "NRT", "KIX", "XXX"] * 60,
        "departed_at": dep,
        "arrived_at": dep + pd.Timedelta(minutes=85),  # always after departure: a later stamp of the row
        "scheduled_on": dep.normalize(),               # a date: few distinct minutes
    }), name="flights")
    ws.load(pd.DataFrame({"code": ["A", "B"], "valid_from": pd.to_datetime(["2026-01-01", "2026-06-01"])}),
            name="fare_classes")
    return ws


def test_the_fact_table_is_the_largest_with_a_timestamp_and_arrival_is_the_earliest_stamp(flights_ws):
    focus = choose_focus(flights_ws, now=NOW)
    assert (focus.table, focus.timestamp_column) == ("flights", "departed_at")
    assert "most rows (240)" in focus.reason and "'arrived_at' is never before 'departed_at'" in focus.reason


def test_a_larger_table_without_any_timestamp_is_not_the_fact_table(flights_ws):
    flights_ws.load(pd.DataFrame({"seat": range(5000)}), name="seat_map")
    assert choose_focus(flights_ws, now=NOW).table == "flights"


def test_minutes_in_the_future_do_not_count():
    ws = wb.Workspace()
    base = pd.date_range("2026-11-30 00:00", periods=20, freq="min")
    travel = (base + pd.Timedelta(hours=23, minutes=55)).tolist()
    travel[0] = pd.Timestamp("2026-11-29")  # once before the booking: not a later stamp of booked_at
    ws.load(pd.DataFrame({"booked_at": base[:10].append(base[:10]),            # 10 minutes, all in the past
                          "travel_at": travel}), name="bookings")
    # travel_at has 20 distinct minutes, but only 6 of them are not after NOW (2026-12-01 00:00)
    column, why = choose_arrival_column(ws, "bookings", now=NOW)
    assert column == "booked_at" and "(10)" in why and "later stamp" not in why
    assert choose_arrival_column(ws, "bookings", now=datetime(2027, 1, 1))[0] == "travel_at"


def test_explicit_table_and_column_win_and_are_checked(flights_ws):
    focus = choose_focus(flights_ws, table="fare_classes", timestamp_column="valid_from")
    assert (focus.table, focus.timestamp_column) == ("fare_classes", "valid_from")
    assert focus.reason.count("chosen by you") == 2
    with pytest.raises(wb.TableNotFoundError):
        choose_focus(flights_ws, table="orders")
    with pytest.raises(wb.ColumnNotFoundError, match="created_at"):
        choose_focus(flights_ws, table="flights", timestamp_column="created_at")


def test_no_timestamp_anywhere_still_chooses_a_table_and_says_why():
    ws = wb.Workspace()
    ws.load(pd.DataFrame({"isbn": ["978-0", "978-1", "978-2"]}), name="books")
    ws.load(pd.DataFrame({"isbn": ["978-0"] * 7}), name="loans")
    focus = choose_focus(ws)
    assert (focus.table, focus.timestamp_column) == ("loans", None)
    assert "no table has a date or timestamp column" in focus.reason


def test_the_sample_keeps_orders_and_created_at(sample_dir):
    ws = wb.open_workspace(None, sample_dir)
    focus = choose_focus(ws, now=NOW)
    assert (focus.table, focus.timestamp_column) == ("orders", "created_at")
