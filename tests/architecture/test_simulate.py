"""Architecture simulation against closed forms: the batch window and the fluid burst model; cost lines."""

from __future__ import annotations

import math
import time

import pytest

import workbench as wb
from workbench.architecture import SimulationSettings
from workbench.errors import WorkloadError


def wl(**kw) -> wb.Workload:
    base = {"peak_events_per_sec": 2_000, "avg_event_bytes": 800, "latency_slo_seconds": 5}
    return wb.Workload(**{**base, **kw})


def test_batch_mean_latency_is_half_the_interval_plus_delay_plus_processing():
    s = SimulationSettings(batch_interval_seconds=3_600, scheduler_delay_seconds=30, batch_startup_seconds=60,
                           worker_events_per_sec=20_000)
    r = wb.simulate(wl(latency_slo_seconds=86_400), "batch", s)
    workers = r.parameters["workers"]  # ceil(2,000 / (0.5 × 20,000)) = 1
    processing = 60 + 2_000 * 3_600 / (workers * 20_000)  # startup + one window's events at capacity = 420 s
    expected = 3_600 / 2 + 30 + processing
    assert r.closed_form["mean_latency"] == pytest.approx(expected)
    # 100,000 sampled events, positions uniform in the window: SE of the mean = 3600/sqrt(12 × 1e5) ≈ 3.3 s;
    # per-window Poisson counts move processing by sqrt(7.2e6)/20,000 ≈ 0.13 s. Allow 4 SE.
    assert r.latency_mean == pytest.approx(expected, abs=4 * 3_600 / math.sqrt(12 * 100_000) + 0.5)
    assert r.latency_p99 == pytest.approx(0.99 * 3_600 + 30 + processing, rel=0.01)  # uniform window position
    assert r.stable and r.meets_slo


def test_micro_batch_is_unstable_when_processing_exceeds_the_trigger():
    s = SimulationSettings(micro_batch_trigger_seconds=1, micro_batch_overhead_seconds=2)
    start = time.perf_counter()
    r = wb.simulate(wl(), "micro-batch", s)
    assert time.perf_counter() - start < 5
    assert not r.stable and not r.meets_slo
    assert "takes longer than its interval" in r.messages[0]
    ok = wb.simulate(wl(), "micro-batch", SimulationSettings(micro_batch_trigger_seconds=10))
    assert ok.stable and ok.latency_mean == pytest.approx(10 / 2 + 1 + 2_000 * 10 / 20_000, rel=0.02)


def test_streaming_burst_follows_the_fluid_model():
    # 3 consumers × 1,000/s = 3,000/s capacity; base 2,000/s; burst 6,000/s for 300 s
    w = wl(burst_factor=3, burst_duration_seconds=300)
    r = wb.simulate(w, "streaming")
    cap, base, burst, dur = 3_000, 2_000, 6_000, 300
    lag = (burst - cap) * dur  # 900,000 events
    drain = lag / (cap - base)  # 900 s
    assert r.capacity_events_per_sec == cap
    assert r.closed_form == {"fluid_max_lag_events": lag, "fluid_drain_seconds": drain}
    # Poisson arrivals during the burst: SD = sqrt(6,000 × 300) ≈ 1,342 events; allow 4 SD plus one time step
    step = r.lag[1].t_seconds - r.lag[0].t_seconds
    assert r.max_lag_events == pytest.approx(lag, abs=4 * math.sqrt(burst * dur) + burst * step)
    # the drain inherits that spread divided by the net drain rate, plus the step
    assert r.drain_seconds == pytest.approx(drain, abs=4 * math.sqrt(burst * dur) / (cap - base) + 2 * step)
    assert r.worst_added_latency_seconds == pytest.approx(lag / cap, rel=0.01)


def test_streaming_latency_is_partition_queue_wait_plus_service():
    r = wb.simulate(wl(), "streaming")
    # each consumer is M/M/1 at 2000/3 per second with μ = 1000: mean sojourn = 1/(μ-λ) = 3 ms, + 10 ms transport
    assert r.latency_mean == pytest.approx(0.01 + 1 / (1_000 - 2_000 / 3), rel=0.03)
    assert r.max_lag_events < 200 and r.drain_seconds == 0.0  # no burst: the backlog stays near zero


def test_rate_timeline_beyond_capacity_never_drains():
    w = wl(rate_timeline=[{"t_seconds": 0, "events_per_sec": 2_000}, {"t_seconds": 60, "events_per_sec": 5_000}])
    r = wb.simulate(w, "streaming")
    assert r.drain_seconds is None
    assert any("never drains" in m and "grows by 2,000 events/s" in m for m in r.messages)


def test_compare_runs_every_candidate_on_the_same_workload():
    w = wl(burst_factor=2, burst_duration_seconds=120)
    c = wb.compare(w)
    assert [r.architecture for r in c.results] == ["batch", "micro-batch", "streaming", "hybrid"]
    assert c.recommended == wb.recommend(w).architecture == "streaming"
    assert c["streaming"].latency_p99 < c["micro-batch"].latency_p99 < c["batch"].latency_p99
    assert c["hybrid"].monthly_cost > c["streaming"].monthly_cost
    df = c.to_frame()
    assert list(df["architecture"]) == ["batch", "micro-batch", "streaming", "hybrid"]
    assert df["recommended"].sum() == 1


def test_cost_line_items_carry_prices_and_sources():
    for arch in ("batch", "micro-batch", "streaming", "hybrid"):
        r = wb.simulate(wl(cross_region=True), arch)
        assert r.monthly_cost == pytest.approx(sum(i.monthly_usd for i in r.cost_items))
        assert all(i.source.startswith("https://") for i in r.cost_items)
        assert all(i.monthly_usd == pytest.approx(i.quantity * i.unit_usd) for i in r.cost_items)
        assert any(i.item == "cross-region transfer" for i in r.cost_items)
    kafka = wb.simulate(wl(), "streaming").cost_items
    brokers = next(i for i in kafka if i.item.startswith("Kafka brokers"))
    assert brokers.quantity == 3 * 730  # replication factor 3 → three brokers all month


def test_unknown_architecture_is_refused():
    with pytest.raises(WorkloadError, match="Unknown architecture 'kappa'"):
        wb.simulate(wl(), "kappa")
