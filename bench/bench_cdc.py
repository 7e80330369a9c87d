"""Benchmark: set-based CDC apply in DuckDB vs a straightforward row-by-row Python apply, same run.

    .venv/bin/python bench/bench_cdc.py                      # 1M events, 10 % duplicates, reordering
    .venv/bin/python bench/bench_cdc.py --events 200000 --rowwise-duckdb 2000

The stream is generated in DuckDB: a log of distinct changes (c, then u, and d for 5 % of the keys)
over ``--keys`` ids with a log position (``source.lsn``), plus redeliveries of ~``--dup-rate`` of the
delivered events, all shuffled within ``--window`` positions (redeliveries arrive later still).
Contenders, all with the same rules (validate, idempotency key, dedup, position check, upsert/delete):

* ``workbench.apply_changes`` — one set-based transaction in DuckDB;
* row-by-row Python into a dict — ``workbench.cdc.apply_rowwise`` over the events as Python dicts
  (fetching them from DuckDB is timed separately and not charged to it);
* row-by-row into DuckDB — one lookup/upsert statement per event, on the first ``--rowwise-duckdb``
  events only (extrapolated rate).

Every contender's final table is checked against the set-based one by checksum.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import statistics
import time

import workbench as wb
from workbench.cdc import apply_rowwise
from workbench.cdc.delivery import rows_to_table
from workbench.workspace import Workspace


def generate(ws: Workspace, events: int, dup_rate: float, keys: int, window: int) -> dict[str, int]:
    """Create table ``events`` (Debezium envelopes with ``seq`` = arrival order) in DuckDB."""
    distinct = int(events * (1 - dup_rate))
    p_dup = dup_rate / (1 - dup_rate)
    ws.con.execute(f"""
        CREATE OR REPLACE TABLE log AS
        WITH base AS (SELECT i AS lsn, CAST(hash(i, 'key') % {keys} AS BIGINT) AS id FROM range({distinct}) t(i)),
        ranked AS (SELECT *, row_number() OVER w AS rn, count(*) OVER (PARTITION BY id) AS cnt FROM base
                   WINDOW w AS (PARTITION BY id ORDER BY lsn)),
        rows AS (SELECT lsn, id, CASE WHEN rn = 1 THEN 'c' WHEN rn = cnt AND id % 20 = 0 THEN 'd' ELSE 'u' END AS op,
                        struct_pack(id := id, status := ['placed', 'paid', 'shipped', 'delivered'][1 + lsn % 4],
                                    amount := CAST(lsn % 100000 AS DOUBLE) / 100,
                                    updated_at := TIMESTAMP '2026-10-01' + to_milliseconds(lsn * 10)) AS r
                 FROM ranked)
        SELECT lsn, id, op, 1790000000000 + lsn * 10 AS ts_ms,
               lag(r) OVER (PARTITION BY id ORDER BY lsn) AS before, CASE WHEN op = 'd' THEN NULL ELSE r END AS after
        FROM rows
    """)
    ws.con.execute(f"""
        CREATE OR REPLACE TABLE events AS
        WITH delivered AS (
            SELECT *, lsn + (hash(lsn, 'jitter') % 1000) / 1000.0 * {window} AS arrive FROM log
            UNION ALL
            SELECT *, lsn + {window} + (hash(lsn, 'late') % 1000) / 1000.0 * {window * 10} AS arrive FROM log
            WHERE hash(lsn, 'dup') % 1000000 < {int(p_dup * 1_000_000)}
        )
        SELECT md5(CAST(lsn AS VARCHAR)) AS event_id, row_number() OVER (ORDER BY arrive, lsn) - 1 AS seq, op, ts_ms,
               struct_pack(name := 'bench', "table" := 'things', ts_ms := ts_ms, lsn := lsn) AS source, before, after
        FROM delivered
    """)
    ws.con.execute("DROP TABLE log")
    n, d = ws.con.execute("SELECT count(*), count(*) - count(DISTINCT event_id) FROM events").fetchone()
    return {"events": n, "duplicates": d}


def rowwise_duckdb(ws: Workspace, events: list[dict], target: str) -> None:
    """The straightforward loop: per event, look up the processed key and the last position, then write."""
    con = ws.con
    con.execute(f"CREATE OR REPLACE TABLE {target} (id BIGINT, status VARCHAR, amount DOUBLE, updated_at TIMESTAMP)")
    con.execute("CREATE OR REPLACE TABLE rb_processed (k VARCHAR)")
    con.execute("CREATE OR REPLACE TABLE rb_state (id BIGINT, pos BIGINT, k VARCHAR)")
    for e in events:
        op, src = e["op"], e["source"]
        row = e["before"] if op == "d" else e["after"]
        k = hashlib.sha256(f"{src['name']}|{src['table']}|{row['id']}|{op}|lsn:{src['lsn']}".encode()).hexdigest()
        if con.execute("SELECT 1 FROM rb_processed WHERE k = ?", [k]).fetchone():
            continue
        con.execute("INSERT INTO rb_processed VALUES (?)", [k])
        last = con.execute("SELECT pos, k FROM rb_state WHERE id = ?", [row["id"]]).fetchone()
        if last is not None and (src["lsn"], k) < last:
            continue
        con.execute("DELETE FROM rb_state WHERE id = ?", [row["id"]])
        con.execute("INSERT INTO rb_state VALUES (?, ?, ?)", [row["id"], src["lsn"], k])
        con.execute(f"DELETE FROM {target} WHERE id = ?", [row["id"]])
        if op != "d":
            con.execute(f"INSERT INTO {target} VALUES (?, ?, ?, ?)",
                        [row["id"], row["status"], row["amount"], row["updated_at"]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--dup-rate", type=float, default=0.10)
    ap.add_argument("--keys", type=int, default=200_000)
    ap.add_argument("--window", type=int, default=100, help="reordering window (positions)")
    ap.add_argument("--repeat", type=int, default=3, help="set-based runs (median reported)")
    ap.add_argument("--rowwise-duckdb", type=int, default=5_000, help="events for the per-statement DuckDB loop")
    args = ap.parse_args()

    ws = Workspace()
    t0 = time.perf_counter()
    stats = generate(ws, args.events, args.dup_rate, args.keys, args.window)
    gen_s = time.perf_counter() - t0
    print(f"generated {stats['events']:,} events ({stats['duplicates']:,} duplicates, shuffled within "
          f"{args.window} positions) in {gen_s:.1f} s")

    runs = []
    for i in range(args.repeat):  # fresh targets: each run applies the whole stream once
        runs.append(wb.apply_changes(ws, "replica" if i == 0 else f"replica_{i}", "events", key="id"))
    assert all(x.reconciles for x in runs)
    r = runs[0]
    set_s = statistics.median(x.seconds for x in runs)
    set_sum = wb.table_checksum(ws, "replica")

    t0 = time.perf_counter()
    cur = ws.con.execute("SELECT event_id, op, ts_ms, source, before, after FROM events ORDER BY seq")
    names = [d[0] for d in cur.description]
    dicts = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    fetch_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = apply_rowwise(dicts, "id", entity_type="replica")
    dict_s = time.perf_counter() - t0
    rows_to_table(ws, "replica_dict", ref.rows.values(), like="replica")
    dict_ok = wb.table_checksum(ws, "replica_dict") == set_sum and (ref.applied, ref.duplicates, ref.stale) == (
        r.applied, r.duplicates, r.stale)

    n_small = min(args.rowwise_duckdb, len(dicts))
    small = dicts[:n_small]
    t0 = time.perf_counter()
    rowwise_duckdb(ws, small, "replica_rb")
    rb_s = time.perf_counter() - t0
    ws.con.execute("CREATE OR REPLACE TABLE small_events AS SELECT * FROM events WHERE seq < ?", [n_small])
    wb.apply_changes(ws, "replica_small", "small_events", key="id")
    rb_ok = wb.table_checksum(ws, "replica_rb") == wb.table_checksum(ws, "replica_small")

    print(f"\nmachine: {platform.machine()}, Python {platform.python_version()}, duckdb via workbench; "
          f"applied {r.applied:,}, duplicates {r.duplicates:,}, stale {r.stale:,}, rows {ws.row_count('replica'):,}\n")
    print("| apply | events | seconds | events/s | same table as set-based |")
    print("|---|---:|---:|---:|---|")
    print(f"| workbench.apply_changes (set-based, DuckDB; median of {args.repeat}) | {r.events_in:,} | {set_s:.2f} | "
          f"{r.events_in / set_s:,.0f} | — |")
    print(f"| row-by-row Python into a dict (`apply_rowwise`) | {len(dicts):,} | {dict_s:.2f} | "
          f"{len(dicts) / dict_s:,.0f} | {'yes' if dict_ok else 'NO'} |")
    print(f"| row-by-row into DuckDB (statements per event) | {n_small:,} | {rb_s:.2f} | {n_small / rb_s:,.0f} | "
          f"{'yes' if rb_ok else 'NO'} (vs set-based on the same {n_small:,}) |")
    print(f"\n(fetching the {len(dicts):,} events from DuckDB as Python dicts took {fetch_s:.1f} s, "
          "not charged to the dict apply)")


if __name__ == "__main__":
    main()
