"""Benchmark: wb.simulate_queue against a straightforward SimPy event-loop simulation, same run, same parameters.

    .venv/bin/python bench/bench_queue.py                       # 1M events, 4 servers, ρ = 0.7, μ = 1000/s
    .venv/bin/python bench/bench_queue.py --events 200000 --rho 0.8 --servers 8

For the pooled queue (M/M/c: one queue, c workers) and the partitioned one (c × M/M/1: a Kafka consumer
group, one consumer per partition) it prints a markdown table: wall time, mean / p99 wait and P(wait)
from each simulator, the closed form (Erlang C), relative differences and the speed-up. The two
simulators consume the same seeded random draws (common random numbers), so they should agree to
rounding; against the closed form they differ by sampling error, read against the mean's 95%
interval (batch means).
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import simpy

import workbench as wb
from workbench.architecture.queueing import batch_means_stderr, queue_theory, simulate_trace


def simpy_queue(lam: float, mu: float, servers: int, n: int, seed: int, pooled: bool) -> np.ndarray:
    """Waiting times from a SimPy event loop: Poisson arrivals, exponential service, FIFO resources.

    It consumes the same seeded draws, in the same order, as ``simulate_queue`` (common random numbers),
    so the two agree exactly when both implement the same queue; any gap is a modelling difference.
    """
    rng = np.random.default_rng(seed)
    if pooled:
        gaps = [rng.exponential(1 / lam, n).tolist()]
        services = [rng.exponential(1 / mu, n).tolist()]
        resources_n, capacity = 1, servers
    else:
        per = n // servers
        gaps = rng.exponential(servers / lam, (servers, per)).tolist()
        services = rng.exponential(1 / mu, (servers, per)).tolist()
        resources_n, capacity = servers, 1
    env = simpy.Environment()
    waits: list[list[float]] = [[0.0] * len(g) for g in gaps]

    def customer(lane: int, i: int, res: simpy.Resource):
        arrived = env.now
        with res.request() as req:
            yield req
            waits[lane][i] = env.now - arrived
            yield env.timeout(services[lane][i])

    def source(lane: int, res: simpy.Resource):
        for i, gap in enumerate(gaps[lane]):
            yield env.timeout(gap)
            env.process(customer(lane, i, res))

    for lane in range(resources_n):
        env.process(source(lane, simpy.Resource(env, capacity=capacity)))
    env.run()
    return np.array(waits)


def rel(a: float, b: float) -> str:
    return f"{(a - b) / b:+.2%}" if b else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--servers", type=int, default=4)
    ap.add_argument("--rho", type=float, default=0.7)
    ap.add_argument("--mu", type=float, default=1_000.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="workbench runs (best time is reported)")
    args = ap.parse_args()
    lam = args.rho * args.servers * args.mu
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}, "
          f"simpy {simpy.__version__}; {args.events:,} events, c = {args.servers}, λ = {lam:g}/s, μ = {args.mu:g}/s, "
          f"ρ = {args.rho}\n")
    print("| model | simulator | seconds | mean wait (ms) | ±95% | p99 wait (ms) | P(wait) | mean vs closed form |"
          " p99 vs closed form |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for pooled in (True, False):
        th = queue_theory(lam, args.mu, args.servers, pooled=pooled)
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = wb.simulate_queue(lam, args.mu, args.servers, n_events=args.events, seed=args.seed, pooled=pooled)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        w = simpy_queue(lam, args.mu, args.servers, args.events, args.seed, pooled)
        t_simpy = time.perf_counter() - t
        ours = simulate_trace(lam, args.mu, args.servers, n_events=args.events, seed=args.seed, pooled=pooled).waits
        max_diff = float(np.max(np.abs(ours - w.ravel())))
        w = w[:, w.shape[1] // 100:].ravel()  # the same 1% warm-up per queue as simulate_queue
        s_mean, s_p99, s_pw = float(w.mean()), float(np.quantile(w, 0.99)), float(np.mean(w > 0))
        label = r.model
        print(f"| {label} | workbench | {min(times):.3f} | {r.mean_wait * 1e3:.4f} | {1.96 * r.mean_wait_stderr * 1e3:.4f} "
              f"| {r.p99_wait * 1e3:.3f} | {r.prob_wait:.4f} | {rel(r.mean_wait, th.mean_wait)} | {rel(r.p99_wait, th.p99_wait)} |")
        print(f"| {label} | SimPy | {t_simpy:.3f} | {s_mean * 1e3:.4f} | {1.96 * batch_means_stderr(w) * 1e3:.4f} "
              f"| {s_p99 * 1e3:.3f} | {s_pw:.4f} | {rel(s_mean, th.mean_wait)} | {rel(s_p99, th.p99_wait)} |")
        print(f"| {label} | closed form | | {th.mean_wait * 1e3:.4f} | | {th.p99_wait * 1e3:.3f} | {th.prob_wait:.4f} | | |")
        print(f"| {label} | **speed-up {t_simpy / min(times):.0f}×**; workbench vs SimPy: mean {rel(r.mean_wait, s_mean)}, "
              f"p99 {rel(r.p99_wait, s_p99)}, largest per-event difference {max_diff:.1e} s | | | | | | | |")


if __name__ == "__main__":
    main()
