"""Benchmark: ``wb.profile`` against DuckDB's ``SUMMARIZE`` (10M rows) and ydata-profiling minimal mode (1M rows).

    .venv/bin/python bench/bench_profile.py                 # 10M-row table, ydata on 1M rows
    .venv/bin/python bench/bench_profile.py --rows 1000000 --ydata-rows 100000 --skip-ydata
    .venv/bin/python bench/bench_profile.py --fk-only       # only the 50 tables x 100 columns foreign-key case

The foreign-key case (``profile_dataset``) generates 50 tables x 100 columns in DuckDB (``FK_TABLES``: a
dense ``id``, a unique hex ``code``, a unique sparse integer ``reg``, floats, small integers, categoricals,
dates, flags, near-unique integers and short hex codes whose ranges overlap every parent's) with 11 planted
relationships (``FK_TRUE``), and reports wall time, the candidates left after the cheap filters, the probe
and verification (anti-join) queries, and whether exactly the planted relationships were found.

Each contender runs in its own subprocess (so peak memory is its own: ``ru_maxrss``), reading the same
12-column Parquet file generated under ``bench/.data/``. ydata-profiling runs in its own virtual
environment (``tools/peers.py``), never in the workbench's. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
sys.path.insert(0, str(ROOT / "tools"))

#: 12 columns: ids, a foreign-key-like id, categoricals, two timestamps, a decimal amount with negatives,
#: a count, an email with 5% nulls, an AAA-9999 code, a rate and a flag
GENERATE = """
COPY (
  SELECT i AS order_id,
    (hash(i) % 500000)::BIGINT AS customer_id,
    (hash(i * 7) % 50)::INTEGER AS store_id,
    (['placed', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + (hash(i * 3) % 5)::INT] AS status,
    TIMESTAMP '2026-10-01' + to_seconds((i * 0.2678)::BIGINT) AS created_at,
    TIMESTAMP '2026-10-01' + to_seconds((i * 0.2678)::BIGINT + (hash(i * 11) % 86400)::BIGINT) AS updated_at,
    round(((hash(i * 13) % 100000) / 100.0 - 5)::DECIMAL(12, 2), 2) AS total_amount,
    (hash(i * 17) % 10)::INTEGER AS quantity,
    CASE WHEN hash(i * 19) % 20 = 0 THEN NULL
         ELSE 'user' || (hash(i * 5) % 500000)::VARCHAR || '@example.com' END AS email,
    printf('%s-%04d', chr(65 + (hash(i * 23) % 26)::INT) || chr(65 + (hash(i * 29) % 26)::INT)
           || chr(65 + (hash(i * 31) % 26)::INT), (hash(i * 37) % 10000)::INT) AS sku,
    (hash(i * 41) % 1000) / 1000.0 AS discount_rate,
    hash(i * 43) % 2 = 0 AS is_gift
  FROM range({rows}) r(i)
) TO '{path}' (FORMAT parquet)
"""

#: contender -> code run in a fresh interpreter; it prints one JSON line with its own timings
CHILD_PRELUDE = """
import json, resource, sys, time
path = sys.argv[1]
MARK = "BENCH_RESULT "
def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
CONTENDERS = {
    "duckdb SUMMARIZE": """
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
t0 = time.perf_counter(); con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')"); load = time.perf_counter() - t0
t0 = time.perf_counter(); rows = con.execute("SUMMARIZE t").fetchall(); run = time.perf_counter() - t0
print(MARK + json.dumps({"load_s": load, "run_s": run, "peak_mb": peak_mb(), "columns": len(rows)}))
""",
    "workbench profile": """
import workbench as wb
ws = wb.Workspace()
ws.con.execute("SET enable_progress_bar = false")
t0 = time.perf_counter(); ws.load(path, name="t"); load = time.perf_counter() - t0
t0 = time.perf_counter(); p = wb.profile(ws, "t"); p.model_dump_json(); run = time.perf_counter() - t0
print(MARK + json.dumps({"load_s": load, "run_s": run, "peak_mb": peak_mb(), "columns": len(p.columns),
                  "scans": p.scans, "alerts": len(p.alerts)}))
""",
    "workbench profile (all exact)": """
import workbench as wb
ws = wb.Workspace()
ws.con.execute("SET enable_progress_bar = false")
t0 = time.perf_counter(); ws.load(path, name="t"); load = time.perf_counter() - t0
t0 = time.perf_counter(); p = wb.profile(ws, "t", exact_rows=10**12); p.model_dump_json(); run = time.perf_counter() - t0
print(MARK + json.dumps({"load_s": load, "run_s": run, "peak_mb": peak_mb(), "columns": len(p.columns),
                  "scans": p.scans, "alerts": len(p.alerts)}))
""",
    "workbench profile_dataset (foreign keys)": """
from bench_profile import fk_tables_sql, FK_TRUE
import workbench as wb
from workbench.profiling.keys import foreign_keys
tables, rows = (int(x) for x in path.split("x"))
ws = wb.Workspace()
ws.con.execute("SET enable_progress_bar = false")
t0 = time.perf_counter()
for sql in fk_tables_sql(tables, rows):
    ws.con.execute(sql)
load = time.perf_counter() - t0
t0 = time.perf_counter(); d = wb.profile_dataset(ws); run = time.perf_counter() - t0
t0 = time.perf_counter(); foreign_keys(ws, d.profiles); fk_s = time.perf_counter() - t0
got = {(f.from_table, f.from_columns[0], f.to_table, f.to_columns[0]) for f in d.foreign_keys}
print(MARK + json.dumps({"load_s": load, "run_s": run, "fk_s": fk_s, "peak_mb": peak_mb(),
                  "columns": sum(len(p.columns) for p in d.profiles.values()), "candidates": d.fk_candidates,
                  "probe_queries": d.fk_probe_queries, "verify_queries": d.fk_verify_queries,
                  "found": len(got & FK_TRUE), "expected": len(FK_TRUE), "spurious": sorted(map(list, got - FK_TRUE))}))
""",
    "ydata-profiling minimal": """
import pandas as pd
from ydata_profiling import ProfileReport
t0 = time.perf_counter(); df = pd.read_parquet(path); load = time.perf_counter() - t0
t0 = time.perf_counter()
report = ProfileReport(df, minimal=True, progress_bar=False)
report.to_json()
run = time.perf_counter() - t0
print(MARK + json.dumps({"load_s": load, "run_s": run, "peak_mb": peak_mb(), "columns": df.shape[1]}))
""",
}


FK_TABLES = 50
#: the planted relationships (child table, column, parent table, key): named integer ids, unnamed hex codes
#: with 1% orphan rows, an unnamed sparse integer registration
FK_TRUE = ({(f"t{k:02d}", f"t{k - 1:02d}_id", f"t{k - 1:02d}", "id") for k in range(1, 6)}
           | {(f"t{10 + k:02d}", f"src_{k}", f"t{k:02d}", "code") for k in range(5)}
           | {("t20", "plane", "t21", "reg")})


def fk_tables_sql(tables: int, rows: int) -> list[str]:
    """``CREATE TABLE`` statements for the foreign-key case: ``tables`` tables x 100 columns of ``rows`` rows."""
    out = []
    for t in range(tables):
        h = f"hash(i, {t}, {{j}})"
        cols = {"id": "i + 1", "code": f"md5('{t}-' || i)[1:10]", "reg": f"1000003 + i * 7919 + {t * 13}"}
        cols |= {f"f{j}": f"({h.format(j=j)} % 100000) / 100.0" for j in range(20)}
        cols |= {f"n{j}": f"({h.format(j=j + 20)} % {5 + j})::INTEGER" for j in range(20)}
        cols |= {f"s{j}": f"'v' || ({h.format(j=j + 40)} % {3 + 10 * j})" for j in range(15)}
        cols |= {f"d{j}": f"DATE '2020-01-01' + ({h.format(j=j + 60)} % 1000)::INTEGER" for j in range(10)}
        cols |= {f"b{j}": f"{h.format(j=j + 70)} % 2 = 0" for j in range(10)}
        cols |= {f"u{j}": f"({h.format(j=j + 80)} % 20000000)::BIGINT" for j in range(10)}
        cols |= {f"c{j}": f"md5(({h.format(j=j + 90)} % 500)::VARCHAR)[1:6]" for j in range(12)}
        pick = f"hash(i, {t}, 999) % {rows}"
        if 1 <= t <= 5:  # replaces c0: a named id into the previous table
            del cols["c0"]
            cols[f"t{t - 1:02d}_id"] = f"1 + {pick}"
        if 10 <= t <= 14:  # replaces c1: unnamed codes of t00..t04, 1% orphan rows
            del cols["c1"]
            cols[f"src_{t - 10}"] = f"CASE WHEN i % 100 = 0 THEN 'zz' || i ELSE md5('{t - 10}-' || ({pick}))[1:10] END"
        if t == 20:  # replaces c2: unnamed registrations of t21
            del cols["c2"]
            cols["plane"] = f"1000003 + ({pick} % 500) * 7919 + {21 * 13}"
        select = ", ".join(f"{e} AS {name}" for name, e in cols.items())
        out.append(f"CREATE TABLE t{t:02d} AS SELECT {select} FROM range({rows}) r(i)")
    return out


def make_table(rows: int) -> Path:
    """The benchmark Parquet file with ``rows`` rows (generated once, reused)."""
    import duckdb

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"profile_{rows}.parquet"
    if not path.exists():
        tmp = path.with_suffix(".tmp.parquet")
        duckdb.connect().execute(GENERATE.format(rows=int(rows), path=tmp.as_posix()))
        tmp.replace(path)
    return path


def run(name: str, python: str, path: Path) -> dict:
    proc = subprocess.run([python, "-c", CHILD_PRELUDE + CONTENDERS[name], str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=7200, env={**os.environ, "PYTHONPATH": str(ROOT / "bench")})
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    lines = [ln for ln in proc.stdout.splitlines() if "BENCH_RESULT " in ln]  # after any progress-bar codes
    return json.loads(lines[-1].split("BENCH_RESULT ", 1)[1]) if lines else {"error": "no result printed"}


#: ydata-profiling still imports pkg_resources, which setuptools 81 removed
YDATA_REQUIREMENTS = ["ydata-profiling", "setuptools<81", "pyarrow"]


def ydata_python() -> str | None:
    from peers import peer_python

    try:
        return str(peer_python("ydata", YDATA_REQUIREMENTS))
    except subprocess.CalledProcessError as exc:
        print(f"ydata-profiling could not be installed: {exc}", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--ydata-rows", type=int, default=1_000_000)
    ap.add_argument("--skip-ydata", action="store_true")
    ap.add_argument("--fk-rows", type=int, default=2_000, help="rows per table in the foreign-key case")
    ap.add_argument("--fk-only", action="store_true", help="run only the 50 tables x 100 columns foreign-key case")
    args = ap.parse_args(argv)

    fk = run("workbench profile_dataset (foreign keys)", sys.executable, f"{FK_TABLES}x{args.fk_rows}")
    print(f"\nForeign keys, {FK_TABLES} tables x 100 columns x {args.fk_rows:,} rows: " + (fk.get("error") or (
        f"generate {fk['load_s']:.1f} s, profile_dataset {fk['run_s']:.1f} s (foreign-key search alone "
        f"{fk['fk_s']:.2f} s), {fk['candidates']:,} candidates after the cheap filters, "
        f"{fk['probe_queries']} probe queries, {fk['verify_queries']} anti-joins; found {fk['found']} of "
        f"{fk['expected']} planted relationships, spurious: {fk['spurious'] or 'none'}; peak {fk['peak_mb']:,.0f} MB")))
    if args.fk_only:
        return 0
    results: list[tuple[str, int, dict]] = []
    big = make_table(args.rows)
    for name in ("duckdb SUMMARIZE", "workbench profile"):
        results.append((name, args.rows, run(name, sys.executable, big)))
    small = make_table(args.ydata_rows)
    for name in ("workbench profile", "workbench profile (all exact)"):
        results.append((name, args.ydata_rows, run(name, sys.executable, small)))
    if not args.skip_ydata:
        py = ydata_python()
        results.append(("ydata-profiling minimal", args.ydata_rows,
                        run("ydata-profiling minimal", py, small) if py else {"error": "not installable"}))

    print(f"\nMachine: {platform.machine()}, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}; 12 columns\n")
    print("| contender | rows | load s | profile s | peak MB | notes |")
    print("|---|---:|---:|---:|---:|---|")
    for name, rows, r in results:
        if "error" in r:
            print(f"| {name} | {rows:,} | | | | {r['error']} |")
            continue
        notes = f"{r['scans']} scans, {r['alerts']} alerts" if "scans" in r else ""
        print(f"| {name} | {rows:,} | {r['load_s']:.1f} | {r['run_s']:.1f} | {r['peak_mb']:,.0f} | {notes} |")
    by = {(n, rows): r for n, rows, r in results if "error" not in r}
    s, p = by.get(("duckdb SUMMARIZE", args.rows)), by.get(("workbench profile", args.rows))
    if s and p:
        print(f"\nprofile / SUMMARIZE at {args.rows:,} rows: {p['run_s'] / s['run_s']:.2f}x (goal <= 2x)")
    y, q = by.get(("ydata-profiling minimal", args.ydata_rows)), by.get(("workbench profile", args.ydata_rows))
    if y and q:
        print(f"ydata-profiling / profile at {args.ydata_rows:,} rows: {y['run_s'] / q['run_s']:.1f}x (goal >= 30x)")
        e = by.get(("workbench profile (all exact)", args.ydata_rows))
        if e:
            print(f"ydata-profiling / profile with every figure exact: {y['run_s'] / e['run_s']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
