"""Step-2 charts carry the simulation's numbers (checked on the chart data, not on pixels)."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.architecture import charts
from workbench.architecture.queueing import mmc_theory


@pytest.fixture(scope="module")
def cmp():
    w = wb.Workload(peak_events_per_sec=2_000, avg_event_bytes=800, latency_slo_seconds=5, burst_factor=3,
                    burst_duration_seconds=300)
    return wb.compare(w, wb.SimulationSettings(queue_events=20_000))


def test_latency_lag_and_cost_charts_hold_every_architecture(cmp):
    for chart in (charts.latency_cdf(cmp), charts.lag_chart(cmp), charts.cost_breakdown(cmp)):
        spec = chart.to_dict()
        rows = next(iter(spec["datasets"].values()))
        assert {r["architecture"] for r in rows} == {"batch", "micro-batch", "streaming", "hybrid"}
    cost_rows = next(iter(charts.cost_breakdown(cmp).to_dict()["datasets"].values()))
    assert sum(r["monthly_usd"] for r in cost_rows if r["architecture"] == "streaming") == pytest.approx(
        cmp["streaming"].monthly_cost)


def test_knee_frame_puts_simulation_beside_the_closed_form():
    df = charts.knee_frame(1_000, 1, utilizations=[0.5, 0.9], n_events=200_000)
    closed = df[df["source"] == "closed form"].set_index("utilization")["p99_wait_s"]
    assert closed[0.9] == pytest.approx(mmc_theory(900, 1_000, 1).p99_wait)
    sim = df[df["source"] == "simulated"].set_index("utilization")["p99_wait_s"]
    assert sim[0.9] > 5 * sim[0.5]  # the knee: p99 climbs far faster than utilisation
    # ~2,000 waits beyond p99 in 200,000 events: the quantile's relative error is a few percent; 10% is ~4 SE
    assert sim[0.5] == pytest.approx(closed[0.5], rel=0.1)
