"""Reading envelopes from every input shape, snapshot diffs, and idempotency keys (Python == SQL)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import workbench as wb
from workbench.cdc import KeySpec, idempotency_key
from workbench.cdc.events import stage_events
from workbench.cdc.keys import key_sql
from workbench.errors import TableExistsError


def test_every_input_shape_gives_the_same_replica(ews, sample_dir, sample_events):
    sums = set()
    for i, source in enumerate([
        "order_events", sample_dir / "order_events.ndjson", sample_events, pd.DataFrame(sample_events),
    ]):
        r = wb.apply_changes(ews, f"replica_{i}", source, key="order_id")
        assert (r.events_in, r.duplicates, r.dead_lettered) == (6434, 31, 12)
        sums.add(wb.table_checksum(ews, f"replica_{i}"))
    assert len(sums) == 1


def test_kafka_connect_payload_envelopes_are_unwrapped(empty_ws, sample_events):
    wrapped = [{"schema": {"type": "struct"}, "payload": e} for e in sample_events[:200]]
    a = wb.apply_changes(empty_ws, "a", wrapped, key="order_id")
    b = wb.apply_changes(empty_ws, "b", sample_events[:200], key="order_id")
    assert a.model_dump(exclude={"target", "seconds", "dead_letter_table"}) == b.model_dump(
        exclude={"target", "seconds", "dead_letter_table"})
    assert wb.table_checksum(empty_ws, "a") == wb.table_checksum(empty_ws, "b")


def test_read_change_events_keeps_arrival_order(empty_ws, sample_events):
    evs = [{k: v for k, v in e.items() if k != "seq"} for e in sample_events[:50]]
    name = wb.read_change_events(empty_ws, evs, "evs")
    got = empty_ws.con.execute("SELECT seq, CAST(event_id AS VARCHAR) FROM evs ORDER BY seq").fetchall()
    assert got == [(i, e["event_id"]) for i, e in enumerate(evs)]
    with pytest.raises(TableExistsError):
        wb.read_change_events(empty_ws, evs, name)


def test_snapshot_diff_yields_creates_updates_and_deletes(empty_ws):
    con = empty_ws.con
    con.execute("CREATE TABLE v1 AS SELECT * FROM (VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)) t(id, name, amount)")
    con.execute("CREATE TABLE v2 AS SELECT * FROM (VALUES (1, 'a', 10), (2, 'b', 25), (4, 'd', 40)) t(id, name, amount)")
    events = wb.diff_snapshots(empty_ws, "v1", "v2", key="id")
    assert con.execute(f"SELECT op, coalesce(after.id, before.id) FROM {events} ORDER BY seq").fetchall() == [
        ("u", 2), ("d", 3), ("c", 4)]
    con.execute("CREATE TABLE replica AS SELECT * FROM v1")
    r = wb.apply_changes(empty_ws, "replica", events, key="id")
    assert (r.applied, r.rows_inserted, r.rows_updated, r.rows_deleted) == (3, 1, 1, 1)
    assert wb.table_checksum(empty_ws, "replica") == wb.table_checksum(empty_ws, "v2")


def test_python_and_sql_keys_agree_on_the_whole_sample(ews, sample_events):
    for spec in (KeySpec(), KeySpec(time="second"), KeySpec(time="ms", source="erp"), KeySpec(use_event_id=True)):
        staged = stage_events(ews, "order_events", ["order_id"])
        try:
            expr, params = key_sql(["order_id"], spec, entity_type="orders", has_source_fields=staged.source_fields)
            sql_keys = [r[0] for r in ews.con.execute(
                f"SELECT {expr} FROM {staged.table} WHERE op IN ('c','u','d') ORDER BY _arrival", params).fetchall()]
        finally:
            staged.drop(ews.con)
        py_keys = [idempotency_key(e, "order_id", spec, entity_type="orders")
                   for e in sample_events if e.get("op") in ("c", "u", "d")]
        assert sql_keys == py_keys


def test_default_key_is_the_design_guide_recipe_and_prefers_the_log_position():
    e = {"op": "u", "ts_ms": 1_790_818_913_456, "after": {"order_id": 7},
         "source": {"name": "shop", "table": "orders", "ts_ms": 1_790_818_913_456}}
    import hashlib

    assert idempotency_key(e, "order_id") == hashlib.sha256(b"shop|orders|7|updated|1790818913").hexdigest()
    # two updates of one order within one second collide on the second, not on the log position
    e2 = json.loads(json.dumps(e))
    e2["ts_ms"] = e2["source"]["ts_ms"] = 1_790_818_913_900
    assert idempotency_key(e, "order_id") == idempotency_key(e2, "order_id")
    e["source"]["lsn"], e2["source"]["lsn"] = 100, 164
    assert idempotency_key(e, "order_id") != idempotency_key(e2, "order_id")
    assert idempotency_key(e, "order_id", KeySpec(time="second")) == idempotency_key(
        e2, "order_id", KeySpec(time="second"))


def _no_lsn(op, ts_ms, v):
    return {"op": op, "ts_ms": ts_ms, "source": {"name": "db", "table": "t", "ts_ms": ts_ms},
            "before": None if op == "c" else {"id": 1, "v": v - 1}, "after": {"id": 1, "v": v}}


def test_without_a_log_position_two_changes_in_one_second_collide_unless_keyed_by_ms(empty_ws):
    """The design guide's default key truncates to the second: the documented collision, and its fix."""
    stream = [_no_lsn("c", 1_790_000_000_000, 1), _no_lsn("u", 1_790_000_001_100, 2),
              _no_lsn("u", 1_790_000_001_900, 3)]
    by_second = wb.apply_changes(empty_ws, "by_second", stream, key="id")
    assert by_second.position == "ts_ms" and by_second.duplicates == 1  # the 2nd update looks like the 1st
    assert empty_ws.con.execute("SELECT v FROM by_second").fetchall() == [(2,)]
    by_ms = wb.apply_changes(empty_ws, "by_ms", stream, key="id", key_spec=KeySpec(time="ms"))
    assert (by_ms.applied, by_ms.duplicates) == (3, 0)
    assert empty_ws.con.execute("SELECT v FROM by_ms").fetchall() == [(3,)]
