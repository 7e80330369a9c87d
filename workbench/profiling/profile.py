"""``profile(ws, table)``: a TableProfile computed in DuckDB in a handful of scans (see ``scans.py``).

>>> p = profile(ws, "orders", reference_time="2026-11-01T00:00:00")   # doctest: +SKIP
>>> p.columns["total_amount"].negative_count, p.candidate_keys, [a.kind for a in p.alerts]  # doctest: +SKIP
"""

from __future__ import annotations

import time as _time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from workbench.errors import ProfileError
from workbench.profiling import scans
from workbench.profiling.alerts import table_alerts
from workbench.profiling.keys import candidate_keys
from workbench.profiling.models import (
    ColumnProfile,
    HistogramBin,
    LengthStats,
    Pattern,
    TableProfile,
    TimeProfile,
)
from workbench.profiling.scans import Col, jsonable
from workbench.profiling.types import TEXT_TESTS, collapse, infer_text_type, native_type
from workbench.sqltypes import INTEGER_TYPES, byte_width
from workbench.workspace import Workspace

#: integer columns read as epoch times when the name says so and the values are in a plausible range
EPOCH_HINTS = {"epoch_ms": (("_ms", "ts_ms", "millis"), 1e11, 1e13), "epoch_s": (("_epoch", "epoch", "_unix", "_ts"), 1e8, 1e10)}
TOP_PATTERNS = 5


def reference_naive(reference_time: datetime | date | str | None) -> datetime:
    """A reference time as a naive UTC datetime (``None`` = now); naive inputs are taken as UTC."""
    if reference_time is None or reference_time == "":
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if isinstance(reference_time, str):
        try:
            reference_time = datetime.fromisoformat(reference_time.replace("Z", "+00:00"))
        except ValueError:
            raise ProfileError(f"reference_time {reference_time!r} is not an ISO date or timestamp.",
                               hint="Write it like '2026-11-01' or '2026-11-01T00:00:00+00:00'.") from None
    if not isinstance(reference_time, datetime):
        reference_time = datetime(reference_time.year, reference_time.month, reference_time.day)
    if reference_time.tzinfo is not None:
        reference_time = reference_time.astimezone(UTC).replace(tzinfo=None)
    return reference_time


def profile(ws: Workspace, table: str, *, reference_time: datetime | str | None = None, top_k: int = 10,
            bins: int = 20, exact_rows: int = scans.EXACT_ROWS) -> TableProfile:
    """Profile ``table``: per-column statistics, inferred types, candidate keys, time profiles and alerts.

    ``reference_time`` (default: now) is what freshness and "future" timestamps are measured against.
    Tables over ``exact_rows`` rows get HLL distinct counts and approximate quantiles (marked so);
    key-like columns are always counted exactly.
    """
    started = _time.perf_counter()
    ws.require_table(table)
    for name, value, least in (("top_k", top_k, 1), ("bins", bins, 1), ("exact_rows", exact_rows, 0)):
        if not isinstance(value, int) or value < least:
            raise ProfileError(f"Profiling {table!r}: {name}={value!r} must be a whole number >= {least}.",
                               hint=f"Leave {name} out for the default.")
    ref = reference_naive(reference_time)
    cols = [Col(i, name, dtype) for i, (name, dtype) in enumerate(ws.schema(table).items())]
    n_scans = 1
    exact = ws.row_count(table) <= exact_rows
    table_stats, k = scans.stats_scan(ws, table, cols, exact, ref)
    n_scans += k
    n = int(table_stats["n"])
    live = [c for c in cols if c.error is None and c.kind != "nested"]

    counts = _distinct_counts(ws, table, live, exact, bins, top_k)
    n_scans += counts.scans
    distinct, dist, binned = counts.distinct, counts.dist, counts.binned

    strings = [c for c in live if c.kind == "string" and c.stats["nn"]]
    sample = scans.SAMPLE_ROWS if n > scans.SAMPLE_ROWS else None
    text_rows, k = scans.text_scan(ws, table, strings, sample) if strings else ([], 0)
    n_scans += k
    text = _text_results(strings, text_rows, distinct)

    time_exprs = _time_exprs(live, text)
    time_rows, k = scans.time_scan(ws, table, {i: e for i, (e, _) in time_exprs.items()}, ref)
    n_scans += k
    times = _time_profiles(time_rows, {i: src for i, (_, src) in time_exprs.items()}, ref)

    bin_bounds = {c.i: (lo, w, nb) for c, lo, w, nb in binned}
    columns: dict[str, ColumnProfile] = {}
    for c in cols:
        approx = c.i in distinct and c.i not in counts.exact
        columns[c.name] = _column(c, n, distinct.get(c.i), approx, not exact, counts.keylike.get(c.i), dist,
                                  bin_bounds.get(c.i), text.get(c.i), times.get(c.i), top_k)

    keys, k = candidate_keys(ws, table, columns, n)
    n_scans += k
    unique = any(c.distinct_count == n and not c.distinct_approximate for c in columns.values() if c.kind != "nested")
    dup = 0 if unique or n < 2 else scans.duplicate_rows(ws, table, cols)
    n_scans += 0 if unique or n < 2 else 1
    prof = TableProfile(
        table=table, row_count=n, columns=columns, candidate_keys=keys,
        duplicate_row_count=dup, avg_row_bytes=_avg_row_bytes(cols, n),
        reference_time=ref.isoformat(), exact_distinct=exact, sample_rows=sample if strings else None,
    )
    prof.alerts = table_alerts(prof)
    prof.scans = n_scans
    prof.seconds = round(_time.perf_counter() - started, 4)
    return prof


