"""End-to-end simulation of one architecture on a workload: latency distribution, burst lag, drain and cost.

* batch — runs every ``interval``: latency = wait for the window to close + scheduler delay + processing
  (mean = interval/2 + delay + processing). Runs never overlap, so a run longer than the interval
  delays the next: unstable when processing exceeds the interval.
* micro-batch — the same mechanism with a short trigger interval and a small per-batch overhead.
* streaming — one queue per consumer (``simulate_queue(pooled=False)``) at the peak rate, plus the
  transport latency; a burst is played through a seeded discrete-time backlog recursion whose
  closed form is the fluid model: lag = (burst − capacity) × duration, drain = lag ÷ (capacity − base).
* hybrid — a streaming speed layer plus a batch layer: streaming latency, both bills.

Latency figures describe steady operation at the peak rate; the burst is reported as lag, the worst
added latency and the drain time.
"""

from __future__ import annotations

import math
from html import escape
from typing import Literal

import numpy as np
from pydantic import BaseModel

from workbench.architecture import cost as costs
from workbench.architecture.format import fmt_rate, fmt_seconds
from workbench.architecture.queueing import Service, lindley_waits, simulate_trace
from workbench.architecture.sizing import size_kafka
from workbench.architecture.workload import RatePoint, Workload
from workbench.errors import WorkloadError
from workbench.orchestrators import Orchestrator, OrchestratorField

ARCHITECTURES = ("batch", "micro-batch", "streaming", "hybrid")
SimArchitecture = Literal["batch", "micro-batch", "streaming", "hybrid"]
STANDARD_INTERVALS = (86_400.0, 21_600.0, 3_600.0, 900.0, 300.0)
QUANTILES = np.linspace(0, 1, 101)


class SimulationSettings(BaseModel):
    """Architecture parameters (assumptions to replace with your measurements)."""

    batch_interval_seconds: float | None = None  # None: the longest standard interval ≤ 0.8 × SLO (at least 5 min)
    scheduler_delay_seconds: float = 30.0
    batch_startup_seconds: float = 60.0
    micro_batch_trigger_seconds: float = 10.0
    micro_batch_overhead_seconds: float = 1.0
    worker_events_per_sec: float = 20_000.0
    workers: int | None = None  # None: enough that a window at peak takes half the interval
    transport_latency_seconds: float = 0.01
    service: Service = "exponential"
    queue_events: int = 200_000
    orchestrator: OrchestratorField = Orchestrator.AIRFLOW
    seed: int = 0

    def interval_for(self, wl: Workload) -> float:
        if self.batch_interval_seconds is not None:
            return self.batch_interval_seconds
        fits = [i for i in STANDARD_INTERVALS if i <= 0.8 * wl.latency_slo_seconds]
        return fits[0] if fits else STANDARD_INTERVALS[-1]

    def workers_for(self, wl: Workload) -> int:
        if self.workers is not None:
            return self.workers
        return max(1, math.ceil(wl.peak_events_per_sec / (0.5 * self.worker_events_per_sec)))


class LagPoint(BaseModel):
    t_seconds: float
    lag_events: float
    arrival_rate: float


