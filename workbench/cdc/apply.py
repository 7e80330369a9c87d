"""Apply change events to a DuckDB table: set-based, idempotent, order-safe, nothing dropped.

One call is one transaction over the whole batch, in SQL (no per-row Python):

1. **validate** — no ``op``, an unknown ``op``, a missing row or key, or no position: the event goes to
   ``<target>_dead_letter`` with its reason (one row per distinct payload; ``deliveries`` counts repeats);
2. **dedup at source** — an idempotency key (:mod:`workbench.cdc.keys`) already in the processed-keys
   table (kept for a retention window, default 7 days) or repeated in the batch is a duplicate;
3. **order** — each key's last applied change is remembered (tombstones included) by its source
   position (``source.lsn`` when present, else ``ts_ms``); an event older than one already applied or
   arrived before it is *stale*; the change the target already holds is a *duplicate at sink*;
4. **write** — per key only the newest change is written: deletes, updates only where the row
   ``IS DISTINCT FROM`` the new one, inserts.

Counts always reconcile: ``events_in = applied + duplicates + stale + dead_lettered``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, Field

from workbench.cdc.events import VALID_OPS, StagedEvents, stage_events
from workbench.cdc.keys import KeySpec, key_sql
from workbench.errors import ChangeEventError
from workbench.workspace import Workspace, quote_ident

#: schema holding the apply's bookkeeping (processed keys, per-key positions); not listed by ws.tables()
STATE_SCHEMA = "_wb_cdc"
PROCESSED = f"{quote_ident(STATE_SCHEMA)}.processed_keys"
TARGETS = f"{quote_ident(STATE_SCHEMA)}.targets"
DEFAULT_RETENTION = timedelta(days=7)
#: what "newer" means: the source position, then the idempotency key as a deterministic tie-break for
#: equal positions (two changes in one millisecond) — the same order as the row-by-row reference
ORDER_KEY = "struct_pack(p := {pos}, k := {idem})"


class ApplyResult(BaseModel):
    """What one :func:`apply_changes` call did; ``events_in = applied + duplicates + stale + dead_lettered``."""

    target: str
    events_in: int
    applied: int = Field(description="events accepted as the newest change of their key when they arrived")
    duplicates: int = Field(description="events already processed (at source) or already in the target (at sink)")
    stale: int = Field(description="events older than a change of the same key already applied or arrived")
    dead_lettered: int
    duplicates_at_source: int = 0
    duplicates_at_sink: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    rows_unchanged: int = Field(0, description="newest changes equal to the row already there: not rewritten")
    position: str = "lsn"
    dead_letter_table: str = ""
    dead_letter_reasons: dict[str, int] = Field(default_factory=dict)
    columns_added: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def reconciles(self) -> bool:
        return self.events_in == self.applied + self.duplicates + self.stale + self.dead_lettered

    @property
    def events_per_second(self) -> float:
        return self.events_in / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        lines = [
            f"{self.target}: {self.events_in:,} events in = {self.applied:,} applied + {self.duplicates:,} duplicates "
            f"+ {self.stale:,} stale + {self.dead_lettered:,} dead-lettered"
            f" ({'reconciles' if self.reconciles else 'DOES NOT RECONCILE'})",
            f"  duplicates: {self.duplicates_at_source:,} at source, {self.duplicates_at_sink:,} at sink;"
            f" ordered by {self.position}",
            f"  rows: +{self.rows_inserted:,} inserted, ~{self.rows_updated:,} updated, -{self.rows_deleted:,} deleted,"
            f" {self.rows_unchanged:,} unchanged",
        ]
        if self.dead_letter_reasons:
            reasons = ", ".join(f"{r}: {n}" for r, n in sorted(self.dead_letter_reasons.items()))
            lines.append(f"  dead letters in {self.dead_letter_table}: {reasons}")
        if self.columns_added:
            lines.append(f"  columns added to {self.target}: {', '.join(self.columns_added)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.summary())}</pre>"


def _ensure_state(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(STATE_SCHEMA)}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {PROCESSED} (target VARCHAR, idempotency_key VARCHAR, "
                "position BIGINT, processed_at TIMESTAMP)")
    con.execute(f"CREATE TABLE IF NOT EXISTS {TARGETS} (target VARCHAR, key VARCHAR[], position VARCHAR)")


def state_table(target: str) -> str:
    """The table remembering each key's last applied change (position, idempotency key, op)."""
    return f"{quote_ident(STATE_SCHEMA)}.{quote_ident('state__' + target)}"