# --- helpers -------------------------------------------------------------------------------------------
@dataclass
class _Counts:
    distinct: dict[int, int]
    exact: set[int]
    keylike: dict[int, tuple[int, int, list]]
    dist: dict[str, dict]
    binned: list[tuple[Col, float, float, int]]
    scans: int


def _distinct_counts(ws: Workspace, table: str, live: list[Col], exact: bool, bins: int, top_k: int) -> _Counts:
    """Distinct counts (HLL first, then exact where it matters), repeated values of near-unique columns,
    value counts of low-cardinality columns and histogram bins."""
    distinct = {c.i: min(int(c.stats["ad"]), int(c.stats["nn"])) for c in live}
    exact_d = {c.i for c in live if not c.stats["nn"]}
    high = [c for c in live if distinct[c.i] > scans.LOW_CARDINALITY
            and (exact or distinct[c.i] >= scans.KEYLIKE_SHARE * c.stats["nn"])]
    counted, n_scans = scans.distinct_scan(ws, table, high) if high else ({}, 0)
    distinct.update(counted)
    exact_d.update(counted)
    keylike = {}
    for c in high:  # near-unique but not unique: which values repeat?
        if scans.KEYLIKE_SHARE * c.stats["nn"] <= distinct[c.i] < c.stats["nn"]:
            keylike[c.i] = scans.keylike_scan(ws, table, c, top_k)
            n_scans += 1
    tops = [c for c in live if 0 < distinct[c.i] <= scans.LOW_CARDINALITY]
    binned = [b for c in live if (b := _bin_plan(c, distinct[c.i], bins))]
    dist, k = scans.dist_scan(ws, table, tops, binned) if (tops or binned) else ({}, 0)
    for c in tops:
        distinct[c.i] = len(dist[f"c{c.i}_tv"])
        exact_d.add(c.i)
    return _Counts(distinct, exact_d, keylike, dist, binned, n_scans + k)


def _epoch(v: Any) -> float:
    if isinstance(v, datetime):
        return (v if v.tzinfo else v.replace(tzinfo=UTC)).timestamp()
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=UTC).timestamp()
    return float(v)


def _bin_plan(c: Col, d: int | None, bins: int) -> tuple[Col, float, float, int] | None:
    """Equal-width bins for numeric/temporal columns with more distinct values than bins (fewer: top values say it all)."""
    if c.kind not in ("numeric", "temporal") or c.stats.get("mn") is None or d <= bins:
        return None
    lo, hi = _epoch(c.stats["mn"]), _epoch(c.stats["mx"])
    if not hi > lo or lo != lo or hi != hi or abs(hi - lo) == float("inf"):
        return None
    return c, lo, (hi - lo) / bins, bins


def _text_results(strings: list[Col], rows: list[tuple], distinct: dict[int, int | None]) -> dict[int, dict]:
    """Per string column: inferred type and share, patterns, and the sample's non-null count."""
    groups: dict[int, list[tuple]] = defaultdict(list)
    for r in rows:
        groups[r[0]].append(r)
    out = {}
    names = list(TEXT_TESTS)
    for c in strings:
        g = groups.get(c.i, [])
        total = sum(r[2] for r in g)
        counts = {name: sum(r[4 + j] for r in g) for j, name in enumerate(names)}
        itype, share = infer_text_type(counts, total, distinct[c.i])
        out[c.i] = {"type": itype, "share": share, "counts": counts, "total": total,
                    "patterns": _patterns(g, total)}
    return out


def _patterns(groups: list[tuple], total: int) -> list[Pattern]:
    """Top shapes; when no exact shape covers half the values, shapes with collapsed runs instead."""
    if not total:
        return []
    exact = sorted(groups, key=lambda r: (-r[2], r[1]))
    collapsed = exact[0][2] / total < 0.5
    if collapsed:
        merged: dict[str, list] = {}
        for _, shape, n, example, *_ in exact:
            m = merged.setdefault(collapse(shape), [0, example])
            m[0] += n
        exact = sorted(((None, s, v[0], v[1]) for s, v in merged.items()), key=lambda r: (-r[2], r[1]))
    return [Pattern(pattern=r[1], count=int(r[2]), coverage=round(r[2] / total, 6), example=r[3], collapsed=collapsed)
            for r in exact[:TOP_PATTERNS]]


