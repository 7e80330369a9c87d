"""The DuckDB lab emits what real Spark Structured Streaming emits: same rows, same batches, same late data.

The exported stream job runs in its own venv (pyspark 4, ``local``), over the stream split into one file per
micro-batch (``split_stream``), so both see the same batch boundaries. Compared per case: every emitted row
with its batch id, the number of batches (the final no-data batch included), each batch's watermark, and
Spark's per-batch count of rows dropped as late (``numRowsDroppedByWatermark``, counted after partial
aggregation: one per window, the lab's ``late_windows``).
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.design.export.stream import stream_config

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.interop]


def _plain(v):
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, float) and math.isnan(v):
        return None
    return int(v) if hasattr(v, "item") and not isinstance(v, str) else v


def _sortable(row: tuple) -> tuple:
    return tuple((x is None, "" if x is None else x) for x in row)


def compare(spark, ws: wb.Workspace, table: str, tmp: Path, **kw) -> wb.WindowReplay:
    """Replay ``table`` in the lab and in Spark with the same settings; assert both emitted the same."""
    lab = wb.replay_windows(ws, table, **kw)
    design = wb.PipelineDesign()
    wb.record_streaming(design, lab, sink_table="w")
    wb.split_stream(ws, table, tmp / "in", batch_events=lab.batch_events, arrival=kw.get("arrival"))
    spark.run(stream_config(design), tmp / "in", tmp / "wh.duckdb", tmp / "checkpoint")
    keys = lab.keys
    cols = ", ".join([*(wb.quote_ident(k) for k in keys), "window_start", "window_end", "count"])
    con = duckdb.connect(str(tmp / "wh.duckdb"), read_only=True)
    try:
        spark_rows = con.execute(f"SELECT batch_id, {cols} FROM w_emissions").fetchall()
        progress = con.execute("SELECT batch_id, watermark, dropped_late FROM _stream_progress ORDER BY 1").fetchall()
    finally:
        con.close()
    lab_rows = [tuple(_plain(r[c]) for c in ["emitted_batch", *keys, "window_start", "window_end", "count"])
                for _, r in lab.rows.iterrows()]
    assert sorted(spark_rows, key=_sortable) == sorted(lab_rows, key=_sortable), lab.summary()
    assert [p[0] for p in progress] == list(range(lab.batches))
    assert [p[1] or datetime(1970, 1, 1) for p in progress] == [_plain(t) for t in lab.watermarks["watermark"]]
    assert [p[2] for p in progress] == [int(n) for n in lab.watermarks["late_windows"]]
    return lab


CASES = [
    {"window": ("tumbling", 3600), "watermark_delay": 60, "output_mode": "append"},
    {"window": ("sliding", 3600, 900), "watermark_delay": 0, "output_mode": "update"},
    {"window": ("session", 1800), "watermark_delay": 600, "output_mode": "append"},
    {"window": ("tumbling", 900), "watermark_delay": 3600, "output_mode": "update"},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['window'][0]}-{c['watermark_delay']}s-{c['output_mode']}")
def test_the_sample_stream_replays_as_spark_streams_it(spark, sample_dir, tmp_path, case):
    ws = wb.open_workspace(None, sample_dir)
    lab = compare(spark, ws, "order_events", tmp_path, event_time="ts_ms", keys=["op"], arrival="seq",
                  batch_events=100, **case)
    ws.close()
    assert len(lab.rows) > 0
    if case["watermark_delay"] <= 60:  # the sample's out-of-order events (sample_data/README.md) arrive late
        assert lab.late_events > 0


T0 = 1_790_000_000_000  # 2026-09-21, epoch ms

streams = st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.integers(0, 120_000)), min_size=1, max_size=40)
windows = st.one_of(
    st.tuples(st.just("tumbling"), st.integers(5, 40)),
    st.integers(5, 40).flatmap(lambda size: st.tuples(st.just("sliding"), st.just(size), st.integers(2, size))),
    st.tuples(st.just("session"), st.integers(2, 20)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=streams, window=windows, delay=st.integers(0, 30), batch=st.integers(1, 8),
       update=st.booleans(), dup=st.booleans())
def test_a_generated_stream_with_reordering_and_duplicates_replays_as_spark_streams_it(
        spark, tmp_path_factory, events, window, delay, batch, update, dup):
    rows = [{"k": k, "ts": T0 + t, "seq": i} for i, (k, t) in enumerate(events + (events[:3] if dup else []))]
    ws = wb.Workspace()
    ws.load(pd.DataFrame(rows), name="events")
    mode = "update" if update and window[0] != "session" else "append"
    compare(spark, ws, "events", tmp_path_factory.mktemp("case"), event_time="ts", keys=["k"], arrival="seq",
            window=window, watermark_delay=delay, batch_events=batch, output_mode=mode)
    ws.close()
