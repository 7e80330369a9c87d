"""Queue simulation (vectorised, seeded) and the closed forms it is tested against.

``simulate_queue(arrival_rate, service_rate, servers)`` simulates FIFO queues fed by Poisson
arrivals: *pooled* (one queue, ``servers`` workers: M/M/c or M/D/c) or *partitioned* (each worker
its own queue fed ``arrival_rate / servers``: a Kafka consumer group, one consumer per partition).
Single-server queues use the Lindley recursion ``W[n+1] = max(0, W[n] + S[n] - A[n+1])`` written
as a running minimum of a cumulative sum, so a million events take milliseconds; pooled multi-server
queues keep a heap of server free times in one tight loop. At utilisation >= 1 it still finishes
(the run is finite) and reports the instability and how fast the backlog grows.
"""

from __future__ import annotations

import heapq
import math
import numbers
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel

from workbench.errors import WorkloadError

Service = Literal["exponential", "deterministic"]
MAX_EVENTS = 50_000_000


class QueueTheory(BaseModel):
    """Closed-form waiting-time figures (None where no closed form exists or the queue is unstable)."""

    model: str
    exact: bool
    mean_wait: float | None = None
    prob_wait: float | None = None
    p50_wait: float | None = None
    p95_wait: float | None = None
    p99_wait: float | None = None
    note: str = ""


class QueueResult(BaseModel):
    """Waiting time in queue (seconds, before service starts) measured over one simulated run."""

    model: str
    arrival_rate: float
    service_rate: float
    servers: int
    pooled: bool
    service: Service
    n_events: int
    seed: int
    mean_wait: float
    mean_wait_stderr: float
    p50_wait: float
    p95_wait: float
    p99_wait: float
    max_wait: float
    prob_wait: float
    mean_service: float
    mean_sojourn: float
    utilization: float
    offered_utilization: float
    stable: bool
    backlog_growth_per_sec: float
    theory: QueueTheory
    message: str = ""

    def summary(self) -> str:
        head = (f"{self.model}: λ={self.arrival_rate:g}/s, μ={self.service_rate:g}/s, c={self.servers}, "
                f"ρ={self.offered_utilization:.3f}, {self.n_events:,} events (seed {self.seed})")
        body = (f"wait mean {self.mean_wait:.6g} s (±{1.96 * self.mean_wait_stderr:.2g}), p50 {self.p50_wait:.6g}, "
                f"p95 {self.p95_wait:.6g}, p99 {self.p99_wait:.6g}; P(wait) {self.prob_wait:.4f}; "
                f"utilisation {self.utilization:.4f}")
        if self.theory.mean_wait is not None:
            body += f"\ntheory ({'exact' if self.theory.exact else 'approx.'}): mean wait {self.theory.mean_wait:.6g} s"
        return "\n".join(x for x in (head, body, self.message) if x)

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre class='wb-queue-result'>{escape(self.summary())}</pre>"


@dataclass
class QueueTrace:
    """Per-event arrays of one run; partitioned runs hold each partition's events in turn (sorted within each)."""

    arrivals: np.ndarray
    waits: np.ndarray
    services: np.ndarray

    @property
    def departures(self) -> np.ndarray:
        return self.arrivals + self.waits + self.services