def _time_exprs(cols: list[Col], text: dict[int, dict]) -> dict[int, tuple[str, str]]:
    """Column index -> (SQL giving a naive-UTC TIMESTAMP, source) for every timestamp-like column."""
    out = {}
    for c in cols:
        if c.kind == "temporal" and c.dtype.upper() != "DATE":
            out[c.i] = (c.ts_expr, "native")
        elif c.i in text and text[c.i]["type"] == "timestamp":
            out[c.i] = (f"TRY_CAST({c.q} AS TIMESTAMP)", "text")
        elif c.dtype.upper() in INTEGER_TYPES and c.stats.get("mn") is not None:
            name = c.name.lower()
            for source, (hints, lo, hi) in EPOCH_HINTS.items():
                if any(name.endswith(h) for h in hints) and lo <= c.stats["mn"] and c.stats["mx"] <= hi:
                    unit = 1_000 if source == "epoch_ms" else 1_000_000
                    out[c.i] = (f"make_timestamp(CAST({c.q} AS BIGINT) * {unit})", source)
                    break
    return out


def _time_profiles(rows: list[tuple], sources: dict[int, str], ref: datetime) -> dict[int, TimeProfile]:
    per: dict[int, dict] = defaultdict(lambda: {"day": {}, "hour": {}})
    for g, grain, key, n, lo, hi, fut in rows:
        if grain == "all":
            per[g].update(peak=n, peak_minute=key, lo=lo, hi=hi, fut=fut)
        else:
            per[g][grain][key] = int(n)
    out = {}
    for g, p in per.items():
        if "lo" not in p:
            continue
        total = sum(p["day"].values())
        span = (p["hi"] - p["lo"]).total_seconds()
        out[g] = TimeProfile(
            min_ts=p["lo"].isoformat(), max_ts=p["hi"].isoformat(), span_seconds=span,
            reference_time=ref.isoformat(), freshness_seconds=(ref - p["hi"]).total_seconds(),
            future_count=int(p["fut"] or 0), rows_per_day=dict(sorted(p["day"].items())),
            rows_per_hour={int(h): v for h, v in sorted(p["hour"].items(), key=lambda kv: int(kv[0]))},
            mean_events_per_sec=total / span if span > 0 else float(total),
            peak_events_per_sec=p["peak"] / 60, peak_minute=p["peak_minute"], source=sources[g],
        )
    return out


def _column(c: Col, n: int, d: int | None, approx: bool, approx_q: bool, keylike: tuple | None, dist: dict,
            bounds: tuple | None, text: dict | None, tp: TimeProfile | None, top_k: int) -> ColumnProfile:
    s = c.stats
    nn = int(s.get("nn") or 0)
    qs = s.get("qs")
    fields: dict[str, Any] = dict(
        name=c.name, dtype=c.dtype, kind=c.kind, count=nn, null_count=n - nn,
        null_share=round((n - nn) / n, 6) if n else 0.0, distinct_count=d, distinct_approximate=approx,
        min=jsonable(s.get("mn")), max=jsonable(s.get("mx")), mean=jsonable(s.get("avg")),
        std=jsonable(s.get("sd")), skewness=jsonable(s.get("sk")),
        quantiles={q: jsonable(v) for q, v in zip(scans.QUANTILES, qs, strict=True)} if qs else {},
        quantiles_approximate=approx_q and bool(qs), inferred_type=native_type(c.dtype),
        zero_count=s.get("z"), negative_count=s.get("neg"), time=tp, note=c.error,
    )
    if c.kind == "nested":
        fields["note"] = f"nested {c.dtype.split('(')[0].lower()} column: only nulls and size are profiled"
    tv = dist.get(f"c{c.i}_tv")
    if tv:
        ranked = sorted(tv.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top_k]
        fields["top_values"] = [(jsonable(v), int(k)) for v, k in ranked]
    elif keylike:
        fields["top_values"] = keylike[2]
    if keylike or (d is not None and not approx and nn and d >= scans.KEYLIKE_SHARE * nn):
        fields["duplicate_value_rows"] = keylike[1] if keylike else nn - d
    hb = dist.get(f"c{c.i}_hb")
    if hb and bounds:
        lo, w, nb = bounds
        conv = (lambda x: datetime.fromtimestamp(x, UTC).replace(tzinfo=None).isoformat()) if c.kind == "temporal" else (
            lambda x: x)
        fields["histogram"] = [HistogramBin(lower=conv(lo + b * w), upper=conv(lo + (b + 1) * w), count=int(hb.get(b, 0)))
                               for b in range(nb)]
    if c.kind == "string" and s.get("lmin") is not None:
        fields["length"] = LengthStats(min=int(s["lmin"]), max=int(s["lmax"]), mean=float(s["lavg"]))
    if c.kind == "string" and not nn:
        fields["inferred_type"] = "null"
    if text:
        fields.update(inferred_type=text["type"], inferred_share=text["share"], patterns=text["patterns"],
                      patterns_sampled=text["total"] < nn)
    return ColumnProfile(**fields)


def _avg_row_bytes(cols: list[Col], n: int) -> float:
    if not n:
        return 0.0
    total = 0.0
    for c in cols:
        if "bytes" in c.stats:
            total += float(c.stats["bytes"] or 0) / n
        else:
            total += byte_width(c.dtype) * float(c.stats.get("nn") or 0) / n
    return round(total, 3)