class SimulationResult(BaseModel):
    """One architecture on one workload: latency quantiles (s), burst lag and drain, monthly cost (USD)."""

    architecture: SimArchitecture
    workload: str
    latency_mean: float
    latency_p50: float
    latency_p95: float
    latency_p99: float
    latency_slo_seconds: float
    meets_slo: bool
    stable: bool
    capacity_events_per_sec: float
    base_events_per_sec: float
    burst_events_per_sec: float
    max_lag_events: float
    worst_added_latency_seconds: float
    drain_seconds: float | None
    monthly_cost: float
    cost_items: list[costs.CostItem]
    parameters: dict[str, float | int | str]
    closed_form: dict[str, float | None]
    lag: list[LagPoint]
    latency_quantiles: list[float]
    messages: list[str] = []

    def summary(self) -> str:
        lines = [
            f"{self.architecture}: latency p50 {fmt_seconds(self.latency_p50)}, p95 {fmt_seconds(self.latency_p95)}, "
            f"p99 {fmt_seconds(self.latency_p99)} (SLO {fmt_seconds(self.latency_slo_seconds)}: "
            f"{'met' if self.meets_slo else 'MISSED'})",
            f"  capacity {fmt_rate(self.capacity_events_per_sec)}; burst {fmt_rate(self.burst_events_per_sec)}: max lag "
            f"{self.max_lag_events:,.0f} events, worst added latency {fmt_seconds(self.worst_added_latency_seconds)}, "
            f"drain {fmt_seconds(self.drain_seconds)}",
            f"  monthly cost ${self.monthly_cost:,.0f}",
            *[f"  ! {m}" for m in self.messages],
        ]
        return "\n".join(lines)

    def cost_frame(self):
        import pandas as pd

        return pd.DataFrame([i.model_dump() for i in self.cost_items])

    def lag_frame(self):
        import pandas as pd

        return pd.DataFrame([p.model_dump() for p in self.lag]).assign(architecture=self.architecture)

    def _repr_html_(self) -> str:
        return f"<pre class='wb-simulation'>{escape(self.summary())}</pre>"


# --- rate timelines ------------------------------------------------------------------------
class _Timeline:
    """A piecewise-constant rate with its exact integral (expected arrivals up to t)."""

    def __init__(self, points: list[RatePoint]) -> None:
        if points[0].t_seconds > 0:
            points = [RatePoint(t_seconds=0, events_per_sec=points[0].events_per_sec), *points]
        self.t = np.array([p.t_seconds for p in points], dtype=float)
        self.r = np.array([p.events_per_sec for p in points], dtype=float)
        self.c = np.concatenate([[0.0], np.cumsum(self.r[:-1] * np.diff(self.t))])

    def rate(self, t: np.ndarray) -> np.ndarray:
        return self.r[np.clip(np.searchsorted(self.t, t, side="right") - 1, 0, None)]

    def cumulative(self, t: np.ndarray) -> np.ndarray:
        i = np.clip(np.searchsorted(self.t, t, side="right") - 1, 0, None)
        return self.c[i] + self.r[i] * (t - self.t[i])

    @property
    def base(self) -> float:
        return float(self.r[-1])

    @property
    def burst_end(self) -> float:
        return float(self.t[-1])

    @property
    def peak(self) -> float:
        return float(self.r.max())


def _burst_window(wl: Workload) -> tuple[_Timeline, float, float]:
    """The timeline, the burst's start and its end (both 0 when there is no burst)."""
    tl = _Timeline(wl.timeline())
    start = float(tl.t[1]) if len(tl.t) > 1 else 0.0
    return tl, start, tl.burst_end if len(tl.t) > 1 else 0.0


def _downsample(t: np.ndarray, lag: np.ndarray, rate: np.ndarray, n: int = 400) -> list[LagPoint]:
    idx = np.unique(np.linspace(0, len(t) - 1, min(n, len(t))).astype(int))
    # keep the maximum visible even when it falls between samples
    idx = np.unique(np.concatenate([idx, [int(np.argmax(lag))]]))
    return [LagPoint(t_seconds=float(t[i]), lag_events=float(lag[i]), arrival_rate=float(rate[i])) for i in idx]


