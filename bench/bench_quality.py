"""Benchmark: a 10-expectation suite over 1M and 10M rows of Parquet, as whole processes.

Three contenders in the same run, each a fresh Python process (imports included):
  workbench  -- ``wb.validate`` on a view over the Parquet file (one scan + a few sample queries)
  floor      -- one hand-written DuckDB query computing the same counts (GX uniqueness semantics)
  gx         -- great-expectations 1.x with pandas (ephemeral context), in its own venv

Suite: row count, not-null x3, unique, two ranges, regex on emails, two in-set. Every contender's
unexpected counts are checked against the others. Time is wall-clock seconds (median of --repeat
runs) and the child's CPU seconds (user + system: steadier than wall time on a shared machine);
peak memory is the child's maximum resident set size.

    .venv/bin/python bench/bench_quality.py                 # 1M and 10M rows
    .venv/bin/python bench/bench_quality.py --rows 1000000 --repeat 1 --no-gx
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
sys.path.insert(0, str(ROOT / "tools"))

EMAIL = r"^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$"
STATUSES = ["placed", "paid", "shipped", "delivered"]  # "cancelled" rows are unexpected
CHANNELS = ["web", "app", "store"]
SUITE = {
    "name": "bench.orders",
    "expectations": [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1, "max_value": 100_000_000}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "order_id"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "customer_id"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "order_id"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "total_amount", "min_value": 0,
                                                                  "max_value": 1000}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "store_id", "min_value": 1,
                                                                  "max_value": 50}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "email", "regex": EMAIL}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status", "value_set": STATUSES}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "channel", "value_set": CHANNELS}},
    ],
}

GENERATE = """
COPY (
  SELECT
    CASE WHEN i % 50000 = 7 THEN i - 1 ELSE i END AS order_id,
    CASE WHEN hash(i, 1) % 100 = 0 THEN NULL ELSE (1 + hash(i, 2) % 100000)::BIGINT END AS customer_id,
    CASE WHEN hash(i, 3) % 1000 = 0 THEN NULL
         WHEN hash(i, 4) % 500 = 0 THEN 'user' || i || '.example.com'
         ELSE 'user' || i || '@example.com' END AS email,
    (['placed', 'paid', 'shipped', 'delivered', 'cancelled'])[(1 + hash(i, 5) % 5)::BIGINT] AS status,
    (['web', 'app', 'store'])[(1 + hash(i, 6) % 3)::BIGINT] AS channel,
    (1 + hash(i, 7) % 52)::INTEGER AS store_id,
    round((hash(i, 8) % 100000) / 100.0 - CASE WHEN hash(i, 9) % 2000 = 0 THEN 2000 ELSE 0 END, 2) AS total_amount,
    TIMESTAMP '2026-10-01' + to_seconds((hash(i, 10) % 2678400)::BIGINT) AS created_at
  FROM range($1) r(i)
) TO '{path}' (FORMAT parquet)
"""

#: each contender prints {"counts": [...], "rows": n}: unexpected counts in suite order (row count for #0)
WORKBENCH = r"""
import json, sys
import workbench as wb
from workbench.quality.gx import load_json
ws = wb.Workspace()
ws.con.execute("SET enable_progress_bar = false")
ws.con.execute("CREATE VIEW orders AS SELECT * FROM read_parquet('" + sys.argv[1].replace("'", "''") + "')")
suite = wb.Suite.model_validate(load_json(sys.argv[2]))
v = wb.validate(ws, "orders", suite, record_history=False)
res = sorted(v.results, key=lambda r: r.position)
print("RESULT", json.dumps({"counts": [res[0].observed_value] + [r.unexpected_count for r in res[1:]], "queries": v.queries}))
"""

FLOOR = r"""
import json, sys
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
path = sys.argv[1].replace("'", "''")
row = con.execute(f'''
SELECT count(*),
  count(*) FILTER (WHERE order_id IS NULL),
  count(*) FILTER (WHERE customer_id IS NULL),
  count(*) FILTER (WHERE email IS NULL),
  (SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM read_parquet('{path}') WHERE order_id IS NOT NULL
                                    GROUP BY order_id HAVING count(*) > 1)),
  count(*) FILTER (WHERE total_amount IS NOT NULL AND NOT (total_amount >= 0 AND total_amount <= 1000)),
  count(*) FILTER (WHERE store_id IS NOT NULL AND NOT (store_id >= 1 AND store_id <= 50)),
  count(*) FILTER (WHERE email IS NOT NULL AND NOT regexp_matches(email, $1)),
  count(*) FILTER (WHERE status IS NOT NULL AND status NOT IN ('placed', 'paid', 'shipped', 'delivered')),
  count(*) FILTER (WHERE channel IS NOT NULL AND channel NOT IN ('web', 'app', 'store'))
FROM read_parquet('{path}')''', [sys.argv[3]]).fetchone()
print("RESULT", json.dumps({"counts": [int(x) for x in row]}))
"""

GX = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import great_expectations as gx
import pandas as pd
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
df = pd.read_parquet(sys.argv[1])
spec = json.load(open(sys.argv[2]))
context = gx.get_context(mode="ephemeral")
batch = (context.data_sources.add_pandas("pandas").add_dataframe_asset(name="orders")
         .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": df}))
suite = context.suites.add(gx.ExpectationSuite(name=spec["name"]))
for i, item in enumerate(spec["expectations"]):
    suite.add_expectation(ExpectationConfiguration(type=item["type"], kwargs=item["kwargs"],
                                                   meta={"position": i}).to_domain_obj())
result = batch.validate(suite, result_format="SUMMARY")
res = sorted(result.results, key=lambda r: r.expectation_config.meta["position"])
print("RESULT", json.dumps({"counts": [res[0].result["observed_value"]] + [r.result["unexpected_count"] for r in res[1:]]}))
"""

