"""Delivery simulator: at-least-once delivery (duplicates, reordering, retries after a crash) vs exactly-once.

:func:`plan_delivery` turns a stream of ``n`` events into the batches a consumer would really see:
events shuffled within a window, some redelivered, and batches that crash part-way (the first part
was written, the offset was not committed) and are then delivered again in full.
:func:`simulate_delivery` applies those batches with :func:`~workbench.cdc.apply.apply_changes` and
compares the table's checksum with the exactly-once result, computed independently by
:func:`apply_rowwise` — a plain row-by-row Python apply of each distinct event once, in log order.
"""

from __future__ import annotations

import heapq
import html
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from workbench.cdc.apply import ApplyResult, apply_changes, reset_target
from workbench.cdc.audit import table_checksum
from workbench.cdc.events import VALID_OPS, source_relation
from workbench.cdc.keys import KeySpec, idempotency_key
from workbench.errors import ChangeEventError
from workbench.workspace import Workspace, quote_ident

#: the retention clock used by the simulator, so runs are reproducible
SIM_NOW = datetime(2026, 11, 1)


class DeliveryPlan(BaseModel):
    """Batches of event indices (into the original stream) in the order a consumer receives them."""

    n_events: int
    batches: list[list[int]]
    duplicates: int = Field(description="extra deliveries of an event already delivered")
    moved: int = Field(description="events delivered at another position than in the log")
    crashes: int = Field(description="batches that failed part-way and were redelivered in full")

    @property
    def deliveries(self) -> int:
        return sum(len(b) for b in self.batches)


def plan_delivery(n: int, *, duplicate_rate: float = 0.1, reorder_window: int = 0, batch_size: int = 500,
                  failure_at: float | None = None, failure_batches: Sequence[int] | None = None,
                  seed: int = 0) -> DeliveryPlan:
    """An at-least-once delivery schedule for ``n`` events.

    Each event moves by up to ``reorder_window`` positions; with probability ``duplicate_rate`` it is
    delivered again up to ``reorder_window`` deliveries later. Batches listed in ``failure_batches``
    (default: every batch when ``failure_at`` is set) crash after ``failure_at`` of their events were
    written and are then redelivered in full.
    """
    if n < 0 or batch_size < 1 or not 0 <= duplicate_rate <= 1 or reorder_window < 0:
        raise ChangeEventError("Delivery plan needs n >= 0, batch_size >= 1, 0 <= duplicate_rate <= 1 and "
                               "reorder_window >= 0.")
    if failure_at is not None and not 0 <= failure_at < 1:
        raise ChangeEventError(f"failure_at is the fraction of a batch written before the crash: 0 <= x < 1, "
                               f"not {failure_at}.")
    rng = np.random.default_rng(seed)
    order = np.argsort(np.arange(n) + rng.uniform(0, reorder_window + 1e-9, n), kind="stable").tolist()
    moved = int(sum(1 for i, e in enumerate(order) if i != e))
    stream: list[int] = []
    pending: list[tuple[int, int, int]] = []
    dups = 0
    for pos, e in enumerate(order):
        while pending and pending[0][0] <= pos:
            stream.append(heapq.heappop(pending)[2])
        stream.append(e)
        if rng.random() < duplicate_rate:
            dups += 1
            heapq.heappush(pending, (pos + int(rng.integers(0, reorder_window + 1)), len(stream), e))
    stream.extend(item[2] for item in sorted(pending))
    chunks = [stream[i:i + batch_size] for i in range(0, len(stream), batch_size)]
    failing = set(range(len(chunks)) if failure_batches is None else failure_batches) if failure_at is not None else set()
    batches: list[list[int]] = []
    crashes = 0
    for b, chunk in enumerate(chunks):
        if b in failing:
            crashes += 1
            batches.append(chunk[: int(len(chunk) * failure_at)])
        batches.append(chunk)
    return DeliveryPlan(n_events=n, batches=[b for b in batches if b], duplicates=dups, moved=moved, crashes=crashes)


class RowwiseResult(BaseModel):
    """The state a row-by-row apply ends with, and its reconciling counts."""

    rows: dict[str, dict[str, Any]] = Field(description="key (as text) -> row")
    events_in: int = 0
    applied: int = 0
    duplicates: int = 0
    stale: int = 0
    dead_lettered: int = 0