# --- batch and micro-batch ------------------------------------------------------------------
def _scheduled(wl: Workload, interval: float, delay: float, overhead: float, capacity: float,
               rng: np.random.Generator, label: str) -> dict:
    """Fixed windows of ``interval``; run k is due at window end + delay, never overlaps run k-1."""
    base = wl.peak_events_per_sec
    steady_proc = overhead + base * interval / capacity
    stable = steady_proc <= interval
    messages = []
    if not stable:
        messages.append(f"unstable: processing one {label} ({fmt_seconds(steady_proc)}) takes longer than its interval "
                        f"({fmt_seconds(interval)}), so every run starts {fmt_seconds(steady_proc - interval)} later "
                        "than the last and latency grows without bound; add workers or lengthen the interval.")
    # steady state: 400 windows at the peak rate, Poisson counts, event positions uniform in their window
    n_w = 400
    counts = rng.poisson(base * interval, n_w)
    proc = overhead + counts / capacity
    late = lindley_waits(np.full(n_w, interval), proc)
    finish = (np.arange(1, n_w + 1) * interval + delay + late + proc)
    k = rng.choice(n_w, size=100_000, p=counts / counts.sum()) if counts.sum() else np.zeros(100_000, dtype=int)
    arrival = (k + rng.random(100_000)) * interval
    latency = finish[k] - arrival
    # burst: deterministic (expected) counts on the workload's timeline
    tl, b_start, b_end = _burst_window(wl)
    horizon = max(b_end + 6 * interval + 4 * steady_proc, 3 * interval)
    edges = np.arange(0, horizon + interval, interval)
    expected = np.diff(tl.cumulative(edges))
    bproc = overhead + expected / capacity
    blate = lindley_waits(np.full(len(expected), interval), bproc)
    bstart = edges[1:] + delay + blate
    bend = bstart + bproc
    grid = np.linspace(0, edges[-1], 4000)
    done = np.searchsorted(np.sort(bend), grid, side="right")
    processed = np.concatenate([[0.0], np.cumsum(expected[np.argsort(bend)])])[done]
    lag = np.maximum(tl.cumulative(grid) - processed, 0)
    drain: float | None = 0.0
    worst = 0.0
    if b_end > b_start:
        last = int(np.searchsorted(edges, b_end, side="left")) - 1  # the window holding the burst's end
        caught_up = [j for j in range(last, len(bend) - 1) if bend[j] <= bstart[j + 1] - blate[j + 1] + 1e-9]
        drain = float(bend[caught_up[0]] - b_end) if caught_up and stable else None
        steady_worst = interval + delay + steady_proc
        worst = max(float(np.max(bend - edges[:-1])) - steady_worst, 0.0)
    return {"latency": latency, "stable": stable, "messages": messages, "lag": _downsample(grid, lag, tl.rate(grid)),
            "max_lag": float(lag.max()), "drain": drain, "worst": worst, "steady_proc": steady_proc,
            "closed_form": {"mean_latency": interval / 2 + delay + steady_proc if stable else None}}


