"""The SQL behind a profile: a few wide queries over the table, each computing many columns at once.

1. ``stats``    one aggregate row: counts, HLL distinct, min/max/mean/std/skew/quantiles (exact up to
                ``EXACT_ROWS``), zero/negative counts, string lengths, future timestamps.
2. ``dist``     GROUPING SETS: exact value counts of low-cardinality columns (top values, exact
                distinct) and equal-width histogram bins.
3. ``distinct`` exact ``count(DISTINCT)`` of the other columns (all up to ``EXACT_ROWS``, key-like
                ones above); ``keylike`` then lists the repeated values of near-unique columns.
   ``duplicate rows`` a whole-row hash count, skipped when some column is unique (no row can repeat).
4. ``text``    string columns reduced to shapes, grouped, with per-type cast/regex counts (sampled
               above ``SAMPLE_ROWS``).
5. ``time``    minute buckets of every timestamp-like column, rolled up to day / hour-of-day / peak.

Every identifier goes through ``quote_ident``; every data-derived value is a bound parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import duckdb

from workbench.profiling.types import TEXT_TESTS, kind_of, shape_sql
from workbench.workspace import Workspace, quote_ident

QUANTILES = (0.25, 0.5, 0.75)
#: above this many rows distinct counts and quantiles are approximate (HLL / t-digest) and marked so
EXACT_ROWS = 100_000
#: columns with at most this many distinct values get exact top values from one ``histogram()``
LOW_CARDINALITY = 1_000
#: a column whose distinct count reaches this share of its non-null count is checked exactly for duplicates
KEYLIKE_SHARE = 0.9
#: text inference and patterns read a reservoir sample of this many rows on bigger tables
SAMPLE_ROWS = 20_000
#: columns per wide query (a 1,000-column table runs a handful of queries, not one giant one)
BATCH = 200
#: grouping sets per distribution query (GROUPING_ID is a 64-bit mask)
GROUPING_BATCH = 60
MAX_TEXT = 200


@dataclass
class Col:
    """A column being profiled: its position (used in SQL aliases), name, DuckDB type and kind."""

    i: int
    name: str
    dtype: str
    kind: str = ""
    q: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def __post_init__(self) -> None:
        self.kind = self.kind or kind_of(self.dtype)
        self.q = quote_ident(self.name)

    @property
    def ts_expr(self) -> str:
        """The column as a naive-UTC TIMESTAMP (temporal columns)."""
        t = self.dtype.upper()
        if "WITH TIME ZONE" in t or t == "TIMESTAMPTZ":
            return f"timezone('UTC', {self.q})"
        return f"CAST({self.q} AS TIMESTAMP)"


def jsonable(v: Any) -> Any:
    """A DuckDB value as JSON-ready Python: numbers, bools, ISO strings, or (truncated) text."""
    if v is None or isinstance(v, bool | int):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if isinstance(v, timedelta):
        return v.total_seconds()
    if isinstance(v, UUID):
        return str(v)
    if isinstance(v, bytes | bytearray):
        v = v.hex()
    s = str(v)
    return s if len(s) <= MAX_TEXT else s[:MAX_TEXT] + "…"


def _one_row(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    cur = con.execute(sql, params or {})
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def _batches(cols: list[Col]) -> list[list[Col]]:
    return [cols[k:k + BATCH] for k in range(0, len(cols), BATCH)]


# --- 1. stats ---------------------------------------------------------------------------------
def stat_exprs(c: Col, exact: bool) -> list[tuple[str, str]]:
    """(alias suffix, aggregate SQL) pairs for one column."""
    q = c.q
    out = [("nn", f"count({q})")]
    if c.kind == "nested":
        return out + [("bytes", f"sum(strlen(CAST({q} AS VARCHAR)))")]
    out.append(("ad", f"approx_count_distinct({q})"))
    quant = (lambda e: f"quantile_cont({e}, {list(QUANTILES)})") if exact else (
        lambda e: f"approx_quantile({e}, {list(QUANTILES)})")
    if c.kind == "numeric":
        d = f"CAST({q} AS DOUBLE)"
        out += [("mn", f"min({q})"), ("mx", f"max({q})"), ("avg", f"avg({d})"), ("sd", f"stddev_samp({d})"),
                ("sk", f"skewness({d})"), ("qs", quant(d)), ("z", f"count_if({q} = 0)"), ("neg", f"count_if({q} < 0)")]
    elif c.kind == "temporal":
        qd = (lambda e: f"quantile_disc({e}, {list(QUANTILES)})") if exact else quant
        out += [("mn", f"min({q})"), ("mx", f"max({q})"), ("qs", qd(q)), ("fut", f"count_if({c.ts_expr} > $ref)")]
    elif c.kind == "boolean":
        out += [("mn", f"min({q})"), ("mx", f"max({q})"), ("tr", f"count_if({q})")]
    elif c.kind == "string":
        v = f"CAST({q} AS VARCHAR)"
        out += [("mn", f"left(min({v}), {MAX_TEXT})"), ("mx", f"left(max({v}), {MAX_TEXT})"),
                ("lmin", f"min(length({v}))"), ("lmax", f"max(length({v}))"), ("lavg", f"avg(length({v}))"),
                ("bytes", f"sum(strlen({v}))")]
    else:
        out += [("mn", f"left(CAST(min({q}) AS VARCHAR), {MAX_TEXT})"),
                ("mx", f"left(CAST(max({q}) AS VARCHAR), {MAX_TEXT})")]
        if c.dtype.upper() == "BLOB":
            out.append(("bytes", f"sum(octet_length({q}))"))
    return out


def stats_scan(ws: Workspace, table: str, cols: list[Col], exact: bool, ref: datetime) -> tuple[dict, int]:
    """Fill ``col.stats``; return the table-level figures (row count) and the scans run."""
    t, scans, table_stats = quote_ident(table), 0, {}
    for k, batch in enumerate(_batches(cols)):
        extra = ["count(*) AS n"] if k == 0 else []
        scans += 1
        try:
            row = _stats_query(ws, t, batch, extra, exact, ref)
        except duckdb.Error:
            row = {}
            if extra:
                scans += 1
                row.update(_one_row(ws.con, f"SELECT {', '.join(extra)} FROM {t}"))
            for c in batch:  # isolate the column DuckDB cannot aggregate; profile the rest
                scans += 1
                try:
                    row.update(_stats_query(ws, t, [c], [], exact, ref))
                except duckdb.Error as exc:
                    c.error = str(exc).splitlines()[0]
                    row.update(_one_row(ws.con, f"SELECT count({c.q}) AS c{c.i}_nn FROM {t}"))
        if k == 0:
            table_stats = {"n": row["n"]}
        by_col: dict[str, dict[str, Any]] = {}
        for key, v in row.items():
            col, _, alias = key.partition("_")
            by_col.setdefault(col, {})[alias] = v
        for c in batch:
            c.stats = by_col.get(f"c{c.i}", {})
    if not cols:
        table_stats = {"n": ws.row_count(table)}
        scans += 1
    return table_stats, scans


def _stats_query(ws: Workspace, t: str, cols: list[Col], extra: list[str], exact: bool, ref: datetime) -> dict:
    exprs = list(extra)
    for c in cols:
        exprs += [f"{sql} AS c{c.i}_{alias}" for alias, sql in stat_exprs(c, exact)]
    return _one_row(ws.con, f"SELECT {', '.join(exprs)} FROM {t}", {"ref": ref} if "$ref" in " ".join(exprs) else None)


# --- 2. distributions ---------------------------------------------------------------------------
def bin_expr(c: Col) -> str:
    """SQL for the 0-based equal-width bin of a numeric/temporal column (bounds are parameters)."""
    x = f"epoch({c.ts_expr})" if c.kind == "temporal" else f"CAST({c.q} AS DOUBLE)"
    return f"least(CAST(floor(({x} - $lo{c.i}) / $w{c.i}) AS BIGINT), $nb{c.i} - 1)"


def dist_scan(ws: Workspace, table: str, tops: list[Col],
              binned: list[tuple[Col, float, float, int]]) -> tuple[dict[str, dict], int]:
    """Value counts of the ``tops`` columns (``c{i}_tv``) and bin counts of ``binned`` ones (``c{i}_hb``,
    each given as ``(col, lower bound, bin width, bins)``), from GROUPING SETS: one hash table per set."""
    items = [(f"c{c.i}_tv", c.q, {}) for c in tops]
    items += [(f"c{c.i}_hb", bin_expr(c), {f"lo{c.i}": lo, f"w{c.i}": w, f"nb{c.i}": nb}) for c, lo, w, nb in binned]
    out: dict[str, dict] = {alias: {} for alias, _, _ in items}
    scans = 0
    for k in range(0, len(items), GROUPING_BATCH):
        chunk = items[k:k + GROUPING_BATCH]
        aliases = [f"a{j}" for j in range(len(chunk))]
        inner = ", ".join(f"{expr} AS {a}" for (_, expr, _), a in zip(chunk, aliases, strict=True))
        sets = ", ".join(f"({a})" for a in aliases)
        params = {key: v for _, _, p in chunk for key, v in p.items()}
        rows = ws.con.execute(
            f"SELECT GROUPING_ID({', '.join(aliases)}) AS gid, {', '.join(aliases)}, count(*) AS n "
            f"FROM (SELECT {inner} FROM {quote_ident(table)}) GROUP BY GROUPING SETS ({sets})", params).fetchall()
        scans += 1
        last, mask = len(chunk) - 1, (1 << len(chunk)) - 1
        for gid, *values, n in rows:
            j = last - ((~gid & mask).bit_length() - 1)  # the one grouped column's bit is the only zero
            if values[j] is not None:
                out[chunk[j][0]][values[j]] = n
    return out, scans


# --- 3. key-like / high-cardinality columns ------------------------------------------------------------
def distinct_scan(ws: Workspace, table: str, cols: list[Col]) -> tuple[dict[int, int], int]:
    """Exact distinct counts of ``cols`` (one ``count(DISTINCT)`` per column, batched into wide queries)."""
    out, scans = {}, 0
    for batch in _batches(cols):
        row = _one_row(ws.con, "SELECT " + ", ".join(f"count(DISTINCT {c.q}) AS c{c.i}" for c in batch)
                       + f" FROM {quote_ident(table)}")
        out.update({c.i: int(row[f"c{c.i}"]) for c in batch})
        scans += 1
    return out, scans


def duplicate_rows(ws: Workspace, table: str, cols: list[Col]) -> int:
    """Rows identical to an earlier row, counted with a 64-bit hash of the whole row (collisions ~n²/2⁶⁵)."""
    every = ", ".join(c.q for c in cols)
    return int(ws.con.execute(f"SELECT count(*) - count(DISTINCT hash({every})) FROM {quote_ident(table)}").fetchone()[0])


def keylike_scan(ws: Workspace, table: str, c: Col, top_k: int) -> tuple[int, int, list[tuple[Any, int]]]:
    """Exact (distinct count, duplicated rows, top values by count) of one column, in one grouped scan."""
    rows = ws.con.execute(
        f"SELECT v, n, count(*) OVER () AS d, sum(n) OVER () - count(*) OVER () AS dup FROM "
        f"(SELECT {c.q} AS v, count(*) AS n FROM {quote_ident(table)} WHERE {c.q} IS NOT NULL GROUP BY {c.q}) "
        f"ORDER BY n DESC, v LIMIT ?",
        [top_k],
    ).fetchall()
    if not rows:
        return 0, 0, []
    return int(rows[0][2]), int(rows[0][3]), [(jsonable(v), int(n)) for v, n, _, _ in rows]


# --- 4. text shapes and type tests -----------------------------------------------------------------
def text_scan(ws: Workspace, table: str, cols: list[Col], sample: int | None) -> tuple[list[tuple], int]:
    """Rows ``(i, shape, n, example, <one count per TEXT_TESTS type>)`` for the string columns."""
    out, scans = [], 0
    tests = ", ".join(f"coalesce(sum(n) FILTER (WHERE {sql}), 0) AS {name}" for name, sql in TEXT_TESTS.items())
    for batch in _batches(cols):
        src = quote_ident(table)
        if sample:
            picked = ", ".join(c.q for c in batch)
            src = f"(SELECT {picked} FROM {src} USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (42))"
        items = ", ".join(f"{{'g': {c.i}, 'v': CAST({c.q} AS VARCHAR)}}" for c in batch)
        # casts and regexes run once per distinct value, weighted by its count
        sql = (f"WITH s AS (SELECT unnest([{items}], recursive := true) FROM {src}), "
               f"d AS (SELECT g, v, count(*) AS n FROM s WHERE v IS NOT NULL GROUP BY ALL) "
               f"SELECT g, {shape_sql('v')} AS shape, sum(n) AS n, left(min(v), 60) AS example, {tests} "
               f"FROM d GROUP BY ALL")
        scans += 1
        out += ws.con.execute(sql).fetchall()
    return out, scans


# --- 5. time -----------------------------------------------------------------------------------------------
def time_scan(ws: Workspace, table: str, exprs: dict[int, str], ref: datetime) -> tuple[list[tuple], int]:
    """Rows ``(i, grain, key, rows, lo, hi, future)``: grain 'day', 'hour' or 'all' (key = earliest peak minute)."""
    if not exprs:
        return [], 0
    items = ", ".join(f"{{'g': {i}, 'ts': {e}}}" for i, e in exprs.items())
    sql = f"""
        WITH s AS (SELECT unnest([{items}], recursive := true) FROM {quote_ident(table)}),
        m AS MATERIALIZED (
            SELECT g, date_trunc('minute', ts) AS minute, count(*) AS n, min(ts) AS lo, max(ts) AS hi,
                   count_if(ts > $ref) AS fut
            FROM s WHERE ts IS NOT NULL GROUP BY ALL)
        SELECT g, 'day' AS grain, strftime(date_trunc('day', minute), '%Y-%m-%d') AS k, sum(n)::BIGINT AS n,
               NULL::TIMESTAMP AS lo, NULL::TIMESTAMP AS hi, NULL::BIGINT AS fut FROM m GROUP BY ALL
        UNION ALL
        SELECT g, 'hour', CAST(hour(minute) AS VARCHAR), sum(n)::BIGINT, NULL, NULL, NULL FROM m GROUP BY ALL
        UNION ALL
        SELECT g, 'all', strftime(min(minute) FILTER (WHERE n = top), '%Y-%m-%dT%H:%M:%S'), max(n)::BIGINT,
               min(lo), max(hi), sum(fut)::BIGINT
        FROM (SELECT *, max(n) OVER (PARTITION BY g) AS top FROM m) GROUP BY g
    """
    return ws.con.execute(sql, {"ref": ref}).fetchall(), 1