def _position(event: dict[str, Any], position: str) -> Any:
    source = event.get("source") or {}
    if position == "lsn":
        return source.get("lsn")
    return source.get("ts_ms") if source.get("ts_ms") is not None else event.get("ts_ms")


def apply_rowwise(events: Iterable[dict[str, Any]], key: str | list[str], *, position: str = "lsn",
                  key_spec: KeySpec | None = None, entity_type: str = "") -> RowwiseResult:
    """Straightforward row-by-row apply into a Python dict, with the same rules as :func:`apply_changes`.

    The reference the set-based apply is checked and benchmarked against: one event at a time,
    an idempotency key per event (hashlib), a dict of processed keys and one of last positions.
    """
    keys = [key] if isinstance(key, str) else list(key)
    rows: dict[str, dict[str, Any]] = {}
    last: dict[str, tuple[Any, str]] = {}
    seen: set[str] = set()
    r = RowwiseResult(rows={})
    for e in events:
        r.events_in += 1
        op = e.get("op")
        row = e.get("before") if op == "d" else e.get("after")
        pos = _position(e, position)
        if op not in VALID_OPS or row is None or any(row.get(k) is None for k in keys) or pos is None:
            r.dead_lettered += 1
            continue
        idem = idempotency_key(e, keys, key_spec, entity_type=entity_type)
        if idem in seen:
            r.duplicates += 1
            continue
        seen.add(idem)
        k = ",".join(str(row[c]) for c in keys)
        prev = last.get(k)
        if prev is not None and prev[1] == idem:
            r.duplicates += 1
        elif prev is not None and (pos, idem) < prev:
            r.stale += 1
        else:
            r.applied += 1
            last[k] = (pos, idem)
            if op == "d":
                rows.pop(k, None)
            else:
                rows[k] = row
    r.rows = rows
    return r


def exactly_once(events: Sequence[dict[str, Any]], key: str | list[str], *, position: str = "lsn",
                 key_spec: KeySpec | None = None, entity_type: str = "") -> RowwiseResult:
    """Every distinct valid event applied once, in log-position order (the reference final state)."""
    keys = [key] if isinstance(key, str) else list(key)
    valid = []
    for e in events:
        row = e.get("before") if e.get("op") == "d" else e.get("after")
        if (e.get("op") in VALID_OPS and row is not None and all(row.get(k) is not None for k in keys)
                and _position(e, position) is not None):
            valid.append((_position(e, position), idempotency_key(e, keys, key_spec, entity_type=entity_type), e))
    distinct = {idem: (pos, idem, e) for pos, idem, e in valid}
    ordered = [e for _, _, e in sorted(distinct.values(), key=lambda t: (t[0], t[1]))]
    return apply_rowwise(ordered, keys, position=position, key_spec=key_spec, entity_type=entity_type)


def rows_to_table(ws: Workspace, name: str, rows: Iterable[dict[str, Any]], like: str) -> str:
    """Write dict rows into a new table ``name`` with the columns and types of table ``like``."""
    import pyarrow as pa

    ws.con.execute(f"CREATE OR REPLACE TABLE {quote_ident(name)} AS SELECT * FROM {quote_ident(like)} LIMIT 0")
    data = list(rows)
    if data:
        view = f"__wb_rows_{uuid.uuid4().hex[:12]}"
        cols = ws.columns(like)
        arrow = pa.Table.from_pylist([{c: _plain(r.get(c)) for c in cols} for r in data])
        ws.con.register(view, arrow)
        try:
            ws.con.execute(f"INSERT INTO {quote_ident(name)} BY NAME SELECT * FROM {quote_ident(view)}")
        finally:
            ws.con.unregister(view)
    return name


def _plain(v: Any) -> Any:
    return v if v is None or isinstance(v, int | float | str | bool) else str(v)


