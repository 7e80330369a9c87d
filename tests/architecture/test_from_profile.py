"""Workload.from_profile on the sample data's orders profile, pinned against SQL on the same table."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.errors import WorkloadError


@pytest.fixture(scope="module")
def orders_ws(sample_dir):
    workspace = wb.open_workspace(None, sample_dir)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def orders_profile(orders_ws):
    return wb.profile(orders_ws, "orders")


def test_rates_and_sizes_come_from_the_profile_times_scale(orders_ws, orders_profile):
    busiest_minute, rows, span = orders_ws.con.execute(
        "SELECT (SELECT max(n) FROM (SELECT count(*) AS n FROM orders WHERE created_at IS NOT NULL "
        "GROUP BY date_trunc('minute', created_at))), count(created_at), "
        "epoch(max(created_at)) - epoch(min(created_at)) FROM orders").fetchone()
    w = wb.Workload.from_profile(orders_profile, timestamp_column="created_at", scale=1000)
    assert w.peak_events_per_sec == pytest.approx(busiest_minute / 60 * 1000)
    assert w.avg_events_per_sec == pytest.approx(rows / span * 1000)
    assert w.avg_event_bytes == pytest.approx(orders_profile.avg_row_bytes)
    assert w.name == "orders.created_at" and "scale 1000" in w.source
    assert wb.recommend(w).architecture == "batch"  # 1-hour SLO by default


def test_overrides_pass_through(orders_profile):
    w = wb.Workload.from_profile(orders_profile, "created_at", scale=10, latency_slo_seconds=5, pii=True)
    assert w.latency_slo_seconds == 5 and w.pii
    assert wb.recommend(w).architecture == "streaming"


def test_missing_or_non_timestamp_column_lists_the_timestamp_columns(orders_profile):
    with pytest.raises(WorkloadError, match=r"Column 'created' is not in table 'orders'; its timestamp columns: "
                                            r"'created_at', 'updated_at'\. Did you mean 'created_at'\?"):
        wb.Workload.from_profile(orders_profile, timestamp_column="created")
    with pytest.raises(WorkloadError, match="'status' is not a timestamp column of table 'orders'"):
        wb.Workload.from_profile(orders_profile, timestamp_column="status")


@pytest.mark.parametrize("scale", [0, -1, float("nan")])
def test_scale_must_be_positive(orders_profile, scale):
    with pytest.raises(WorkloadError, match="scale must be a positive number"):
        wb.Workload.from_profile(orders_profile, scale=scale)


def test_a_date_column_gives_day_grain_rates_from_the_busiest_day(tmp_path):
    days = ["2026-03-01"] * 5 + ["2026-03-02"] * 2 + ["2026-03-04"]  # 8 rows over 4 days, busiest day 5
    ws = wb.Workspace()
    ws.con.execute("CREATE TABLE visits AS SELECT CAST(d AS DATE) AS visited_on FROM unnest($d) AS t(d)", {"d": days})
    w = wb.Workload.from_profile(wb.profile(ws, "visits"), timestamp_column="visited_on", scale=10)
    assert w.peak_events_per_sec == pytest.approx(5 / 86_400 * 10)
    assert w.avg_events_per_sec == pytest.approx(8 / (4 * 86_400) * 10)
    assert "rates known per day only" in w.source
