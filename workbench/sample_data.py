"""Deterministic e-commerce sample data with planted, counted defects.

``generate_sample_data(out_dir, scale=1, seed=42)`` writes customers, stores, orders, order_items and
payments (CSV, or Parquet with ``fmt="parquet"``) plus ``order_events.ndjson``, a Debezium-style
change stream of the orders table, and returns a :class:`SampleManifest` with the exact count of
every planted defect. Same seed and scale, same bytes. ``scale=1`` is 2,000 orders; the generator
is vectorised so ``scale=5000`` (10M orders) runs for benchmarks.

Every count in the manifest is defined by a query a reader can re-run (see ``DEFECT_QUERIES``).
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from workbench.files import write_atomic

ORDERS_PER_SCALE = 2_000
CUSTOMERS_PER_SCALE = 500
START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 31
#: the moment the sample was "extracted": freshness and future timestamps are measured against it
SNAPSHOT_AT = datetime(2026, 11, 1, tzinfo=UTC)
#: events whose ts is older than the newest ts already delivered by more than this are "late"
LATE_AFTER_SECONDS = 3_600
#: part-way through the stream the source adds the optional field ``channel`` to the orders row
SCHEMA_CHANGE_FRACTION = 0.6

FIRST = ["ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kai", "lena",
         "mo", "nia", "omar", "pia", "quinn", "ravi", "sara", "tomo", "uma", "vik", "wen", "yuki"]
LAST = ["garcia", "smith", "tanaka", "muller", "rossi", "kim", "silva", "novak", "khan", "dubois",
        "jensen", "ito", "okafor", "lopez", "brown", "sato"]
DOMAINS = ["example.com", "mail.test", "shop.example", "corp.test"]
COUNTRIES = np.array(["US", "JP", "DE", "GB", "FR", "BR", "IN"])
COUNTRY_P = np.array([0.35, 0.2, 0.12, 0.11, 0.09, 0.07, 0.06])
CITIES = ["Austin", "Tokyo", "Berlin", "London", "Paris", "Sao Paulo", "Pune", "Osaka", "Seattle",
          "Munich", "Leeds", "Lyon"]
SEGMENTS = np.array(["consumer", "business", "vip"])
SEGMENT_P = np.array([0.85, 0.12, 0.03])
METHODS = np.array(["card", "paypal", "bank_transfer", "gift_card"])
METHOD_P = np.array([0.62, 0.23, 0.1, 0.05])
STATUSES = np.array(["placed", "paid", "shipped", "delivered", "cancelled"])
STATUS_P = np.array([0.08, 0.12, 0.2, 0.52, 0.08])
CHANNELS = np.array(["web", "app", "store"])
BAD_EMAILS = ["{f}.{l}.{d}", "{f}@", "{f} {l}@{d}", "@{d}", "{f}.{l}@@{d}", "{f}.{l}@localhost"]


#: planted defect -> the check of the example suites that must catch it (suite, expectation, column, figure)
DEFECT_CHECKS: dict[str, dict[str, str]] = {
    "orders_null_customer_id": {"suite": "orders.transform", "type": "expect_column_values_to_not_be_null",
                                "column": "customer_id"},
    "orders_orphan_customer_id": {"suite": "orders.transform", "type": "expect_column_values_to_be_in_other_table"},
    "orders_duplicate_order_id_rows": {"suite": "orders.transform", "type": "expect_column_values_to_be_unique",
                                       "figure": "surplus_rows"},
    "orders_negative_total_amount": {"suite": "orders.transform", "type": "expect_column_values_to_be_between",
                                     "column": "total_amount"},
    "orders_future_created_at": {"suite": "orders.transform", "type": "expect_column_values_to_be_between",
                                 "column": "created_at"},
    "customers_malformed_email": {"suite": "customers.transform", "type": "expect_column_values_to_match_regex"},
    "payments_negative_amount": {"suite": "payments.transform", "type": "expect_column_values_to_be_between"},
    "payments_orphan_order_id": {"suite": "payments.transform", "type": "expect_column_values_to_be_in_other_table"},
}


class SampleManifest(BaseModel):
    """Row counts per table and the exact count of every planted defect."""

    name: str = Field("shop", description="the data package's name: designs over the sample are named after it")
    title: str = "Shop order"
    backfill_window: list[str] = Field(["2026-10-10", "2026-10-16"],
                                       description="the week the sample's bug-fix backfill story replays")
    seed: int
    scale: int
    snapshot_at: str
    rows: dict[str, int]
    defects: dict[str, int]
    defect_checks: dict[str, dict[str, str]] = Field(
        default_factory=lambda: {k: dict(v) for k, v in DEFECT_CHECKS.items()},
        description="which check catches each planted defect (quality.planted_defects reads it)")
    schema_change_from_ts_ms: int


#: defect -> (table, SQL that returns the count when the files are loaded under their table names)
DEFECT_QUERIES: dict[str, tuple[str, str]] = {
    "orders_null_customer_id": ("orders", "SELECT count(*) FROM orders WHERE customer_id IS NULL"),
    "orders_orphan_customer_id": (
        "orders",
        "SELECT count(*) FROM orders o WHERE customer_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)",
    ),
    "orders_duplicate_order_id_rows": (
        "orders",
        "SELECT count(*) - count(DISTINCT order_id) FROM orders",
    ),
    "orders_negative_total_amount": ("orders", "SELECT count(*) FROM orders WHERE total_amount < 0"),
    "orders_future_created_at": (
        "orders",
        "SELECT count(*) FROM orders WHERE created_at > TIMESTAMP '2026-11-01 00:00:00'",
    ),
    "customers_malformed_email": (
        "customers",
        "SELECT count(*) FROM customers "
        "WHERE NOT regexp_matches(email, '^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+$')",
    ),
    "payments_negative_amount": ("payments", "SELECT count(*) FROM payments WHERE amount < 0"),
    "payments_orphan_order_id": (
        "payments",
        "SELECT count(*) FROM payments p WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = p.order_id)",
    ),
    "events_duplicate": (
        "order_events",
        "SELECT count(*) - count(DISTINCT event_id) FROM order_events",
    ),
    "events_out_of_order": (
        "order_events",
        "SELECT count(*) FROM (SELECT ts_ms, max(ts_ms) OVER (PARTITION BY after.order_id ORDER BY seq "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS seen FROM order_events "
        "WHERE op IN ('c','u') AND after.order_id IS NOT NULL) WHERE ts_ms < seen",
    ),
    "events_late": (
        "order_events",
        "SELECT count(*) FROM (SELECT ts_ms, max(ts_ms) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND 1 PRECEDING) AS seen FROM order_events WHERE op IS NOT NULL) WHERE seen - ts_ms > 3600000",
    ),
    "events_missing_op": ("order_events", "SELECT count(*) FROM order_events WHERE op IS NULL"),
    "events_unknown_op": (
        "order_events",
        "SELECT count(*) FROM order_events WHERE op IS NOT NULL AND op NOT IN ('c','u','d','r')",
    ),
    "events_missing_key": (
        "order_events",
        "SELECT count(*) FROM order_events WHERE op IN ('c','u') AND after.order_id IS NULL",
    ),
    "events_with_new_field_channel": (
        "order_events",
        "SELECT count(*) FROM order_events WHERE after.channel IS NOT NULL OR before.channel IS NOT NULL",
    ),
}


def _ts(seconds: np.ndarray) -> pd.Series:
    base = pd.Timestamp(START).tz_convert(None)
    return pd.Series(base + pd.to_timedelta(np.asarray(seconds, dtype="int64"), unit="s"))


def _pick(rng: np.random.Generator, pool: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Split ``k`` random indices off ``pool``: (picked, rest)."""
    k = min(k, len(pool))
    picked = rng.choice(pool, size=k, replace=False)
    return np.sort(picked), np.setdiff1d(pool, picked)


