"""Benchmark: the workbench building a dbt project vs ``dbt build`` (dbt-core + dbt-duckdb), same run.

The default project is dbt's classic example shop (3 seeds, 5 models, 20 schema tests and one singular
test: tests/transform/fixtures/jaffle_shop). Three timings, each the median of ``--runs``:

* workbench warm: ``proj.build(ws)`` in this process (the notebook loop: edit, rebuild);
* workbench fresh process: ``workbench build PROJECT`` as a new Python process (the CLI);
* dbt: ``dbt build`` in its own venv (``.venvs/dbt``, created on first use).

    .venv/bin/python bench/bench_transform.py [--runs 5] [--project PATH]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from peers import peer_python, run_peer  # noqa: E402

import workbench as wb  # noqa: E402

DEFAULT_PROJECT = ROOT / "tests" / "transform" / "fixtures" / "jaffle_shop"
DATA = ROOT / "bench" / ".data" / "transform"


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--project", type=Path, default=DEFAULT_PROJECT)
    args = ap.parse_args()

    work = DATA / args.project.name
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.project, work)
    proj = wb.TransformProject.from_dbt(work)
    counts = (len(proj.seeds), len(proj.models), len(proj.tests) + len(proj.singular_tests))
    db_file = DATA / f"{work.name}.duckdb"
    (work / "profiles.yml").write_text(
        f"{proj.name}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{db_file}'\n"
        "      schema: main\n      threads: 1\n")

    # workbench, warm kernel: the project is loaded, each build re-renders and rebuilds everything
    ws = wb.Workspace()
    assert proj.build(ws).ok
    warm = median_seconds(lambda: proj.build(ws), args.runs)
    warm_load = median_seconds(lambda: wb.TransformProject.from_dbt(work).build(ws), args.runs)

    # workbench, fresh process: the CLI
    cli = Path(sys.executable).parent / "workbench"

    def fresh() -> None:
        subprocess.run([str(cli), "build", str(work)], check=True, capture_output=True)

    fresh_s = median_seconds(fresh, args.runs)

    # dbt build in its own venv
    py = peer_python("dbt", ["dbt-core>=1.9,<1.12", "dbt-duckdb"])
    env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}

    def dbt() -> None:
        proc = run_peer(py, [str(py.parent / "dbt"), "build", "--project-dir", str(work), "--profiles-dir", str(work)],
                        cwd=work, env=env)
        if proc.returncode != 0:
            raise SystemExit(proc.stdout[-3000:])

    dbt()  # first run writes target/ and the partial parse cache
    dbt_s = median_seconds(dbt, args.runs)
    found = re.search(r"installed:\s*(\S+)", run_peer(py, [str(py.parent / "dbt"), "--version"]).stdout)
    version = found.group(1) if found else "?"

    print(f"project: {work.name} ({counts[0]} seeds, {counts[1]} models, {counts[2]} tests); "
          f"median of {args.runs} runs; {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"dbt {version} + dbt-duckdb")
    print()
    print("| run | seconds | dbt build ÷ this |")
    print("|---|---:|---:|")
    print(f"| workbench `proj.build(ws)`, warm kernel | {warm:.3f} | {dbt_s / warm:.0f}× |")
    print(f"| workbench `from_dbt(path).build(ws)`, warm kernel | {warm_load:.3f} | {dbt_s / warm_load:.0f}× |")
    print(f"| workbench `workbench build PROJECT`, fresh process | {fresh_s:.3f} | {dbt_s / fresh_s:.1f}× |")
    print(f"| `dbt build` (dbt-duckdb) | {dbt_s:.3f} | 1× |")


if __name__ == "__main__":
    main()
