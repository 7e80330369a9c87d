"""Altair charts for step 2 (data in, chart out): latency CDFs, lag during a burst, cost, the utilisation knee."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from workbench.architecture.queueing import Service, queue_theory, simulate_queue
from workbench.architecture.simulate import QUANTILES, Comparison, SimulationResult


def _results(data: Comparison | Sequence[SimulationResult] | SimulationResult) -> list[SimulationResult]:
    if isinstance(data, Comparison):
        return list(data.results)
    if isinstance(data, SimulationResult):
        return [data]
    return list(data)


def latency_cdf(data: Comparison | Sequence[SimulationResult]) -> alt.LayerChart:
    """End-to-end latency CDF per architecture (log seconds) with the SLO as a rule."""
    results = _results(data)
    df = pd.concat([pd.DataFrame({"architecture": r.architecture, "latency_s": r.latency_quantiles,
                                  "share": QUANTILES}) for r in results])
    df = df[df["latency_s"] > 0]
    lines = alt.Chart(df, title="End-to-end latency (steady state at the peak rate)").mark_line(interpolate="step-after").encode(
        x=alt.X("latency_s:Q", scale=alt.Scale(type="log"), title="latency (s, log scale)"),
        y=alt.Y("share:Q", title="share of events at or below", axis=alt.Axis(format="%")),
        color="architecture:N", tooltip=["architecture:N", "latency_s:Q", alt.Tooltip("share:Q", format=".0%")])
    slo = alt.Chart(pd.DataFrame({"slo": [results[0].latency_slo_seconds]})).mark_rule(strokeDash=[4, 4]).encode(
        x="slo:Q", tooltip=[alt.Tooltip("slo:Q", title="latency SLO (s)")])
    return (lines + slo).properties(width=560, height=260)


def lag_chart(data: Comparison | Sequence[SimulationResult] | SimulationResult) -> alt.Chart:
    """Consumer lag (events not yet processed) over time during the workload's burst."""
    df = pd.concat([r.lag_frame() for r in _results(data)])
    return alt.Chart(df, title="Lag during the burst (events waiting)").mark_line().encode(
        x=alt.X("t_seconds:Q", title="time (s)"), y=alt.Y("lag_events:Q", title="lag (events)"),
        color="architecture:N", tooltip=["architecture:N", "t_seconds:Q", "lag_events:Q", "arrival_rate:Q"],
    ).properties(width=560, height=240)


def cost_breakdown(data: Comparison | Sequence[SimulationResult]) -> alt.Chart:
    """Monthly cost per architecture, stacked by line item (hover for the price source)."""
    df = pd.concat([r.cost_frame().assign(architecture=r.architecture) for r in _results(data)])
    return alt.Chart(df, title="Monthly cost (USD, list prices)").mark_bar().encode(
        x=alt.X("monthly_usd:Q", title="USD per month", stack="zero"), y=alt.Y("architecture:N", title=None),
        color=alt.Color("item:N", legend=alt.Legend(orient="bottom", columns=2, labelLimit=400)),
        tooltip=["architecture:N", "item:N", alt.Tooltip("monthly_usd:Q", format=",.0f"), "quantity:Q", "unit:N",
                 "source:N"],
    ).properties(width=560, height=160)


def knee_frame(service_rate: float = 1_000.0, servers: int = 1, *, pooled: bool = True,
               service: Service = "exponential", utilizations: Sequence[float] | None = None,
               n_events: int = 500_000, seed: int = 0) -> pd.DataFrame:
    """p99 wait against utilisation: simulated, and the closed form where one exists."""
    rhos = list(utilizations or np.round(np.linspace(0.1, 0.95, 18), 3))
    rows = []
    for rho in rhos:
        lam = rho * servers * service_rate
        q = simulate_queue(lam, service_rate, servers, n_events=n_events, seed=seed, pooled=pooled, service=service)
        th = queue_theory(lam, service_rate, servers, pooled=pooled, service=service)
        rows.append({"utilization": rho, "p99_wait_s": q.p99_wait, "source": "simulated"})
        if th.p99_wait is not None:
            rows.append({"utilization": rho, "p99_wait_s": th.p99_wait, "source": "closed form"})
    return pd.DataFrame(rows)


def utilisation_knee(service_rate: float = 1_000.0, servers: int = 1, **kw) -> alt.Chart:
    """Utilisation vs p99 wait: flat, then a knee where every extra percent costs a lot of latency."""
    df = knee_frame(service_rate, servers, **kw)
    return alt.Chart(df, title=f"Utilisation vs p99 wait ({servers} server(s), μ = {service_rate:g}/s)").mark_line(
        point=True).encode(x=alt.X("utilization:Q", axis=alt.Axis(format="%")),
                           y=alt.Y("p99_wait_s:Q", title="p99 wait (s)"), strokeDash="source:N",
                           tooltip=["utilization:Q", "p99_wait_s:Q", "source:N"]).properties(width=560, height=240)