#: runs one contender and reports its wall time and peak RSS (the launcher has exactly one child)
LAUNCHER = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": p.returncode, "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "peak_bytes": usage.ru_maxrss * 1024, "stdout": p.stdout, "stderr": p.stderr[-2000:]}))
"""


def generate(rows: int) -> Path:
    """The benchmark Parquet file (generated once under bench/.data/)."""
    import duckdb

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"quality_{rows}.parquet"
    if not path.exists():
        tmp = path.with_suffix(".tmp.parquet")
        duckdb.connect().execute(GENERATE.replace("{path}", str(tmp).replace("'", "''")), [rows])
        os.replace(tmp, path)
    return path


def measure(cmd: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV", "PYTHONPATH")}
    env["TQDM_DISABLE"] = "1"  # GX progress bars
    out = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], capture_output=True, text=True, env=env, check=True)
    m = json.loads(out.stdout)
    if m["rc"] != 0:
        raise RuntimeError(f"{cmd[:3]} failed:\n{m['stderr']}")
    line = next((x for x in m["stdout"].splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"{cmd[:1]} printed no result:\n{m['stdout'][-2000:]}\n{m['stderr']}")
    m["result"] = json.loads(line.removeprefix("RESULT "))
    return m


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, action="append", help="row counts (default: 1M and 10M)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-gx", action="store_true", help="skip great-expectations")
    args = ap.parse_args(argv)
    sizes = args.rows or [1_000_000, 10_000_000]
    suite_path = DATA / "quality_suite.json"
    DATA.mkdir(parents=True, exist_ok=True)
    suite_path.write_text(json.dumps(SUITE))
    contenders = {
        "workbench": [sys.executable, "-c", WORKBENCH],
        "floor (one DuckDB query)": [sys.executable, "-c", FLOOR],
    }
    if not args.no_gx:
        from peers import peer_python

        gx_py = peer_python("gx-bench", ["great_expectations>=1.3,<2", "pandas", "pyarrow"])
        contenders["great-expectations 1.x (pandas)"] = [str(gx_py), "-c", GX]
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
    rows_out = []
    for n in sizes:
        path = generate(n)
        for name, cmd in contenders.items():
            extra = [EMAIL] if name.startswith("floor") else []
            print(f"{n:,} rows: {name}", file=sys.stderr, flush=True)
            if n == sizes[0]:
                measure([*cmd, str(path), str(suite_path), *extra])  # warm-up: OS cache, .pyc files
            runs = [measure([*cmd, str(path), str(suite_path), *extra]) for _ in range(args.repeat)]
            counts = runs[0]["result"]["counts"]
            rows_out.append({"rows": n, "name": name, "seconds": statistics.median(r["seconds"] for r in runs),
                             "cpu": statistics.median(r["cpu_seconds"] for r in runs),
                             "peak_bytes": max(r["peak_bytes"] for r in runs), "counts": counts})
    print("\n| rows | contender | wall s (median) | CPU s (median) | peak RSS | wall vs floor | CPU vs floor | counts agree |")
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    for r in rows_out:
        floor = next(x for x in rows_out if x["rows"] == r["rows"] and x["name"].startswith("floor"))
        agree = "yes" if r["counts"] == floor["counts"] else f"NO: {r['counts']} vs {floor['counts']}"
        print(f"| {r['rows']:,} | {r['name']} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['peak_bytes'] / 2**20:,.0f} MiB | "
              f"{r['seconds'] / floor['seconds']:.2f}x | {r['cpu'] / floor['cpu']:.2f}x | {agree} |")
    for n in sizes:
        wbr = next(x for x in rows_out if x["rows"] == n and x["name"] == "workbench")
        gxr = next((x for x in rows_out if x["rows"] == n and x["name"].startswith("great")), None)
        if gxr:
            print(f"{n:,} rows: workbench {gxr['seconds'] / wbr['seconds']:.1f}x faster than GX (wall), "
                  f"{gxr['cpu'] / wbr['cpu']:.1f}x less CPU, "
                  f"{wbr['peak_bytes'] / gxr['peak_bytes']:.2f} of its peak memory")
    print("\ncounts (suite order):", json.dumps({r["rows"]: r["counts"] for r in rows_out if r["name"] == "workbench"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
