"""Checksums are order-independent content hashes; the audit catches a non-idempotent transform."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.cdc import audit_idempotency, diff_tables
from workbench.workspace import Workspace

rows = st.lists(st.tuples(st.integers(-5, 5), st.one_of(st.none(), st.text(max_size=3))), max_size=30)


@settings(max_examples=30, deadline=None)
@given(data=rows, perm=st.randoms(use_true_random=False))
def test_checksum_ignores_row_and_column_order_but_not_content(data, perm):
    shuffled = list(data)
    perm.shuffle(shuffled)
    with Workspace() as ws:
        ws.con.execute("CREATE TABLE a (n INTEGER, s VARCHAR)")
        ws.con.execute("CREATE TABLE b (s VARCHAR, n INTEGER)")
        if data:
            ws.con.executemany("INSERT INTO a VALUES (?, ?)", data)
            ws.con.executemany("INSERT INTO b VALUES (?, ?)", [(s, n) for n, s in shuffled])
        assert wb.table_checksum(ws, "a") == wb.table_checksum(ws, "b")
        ws.con.execute("INSERT INTO b VALUES (NULL, 6)")
        assert wb.table_checksum(ws, "a") != wb.table_checksum(ws, "b")


def test_a_repeated_row_changes_the_checksum(empty_ws):
    empty_ws.con.execute("CREATE TABLE a AS SELECT * FROM (VALUES (1), (1), (2)) t(x)")
    empty_ws.con.execute("CREATE TABLE b AS SELECT * FROM (VALUES (1), (2), (2)) t(x)")
    assert wb.table_checksum(empty_ws, "a") != wb.table_checksum(empty_ws, "b")
    empty_ws.con.execute("ALTER TABLE a ADD COLUMN loaded_at TIMESTAMP DEFAULT now()")
    empty_ws.con.execute("CREATE OR REPLACE TABLE b AS SELECT * FROM (VALUES (2), (1), (1)) t(x)")
    assert wb.table_checksum(empty_ws, "a", exclude=["loaded_at"]) == wb.table_checksum(empty_ws, "b")


def test_audit_shows_the_rows_a_non_idempotent_append_duplicates(ws):
    ws.con.execute("CREATE TABLE daily (d DATE, orders BIGINT)")
    append = ("INSERT INTO daily SELECT CAST(created_at AS DATE), count(*) FROM orders "
              "WHERE created_at < TIMESTAMP '2026-10-04' GROUP BY ALL")
    a = audit_idempotency(ws, "daily", append)
    assert not a.idempotent
    assert a.row_counts == [3, 6]
    assert a.diff.added_count == 3 and a.diff.removed_count == 0
    expected = ws.con.execute("SELECT CAST(created_at AS DATE), count(*) FROM orders "
                              "WHERE created_at < TIMESTAMP '2026-10-04' GROUP BY ALL ORDER BY ALL").fetchall()
    assert [(r["d"], r["orders"]) for r in a.diff.added] == expected
    assert "NOT idempotent" in a.summary()
    assert a.cause is None  # whole rows were duplicated: not a floating-point matter


def test_audit_passes_replace_and_apply(ws):
    replace = ["CREATE OR REPLACE TABLE daily AS SELECT CAST(created_at AS DATE) AS d, count(*) AS n FROM orders "
               "GROUP BY ALL"]
    assert audit_idempotency(ws, "daily", replace, runs=3).idempotent
    a = audit_idempotency(ws, "orders_replica",
                          lambda w: wb.apply_changes(w, "orders_replica", "order_events", key="order_id"))
    assert a.idempotent and a.row_counts == [1939, 1939] and a.diff is None


def test_diff_tables_is_a_multiset_difference(empty_ws):
    empty_ws.con.execute("CREATE TABLE a AS SELECT * FROM (VALUES (1), (1), (2)) t(x)")
    empty_ws.con.execute("CREATE TABLE b AS SELECT * FROM (VALUES (1), (3)) t(x)")
    d = diff_tables(empty_ws, "a", "b")
    assert (d.added_count, d.removed_count) == (1, 2)
    assert d.added == [{"x": 3}] and d.removed == [{"x": 1}, {"x": 2}]


def test_audit_names_floating_point_drift_as_the_cause(empty_ws):
    sums = iter([0.1 + 0.2, 0.3])  # the same total summed in two orders, as parallel DOUBLE sums may be

    def rebuild(w):
        w.con.execute("CREATE OR REPLACE TABLE revenue AS SELECT 1 AS store_id, ?::DOUBLE AS revenue, 'x' AS tag",
                      [next(sums)])

    a = audit_idempotency(empty_ws, "revenue", rebuild)
    assert not a.idempotent and a.diff.added_count == a.diff.removed_count == 1
    assert a.cause.startswith("only the floating-point column(s) revenue differ")
    assert "DECIMAL" in a.summary()
    exact = iter([0.1 + 0.2, 0.3])
    b = audit_idempotency(empty_ws, "revenue", lambda w: w.con.execute(
        "CREATE OR REPLACE TABLE revenue AS SELECT 1 AS store_id, CAST(? AS DECIMAL(18, 2)) AS revenue", [next(exact)]))
    assert b.idempotent and b.cause is None
