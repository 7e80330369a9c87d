"""simulate_queue against closed forms (M/M/1, M/M/c Erlang C, M/D/1 Pollaczek–Khinchine, Little's law).

Tolerances come from the run itself: waits are autocorrelated, so the standard error of a mean is
estimated by batch means (50 batches) and an estimate must fall within 4 standard errors of the
closed form (a seeded run either passes or fails deterministically; 4 SE would be exceeded by chance
less than 1 time in 10,000). Quantiles are checked the same way through the indicator W <= q.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.architecture.queueing import (
    _pooled_waits,
    batch_means_stderr,
    erlang_c,
    lindley_waits,
    mmc_theory,
    simulate_trace,
)
from workbench.errors import WorkloadError

N = 1_000_000


def within(estimate: float, truth: float, stderr: float, k: float = 4.0) -> bool:
    return abs(estimate - truth) <= k * stderr


def quantile_ok(waits: np.ndarray, q_theory: float, level: float) -> bool:
    """The share of waits at or below the theoretical ``level`` quantile is ``level`` within 4 SE (batch means)."""
    hit = (waits <= q_theory).astype(float)
    return within(hit.mean(), level, batch_means_stderr(hit))


def test_erlang_c_textbook_value():
    # a = λ/μ = 2 erlangs on c = 3 servers: C = (a^3/3! · 3/(3-2)) / (1 + 2 + 2 + 4) = 4/9
    assert erlang_c(2, 1, 3) == pytest.approx(4 / 9, rel=1e-12)
    assert erlang_c(0.5, 1, 1) == pytest.approx(0.5)  # M/M/1: P(wait) = ρ


def test_mm1_mean_wait_prob_wait_and_p99():
    r = wb.simulate_queue(800, 1000, 1, n_events=N, seed=1)
    theory = mmc_theory(800, 1000, 1)
    assert theory.mean_wait == pytest.approx(0.8 / (1000 - 800))  # ρ/(μ-λ) = 4 ms
    assert within(r.mean_wait, theory.mean_wait, r.mean_wait_stderr)
    assert r.theory.mean_wait == pytest.approx(theory.mean_wait)
    w = simulate_trace(800, 1000, 1, n_events=N, seed=1).waits[N // 100:]
    assert within(np.mean(w > 0), 0.8, batch_means_stderr((w > 0).astype(float)))
    assert quantile_ok(w, theory.p99_wait, 0.99) and quantile_ok(w, theory.p95_wait, 0.95)
    assert r.utilization == pytest.approx(0.8, abs=0.005)


def test_mmc_pooled_matches_erlang_c():
    lam, mu, c = 3200, 1000, 4
    r = wb.simulate_queue(lam, mu, c, n_events=N, seed=2)
    theory = mmc_theory(lam, mu, c)
    assert within(r.mean_wait, theory.mean_wait, r.mean_wait_stderr)
    w = simulate_trace(lam, mu, c, n_events=N, seed=2).waits[N // 100:]
    assert within(np.mean(w > 0), theory.prob_wait, batch_means_stderr((w > 0).astype(float)))
    assert quantile_ok(w, theory.p99_wait, 0.99)
    assert r.model == "M/M/4" and r.offered_utilization == pytest.approx(0.8)


def test_md1_pollaczek_khinchine():
    r = wb.simulate_queue(800, 1000, 1, n_events=N, seed=3, service="deterministic")
    pk = 0.8 / (2 * 1000 * (1 - 0.8))  # ρ / (2μ(1-ρ)) = 2 ms, half the M/M/1 wait
    assert r.theory.mean_wait == pytest.approx(pk)
    assert within(r.mean_wait, pk, r.mean_wait_stderr)
    assert r.prob_wait == pytest.approx(0.8, abs=0.01)  # M/G/1: P(wait) = ρ


def test_partitioned_is_independent_single_server_queues():
    """A consumer group with one consumer per partition: c copies of M/M/1 at λ/c (waits longer than pooled)."""
    part = wb.simulate_queue(3200, 1000, 4, n_events=N, seed=4, pooled=False)
    pooled = wb.simulate_queue(3200, 1000, 4, n_events=N, seed=4, pooled=True)
    mm1 = mmc_theory(800, 1000, 1)
    assert part.theory.mean_wait == pytest.approx(mm1.mean_wait)
    assert within(part.mean_wait, mm1.mean_wait, part.mean_wait_stderr)
    assert part.mean_wait > 4 * pooled.mean_wait  # pooling's advantage at ρ = 0.8


def test_littles_law_time_average_equals_rate_times_sojourn():
    trace = simulate_trace(800, 1000, 2, n_events=N, seed=5)
    arrivals, departures = np.sort(trace.arrivals), np.sort(trace.departures)
    rng = np.random.default_rng(0)
    t = rng.uniform(arrivals[N // 100], arrivals[-1], 200_000)  # random inspection times
    in_system = np.searchsorted(arrivals, t, side="right") - np.searchsorted(departures, t, side="right")
    lam_hat = (N - 1) / (arrivals[-1] - arrivals[0])
    sojourn = trace.waits + trace.services
    lhs, rhs = in_system.mean(), lam_hat * sojourn.mean()
    # inspection times are independent of each other; the state is correlated over ~1/(μ-λ/2): SE by batch means
    order = np.argsort(t)
    se = batch_means_stderr(in_system[order].astype(float)) + lam_hat * batch_means_stderr(sojourn)
    assert within(lhs, rhs, se)


def test_numpy_numbers_are_accepted():
    r = wb.simulate_queue(np.int64(500), np.float32(1000), np.int64(2), n_events=np.int64(1_000))
    assert r.servers == 2 and r.offered_utilization == pytest.approx(0.25)


def test_seeded_runs_repeat_and_seeds_differ():
    a = wb.simulate_queue(500, 1000, 2, n_events=20_000, seed=7)
    b = wb.simulate_queue(500, 1000, 2, n_events=20_000, seed=7)
    c = wb.simulate_queue(500, 1000, 2, n_events=20_000, seed=8)
    assert a == b and a.mean_wait != c.mean_wait


@pytest.mark.parametrize("pooled", [True, False])
@pytest.mark.parametrize("lam", [1000.0, 1500.0])
def test_utilisation_at_or_above_one_reports_instability_without_hanging(lam, pooled):
    start = time.perf_counter()
    r = wb.simulate_queue(lam, 250, 4, n_events=200_000, seed=0, pooled=pooled)
    assert time.perf_counter() - start < 5
    assert not r.stable
    assert r.backlog_growth_per_sec == pytest.approx(lam - 1000)
    assert "Unstable" in r.message and r.theory.mean_wait is None
    if lam > 1000:
        assert r.max_wait > 10 * r.mean_service * 4  # the backlog really grew


@pytest.mark.parametrize("args, kwargs, fragment", [
    ((0, 1000, 1), {}, "arrival_rate"),
    ((-5, 1000, 1), {}, "arrival_rate"),
    ((100, 0, 1), {}, "service_rate"),
    ((100, float("nan"), 1), {}, "service_rate"),
    ((100, 1000, 0), {}, "servers"),
    ((100, 1000, 1.5), {}, "servers"),
    ((100, 1000, 1), {"n_events": 10}, "n_events"),
    ((100, 1000, 1), {"n_events": 10**9}, "n_events"),
    ((100, 1000, 1), {"service": "lognormal"}, "service"),
    ((100, 1000, 1), {"warmup": 0.9}, "warmup"),
    ((True, 1000, 1), {}, "arrival_rate"),
])
def test_bad_queue_inputs_name_the_parameter(args, kwargs, fragment):
    with pytest.raises(WorkloadError, match=fragment):
        wb.simulate_queue(*args, **kwargs)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 5), st.floats(0, 5)), min_size=2, max_size=60))
def test_lindley_matches_the_event_loop(pairs):
    gaps = np.array([p[0] for p in pairs])
    svc = np.array([p[1] for p in pairs])
    arrivals = np.cumsum(gaps)
    expected, free = [], 0.0
    for a, s in zip(arrivals, svc, strict=True):
        start = max(a, free)
        expected.append(start - a)
        free = start + s
    assert np.allclose(lindley_waits(gaps, svc), expected, atol=1e-9)
    assert np.allclose(_pooled_waits(arrivals, svc, 1), expected, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(0, 10_000))
def test_pooled_queue_is_fifo_and_never_exceeds_c_in_service(c, seed):
    tr = simulate_trace(900, 300, c, n_events=500, seed=seed)
    starts = tr.arrivals + tr.waits
    assert (tr.waits >= 0).all()
    assert (np.diff(starts) >= -1e-12).all()  # first come, first served
    # at each start, fewer than c earlier customers are still in service
    busy = [(starts[:i] + tr.services[:i] > starts[i] + 1e-12).sum() for i in range(len(starts))]
    assert max(busy) < c