# --- closed forms ------------------------------------------------------------------------
def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability an arrival waits in M/M/c (Erlang C), computed stably via the Erlang B recursion."""
    a = arrival_rate / service_rate
    rho = a / servers
    if rho >= 1:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    return b / (1 - rho * (1 - b))


def mmc_theory(arrival_rate: float, service_rate: float, servers: int) -> QueueTheory:
    """M/M/c: P(W > t) = C·exp(-(cμ-λ)t), so mean = C/(cμ-λ) and quantile q = ln(C/(1-q))/(cμ-λ)."""
    model = f"M/M/{servers}"
    if arrival_rate >= servers * service_rate:
        return QueueTheory(model=model, exact=True, note="unstable: utilisation >= 1")
    c_prob = erlang_c(arrival_rate, service_rate, servers)
    gap = servers * service_rate - arrival_rate

    def q(p: float) -> float:
        return math.log(c_prob / (1 - p)) / gap if c_prob > 1 - p else 0.0

    return QueueTheory(model=model, exact=True, mean_wait=c_prob / gap, prob_wait=c_prob,
                       p50_wait=q(0.5), p95_wait=q(0.95), p99_wait=q(0.99))


def md1_theory(arrival_rate: float, service_rate: float) -> QueueTheory:
    """M/D/1 (Pollaczek–Khinchine): mean wait = ρ / (2μ(1-ρ)); P(wait) = ρ."""
    rho = arrival_rate / service_rate
    if rho >= 1:
        return QueueTheory(model="M/D/1", exact=True, note="unstable: utilisation >= 1")
    return QueueTheory(model="M/D/1", exact=True, mean_wait=rho / (2 * service_rate * (1 - rho)), prob_wait=rho,
                       note="Pollaczek–Khinchine mean; no simple closed form for quantiles")


def mdc_theory(arrival_rate: float, service_rate: float, servers: int) -> QueueTheory:
    """M/D/c has no simple closed form: the Allen–Cunneen approximation Wq ≈ Wq(M/M/c) / 2."""
    mm = mmc_theory(arrival_rate, service_rate, servers)
    mean = None if mm.mean_wait is None else mm.mean_wait / 2
    return QueueTheory(model=f"M/D/{servers}", exact=False, mean_wait=mean,
                       note="Allen–Cunneen approximation (Wq of M/M/c halved)")


def queue_theory(arrival_rate: float, service_rate: float, servers: int, *, pooled: bool = True,
                 service: Service = "exponential") -> QueueTheory:
    """The closed form for one configuration; partitioned queues are ``servers`` copies of a 1-server queue."""
    lam, c = (arrival_rate, servers) if pooled else (arrival_rate / servers, 1)
    if service == "exponential":
        return mmc_theory(lam, service_rate, c)
    return md1_theory(lam, service_rate) if c == 1 else mdc_theory(lam, service_rate, c)


# --- simulation ---------------------------------------------------------------------------
def lindley_waits(interarrivals: np.ndarray, services: np.ndarray) -> np.ndarray:
    """FIFO single-server waits along the last axis, starting empty (vectorised Lindley recursion).

    With U[n] = S[n-1] - A[n] and X = cumsum(U) (X[0] = 0), W[n] = X[n] - min(X[0..n]).
    ``interarrivals[..., n]`` is the gap before event n (the first one is ignored).
    """
    u = services[..., :-1] - interarrivals[..., 1:]
    x = np.concatenate([np.zeros(u.shape[:-1] + (1,)), np.cumsum(u, axis=-1)], axis=-1)
    return x - np.minimum.accumulate(x, axis=-1)


def _pooled_waits(arrivals: np.ndarray, services: np.ndarray, servers: int) -> np.ndarray:
    """FIFO c-server waits: each arrival takes the server that frees first (a heap of free times)."""
    heap = [0.0] * servers
    waits = [0.0] * len(arrivals)
    replace = heapq.heapreplace
    i = 0
    for a, s in zip(arrivals.tolist(), services.tolist(), strict=True):
        t = heap[0]
        if a >= t:
            replace(heap, a + s)
        else:
            waits[i] = t - a
            replace(heap, t + s)
        i += 1
    return np.asarray(waits)


def _validate(arrival_rate: float, service_rate: float, servers: int, n_events: int, service: str,
              warmup: float = 0.0) -> None:
    problems = []
    for name, value in (("arrival_rate", arrival_rate), ("service_rate", service_rate)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            problems.append(f"{name} must be a positive finite number of events per second (got {value!r})")
    if not isinstance(servers, int | np.integer) or isinstance(servers, bool) or servers < 1:
        problems.append(f"servers must be a whole number >= 1 (got {servers!r})")
    elif servers > 100_000:
        problems.append(f"servers={servers} is absurd for one queue (at most 100,000)")
    if not isinstance(n_events, int | np.integer) or not 100 <= n_events <= MAX_EVENTS:
        problems.append(f"n_events must be a whole number between 100 and {MAX_EVENTS:,} (got {n_events!r})")
    if service not in ("exponential", "deterministic"):
        problems.append(f"service must be 'exponential' or 'deterministic' (got {service!r})")
    if not 0 <= warmup < 0.5:
        problems.append(f"warmup is the fraction of events left out, in [0, 0.5) (got {warmup!r})")
    if problems:
        raise WorkloadError("Cannot simulate this queue: " + "; ".join(problems) + ".",
                            hint="Rates are events per second, e.g. simulate_queue(800, 1000, 1).")


def simulate_trace(arrival_rate: float, service_rate: float, servers: int = 1, *, n_events: int = 1_000_000,
                   seed: int = 0, pooled: bool = True, service: Service = "exponential") -> QueueTrace:
    """Simulate one run and return per-event arrays (see :func:`simulate_queue` for the parameters)."""
    _validate(arrival_rate, service_rate, servers, n_events, service)
    rng = np.random.default_rng(seed)
    servers = int(servers)
    if pooled:
        gaps = rng.exponential(1 / arrival_rate, n_events)
        svc = (rng.exponential(1 / service_rate, n_events) if service == "exponential"
               else np.full(n_events, 1 / service_rate))
        arrivals = np.cumsum(gaps)
        waits = lindley_waits(gaps, svc) if servers == 1 else _pooled_waits(arrivals, svc, servers)
        return QueueTrace(arrivals, waits, svc)
    per = max(n_events // servers, 2)
    shape = (servers, per)
    gaps = rng.exponential(servers / arrival_rate, shape)
    svc = rng.exponential(1 / service_rate, shape) if service == "exponential" else np.full(shape, 1 / service_rate)
    return QueueTrace(np.cumsum(gaps, axis=1).ravel(), lindley_waits(gaps, svc).ravel(), svc.ravel())


def batch_means_stderr(x: np.ndarray, batches: int = 50) -> float:
    """Standard error of the mean of a correlated series by the method of batch means."""
    if len(x) < batches * 2:
        return float(np.std(x) / math.sqrt(max(len(x), 1)))
    means = x[: len(x) // batches * batches].reshape(batches, -1).mean(axis=1)
    return float(means.std(ddof=1) / math.sqrt(batches))


def simulate_queue(arrival_rate: float, service_rate: float, servers: int = 1, *, n_events: int = 1_000_000,
                   seed: int = 0, pooled: bool = True, service: Service = "exponential",
                   warmup: float = 0.01) -> QueueResult:
    """Simulate a FIFO queue with Poisson arrivals and report the waiting time in queue.

    ``pooled=True``: one queue served by ``servers`` workers (M/M/c, or M/D/c with
    ``service="deterministic"``). ``pooled=False``: each worker has its own queue fed
    ``arrival_rate / servers`` (a Kafka consumer group, one consumer per partition). The first
    ``warmup`` fraction of events (the queue starts empty) is left out of the statistics.

    >>> simulate_queue(800, 1000, 1, n_events=100_000).offered_utilization
    0.8
    """
    _validate(arrival_rate, service_rate, servers, n_events, service, warmup)
    trace = simulate_trace(arrival_rate, service_rate, servers, n_events=n_events, seed=seed, pooled=pooled,
                           service=service)
    capacity = servers * service_rate
    rho = arrival_rate / capacity
    theory = queue_theory(arrival_rate, service_rate, servers, pooled=pooled, service=service)
    keep = np.ones(len(trace.waits), dtype=bool)
    if pooled:
        keep[: int(len(keep) * warmup)] = False
    else:
        per = len(keep) // servers
        keep.reshape(servers, per)[:, : int(per * warmup)] = False
    w = trace.waits[keep]
    p50, p95, p99 = np.quantile(w, [0.5, 0.95, 0.99])
    span = float(trace.departures.max() - trace.arrivals.min()) if len(w) else 1.0
    kind = "M" if service == "exponential" else "D"
    model = f"M/{kind}/{servers}" if pooled else f"{servers} × M/{kind}/1 (partitioned)"
    stable = rho < 1
    growth = max(arrival_rate - capacity, 0.0)
    message = ""
    if not stable:
        message = (f"Unstable: utilisation {rho:.3f} >= 1, so the backlog grows by {growth:,.6g} events/s "
                   f"({'critically loaded: waits grow without bound like √t' if growth == 0 else 'without bound'}). "
                   "These waits describe only this finite run; add servers or speed up service.")
    return QueueResult(
        model=model, arrival_rate=arrival_rate, service_rate=service_rate, servers=servers, pooled=pooled,
        service=service, n_events=len(trace.waits), seed=seed, mean_wait=float(w.mean()),
        mean_wait_stderr=batch_means_stderr(w), p50_wait=float(p50), p95_wait=float(p95), p99_wait=float(p99),
        max_wait=float(w.max()), prob_wait=float(np.mean(w > 0)), mean_service=float(trace.services.mean()),
        mean_sojourn=float(w.mean() + trace.services[keep].mean()),
        utilization=float(trace.services.sum() / (servers * span)), offered_utilization=rho, stable=stable,
        backlog_growth_per_sec=growth, theory=theory, message=message,
    )
