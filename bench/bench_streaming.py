"""Benchmark: the streaming lab (DuckDB) vs the exported Spark Structured Streaming job, same stream, same run.

    .venv/bin/python bench/bench_streaming.py                       # 1M events, 50 micro-batches
    .venv/bin/python bench/bench_streaming.py --events 200000 --batches 10

The stream is generated in DuckDB: ``--events`` events over ``--keys`` stores across one day of event time,
arriving in event-time order except for ~2 % that arrive up to 3 hours late. Contenders, same settings
(tumbling 1-hour windows per store, 10-minute watermark, append mode, one micro-batch per file):

* ``workbench.replay_windows`` — the lab, in DuckDB;
* the exported job (``stream/stream_job.py``) on Spark ``local[2]`` in ``.venvs/spark`` over the stream
  split into files (``split_stream``), JVM start included and reported apart.

The answers are compared row for row (every emitted window with its batch); Spark's processing rate is the
calibration a simulation of the streaming design can use as its consumer rate.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

import workbench as wb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from peers import peer_python  # noqa: E402

SPARK = ["pyspark>=4.0,<5", "duckdb>=1.1", "pyarrow>=15"]


def generate(ws: wb.Workspace, events: int, keys: int) -> None:
    ws.con.execute(f"""CREATE OR REPLACE TABLE events AS
        SELECT i AS seq, 'S' || lpad(CAST(hash(i, 's') % {keys} AS VARCHAR), 3, '0') AS store,
               1790000000000 + (i * 86400000 // {events})
                 - CASE WHEN hash(i, 'late') % 50 = 0 THEN CAST(hash(i, 'by') % 10800000 AS BIGINT) ELSE 0 END AS ts_ms
        FROM range({events}) t(i)""")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=100)
    ap.add_argument("--batches", type=int, default=50)
    args = ap.parse_args()
    batch = -(-args.events // args.batches)
    ws = wb.Workspace()
    generate(ws, args.events, args.keys)
    settings = {"event_time": "ts_ms", "keys": ["store"], "window": ("tumbling", 3600), "watermark_delay": 600,
                "batch_events": batch, "arrival": "seq"}
    t0 = time.perf_counter()
    lab = wb.replay_windows(ws, "events", **settings)
    lab_s = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        design = wb.PipelineDesign()
        wb.record_streaming(design, lab, sink_table="store_windows")
        design.export(tmp / "artifacts", targets=["stream"])
        wb.split_stream(ws, "events", tmp / "files", batch_events=batch, arrival="seq")
        py = peer_python("spark", SPARK)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env.update(PIPELINE_HOME=str(tmp / "artifacts"), STREAM_INPUT_DIR=str(tmp / "files"), SPARK_LOG_LEVEL="ERROR")
        t0 = time.perf_counter()
        subprocess.run([str(py), "-c", "from pyspark.sql import SparkSession; "
                        "SparkSession.builder.master('local[2]').getOrCreate().stop()"],
                       env=env, check=True, capture_output=True)
        jvm_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        done = subprocess.run([str(py), "stream/stream_job.py"], cwd=tmp / "artifacts", env=env, capture_output=True,
                              text=True)
        spark_s = time.perf_counter() - t0
        if done.returncode:
            sys.exit(done.stderr[-3000:])
        con = duckdb.connect(str(tmp / "artifacts" / "warehouse.duckdb"), read_only=True)
        got = con.execute("SELECT batch_id, store, window_start, window_end, count FROM store_windows_emissions "
                          "ORDER BY ALL").fetchall()
        con.close()
    want = sorted((int(r.emitted_batch), r.store, r.window_start.to_pydatetime(), r.window_end.to_pydatetime(),
                   int(r.count)) for r in lab.rows.itertuples())
    same = got == want
    net = max(spark_s - jvm_s, 1e-9)
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}; {lab.events:,} events, {lab.batches} batches, "
          f"{len(lab.rows):,} windows emitted, {lab.late_events:,} late\n")
    print("| contender | seconds | events/s | same answer |")
    print("|---|---:|---:|---|")
    print(f"| `wb.replay_windows` (DuckDB lab) | {lab_s:.2f} | {lab.events / lab_s:,.0f} | — |")
    print(f"| exported job on Spark local[2] (whole run) | {spark_s:.2f} | {lab.events / spark_s:,.0f} | "
          f"{'yes' if same else 'NO'} ({len(got):,} rows) |")
    print(f"| the same minus JVM start ({jvm_s:.1f} s) | {net:.2f} | {lab.events / net:,.0f} | |")
    print(f"\ncalibration: the Spark job processed {lab.events / net / 2:,.0f} events/s per core "
          "(use it as the consumer rate of the streaming design's simulation)")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