# --- streaming ---------------------------------------------------------------------------------
def _streaming(wl: Workload, s: SimulationSettings, rng: np.random.Generator) -> dict:
    k = size_kafka(wl)
    mu = wl.consumer_events_per_sec
    capacity = k.consumers * mu
    base = wl.peak_events_per_sec
    stable = base < capacity
    trace = simulate_trace(base, mu, k.consumers, n_events=max(s.queue_events, 100 * k.consumers), seed=s.seed,
                           pooled=False, service=s.service)
    latency = s.transport_latency_seconds + trace.waits + trace.services
    tl, b_start, b_end = _burst_window(wl)
    fluid_lag = max(tl.peak - capacity, 0.0) * (b_end - b_start)
    fluid_drain = fluid_lag / (capacity - tl.base) if capacity > tl.base else None
    horizon = b_end + (2 * fluid_drain if fluid_drain is not None else 4 * max(b_end - b_start, 60)) + 60
    steps = 20_000
    dt = horizon / steps
    t = np.arange(steps) * dt
    arrivals = rng.poisson(tl.rate(t) * dt).astype(float)
    backlog = lindley_waits(np.concatenate([[0.0], np.full(steps - 1, capacity * dt)]), arrivals)
    lag = np.concatenate([backlog[1:], [backlog[-1]]])  # backlog after each step's arrivals are served
    drain: float | None = 0.0
    messages = []
    if not stable:
        messages.append(f"unstable: {k.consumers} consumers × {fmt_rate(mu)} = {fmt_rate(capacity)} cannot carry the "
                        f"peak {fmt_rate(base)}; the lag grows by {fmt_rate(base - capacity)}.")
    if tl.base >= capacity:
        drain = None
        messages.append(f"the rate settles at {fmt_rate(tl.base)}, at or above the capacity {fmt_rate(capacity)}: "
                        f"the lag never drains (it grows by {fmt_rate(tl.base - capacity)}).")
    elif b_end > b_start:
        after = np.nonzero((t >= b_end) & (lag <= 0))[0]
        drain = float(t[after[0]] - b_end + dt) if len(after) and stable else None
    if tl.peak > capacity and b_end > b_start:
        messages.append(f"a burst of {fmt_rate(tl.peak)} exceeds the capacity {fmt_rate(capacity)}: lag builds for "
                        f"{fmt_seconds(b_end - b_start)} and drains at {fmt_rate(capacity - tl.base)}.")
    return {"latency": latency, "stable": stable, "messages": messages, "lag": _downsample(t, lag, tl.rate(t)),
            "max_lag": float(lag.max()), "drain": drain, "worst": float(lag.max() / capacity), "capacity": capacity,
            "kafka": k, "closed_form": {"fluid_max_lag_events": fluid_lag, "fluid_drain_seconds": fluid_drain}}


# --- public -----------------------------------------------------------------------------------
def simulate(wl: Workload, architecture: SimArchitecture = "streaming",
             settings: SimulationSettings | None = None) -> SimulationResult:
    """Simulate ``architecture`` on ``wl``: latency quantiles, lag during the burst, drain time, monthly cost."""
    if architecture not in ARCHITECTURES:
        raise WorkloadError(f"Unknown architecture {architecture!r}.", hint=f"Choose one of {', '.join(ARCHITECTURES)}.")
    s = settings or SimulationSettings()
    rng = np.random.default_rng(s.seed)
    workers = s.workers_for(wl)
    capacity = workers * s.worker_events_per_sec
    params: dict[str, float | int | str] = {}
    items: list[costs.CostItem] = []
    storage = costs.storage_lines(wl.bytes_per_day) + costs.transfer_lines(wl.bytes_per_day, wl.cross_region)
    if architecture == "batch":
        interval = s.interval_for(wl)
        startup = s.batch_startup_seconds
        out = _scheduled(wl, interval, s.scheduler_delay_seconds, startup, capacity, rng, "batch run")
        runs = costs.HOURS_PER_MONTH * 3600 / interval
        spark = wl.complexity == "complex"
        hours = runs * min(out["steady_proc"], interval) / 3600 * workers
        compute = ([costs.line(f"Spark workers (EMR, {workers} × m5.xlarge while runs last)", hours, "emr_m5_xlarge")]
                   if spark else costs.consumer_line(f"batch workers ({workers} tasks while runs last)", workers,
                                                     runs * min(out["steady_proc"], interval) / 3600))
        items = compute + costs.orchestrator_lines(s.orchestrator) + storage
        params = {"interval_seconds": interval, "scheduler_delay_seconds": s.scheduler_delay_seconds,
                  "processing_seconds": out["steady_proc"], "workers": workers}
    elif architecture == "micro-batch":
        trigger = s.micro_batch_trigger_seconds
        out = _scheduled(wl, trigger, 0.0, s.micro_batch_overhead_seconds, capacity, rng, "micro-batch")
        items = [costs.line(f"Spark Structured Streaming ({workers} × m5.xlarge, always on)",
                            workers * costs.HOURS_PER_MONTH, "emr_m5_xlarge"), *storage]
        params = {"trigger_seconds": trigger, "processing_seconds": out["steady_proc"], "workers": workers}
    else:
        out = _streaming(wl, s, rng)
        capacity = out["capacity"]
        k = out["kafka"]
        items = costs.kafka_lines(k.peak_mb_per_sec, k.replication_factor, k.storage_bytes)
        if wl.peak_events_per_sec > 10_000:
            kpu = max(1, math.ceil(wl.peak_events_per_sec / s.worker_events_per_sec))
            items.append(costs.line(f"Flink ({kpu} KPU, always on)", kpu * costs.HOURS_PER_MONTH, "flink_kpu"))
        else:
            items += costs.consumer_line(f"Kafka consumers ({k.consumers}, always on)", k.consumers)
        items += storage
        params = {"partitions": k.partitions, "consumers": k.consumers, "consumer_events_per_sec":
                  wl.consumer_events_per_sec, "transport_latency_seconds": s.transport_latency_seconds}
        if architecture == "hybrid":
            interval = STANDARD_INTERVALS[0]
            runs = costs.HOURS_PER_MONTH * 3600 / interval
            proc = s.batch_startup_seconds + float(wl.avg_events_per_sec) * interval / (workers * s.worker_events_per_sec)
            items += costs.consumer_line(f"batch layer ({workers} tasks, daily recompute)", workers, runs * proc / 3600)
            items += costs.orchestrator_lines(s.orchestrator)
            params["batch_interval_seconds"] = interval
    lat = out["latency"]
    q = np.quantile(lat, QUANTILES)
    p99 = float(np.quantile(lat, 0.99))
    return SimulationResult(
        architecture=architecture, workload=wl.name, latency_mean=float(lat.mean()),
        latency_p50=float(np.quantile(lat, 0.5)), latency_p95=float(np.quantile(lat, 0.95)), latency_p99=p99,
        latency_slo_seconds=wl.latency_slo_seconds, meets_slo=bool(out["stable"] and p99 <= wl.latency_slo_seconds),
        stable=out["stable"], capacity_events_per_sec=capacity, base_events_per_sec=wl.peak_events_per_sec,
        burst_events_per_sec=_Timeline(wl.timeline()).peak, max_lag_events=out["max_lag"],
        worst_added_latency_seconds=out["worst"], drain_seconds=out["drain"], monthly_cost=costs.total(items),
        cost_items=items, parameters=params, closed_form=out["closed_form"], lag=out["lag"],
        latency_quantiles=[float(x) for x in q], messages=out["messages"],
    )


