"""The exported stream job runs as a user runs it (``python stream/stream_job.py`` in a venv with pyspark,
duckdb and pyarrow, no workbench) over the sample stream split into files, one per micro-batch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import workbench as wb

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.interop]

BATCH = 400


def _export(ws: wb.Workspace, out: Path, **kw) -> tuple[wb.WindowReplay, Path]:
    lab = wb.replay_windows(ws, "order_events", event_time="ts_ms", keys=["op"], arrival="seq", batch_events=BATCH,
                            **kw)
    design = wb.PipelineDesign()
    wb.record_streaming(design, lab, sink_table="order_windows")
    design.export(out, targets=["stream", "pipeline"])
    return lab, out


def _run(spark_python: Path, home: Path, files: Path, checkpoint: Path | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(PIPELINE_HOME=str(home), STREAM_INPUT_DIR=str(files), SPARK_LOG_LEVEL="ERROR",
               PATH=f"{spark_python.parent}{os.pathsep}{env['PATH']}")
    if checkpoint:
        env["STREAM_CHECKPOINT"] = str(checkpoint)
    done = subprocess.run(["python", "stream/stream_job.py"], cwd=home, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]


def _table(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


SINK = "SELECT coalesce(op, '?'), window_start, window_end, count FROM order_windows ORDER BY ALL"


@pytest.fixture(scope="module")
def files(tmp_path_factory, sample_dir) -> Path:
    ws = wb.open_workspace(None, sample_dir)
    out = tmp_path_factory.mktemp("stream") / "order_events"
    wb.split_stream(ws, "order_events", out, batch_events=BATCH, arrival="seq")
    ws.close()
    return out


def test_the_job_writes_what_the_lab_emits_and_a_rerun_changes_nothing(spark_python, files, sample_dir, tmp_path):
    ws = wb.open_workspace(None, sample_dir)
    lab, home = _export(ws, tmp_path / "artifacts", window=("tumbling", 3600), watermark_delay=60)
    ws.close()
    assert not any("workbench" in line for line in (home / "stream" / "stream_job.py").read_text().splitlines()
                   if line.startswith(("import", "from")))
    _run(spark_python, home, files)
    want = sorted((op if isinstance(op, str) else "?", s.to_pydatetime(), e.to_pydatetime(), int(c)) for op, s, e, c in
                  zip(lab.rows["op"], lab.rows["window_start"], lab.rows["window_end"], lab.rows["count"], strict=True))
    first = _table(home, SINK)
    assert first == want and len(first) > 100
    assert _table(home, "SELECT count(*), sum(dropped_late) FROM _stream_progress") == [
        (lab.batches, int(lab.watermarks["late_windows"].sum()))]
    _run(spark_python, home, files)  # the same checkpoint: every file is done, nothing is re-emitted
    assert _table(home, SINK) == first
    shutil.rmtree(home / "checkpoints")  # a fresh checkpoint replays every batch: merged by window, same table
    _run(spark_python, home, files)
    assert _table(home, SINK) == first
    # the batch half: the reconciliation over every window the stream made final (up to its newest event)
    newest = lab.watermarks["max_event_time"].max().isoformat()
    done = _reconcile(home, sample_dir, newest)
    assert done.returncode == 0, done.stdout + done.stderr
    final = lab.windows.dropna(subset=["final_batch"])
    late = int(final["late"].sum())
    assert (f"{len(final)} final windows, {int(final['count'].sum()) + late} events in the batch count, {late} not "
            "in the stream") in done.stdout
    # ...and it fails when the stream counts an event twice
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    con.execute("UPDATE order_windows SET count = count + 1 WHERE window_start = (SELECT min(window_start) "
                "FROM order_windows)")
    con.close()
    done = _reconcile(home, sample_dir, newest)
    assert done.returncode == 1 and "stream reconciliation FAILED" in done.stdout, done.stdout + done.stderr


def _reconcile(home: Path, landing: Path, until: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.reconcile", "--since", "2026-01-01", "--until", until],
                          cwd=home,
                          env={"PATH": "/usr/bin:/bin", "PIPELINE_HOME": str(home), "PIPELINE_DATA_DIR": str(landing)},
                          capture_output=True, text=True, timeout=300)


def test_kappa_with_a_delay_admitting_every_event_the_final_windows_are_the_batch_group_by(
        spark_python, files, sample_dir, tmp_path):
    ws = wb.open_workspace(None, sample_dir)
    lab, home = _export(ws, tmp_path / "artifacts", window=("sliding", 3600, 900), watermark_delay=10 * 86400,
                        output_mode="update")
    group_by = ws.con.execute("""SELECT coalesce(op, '?'), make_timestamp(ws * 1000), make_timestamp((ws + 3600000) * 1000),
            count(*) FROM (SELECT op, (ts_ms // 900000 - i) * 900000 AS ws, ts_ms FROM order_events, range(4) AS r(i))
        WHERE ws + 3600000 > ts_ms GROUP BY ALL ORDER BY ALL""").fetchall()
    ws.close()
    assert lab.late_events == 0
    _run(spark_python, home, files)
    assert _table(home, SINK) == group_by


def test_a_job_with_a_lookup_counts_per_dimension_column_as_the_lab_does(spark_python, sample_dir, tmp_path):
    ws = wb.open_workspace(None, sample_dir)
    ws.con.execute("CREATE TABLE order_changes AS SELECT seq, ts_ms, after.customer_id AS customer_id FROM order_events")
    join = wb.enrich_stream(ws, "order_changes", "customers", on="customer_id", event_time="ts_ms",
                            columns=["segment"])
    lab = wb.replay_windows(ws, join.table, event_time="ts_ms", keys=["dim_segment"], arrival="seq",
                            batch_events=BATCH, window=("tumbling", 86400), watermark_delay=3600)
    design = wb.PipelineDesign()
    wb.record_streaming(design, lab, sink_table="segment_days", lookup=join)
    home = tmp_path / "artifacts"
    design.export(home, targets=["stream"])
    files = tmp_path / "files"
    wb.split_stream(ws, "order_changes", files, batch_events=BATCH, arrival="seq")
    ws.con.execute(f"ATTACH '{home / 'warehouse.duckdb'}' AS wh")  # the batch pipeline has loaded the dimension
    ws.con.execute("CREATE TABLE wh.main.customers AS SELECT * FROM customers")
    ws.con.execute("DETACH wh")
    ws.close()
    assert design.streaming.job.field_types == {"ts_ms": "BIGINT", "customer_id": "BIGINT"}
    _run(spark_python, home, files)
    got = _table(home, "SELECT batch_id, coalesce(dim_segment, '?'), window_start, count FROM segment_days_emissions "
                       "ORDER BY ALL")
    want = sorted((int(b), s if isinstance(s, str) else "?", w.to_pydatetime(), int(c)) for b, s, w, c in zip(
        lab.rows["emitted_batch"], lab.rows["dim_segment"], lab.rows["window_start"], lab.rows["count"], strict=True))
    assert got == want
    segments = {r[1] for r in got}
    assert "?" in segments and len(segments) >= 3  # several segments, and the events with no customer (deletes)