def _count(n: int, rate: float, minimum: int) -> int:
    return max(minimum, int(round(n * rate)))


def generate_sample_data(
    out_dir: str | os.PathLike,
    *,
    scale: int = 1,
    seed: int = 42,
    fmt: str = "csv",
    events: bool = True,
) -> SampleManifest:
    """Write the sample tables to ``out_dir`` and return the manifest of planted defects."""
    if scale < 1:
        raise ValueError("scale must be >= 1")
    if fmt not in ("csv", "parquet"):
        raise ValueError("fmt must be 'csv' or 'parquet'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    defects: dict[str, int] = {}

    # --- customers ------------------------------------------------------------------------
    n_c = CUSTOMERS_PER_SCALE * scale
    cid = np.arange(1, n_c + 1)
    first = np.array(FIRST)[rng.integers(0, len(FIRST), n_c)]
    last = np.array(LAST)[rng.integers(0, len(LAST), n_c)]
    dom = np.array(DOMAINS)[rng.integers(0, len(DOMAINS), n_c)]
    email = pd.Series(first).str.cat([pd.Series(["."] * n_c), pd.Series(last), pd.Series(cid.astype(str)),
                                      pd.Series(["@"] * n_c), pd.Series(dom)])
    bad, _ = _pick(rng, np.arange(n_c), _count(n_c, 0.02, 6))
    for j, i in enumerate(bad):
        email.iat[i] = BAD_EMAILS[j % len(BAD_EMAILS)].format(f=first[i], l=last[i], d=dom[i])
    defects["customers_malformed_email"] = len(bad)
    customers = pd.DataFrame({
        "customer_id": cid,
        "email": email,
        "full_name": pd.Series(first).str.title() + " " + pd.Series(last).str.title(),
        "country": rng.choice(COUNTRIES, n_c, p=COUNTRY_P),
        "segment": rng.choice(SEGMENTS, n_c, p=SEGMENT_P),
        "signup_date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 1000, n_c), unit="D")).strftime(
            "%Y-%m-%d"),
    })

    # --- stores ---------------------------------------------------------------------------
    n_s = 12 * max(1, int(np.sqrt(scale)))
    sid = np.arange(1, n_s + 1)
    city = np.array(CITIES)[(sid - 1) % len(CITIES)]
    stores = pd.DataFrame({
        "store_id": sid,
        "store_name": [f"Store {i:03d} {c}" for i, c in zip(sid, city, strict=True)],
        "city": city,
        "opened_on": (pd.Timestamp("2018-03-01") + pd.to_timedelta(rng.integers(0, 2500, n_s), unit="D")).strftime(
            "%Y-%m-%d"),
    })

    # --- orders (diurnal arrivals: busier in the evening) -------------------------------------
    n_o = ORDERS_PER_SCALE * scale
    day = rng.integers(0, DAYS, n_o)
    hour = rng.choice(24, n_o, p=_diurnal())
    sec = day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, n_o)
    sec.sort()
    oid = 100_000 + np.arange(n_o)
    status = rng.choice(STATUSES, n_o, p=STATUS_P)
    created = sec
    updated = created + np.where(status == "placed", 0, rng.integers(600, 3 * 86_400, n_o))

    # --- order items: 1-4 lines from a 200-SKU catalogue (pattern AAA-9999) ----------------------
    n_sku = 200
    letters = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"))
    sku = np.array([
        "".join(letters[rng.integers(0, len(letters), 3)]) + f"-{rng.integers(1000, 9999)}" for _ in range(n_sku)
    ])
    price = np.round(rng.lognormal(3.0, 0.8, n_sku), 2).clip(1.5, 900)
    lines = rng.integers(1, 5, n_o)
    item_order = np.repeat(oid, lines)
    item_sku_idx = rng.integers(0, n_sku, len(item_order))
    qty = rng.choice([1, 1, 1, 2, 2, 3, 5], len(item_order))
    unit = price[item_sku_idx]
    order_items = pd.DataFrame({
        "order_item_id": np.arange(1, len(item_order) + 1),
        "order_id": item_order,
        "product_sku": sku[item_sku_idx],
        "quantity": qty,
        "unit_price": unit,
    })
    total = np.round(np.bincount(np.repeat(np.arange(n_o), lines), weights=qty * unit), 2)

    orders = pd.DataFrame({
        "order_id": oid,
        "customer_id": pd.array(rng.integers(1, n_c + 1, n_o), dtype="Int64"),
        "store_id": rng.integers(1, n_s + 1, n_o),
        "status": status,
        "created_at": _ts(created),
        "updated_at": _ts(updated),
        "total_amount": total,
    })
    clean_orders = orders.copy()  # the source database's truth, before extraction defects

    pool = np.arange(n_o)
    nulls, pool = _pick(rng, pool, _count(n_o, 0.01, 3))
    orphans, pool = _pick(rng, pool, _count(n_o, 0.005, 3))
    negative, pool = _pick(rng, pool, _count(n_o, 0.004, 3))
    future, pool = _pick(rng, pool, _count(n_o, 0.0015, 2))
    dups, pool = _pick(rng, pool, _count(n_o, 0.005, 3))
    orders.loc[nulls, "customer_id"] = pd.NA
    orders.loc[orphans, "customer_id"] = n_c + 1_000 + np.arange(len(orphans))
    orders.loc[negative, "total_amount"] = -orders.loc[negative, "total_amount"]
    skew = rng.integers(86_400, 5 * 86_400, len(future))
    snap = pd.Timestamp(SNAPSHOT_AT).tz_convert(None)
    orders.loc[future, "created_at"] = snap + pd.to_timedelta(skew, unit="s")
    orders.loc[future, "updated_at"] = orders.loc[future, "created_at"]
    orders = pd.concat([orders, orders.loc[dups]]).sort_values(["created_at", "order_id"], kind="stable")
    defects.update({
        "orders_null_customer_id": len(nulls),
        "orders_orphan_customer_id": len(orphans),
        "orders_negative_total_amount": len(negative),
        "orders_future_created_at": len(future),
        "orders_duplicate_order_id_rows": len(dups),
    })

    # --- payments: one per paid order; some refunds booked with the wrong sign, some orphans --------
    paid = np.flatnonzero(np.isin(status, ["paid", "shipped", "delivered"]))
    payments = pd.DataFrame({
        "payment_id": np.arange(1, len(paid) + 1),
        "order_id": oid[paid],
        "method": rng.choice(METHODS, len(paid), p=METHOD_P),
        "amount": total[paid],
        "paid_at": _ts(created[paid] + rng.integers(30, 1_800, len(paid))),
    })
    ppool = np.arange(len(paid))
    neg_pay, ppool = _pick(rng, ppool, _count(len(paid), 0.005, 3))
    orphan_pay, ppool = _pick(rng, ppool, _count(len(paid), 0.003, 2))
    payments.loc[neg_pay, "amount"] = -payments.loc[neg_pay, "amount"]
    payments.loc[orphan_pay, "order_id"] = 900_000_000 + np.arange(len(orphan_pay))
    defects["payments_negative_amount"] = len(neg_pay)
    defects["payments_orphan_order_id"] = len(orphan_pay)

    tables = {"customers": customers, "stores": stores, "orders": orders, "order_items": order_items,
              "payments": payments}
    rows = {name: len(df) for name, df in tables.items()}
    for name, df in tables.items():
        _write(df, out / f"{name}.{fmt}", fmt)

    change_ts = 0
    if events:
        stream, counts, change_ts = _order_events(rng, clean_orders, seed)
        defects.update(counts)
        rows["order_events"] = len(stream)
        write_atomic(out / "order_events.ndjson", "".join(stream))

    manifest = SampleManifest(seed=seed, scale=scale, snapshot_at=SNAPSHOT_AT.isoformat(), rows=rows,
                              defects=defects, schema_change_from_ts_ms=change_ts)
    write_atomic(out / "manifest.json", manifest.model_dump_json(indent=2) + "\n")
    write_atomic(out / "README.md", render_readme(manifest))
    return manifest