class Comparison(BaseModel):
    """Every candidate architecture simulated on the same workload, side by side."""

    workload: str
    recommended: str
    results: list[SimulationResult]

    def __getitem__(self, architecture: str) -> SimulationResult:
        for r in self.results:
            if r.architecture == architecture:
                return r
        raise KeyError(architecture)

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([{
            "architecture": r.architecture, "recommended": r.architecture == self.recommended,
            "latency_p50_s": r.latency_p50, "latency_p99_s": r.latency_p99, "meets_slo": r.meets_slo,
            "stable": r.stable, "max_lag_events": r.max_lag_events, "drain_s": r.drain_seconds,
            "monthly_cost_usd": round(r.monthly_cost, 2),
        } for r in self.results])

    def summary(self) -> str:
        return "\n".join([f"{self.workload}: recommended {self.recommended}", *[r.summary() for r in self.results]])

    def _repr_html_(self) -> str:
        return f"<div class='wb-comparison'>{self.to_frame().to_html(index=False)}</div>"


def compare(wl: Workload, settings: SimulationSettings | None = None,
            architectures: tuple[str, ...] = ARCHITECTURES) -> Comparison:
    """Simulate every candidate architecture on ``wl`` with the same settings and seed."""
    from workbench.architecture.decide import recommend

    rec = recommend(wl, orchestrator=(settings or SimulationSettings()).orchestrator)
    return Comparison(workload=wl.name, recommended=rec.architecture,
                      results=[simulate(wl, a, settings) for a in architectures])  # type: ignore[arg-type]
