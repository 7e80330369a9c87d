"""The streaming lab on its own (DuckDB only): Spark's semantics on a stream small enough to check by hand,
and the invariants every replay keeps (hypothesis)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb

#: arrival order, two events per micro-batch; event times in seconds. The expected rows below are what real
#: Spark 4 emitted for this stream (one file per batch); test_spark_parity.py re-checks such streams live.
SECONDS = [1, 12, 3, 25, 8, 15, 2, 31, 22, 29, 44, 33]


def _ws(seconds=SECONDS, key="a") -> wb.Workspace:
    ws = wb.Workspace()
    ws.load(pd.DataFrame({"k": [key] * len(seconds), "ts": [s * 1000 for s in seconds],
                          "seq": range(len(seconds))}), name="events")
    return ws


def _rows(replay: wb.WindowReplay) -> list[tuple]:
    return [(int(r.window_start.timestamp()), int(r.window_end.timestamp()), int(r.count), int(r.emitted_batch))
            for r in replay.rows.itertuples()]


def test_tumbling_append_emits_each_window_once_when_the_previous_batches_watermark_passes_it():
    r = wb.replay_windows(_ws(), "events", event_time="ts", keys=["k"], window=("tumbling", 10), watermark_delay=5,
                          batch_events=2, arrival="seq")
    # watermark per batch: max event time of the batches before it, minus 5 s; a final no-data batch (6)
    assert [int(w.timestamp()) for w in r.watermarks["watermark"]] == [0, 7, 20, 20, 26, 26, 39]
    # [0,10): 1, 3, 8 (8 arrives in batch 2, whose late filter is batch 1's watermark 7 < 10: accepted);
    # 2 arrives in batch 3, filtered by watermark 20 >= 10: late
    assert _rows(r) == [(0, 10, 3, 2), (10, 20, 2, 2), (20, 30, 3, 6)]
    assert (r.late_events, r.late_rows, r.batches) == (1, 1, 7)
    assert r.late["event_time"].tolist() == [datetime(1970, 1, 1, 0, 0, 2)]
    final = r.windows.set_index(r.windows["window_start"].map(lambda t: int(t.timestamp())))
    assert final.loc[0, "late"] == 1 and pd.isna(final.loc[30, "final_batch"])  # [30, 40) is still open


def test_update_emits_every_changed_window_with_its_running_count():
    r = wb.replay_windows(_ws(), "events", event_time="ts", keys=["k"], window=("tumbling", 10), watermark_delay=5,
                          batch_events=2, arrival="seq", output_mode="update")
    assert [(s, c, b) for s, _, c, b in _rows(r)] == [
        (0, 1, 0), (10, 1, 0), (0, 2, 1), (20, 1, 1), (0, 3, 2), (10, 2, 2), (30, 1, 3), (20, 3, 4), (30, 2, 5),
        (40, 1, 5)]


def test_a_session_closed_by_the_watermark_takes_no_later_event():
    # gap 4 s: 1 and 3 make [1, 7), closed in batch 1 (watermark 7). 6 arrives in batch 2: not late (6 + 4 > 7)
    # and touching [1, 7), but that session has left the state: 6 opens [6, 10) of its own. As Spark 4 does.
    r = wb.replay_windows(_ws([1, 12, 3, 25, 6, 40]), "events", event_time="ts", window=("session", 4),
                          watermark_delay=5, batch_events=2, arrival="seq")
    assert _rows(r) == [(1, 7, 2, 1), (6, 10, 1, 2), (12, 16, 1, 2), (25, 29, 1, 3)]
    assert r.late_events == 0 and pd.isna(r.windows["final_batch"].iloc[-1])  # [40, 44) still open


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"window": ("session", 60), "output_mode": "update"}, "does not support update mode for session windows"),
    ({"window": ("hopping", 60)}, "is not one of"),
    ({"event_time": "when"}, "no column 'when'"),
    ({"output_mode": "complete"}, "is not 'append' or 'update'"),
])
def test_what_spark_refuses_or_the_data_lacks_is_one_clear_error(kwargs, message):
    with pytest.raises(wb.StreamingError, match=message):
        wb.replay_windows(_ws(), "events", **{"event_time": "ts", **kwargs})


streams = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 600)), min_size=1, max_size=80)
fixed = st.one_of(st.tuples(st.just("tumbling"), st.integers(5, 120)),
                  st.integers(5, 120).flatmap(lambda s: st.tuples(st.just("sliding"), st.just(s), st.integers(1, s))))


def _table(events) -> wb.Workspace:
    ws = wb.Workspace()
    ws.load(pd.DataFrame({"k": [k for k, _ in events], "ts": [t * 1000 for _, t in events]}), name="events")
    return ws


@settings(max_examples=40, deadline=None)
@given(events=streams, window=fixed, delay=st.integers(0, 120), batch=st.integers(1, 10))
def test_every_event_window_pair_is_counted_or_late_and_append_emits_the_final_counts(events, window, delay, batch):
    ws = _table(events)
    r = wb.replay_windows(ws, "events", event_time="ts", keys=["k"], window=window, watermark_delay=delay,
                          batch_events=batch)
    per_event = -(-window[1] // window[2]) if window[0] == "sliding" else 1
    pairs = ws.con.execute(f"SELECT count(*) FROM events, range({per_event}) AS r(i) WHERE "
                           f"(ts // 1000 // {window[-1]} - i) * {window[-1]} + {window[1]} > ts // 1000").fetchall()[0][0]
    assert int(r.windows["count"].sum() + r.windows["late"].sum()) == r.late_rows + int(r.windows["count"].sum())
    assert int(r.windows["count"].sum()) + r.late_rows == pairs
    final = r.windows.dropna(subset=["final_batch"])
    emitted = r.rows.set_index(["k", "window_start"])["count"].to_dict()
    assert emitted == {(k, s): c for k, s, c in zip(final["k"], final["window_start"], final["count"], strict=True)
                       if c > 0}
    ws.close()


@settings(max_examples=25, deadline=None)
@given(events=streams, window=fixed, batch=st.integers(1, 10), delays=st.tuples(st.integers(0, 60), st.integers(0, 60)))
def test_a_longer_watermark_delay_never_drops_more(events, window, batch, delays):
    ws = _table(events)
    short, long_ = (wb.replay_windows(ws, "events", event_time="ts", keys=["k"], window=window, watermark_delay=d,
                                      batch_events=batch) for d in sorted(delays))
    assert long_.late_rows <= short.late_rows
    ws.close()


@settings(max_examples=40, deadline=None)
@given(events=streams, window=st.one_of(fixed, st.tuples(st.just("session"), st.integers(1, 60))),
       batch=st.integers(1, 10))
def test_kappa_a_delay_admitting_every_event_gives_the_batch_group_by(events, window, batch):
    """The design guide's replay proof: with a delay longer than the stream, no event is late, and the last
    row of every window (update mode) or the windows at the stream's end equal a plain GROUP BY."""
    ws = _table(events)
    mode = "append" if window[0] == "session" else "update"
    r = wb.replay_windows(ws, "events", event_time="ts", keys=["k"], window=window, watermark_delay=10_000,
                          batch_events=batch, output_mode=mode)
    assert r.late_events == r.late_rows == 0 and r.rows.empty == (mode == "append")  # nothing final yet in append
    got = {(k, s): c for k, s, c in zip(r.windows["k"], r.windows["window_start"], r.windows["count"], strict=True)}
    if window[0] == "session":  # sessions: gaps and islands over the whole stream
        want = ws.con.execute(f"""SELECT k, make_timestamp(min(ts) * 1000), count(*) FROM (
            SELECT *, sum(brk) OVER (PARTITION BY k ORDER BY ts ROWS UNBOUNDED PRECEDING) AS s FROM (
                SELECT *, CAST(coalesce(ts - lag(ts) OVER (PARTITION BY k ORDER BY ts) > {window[1] * 1000}, FALSE)
                               AS INT) AS brk FROM events)) GROUP BY k, s""").fetchall()
    else:
        size, slide = window[1], window[-1]
        want = ws.con.execute(f"""SELECT k, make_timestamp(ws * 1000000), count(*) FROM (
            SELECT k, (ts // 1000 // {slide} - i) * {slide} AS ws, ts FROM events, range({-(-size // slide)}) AS r(i))
            WHERE ws + {size} > ts // 1000 GROUP BY ALL""").fetchall()
    assert got == {(k, pd.Timestamp(s)): c for k, s, c in want}
    if mode == "update":
        last = r.rows.groupby(["k", "window_start"])["count"].last().to_dict()
        assert last == got
    ws.close()