def _diurnal() -> np.ndarray:
    hours = np.arange(24)
    w = 0.4 + np.exp(-((hours - 20) ** 2) / 18) + 0.6 * np.exp(-((hours - 12) ** 2) / 8)
    return w / w.sum()


def _order_events(rng: np.random.Generator, orders: pd.DataFrame, seed: int) -> tuple[list[str], dict[str, int], int]:
    """The orders table's change stream: c, status updates, deletes of some cancelled orders, plus defects."""
    lifecycle = {"placed": ["placed"], "paid": ["placed", "paid"], "shipped": ["placed", "paid", "shipped"],
                 "delivered": ["placed", "paid", "shipped", "delivered"], "cancelled": ["placed", "cancelled"]}
    channel = rng.choice(CHANNELS, len(orders), p=[0.55, 0.35, 0.10])
    deleted = rng.random(len(orders)) < 0.4  # share of cancelled orders later purged
    events: list[dict] = []
    base_ms = int(START.timestamp() * 1000)
    for i, row in enumerate(orders.itertuples(index=False)):
        steps = lifecycle[row.status]
        created_ms = base_ms + int((row.created_at - pd.Timestamp(START).tz_convert(None)).total_seconds() * 1000)
        updated_ms = base_ms + int((row.updated_at - pd.Timestamp(START).tz_convert(None)).total_seconds() * 1000)
        times = np.linspace(created_ms, max(updated_ms, created_ms), len(steps)).astype("int64")
        state = {
            "order_id": int(row.order_id), "customer_id": int(row.customer_id), "store_id": int(row.store_id),
            "status": "placed", "total_amount": float(row.total_amount),
            "created_at": row.created_at.isoformat(sep=" "), "updated_at": row.created_at.isoformat(sep=" "),
        }
        prev = None
        for step, ts in zip(steps, times, strict=True):
            after = dict(state, status=step, updated_at=pd.Timestamp(int(ts), unit="ms").isoformat(sep=" "))
            events.append({"op": "c" if prev is None else "u", "before": prev, "after": after, "ts_ms": int(ts),
                           "_channel": channel[i]})
            prev = after
        if row.status == "cancelled" and deleted[i]:
            events.append({"op": "d", "before": prev, "after": None, "ts_ms": int(times[-1]) + 86_400_000,
                           "_channel": channel[i]})
    events.sort(key=lambda e: (e["ts_ms"], (e["after"] or e["before"])["order_id"]))
    change_ts = events[int(len(events) * SCHEMA_CHANGE_FRACTION)]["ts_ms"]
    for lsn, e in enumerate(events):
        e["event_id"] = str(uuid.UUID(bytes=rng.bytes(16), version=4))
        e["source"] = {"version": "2.7.0.Final", "connector": "postgresql", "name": "shop", "ts_ms": e["ts_ms"],
                       "db": "shop", "schema": "public", "table": "orders", "txId": 5_000 + lsn,
                       "lsn": 24_000_000 + lsn * 64}
        ch = e.pop("_channel")
        if e["ts_ms"] >= change_ts:  # the source added an optional column: schema change mid-stream
            for side in ("before", "after"):
                if e[side] is not None:
                    e[side] = dict(e[side], channel=str(ch))

    n = len(events)
    # out of order: an order's status update held back until after its next update
    multi = [i for i in range(n - 1) if events[i]["op"] == "u"]
    for i in sorted(rng.choice(multi, size=min(len(multi), max(3, n // 400)), replace=False), reverse=True):
        oid = events[i]["after"]["order_id"]
        j = next((k for k in range(i + 1, min(n, i + 400)) if events[k]["op"] == "u"
                  and events[k]["after"]["order_id"] == oid), None)
        if j is not None:
            events.insert(j, events.pop(i))
    # late: some events held back by the network and delivered hours after their neighbours
    late = sorted(rng.choice(n - 200, size=max(3, n // 500), replace=False), reverse=True)
    for i in late:
        e = events.pop(i)
        events.insert(min(len(events), i + 150), e)
    # duplicates: at-least-once redelivery a few positions later
    dup_at = sorted(rng.choice(n - 20, size=max(3, n // 200), replace=False), reverse=True)
    for i in dup_at:
        events.insert(i + int(rng.integers(1, 15)), json.loads(json.dumps(events[i])))
    # malformed: no op, an unknown op, a row without its key
    malformed = []
    for kind, k in (("missing_op", max(2, n // 1500)), ("unknown_op", max(2, n // 1500)),
                    ("missing_key", max(2, n // 1500))):
        for _ in range(k):
            at = int(rng.integers(0, len(events)))
            src = json.loads(json.dumps(events[at]))
            src["event_id"] = str(uuid.UUID(bytes=rng.bytes(16), version=4))
            if kind == "missing_op":
                src.pop("op")
            elif kind == "unknown_op":
                src["op"] = "x"
            else:
                src["op"] = "u"
                src["after"] = {k2: v for k2, v in (src["after"] or src["before"]).items() if k2 != "order_id"}
            malformed.append((at, src))
    for at, src in sorted(malformed, key=lambda m: m[0], reverse=True):
        events.insert(at + 1, src)  # beside the event it was garbled from, so it is not also late

    lines = []
    for seq, e in enumerate(events):
        ordered = {"event_id": e["event_id"], "seq": seq, **{k: e[k] for k in ("op", "ts_ms") if k in e},
                   "source": e["source"], "before": e["before"], "after": e["after"]}
        lines.append(json.dumps(ordered, separators=(",", ":")) + "\n")
    counts = _event_defect_counts(events)
    return lines, counts, change_ts


def _event_defect_counts(events: list[dict]) -> dict[str, int]:
    """Count event defects by the same definitions as DEFECT_QUERIES."""
    seen_ids: set[str] = set()
    per_key: dict[int, int] = {}
    newest = None
    c = {k: 0 for k in ("events_duplicate", "events_out_of_order", "events_late", "events_missing_op",
                        "events_unknown_op", "events_missing_key", "events_with_new_field_channel")}
    for e in events:
        op = e.get("op")
        c["events_duplicate"] += e["event_id"] in seen_ids
        seen_ids.add(e["event_id"])
        if op is None:
            c["events_missing_op"] += 1
        elif op not in ("c", "u", "d", "r"):
            c["events_unknown_op"] += 1
        if op in ("c", "u") and "order_id" not in (e["after"] or {}):
            c["events_missing_key"] += 1
        if any(side and "channel" in side for side in (e["before"], e["after"])):
            c["events_with_new_field_channel"] += 1
        if op is not None:
            if newest is not None and newest - e["ts_ms"] > LATE_AFTER_SECONDS * 1000:
                c["events_late"] += 1
            newest = e["ts_ms"] if newest is None else max(newest, e["ts_ms"])
        if op in ("c", "u") and "order_id" in (e["after"] or {}):
            key = e["after"]["order_id"]
            if key in per_key and e["ts_ms"] < per_key[key]:
                c["events_out_of_order"] += 1
            per_key[key] = max(per_key.get(key, e["ts_ms"]), e["ts_ms"])
    return c


def _write(df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        write_atomic(path, lambda tmp: df.to_csv(tmp, index=False, float_format="%.2f",
                                                 date_format="%Y-%m-%d %H:%M:%S", lineterminator="\n"))
    else:
        write_atomic(path, lambda tmp: df.to_parquet(tmp, index=False))


DEFECT_DOCS: dict[str, str] = {
    "customers_malformed_email": "`customers.email` values that fail the design guide's email regex",
    "orders_null_customer_id": "`orders.customer_id` is NULL (a null foreign key)",
    "orders_orphan_customer_id": "`orders.customer_id` points at no customer (an orphan foreign key)",
    "orders_duplicate_order_id_rows": "extra rows re-exporting an existing `order_id` (exact duplicate rows)",
    "orders_negative_total_amount": "`orders.total_amount` below zero",
    "orders_future_created_at": "`orders.created_at` after the snapshot time 2026-11-01 00:00 (clock skew)",
    "payments_negative_amount": "`payments.amount` below zero (refunds booked with the wrong sign)",
    "payments_orphan_order_id": "`payments.order_id` points at no order",
    "events_duplicate": "events redelivered with an `event_id` already seen (at-least-once delivery)",
    "events_out_of_order": "c/u events older than an event of the same order that arrived before them",
    "events_late": "events arriving more than 1 hour behind the newest `ts_ms` already delivered",
    "events_missing_op": "events with no `op` field (malformed: dead-letter them)",
    "events_unknown_op": "events whose `op` is not c/u/d/r (malformed: dead-letter them)",
    "events_missing_key": "c/u events whose `after` row has no `order_id` (malformed: dead-letter them)",
    "events_with_new_field_channel": "events carrying the optional field `channel`, added by the source part-way "
    "through the stream (a schema change)",
}


def render_readme(m: SampleManifest) -> str:
    """The sample folder's README: what each file holds and the exact count of every planted defect."""
    rows = "\n".join(f"| `{t}` | {n:,} |" for t, n in m.rows.items())
    defects = "\n".join(
        f"| `{k}` | {m.defects[k]:,} | {DEFECT_DOCS[k]} | `{DEFECT_QUERIES[k][1]}` |"
        for k in DEFECT_QUERIES
        if k in m.defects
    )
    change = datetime.fromtimestamp(m.schema_change_from_ts_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"""# Sample data: a small e-commerce shop

Generated by `workbench sample-data --scale {m.scale} --seed {m.seed}` (the deterministic generator in
`workbench/sample_data.py`; same seed and scale, same bytes). Orders span October 2026 with a daily
rhythm (busier in the evening); the snapshot was taken at {m.snapshot_at}. Regenerate at any scale,
e.g. `workbench sample-data --scale 5000 --format parquet --no-events --out bench/.data/10m` for 10M orders.
This README and `manifest.json` are written by the generator: never edit the numbers by hand.

| file | rows |
|---|---|
{rows}

- `customers.csv` — customer_id, email, full_name, country, segment, signup_date
- `stores.csv` — store_id, store_name, city, opened_on
- `orders.csv` — order_id, customer_id, store_id, status, created_at, updated_at, total_amount
- `order_items.csv` — order_item_id, order_id, product_sku (pattern `AAA-9999`), quantity, unit_price
- `payments.csv` — payment_id, order_id, method, amount, paid_at
- `order_events.ndjson` — the orders table's change stream as Debezium-style envelopes: `event_id`,
  `seq` (arrival position in the topic), `op` (c/u/d), `ts_ms`, `source` (connector, db, schema, table,
  txId, lsn), `before`, `after`. From ts_ms {m.schema_change_from_ts_ms} ({change} UTC) on, rows carry a
  new optional field `channel`.

## Planted defects

Each count is exactly what the query returns with the files loaded under their names
(`ws = workbench.open_workspace(None, "sample_data")`); the tests pin every one.

| defect | count | what | query |
|---|---|---|---|
{defects}
"""
