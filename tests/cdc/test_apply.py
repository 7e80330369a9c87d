"""apply_changes on the sample stream: counts pinned to the manifest and to independent SQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import workbench as wb
from workbench.cdc import apply_rowwise
from workbench.errors import ChangeEventError

#: the final replica state computed independently: newest valid change per order by lsn, deletes dropped
EXPECTED_STATE = """
    WITH v AS (
        SELECT *, CASE WHEN op = 'd' THEN before.order_id ELSE after.order_id END AS k FROM order_events
        WHERE op IN ('c', 'u', 'd', 'r')
    ), last AS (
        SELECT * FROM v WHERE k IS NOT NULL QUALIFY row_number() OVER (PARTITION BY k ORDER BY source.lsn DESC) = 1
    )
    SELECT after.* FROM last WHERE op <> 'd'
"""

#: events arriving after a newer change of the same order (first deliveries of valid events only)
STALE = """
    WITH v AS (
        SELECT seq, source.lsn AS lsn, CASE WHEN op = 'd' THEN before.order_id ELSE after.order_id END AS k
        FROM order_events WHERE op IN ('c', 'u', 'd', 'r')
        QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY seq) = 1
    )
    SELECT count(*) FROM (
        SELECT lsn, max(lsn) OVER (PARTITION BY k ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS seen
        FROM v WHERE k IS NOT NULL
    ) WHERE lsn < seen
"""


def test_sample_stream_counts_match_the_manifest(ews, manifest):
    d = manifest["defects"]
    r = wb.apply_changes(ews, "orders_replica", "order_events", key="order_id")
    assert r.events_in == manifest["rows"]["order_events"] == 6434
    assert r.dead_lettered == d["events_missing_op"] + d["events_unknown_op"] + d["events_missing_key"] == 12
    assert r.dead_letter_reasons == {
        "missing op": d["events_missing_op"],
        "unknown op 'x' (expected c, u, d or r)": d["events_unknown_op"],
        "missing key order_id in after": d["events_missing_key"],
    }
    assert r.duplicates == r.duplicates_at_source == d["events_duplicate"] == 31
    # the manifest's 15 out-of-order c/u events include one redelivery, counted here as a duplicate
    assert r.stale == ews.con.execute(STALE).fetchone()[0] == d["events_out_of_order"] - 1 == 14
    assert r.applied == 6434 - 31 - 14 - 12
    assert r.reconciles
    assert r.position == "lsn"


def test_replica_equals_the_newest_change_per_key(ews):
    wb.apply_changes(ews, "orders_replica", "order_events", key="order_id")
    ews.con.execute(f"CREATE TABLE expected AS {EXPECTED_STATE}")
    assert ews.row_count("orders_replica") == ews.row_count("expected") == 1939
    assert wb.table_checksum(ews, "orders_replica") == wb.table_checksum(ews, "expected")


def test_set_based_counts_equal_the_row_by_row_reference(ews, sample_events):
    r = wb.apply_changes(ews, "orders_replica", "order_events", key="order_id")
    ref = apply_rowwise(sample_events, "order_id", entity_type="orders_replica")
    assert (r.applied, r.duplicates, r.stale, r.dead_lettered) == (
        ref.applied, ref.duplicates, ref.stale, ref.dead_lettered)
    assert len(ref.rows) == ews.row_count("orders_replica")


def test_applying_twice_changes_nothing(ews):
    first = wb.apply_changes(ews, "orders_replica", "order_events", key="order_id")
    before = wb.table_checksum(ews, "orders_replica")
    again = wb.apply_changes(ews, "orders_replica", "order_events", key="order_id")
    assert wb.table_checksum(ews, "orders_replica") == before
    assert again.applied == 0 and again.stale == 0
    assert again.duplicates == first.events_in - first.dead_lettered
    assert again.rows_inserted == again.rows_updated == again.rows_deleted == 0
    assert again.reconciles


def test_sink_dedup_holds_after_the_processed_keys_expire(ews):
    """Past the retention window the processed keys are forgotten; positions still stop every rewrite."""
    t0 = datetime(2026, 11, 1)
    wb.apply_changes(ews, "orders_replica", "order_events", key="order_id", now=t0)
    before = wb.table_checksum(ews, "orders_replica")
    later = wb.apply_changes(ews, "orders_replica", "order_events", key="order_id", now=t0 + timedelta(days=8))
    assert later.duplicates_at_source == 31  # only the in-batch redeliveries
    assert later.applied == 0
    assert later.duplicates_at_sink == ews.con.execute(
        "SELECT count(*) FROM _wb_cdc.\"state__orders_replica\"").fetchone()[0]
    assert later.reconciles
    assert wb.table_checksum(ews, "orders_replica") == before


def test_dead_letters_keep_reason_and_payload_and_count_redeliveries(ews):
    wb.apply_changes(ews, "orders_replica", "order_events", key="order_id")
    wb.apply_changes(ews, "orders_replica", "order_events", key="order_id")
    rows = ews.con.execute(
        "SELECT reason, count(*), sum(deliveries), count(payload) FROM orders_replica_dead_letter GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert rows == [("missing key order_id in after", 4, 8, 4), ("missing op", 4, 8, 4),
                    ("unknown op 'x' (expected c, u, d or r)", 4, 8, 4)]
    ids = {r[0] for r in ews.con.execute("SELECT event_id FROM orders_replica_dead_letter").fetchall()}
    bad = {str(r[0]) for r in ews.con.execute(
        "SELECT event_id FROM order_events WHERE op IS NULL OR op NOT IN ('c','u','d','r') "
        "OR (op IN ('c','u') AND after.order_id IS NULL)").fetchall()}
    assert ids == bad


def _ev(op, lsn, row=None, before=None):
    return {"event_id": f"e{lsn}-{op}", "op": op, "ts_ms": 1_790_000_000_000 + lsn,
            "source": {"name": "db", "table": "t", "ts_ms": 1_790_000_000_000 + lsn, "lsn": lsn},
            "before": before, "after": row}


def test_a_late_create_does_not_resurrect_a_deleted_row(empty_ws):
    row = {"id": 1, "v": 10}
    wb.apply_changes(empty_ws, "t", [_ev("c", 1, row)], key="id")
    wb.apply_changes(empty_ws, "t", [_ev("d", 3, None, before=row)], key="id")
    late = wb.apply_changes(empty_ws, "t", [_ev("u", 2, {"id": 1, "v": 11}, before=row)], key="id")
    assert late.stale == 1 and late.applied == 0
    assert empty_ws.row_count("t") == 0


def test_an_unchanged_row_is_not_rewritten(empty_ws):
    row = {"id": 1, "v": 10}
    wb.apply_changes(empty_ws, "t", [_ev("c", 1, row)], key="id")
    snap = wb.apply_changes(empty_ws, "t", [_ev("r", 2, row)], key="id")
    assert (snap.applied, snap.rows_updated, snap.rows_unchanged) == (1, 0, 1)
    changed = wb.apply_changes(empty_ws, "t", [_ev("u", 3, {"id": 1, "v": 12}, before=row)], key="id")
    assert (changed.rows_updated, changed.rows_unchanged) == (1, 0)
    assert empty_ws.con.execute("SELECT v FROM t").fetchall() == [(12,)]


def test_a_failed_batch_leaves_no_trace(empty_ws):
    wb.apply_changes(empty_ws, "t", [_ev("c", 1, {"id": 1, "v": 10})], key="id")
    empty_ws.con.execute("ALTER TABLE t ALTER v TYPE TINYINT")
    before = wb.table_checksum(empty_ws, "t")
    batch = [_ev("c", 2, {"id": 2, "v": 5}), _ev("c", 3, {"id": 3, "v": 1000})]  # 1000 overflows TINYINT
    with pytest.raises(ChangeEventError, match="Could not write the changes into 't'"):
        wb.apply_changes(empty_ws, "t", batch, key="id")
    assert wb.table_checksum(empty_ws, "t") == before
    retry = wb.apply_changes(empty_ws, "t", batch[:1], key="id")
    assert retry.applied == 1  # the failed batch's keys were not remembered as processed


def test_new_fields_are_added_to_the_target(ews, manifest):
    change = manifest["schema_change_from_ts_ms"]
    ews.con.execute("CREATE TABLE early AS SELECT * EXCLUDE (before, after), "
                   "struct_pack(order_id := after.order_id, status := after.status) AS after, "
                   "struct_pack(order_id := before.order_id, status := before.status) AS before "
                   "FROM order_events WHERE ts_ms < ?", [change])
    ews.con.execute("CREATE TABLE late AS SELECT * FROM order_events WHERE ts_ms >= ?", [change])
    wb.apply_changes(ews, "orders_replica", "early", key="order_id")
    assert ews.columns("orders_replica") == ["order_id", "status"]
    r = wb.apply_changes(ews, "orders_replica", "late", key="order_id")
    assert "channel" in r.columns_added
    expected = ews.con.execute(f"SELECT count(channel) FROM ({EXPECTED_STATE})").fetchone()[0]
    assert ews.con.execute("SELECT count(channel) FROM orders_replica").fetchone()[0] == expected > 0
    wb.apply_changes(ews, "orders_narrow", "early", key="order_id")
    with pytest.raises(ChangeEventError, match="lacks"):
        wb.apply_changes(ews, "orders_narrow", "late", key="order_id", evolve=False)


def test_bad_inputs_name_the_fix(ews):
    with pytest.raises(ChangeEventError, match="neither a workspace table nor an existing file"):
        wb.apply_changes(ews, "t", "no_such_events", key="id")
    with pytest.raises(ChangeEventError, match="Key column"):
        wb.apply_changes(ews, "t", "order_events", key="id")
    with pytest.raises(ChangeEventError, match="no 'before' or 'after'"):
        ews.con.execute("CREATE TABLE plain AS SELECT 1 AS order_id")
        wb.apply_changes(ews, "t", "plain", key="order_id")
    with pytest.raises(ChangeEventError, match="empty"):
        wb.apply_changes(ews, "t", [], key="id")