class DeliveryResult(BaseModel):
    """A simulated at-least-once delivery and whether it ended where exactly-once delivery ends."""

    target: str
    exactly_once_table: str
    plan: DeliveryPlan
    checksum: str
    exactly_once_checksum: str
    match: bool
    applies: list[ApplyResult] = Field(default_factory=list)

    def totals(self) -> dict[str, int]:
        names = ("events_in", "applied", "duplicates", "stale", "dead_lettered")
        return {n: sum(getattr(a, n) for a in self.applies) for n in names}

    def summary(self) -> str:
        t = self.totals()
        return (
            f"{self.plan.deliveries:,} deliveries of {self.plan.n_events:,} events in {len(self.plan.batches)} batches "
            f"({self.plan.duplicates:,} redelivered, {self.plan.moved:,} moved, {self.plan.crashes} crashed batches)\n"
            f"  applied {t['applied']:,}, duplicates {t['duplicates']:,}, stale {t['stale']:,}, "
            f"dead-lettered {t['dead_lettered']:,}\n"
            f"  checksum {self.checksum[:16]} vs exactly-once {self.exactly_once_checksum[:16]}: "
            f"{'MATCH' if self.match else 'DIFFERENT'}"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"


def simulate_delivery(ws: Workspace, events: Any, key: str | list[str], *, target: str = "delivery_replica",
                      duplicate_rate: float = 0.1, reorder_window: int = 20, batch_size: int = 500,
                      failure_at: float | None = 0.5, failure_batches: Sequence[int] | None = None,
                      seed: int = 0, key_spec: KeySpec | None = None) -> DeliveryResult:
    """Deliver ``events`` at least once (see :func:`plan_delivery`) into ``target`` and compare with exactly-once.

    ``target`` and ``<target>_exactly_once`` are replaced. Returns both checksums and every batch's
    :class:`ApplyResult`.
    """
    keys = [key] if isinstance(key, str) else list(key)
    rel, params, cleanup = source_relation(ws, events)
    src = f"__wb_deliv_{uuid.uuid4().hex[:12]}"
    con = ws.con
    try:
        cols = con.sql(f"SELECT * FROM {rel} LIMIT 0", params=params).columns
        order = "seq" if "seq" in cols else "ordinality" if "ordinality" in cols else None
        drop = [c for c in ("seq", "ordinality") if c in cols]
        con.execute(
            f"CREATE TEMP TABLE {quote_ident(src)} AS SELECT * {'EXCLUDE (' + ', '.join(drop) + ')' if drop else ''}, "
            f"row_number() OVER ({'ORDER BY ' + order if order else ''}) - 1 AS _i FROM {rel}", params)
    finally:
        for p in cleanup:
            Path(p).unlink(missing_ok=True)
    try:
        n = con.execute(f"SELECT count(*) FROM {quote_ident(src)}").fetchone()[0]
        plan = plan_delivery(n, duplicate_rate=duplicate_rate, reorder_window=reorder_window, batch_size=batch_size,
                             failure_at=failure_at, failure_batches=failure_batches, seed=seed)
        reset_target(ws, target)
        ws.con.execute(f"DROP TABLE IF EXISTS {quote_ident(target + '_exactly_once')}")
        applies = [_deliver(ws, target, src, batch, keys, key_spec) for batch in plan.batches]
        raw = con.execute(f"SELECT * EXCLUDE (_i) FROM {quote_ident(src)} ORDER BY _i")
        names = [d[0] for d in raw.description]
        stream = [dict(zip(names, r, strict=True)) for r in raw.fetchall()]
    finally:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(src)}")
    position = applies[0].position if applies else "lsn"
    reference = exactly_once(stream, keys, position=position, key_spec=key_spec, entity_type=target)
    ref_table = rows_to_table(ws, f"{target}_exactly_once", reference.rows.values(), like=target)
    got, want = table_checksum(ws, target), table_checksum(ws, ref_table)
    return DeliveryResult(target=target, exactly_once_table=ref_table, plan=plan, checksum=got,
                          exactly_once_checksum=want, match=got == want, applies=applies)


def _deliver(ws: Workspace, target: str, src: str, batch: list[int], keys: list[str],
             key_spec: KeySpec | None) -> ApplyResult:
    name = f"__wb_batch_{uuid.uuid4().hex[:12]}"
    ws.con.execute(
        f"CREATE TEMP TABLE {quote_ident(name)} AS SELECT s.* EXCLUDE (_i), b.seq FROM {quote_ident(src)} s "
        "JOIN (SELECT unnest(?::BIGINT[]) AS i, generate_subscripts(?::BIGINT[], 1) AS seq) b ON s._i = b.i",
        [batch, batch],
    )
    try:
        return apply_changes(ws, target, name, keys, key_spec=key_spec, now=SIM_NOW)
    finally:
        ws.con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")
