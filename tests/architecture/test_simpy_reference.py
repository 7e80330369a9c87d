"""simulate_queue against a plain SimPy event loop fed the same seeded draws: the waits must agree per event."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from workbench.architecture.queueing import simulate_trace

pytest.importorskip("simpy")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_queue import simpy_queue  # noqa: E402


@pytest.mark.parametrize("servers, pooled", [(1, True), (3, True), (3, False)])
def test_same_draws_same_waits_as_simpy(servers, pooled):
    lam, mu, n = 0.85 * servers * 1_000, 1_000.0, 10_000
    ours = simulate_trace(lam, mu, servers, n_events=n, seed=11, pooled=pooled).waits
    reference = simpy_queue(lam, mu, servers, n, seed=11, pooled=pooled).ravel()
    assert ours.shape == reference.shape
    assert np.allclose(ours, reference, rtol=0, atol=1e-9)