def dead_letter_table(target: str) -> str:
    return f"{target}_dead_letter"


def reset_target(ws: Workspace, target: str) -> None:
    """Forget ``target``: drop it, its dead letters, its per-key positions and its processed keys."""
    _ensure_state(ws.con)
    for t in (quote_ident(target), quote_ident(dead_letter_table(target)), state_table(target)):
        ws.con.execute(f"DROP TABLE IF EXISTS {t}")
    ws.con.execute(f"DELETE FROM {PROCESSED} WHERE target = ?", [target])
    ws.con.execute(f"DELETE FROM {TARGETS} WHERE target = ?", [target])


def _choose_position(con, staged: StagedEvents, position: str, registered: str | None) -> str:
    if position != "auto":
        if position not in ("lsn", "ts_ms"):
            raise ChangeEventError(f"position must be 'auto', 'lsn' or 'ts_ms', not {position!r}.")
        chosen = position
    elif registered:
        chosen = registered
    elif "lsn" in staged.source_fields and con.execute(
        f"SELECT count(source.lsn) FROM {quote_ident(staged.table)}"
    ).fetchone()[0]:
        chosen = "lsn"
    else:
        chosen = "ts_ms"
    if registered and chosen != registered:
        raise ChangeEventError(
            f"Target was ordered by {registered!r} so far; this batch asks for {chosen!r}.",
            hint="Keep one ordering per target, or apply into a new target table.",
        )
    return chosen


def apply_changes(
    ws: Workspace,
    target: str,
    events: Any,
    key: str | list[str],
    *,
    key_spec: KeySpec | None = None,
    position: Literal["auto", "lsn", "ts_ms"] = "auto",
    retention: timedelta = DEFAULT_RETENTION,
    now: datetime | None = None,
    arrival: str | None = "seq",
    evolve: bool = True,
) -> ApplyResult:
    """Apply Debezium-style change ``events`` to table ``target`` (created when absent), keyed by ``key``.

    ``events``: a workspace table, an NDJSON path, a list of dicts or a DataFrame. ``now`` is the
    clock for the processed-keys retention window (default: the wall clock). ``evolve`` adds columns
    that appear in the events (an optional field added at the source) to the target.
    """
    started = time.perf_counter()
    keys = [key] if isinstance(key, str) else list(key)
    spec = key_spec or KeySpec()
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    con = ws.con
    _ensure_state(con)
    staged = stage_events(ws, events, keys, arrival=arrival)
    tmp: list[str] = []
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            result = _apply(ws, target, staged, keys, spec, position, retention, now, evolve, tmp)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        for t in tmp:
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(t)}")
        staged.drop(con)
    result.seconds = time.perf_counter() - started
    return result


