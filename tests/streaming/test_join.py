"""Stream-table join: each event gets the dimension version valid at its event time; misses are counted by cause."""

from __future__ import annotations

import pandas as pd
import pytest

import workbench as wb


@pytest.fixture
def ws():
    ws = wb.Workspace()
    ws.load(pd.DataFrame({"Shop": ["S1", "S1", "S1", "S2", None, "S9"],
                          "At": pd.to_datetime(["2026-01-05", "2026-02-10", "2025-12-01", "2026-03-01",
                                                "2026-03-01", "2026-03-01"])}), name="sales")
    ws.load(pd.DataFrame({"Code": ["S1", "S1", "S2"], "Region": ["north", "south", "east"],
                          "Since": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-01-01"])}), name="shops")
    yield ws
    ws.close()


def test_each_event_gets_the_version_valid_at_its_time_and_each_miss_its_cause(ws):
    j = wb.enrich_stream(ws, "sales", "shops", on=("Shop", "Code"), event_time="At", valid_from="Since")
    assert (j.events, j.matched, j.missing_key, j.no_row, j.not_yet_valid) == (6, 3, 1, 1, 1)
    assert j.stale_if_latest == 1  # the January sale of S1 was in the north; a latest-only lookup says south
    rows = ws.con.execute(f'SELECT "Shop", CAST("At" AS DATE)::VARCHAR, "dim_Region" FROM {j.table} ORDER BY ALL')
    assert rows.fetchall()[:4] == [("S1", "2025-12-01", None), ("S1", "2026-01-05", "north"),
                                        ("S1", "2026-02-10", "south"), ("S2", "2026-03-01", "east")]


def test_without_versions_a_key_with_two_rows_is_refused(ws):
    with pytest.raises(wb.StreamingError, match="several rows for Code = 'S1'"):
        wb.enrich_stream(ws, "sales", "shops", on=("Shop", "Code"), event_time="At")