def _apply(ws: Workspace, target: str, staged: StagedEvents, keys: list[str], spec: KeySpec, position: str,
           retention: timedelta, now: datetime, evolve: bool, tmp: list[str]) -> ApplyResult:
    con = ws.con
    reg = con.execute(f"SELECT key, position FROM {TARGETS} WHERE target = ?", [target]).fetchone()
    if reg and list(reg[0]) != keys:
        raise ChangeEventError(f"Target {target!r} was applied with key {list(reg[0])}, not {keys}.",
                               hint="Use the same key for every batch of one target.")
    chosen = _choose_position(con, staged, position, reg[1] if reg else None)
    if not reg:
        con.execute(f"INSERT INTO {TARGETS} VALUES (?, ?, ?)", [target, keys, chosen])
    con.execute(f"DELETE FROM {PROCESSED} WHERE target = ? AND processed_at < ?", [target, now - retention])

    batch = quote_ident(staged.table)
    suffix = staged.table.removeprefix("__wb_cdc_batch_")
    cls, cand, ev, win = (f"__wb_cdc_{n}_{suffix}" for n in ("cls", "cand", "ev", "win"))
    tmp.extend([cls, cand, ev, win])
    pos = "CAST(source.lsn AS BIGINT)" if chosen == "lsn" else (
        "CAST(coalesce(source.ts_ms, ts_ms) AS BIGINT)" if "ts_ms" in staged.source_fields else "ts_ms")
    idem, idem_params = key_sql(keys, spec, entity_type=target, has_source_fields=staged.source_fields)
    key_null = " OR ".join(f"_row.{quote_ident(k)} IS NULL" for k in keys)
    ops = ", ".join(f"'{o}'" for o in VALID_OPS)
    kcols = [f"_k{i}" for i in range(len(keys))]
    kout = ", ".join(f"_row.{quote_ident(k)} AS {c}" for k, c in zip(keys, kcols, strict=True))
    # the bookkeeping tables stay narrow (row id, arrival, op, position, key, idempotency key): the wide
    # envelope is read from the staged batch only for dead letters and the winning changes
    con.execute(
        f"""CREATE TEMP TABLE {quote_ident(cls)} AS
        SELECT _rid, _arrival, op, _pos, _reason, {kout}, CASE WHEN _reason IS NULL THEN {idem} END AS _idem FROM (
          SELECT rowid AS _rid, _arrival, op, ts_ms, source, event_id, _row, {pos} AS _pos,
            CASE WHEN op IS NULL THEN 'missing op'
                 WHEN op NOT IN ({ops}) THEN 'unknown op ''' || op || ''' (expected c, u, d or r)'
                 WHEN op = 'd' AND before IS NULL THEN 'delete without a before row'
                 WHEN op <> 'd' AND after IS NULL THEN 'op ''' || op || ''' without an after row'
                 WHEN {key_null} THEN 'missing key ' || ? || ' in ' || CASE WHEN op = 'd' THEN 'before' ELSE 'after' END
                 WHEN {pos} IS NULL THEN 'missing position ' || ?
            END AS _reason
          FROM {batch})""",
        [*idem_params, ", ".join(keys), "source.lsn" if chosen == "lsn" else "ts_ms"],
    )
    dead, reasons = _dead_letter(ws, target, staged.table, cls, now)
    con.execute(
        f"""CREATE TEMP TABLE {quote_ident(cand)} AS
        SELECT c.*, row_number() OVER (PARTITION BY c._idem ORDER BY c._arrival) AS _rn,
               p.idempotency_key IS NOT NULL AS _seen
        FROM {quote_ident(cls)} c
        LEFT JOIN (SELECT DISTINCT idempotency_key FROM {PROCESSED} WHERE target = ?) p
          ON p.idempotency_key = c._idem
        WHERE c._reason IS NULL""",
        [target],
    )
    dup_source = con.execute(f"SELECT count(*) FROM {quote_ident(cand)} WHERE _rn > 1 OR _seen").fetchone()[0]

    state = state_table(target)
    key_types = {k: staged.row_fields[k] for k in keys}
    cols = ", ".join(f"{quote_ident(k)} {t}" for k, t in key_types.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {state} ({cols}, _position BIGINT, _idem VARCHAR, _op VARCHAR)")
    part = ", ".join(kcols)
    join = " AND ".join(f"s.{quote_ident(k)} = x.{c}" for k, c in zip(keys, kcols, strict=True))
    con.execute(
        f"""CREATE TEMP TABLE {quote_ident(ev)} AS
        SELECT x.*, CASE
            WHEN s._idem = x._idem THEN 'dup_sink'
            WHEN (s._position IS NOT NULL
                  AND {ORDER_KEY.format(pos="x._pos", idem="x._idem")} < {ORDER_KEY.format(pos="s._position", idem="s._idem")})
              OR (x._prev IS NOT NULL AND {ORDER_KEY.format(pos="x._pos", idem="x._idem")} < x._prev) THEN 'stale'
            ELSE 'applied' END AS _fate
        FROM (SELECT *, max({ORDER_KEY.format(pos="_pos", idem="_idem")}) OVER (PARTITION BY {part} ORDER BY _arrival
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _prev
              FROM {quote_ident(cand)} WHERE _rn = 1 AND NOT _seen) x
        LEFT JOIN {state} s ON {join}"""
    )
    fates = dict(con.execute(f"SELECT _fate, count(*) FROM {quote_ident(ev)} GROUP BY ALL").fetchall())
    con.execute(
        f"""CREATE TEMP TABLE {quote_ident(win)} AS SELECT w.*, b._row FROM (
            SELECT arg_max(_rid, {ORDER_KEY.format(pos="_pos", idem="_idem")}) AS _rid FROM {quote_ident(ev)} WHERE _fate = 'applied' GROUP BY {part}
        ) m JOIN {quote_ident(ev)} w ON w._rid = m._rid JOIN {batch} b ON b.rowid = m._rid"""
    )
    writes = _write(ws, target, staged, keys, win, evolve)

    wkeys = ", ".join(f"w.{c}" for c in kcols)
    match = " AND ".join(f"{state}.{quote_ident(k)} = w.{c}" for k, c in zip(keys, kcols, strict=True))
    con.execute(f"DELETE FROM {state} WHERE EXISTS (SELECT 1 FROM {quote_ident(win)} w WHERE {match})")
    con.execute(f"INSERT INTO {state} SELECT {wkeys}, w._pos, w._idem, w.op FROM {quote_ident(win)} w")
    con.execute(f"INSERT INTO {PROCESSED} SELECT ?, _idem, _pos, ? FROM {quote_ident(ev)}", [target, now])

    return ApplyResult(
        target=target, events_in=staged.count, applied=fates.get("applied", 0),
        duplicates=dup_source + fates.get("dup_sink", 0), stale=fates.get("stale", 0), dead_lettered=dead,
        duplicates_at_source=dup_source, duplicates_at_sink=fates.get("dup_sink", 0), position=chosen,
        dead_letter_table=dead_letter_table(target), dead_letter_reasons=reasons, **writes,
    )


def _dead_letter(ws: Workspace, target: str, batch: str, cls: str, now: datetime) -> tuple[int, dict[str, int]]:
    """Copy the invalid events to the dead-letter table (one row per distinct payload); return counts."""
    con = ws.con
    reasons = dict(con.execute(
        f"SELECT _reason, count(*) FROM {quote_ident(cls)} WHERE _reason IS NOT NULL GROUP BY ALL"
    ).fetchall())
    dl = quote_ident(dead_letter_table(target))
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {dl} (payload_sha256 VARCHAR, event_id VARCHAR, reason VARCHAR, op VARCHAR, "
        "ts_ms BIGINT, arrival BIGINT, payload JSON, deliveries BIGINT, first_seen_at TIMESTAMP, last_seen_at TIMESTAMP)"
    )
    if not reasons:
        return 0, {}
    rows = (
        f"SELECT sha256(p) AS h, event_id, _reason, op, ts_ms, _arrival, p, count(*) OVER (PARTITION BY p) AS n, "
        f"row_number() OVER (PARTITION BY p ORDER BY _arrival) AS rn FROM (SELECT b.*, c._reason, to_json(struct_pack("
        f"event_id := b.event_id, op := b.op, ts_ms := b.ts_ms, source := b.source, before := b.before, "
        f"after := b.after)) AS p FROM {quote_ident(cls)} c JOIN {quote_ident(batch)} b ON b.rowid = c._rid "
        f"WHERE c._reason IS NOT NULL)"
    )
    con.execute(
        f"UPDATE {dl} SET deliveries = deliveries + d.n, last_seen_at = ? FROM ({rows}) d "
        f"WHERE d.rn = 1 AND {dl}.payload_sha256 = d.h", [now]
    )
    con.execute(
        f"INSERT INTO {dl} SELECT h, event_id, _reason, op, ts_ms, _arrival, p, n, ?, ? FROM ({rows}) d "
        f"WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM {dl} x WHERE x.payload_sha256 = d.h)", [now, now]
    )
    return int(sum(reasons.values())), {str(k): int(v) for k, v in reasons.items()}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column -> type of main-schema table ``table`` ({} when it does not exist)."""
    return dict(con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
        "AND database_name = current_database() ORDER BY column_index", [table]).fetchall())


def _write(ws: Workspace, target: str, staged: StagedEvents, keys: list[str], win: str, evolve: bool) -> dict:
    """Deletes, distinct-only updates and inserts of the winning changes; returns row counts."""
    con = ws.con
    t = quote_ident(target)
    added: list[str] = []
    have = _columns(con, target)
    if not have:
        cols = ", ".join(f"{quote_ident(c)} {d}" for c, d in staged.row_fields.items())
        con.execute(f"CREATE TABLE {t} ({cols})")
    else:
        for k in keys:
            if k not in have:
                raise ChangeEventError(f"Target table {target!r} has no key column {k!r} (columns: {', '.join(have)}).",
                                       hint="Apply into a new table, or pass the target's key.")
        new = [c for c in staged.row_fields if c not in have]
        if new and not evolve:
            raise ChangeEventError(
                f"The events carry field(s) {new} that target {target!r} lacks.",
                hint="Pass evolve=True to add them as nullable columns, or check wb.schema_compatibility first.",
            )
        for c in new:
            con.execute(f"ALTER TABLE {t} ADD COLUMN {quote_ident(c)} {staged.row_fields[c]}")
            added.append(c)
    types = _columns(con, target)
    cols = [c for c in staged.row_fields if c in types]
    w = quote_ident(win)

    def val(c: str) -> str:
        return f"CAST(w._row.{quote_ident(c)} AS {types[c]})"

    on = " AND ".join(f"{t}.{quote_ident(k)} = w._row.{quote_ident(k)}" for k in keys)
    try:
        deleted = con.execute(
            f"DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM {w} w WHERE w.op = 'd' AND {on})"
        ).fetchone()[0]
        old = "struct_pack(" + ", ".join(f"{quote_ident(c)} := {t}.{quote_ident(c)}" for c in cols) + ")"
        new_row = "struct_pack(" + ", ".join(f"{quote_ident(c)} := {val(c)}" for c in cols) + ")"
        sets = ", ".join(f"{quote_ident(c)} = {val(c)}" for c in cols if c not in keys)
        updated = con.execute(
            f"UPDATE {t} SET {sets} FROM {w} w WHERE w.op <> 'd' AND {on} AND {old} IS DISTINCT FROM {new_row}"
        ).fetchone()[0] if sets else 0
        inserted = con.execute(
            f"INSERT INTO {t} ({', '.join(quote_ident(c) for c in cols)}) SELECT {', '.join(val(c) for c in cols)} "
            f"FROM {w} w WHERE w.op <> 'd' AND NOT EXISTS (SELECT 1 FROM {t} WHERE {on})"
        ).fetchone()[0]
    except duckdb.Error as exc:
        raise ChangeEventError(
            f"Could not write the changes into {target!r}: {str(exc).splitlines()[0]}",
            hint="The events' row types do not fit the target's columns; compare them with "
            "wb.schema_compatibility(ws.schema(target), ...) and migrate the target first.",
        ) from exc
    upserts = con.execute(f"SELECT count(*) FROM {w} WHERE op <> 'd'").fetchone()[0]
    return {"rows_inserted": int(inserted), "rows_updated": int(updated), "rows_deleted": int(deleted),
            "rows_unchanged": int(upserts - updated - inserted), "columns_added": added}
