"""Candidate keys (single columns, then a bounded pair search) and foreign keys by value inclusion.

Every key reported is verified exactly in DuckDB. The pair search looks at no more than
``PAIR_POOL`` columns and verifies at most ``MAX_PAIRS`` pairs, so a 1,000-column table costs the
same handful of queries as a 10-column one.

Foreign keys. **Parents**: every column of a table named after it (``orders.order_id``, ``id``, ≥ 95 %
distinct), every unique non-null keyable column (natural keys: ``iata``, ``sku``, ``isbn``...) and every
2-column candidate key (matched by a child column pair). **Children**: any keyable column (pair) of another
table. A candidate is reported when its exact anti-join finds ``value_coverage`` (share of the child's
distinct values found) ≥ 90 % — orphan rows may exist — and ``coverage`` (share of non-null rows) ≥ 50 %.

Name agreement (``_name_hint``: the child repeats a specific key name, ``origin_iata`` -> ``iata``, or names
the parent's entity, ``carrier`` -> ``carriers.code``) is never required. It lowers the value-coverage bar
to 50 % (the names already say it is a reference), lifts the guards below, and breaks ties: when one child
column set matches several parents, the one whose names agree wins, then the higher value coverage, then the
higher row coverage, then the smaller parent. Without name agreement these guards keep coincidences out:

- integer children need ``FK_INT_MIN_DISTINCT`` distinct values (text ``FK_TEXT_MIN_DISTINCT``), and the
  parent column must not be dense (distinct values ≥ half its range, a ``1..n`` sequence): every small integer
  (``gate_no`` 1..20) lies in any surrogate id by accident, so such values say nothing;
- dates and timestamps are not matched by value (a calendar contains every date);
- a child column that is its own table's key by name (``payments.payment_id``) is no foreign key — and with
  agreeing names it still needs 90 % of its values found; of two unique columns referencing each other
  (``a -> b`` and ``b -> a``) only the direction into the table the key is named after is kept;
- a child pair must match a 2-column key column by column under the same rules (bar the distinct minimum);
  at most ``MAX_PAIR_CANDIDATES`` pairs per child table and key are tried, name-agreeing pairs first.

Work is bounded before any anti-join: type/inferred-type compatibility (columns are bucketed by it once),
child distinct × required coverage ≤ parent distinct, overlapping ranges (not containment: orphans may lie
outside the parent's range), then a **probe** — a hash-bucket sample of ~``PROBE_VALUES`` distinct child
values per column set, fetched in one query per child table and compared with the parent's hashes of the
same buckets, one query per parent table (``_probe``) — must find ``required - PROBE_SLACK`` of its sample.
Only survivors get the exact anti-join. ``ForeignKeySearch`` (and ``DatasetProfile.fk_*``) counts the
candidates, probe queries and anti-joins.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import combinations

from workbench.profiling.models import ColumnProfile, ForeignKey, TableProfile
from workbench.profiling.scans import jsonable
from workbench.profiling.types import is_float
from workbench.workspace import Workspace, quote_ident

PAIR_POOL = 12
MAX_PAIRS = 15
#: an approximate pair distinct count must reach this share of the rows before the exact check
PAIR_APPROX_SHARE = 0.97
ID_NAME = re.compile(r"(^|_)(id|key|code|no|number|uuid|sku)$", re.I)
#: parent column names too generic to agree with a child by themselves (``zip_code`` is no ``carriers.code``)
GENERIC_KEY = re.compile(r"(id|key|code|no|num|number|name|uuid)", re.I)
TEXT_TYPES = {"text", "categorical"}
#: a foreign key needs this share of the child's non-null rows to find a parent
FK_MIN_COVERAGE = 0.5
#: ... and this share of its distinct values (with agreeing names: FK_NAMED_MIN_COVERAGE)
FK_MIN_VALUE_COVERAGE = 0.9
FK_NAMED_MIN_COVERAGE = 0.5
FK_INT_MIN_DISTINCT = 10
FK_TEXT_MIN_DISTINCT = 5
#: an integer column with distinct values >= this share of its range is a dense sequence
FK_DENSE_SHARE = 0.5
PROBE_VALUES = 32
PROBE_SLACK = 0.3
PROBE_MIN_SAMPLE = 8
PARENT_PROBE = 4096
MAX_PAIR_CANDIDATES = 6
ORPHAN_SAMPLE = 10


@dataclass
class ForeignKeySearch:
    """The foreign keys found and the work done: candidates after the cheap filters, probe queries, anti-joins."""

    keys: list[ForeignKey]
    candidates: int
    probe_queries: int
    verify_queries: int


def _keyable(c: ColumnProfile) -> bool:
    """Keys are integers, text, dates, uuids...: not floats/decimals, booleans or nested values."""
    return c.note is None and _keyable_type(c.kind, c.dtype)


@cache
def _keyable_type(kind: str, dtype: str) -> bool:
    return kind not in ("nested", "boolean") and not is_float(dtype) and not dtype.upper().startswith("DECIMAL")


def candidate_keys(ws: Workspace, table: str, columns: dict[str, ColumnProfile], n: int) -> tuple[list[list[str]], int]:
    """Unique, non-null columns; when there is none, unique non-null pairs (bounded). Returns (keys, scans)."""
    if n == 0:
        return [], 0
    pool = [c for c in columns.values() if _keyable(c) and c.null_count == 0 and c.distinct_count]
    singles = [[c.name] for c in pool if c.distinct_count == n and not c.distinct_approximate]
    if singles:
        return singles, 0
    pool = sorted((c for c in pool if 1 < c.distinct_count < n),
                  key=lambda c: (not ID_NAME.search(c.name), -c.distinct_count, c.name))[:PAIR_POOL]
    pairs = [(a, b) for a, b in combinations(pool, 2) if a.distinct_count * b.distinct_count >= n]
    pairs.sort(key=lambda p: (-(bool(ID_NAME.search(p[0].name)) + bool(ID_NAME.search(p[1].name))),
                              -math.log(p[0].distinct_count * p[1].distinct_count)))
    pairs = pairs[:MAX_PAIRS]
    if not pairs:
        return [], 0
    t = quote_ident(table)
    approx = ws.con.execute(
        "SELECT " + ", ".join(f"approx_count_distinct(({quote_ident(a.name)}, {quote_ident(b.name)}))"
                              for a, b in pairs) + f" FROM {t}").fetchone()
    scans, keys = 1, []
    order = list(columns)
    for (a, b), est in zip(pairs, approx, strict=True):
        a, b = sorted((a, b), key=lambda c: order.index(c.name))
        if est < PAIR_APPROX_SHARE * n:
            continue
        qa, qb = quote_ident(a.name), quote_ident(b.name)
        scans += 1
        d = ws.con.execute(f"SELECT count(*) FROM (SELECT {qa}, {qb} FROM {t} GROUP BY ALL)").fetchone()[0]
        if d == n:
            keys.append([a.name, b.name])
    return keys, scans


# --- foreign keys ---------------------------------------------------------------------------------------
def singular(table: str) -> str:
    t = table.lower()
    if t.endswith("ies"):
        return t[:-3] + "y"
    if t.endswith(("ses", "xes", "ches", "shes")):
        return t[:-2]
    return t[:-1] if t.endswith("s") else t


def _own_key_names(table: str) -> set[str]:
    s = singular(table)
    return {"id", f"{s}_id", f"{table.lower()}_id", f"{s}_key", f"{s}_code", f"{s}_uuid", f"{s}id"}


def _is_own_key(table: str, col: str) -> bool:
    return col.lower() in _own_key_names(table)


def parent_keys(p: TableProfile) -> list[tuple[str, ...]]:
    """A table's parent-key candidates: columns named after it and (nearly) unique (``orders.order_id``
    with a few duplicated rows), every single-column candidate key, then its 2-column candidate keys."""
    named = [(c.name,) for c in p.columns.values() if _is_own_key(p.table, c.name) and _keyable(c) and c.count
             and (c.distinct_count or 0) >= 0.95 * c.count]
    singles = [(k[0],) for k in p.candidate_keys if len(k) == 1 and _keyable(p.columns[k[0]])]
    pairs = [tuple(k) for k in p.candidate_keys if len(k) == 2]
    return list(dict.fromkeys(named + singles + pairs))


def _group(c: ColumnProfile) -> tuple[str, str, str] | None:
    """Columns that can hold each other's values share a group: kind, the type for ``other``, and the inferred
    type (``text`` and ``categorical`` together: codes may be either). ``None``: not keyable or empty."""
    if not (c.count and c.distinct_count and _keyable(c)):
        return None
    return c.kind, c.dtype if c.kind == "other" else "", "text" if c.inferred_type in TEXT_TYPES else c.inferred_type


def _agreeing_names(parent_table: str, parent_col: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Child names (exact, suffixes) agreeing with a parent key: ``carrier``/``carrier_code`` for
    ``carriers.code``, ``iata``/``origin_iata`` for ``airports.iata``, ``customer_id`` for ``customers.id``."""
    p, s = parent_col.lower(), singular(parent_table)
    exact, suffixes = {s, f"{s}_{p}"}, [f"_{s}", f"_{s}_{p}"]
    if p == "id" or GENERIC_KEY.fullmatch(p):
        exact |= _own_key_names(parent_table) - {"id"}
        suffixes.append(f"_{s}_id")
    else:
        exact.add(p)
        suffixes.append("_" + p)
    return frozenset(exact), tuple(suffixes)


def _name_hint(child: str, parent_table: str, parent_col: str) -> bool:
    exact, suffixes = _agreeing_names(parent_table, parent_col)
    c = child.lower()
    return c in exact or c.endswith(suffixes)


def _dense(c: ColumnProfile) -> bool:
    """An integer column filling most of its range (a surrogate sequence ``1..n``): any small integer falls in it."""
    return (isinstance(c.min, int) and isinstance(c.max, int)
            and (c.distinct_count or 0) >= FK_DENSE_SHARE * (c.max - c.min + 1))


def _overlap(a: ColumnProfile, b: ColumnProfile) -> bool:
    """The value ranges overlap (containment would reject a child whose orphans lie outside the parent's range)."""
    if a.min is None or b.min is None:
        return True
    try:
        return a.max >= b.min and a.min <= b.max
    except TypeError:
        return True


def _component_ok(col: ColumnProfile, key: ColumnProfile, named: bool) -> bool:
    """Cheap checks of one child column against one parent key column (no SQL)."""
    if _group(col) is None or _group(col) != _group(key) or not _overlap(col, key):
        return False
    return named or not (col.kind == "temporal" or (col.inferred_type == "integer" and _dense(key)))


def _distinct_ok(col: ColumnProfile, key: ColumnProfile, required: float) -> bool:
    """Matched child values cannot outnumber the parent's: ``child distinct x required <= parent distinct``."""
    slack = 1.05 if col.distinct_approximate or key.distinct_approximate else 1.0
    return (col.distinct_count or 0) * required <= (key.distinct_count or 0) * slack


@dataclass(frozen=True)
class _Candidate:
    child: str
    cols: tuple[str, ...]
    parent: str
    keys: tuple[str, ...]
    named: bool
    required: float
    parent_distinct: int


def _single_candidates(by_group: dict, parent: TableProfile, key: str) -> Iterator[_Candidate]:
    """Child columns of the key's group (other tables) passing the name rules, the guards and the cheap filters."""
    k = parent.columns[key]
    exact, suffixes = _agreeing_names(parent.table, key)
    dense = k.inferred_type == "integer" and _dense(k)
    for table, col, own in by_group.get(_group(k), ()):
        if table == parent.table:
            continue
        c = col.name.lower()
        named = c in exact or c.endswith(suffixes)
        if own and not named:
            continue
        if not named and (col.kind == "temporal" or dense or col.distinct_count
                          < (FK_INT_MIN_DISTINCT if col.kind == "numeric" else FK_TEXT_MIN_DISTINCT)):
            continue
        required = FK_MIN_VALUE_COVERAGE if own or not named else FK_NAMED_MIN_COVERAGE
        if _overlap(col, k) and _distinct_ok(col, k, required):
            yield _Candidate(table, (col.name,), parent.table, (key,), named, required, k.distinct_count or 0)


def _pair_candidates(child: TableProfile, parent: TableProfile, keys: tuple[str, ...]) -> list[_Candidate]:
    """Child column pairs matching a 2-column parent key column by column; at most ``MAX_PAIR_CANDIDATES``,
    name-agreeing pairs first."""
    ka, kb = (parent.columns[k] for k in keys)

    def matching(key: ColumnProfile) -> list[tuple[str, bool]]:
        out = []
        for c in child.columns.values():
            named = _name_hint(c.name, parent.table, key.name)
            if _component_ok(c, key, named) and _distinct_ok(c, key, FK_NAMED_MIN_COVERAGE if named
                                                               else FK_MIN_VALUE_COVERAGE):
                out.append((c.name, named))
        return out

    found = sorted((-(na + nb), a, b, na and nb) for a, na in matching(ka) for b, nb in matching(kb) if a != b)
    return [_Candidate(child.table, (a, b), parent.table, keys, named,
                       FK_NAMED_MIN_COVERAGE if named else FK_MIN_VALUE_COVERAGE, parent.row_count)
            for _, a, b, named in found[:MAX_PAIR_CANDIDATES]]


def _candidates(profiles: dict[str, TableProfile]) -> list[_Candidate]:
    """Every (child columns, parent key) pair left by the cheap filters; child columns are bucketed by group
    once, so each parent key only meets the columns that could hold its values."""
    by_group: dict[tuple, list[tuple[str, ColumnProfile, bool]]] = defaultdict(list)
    for p in profiles.values():
        for c in p.columns.values():
            if (g := _group(c)) is not None:
                by_group[g].append((p.table, c, _is_own_key(p.table, c.name)))
    out = []
    for parent in profiles.values():
        for keys in parent_keys(parent):
            if len(keys) == 1:
                out.extend(_single_candidates(by_group, parent, keys[0]))
                continue
            for child in profiles.values():
                if child.table != parent.table and child.row_count:
                    out.extend(_pair_candidates(child, parent, keys))
    return out


def _hash(cols: tuple[str, ...]) -> str:
    """One value's hash, type-independent (cast to text), so child and parent hashes compare."""
    return "hash(" + ", ".join(f"CAST({quote_ident(c)} AS VARCHAR)" for c in cols) + ")"


def _bucket(distinct: int, target: int) -> int:
    """The power-of-two modulus leaving about ``target`` (up to twice as many) of ``distinct`` hashes."""
    return 1 << max(0, (max(distinct, 1) // target).bit_length() - 1)


def _probe(ws: Workspace, profiles: dict[str, TableProfile], cands: list[_Candidate]) -> tuple[list[_Candidate], int]:
    """Keep the candidates whose sample of child values is mostly found in the parent. Returns (survivors, queries).

    Values are compared by hash (of their text, so types need not match). The child's sample is its distinct
    hashes ``h`` with ``h % m = 0`` for a power of two ``m`` leaving ~``PROBE_VALUES`` of them (every value
    when there are few): deterministic and unbiased over values. The parent returns its hashes with
    ``h % m' = 0``, ``m'`` the smallest child modulus (raised so at most ~``PARENT_PROBE`` come back); powers
    of two nest, so a child hash passing ``m'`` is either among them or not in the parent. One query per
    child table and one per parent table; a candidate with fewer than ``PROBE_MIN_SAMPLE`` comparable
    values is not judged here and goes on to the exact check, unless the sample held every value.
    """
    sets_of: dict[str, dict[tuple[str, ...], int]] = defaultdict(dict)
    for c in cands:
        cols = profiles[c.child].columns
        sets_of[c.child][c.cols] = _bucket(max(cols[x].distinct_count or 0 for x in c.cols), PROBE_VALUES)
    samples: dict[tuple[str, tuple[str, ...]], tuple[int, set[int]]] = {}
    for child, sets in sets_of.items():
        aggs = [f"list_slice(list(DISTINCT {_hash(cs)}) FILTER (WHERE "
                + " AND ".join(f"{quote_ident(c)} IS NOT NULL" for c in cs)
                + f" AND {_hash(cs)} % {m} = 0), 1, {4 * PROBE_VALUES})" for cs, m in sets.items()]
        row = ws.con.execute(f"SELECT {', '.join(aggs)} FROM {quote_ident(child)}").fetchone()
        samples.update({(child, cs): (m, set(v)) for (cs, m), v in zip(sets.items(), row, strict=True)})
    moduli: dict[str, dict[tuple[str, ...], int]] = defaultdict(dict)
    for c in cands:
        m = min(samples[(c.child, c.cols)][0], moduli[c.parent].get(c.keys, 1 << 62))
        moduli[c.parent][c.keys] = max(m, _bucket(c.parent_distinct, PARENT_PROBE))
    found: dict[tuple[str, tuple[str, ...]], tuple[int, set[int]]] = {}
    for parent, sets in moduli.items():
        row = ws.con.execute("SELECT " + ", ".join(f"list(DISTINCT {_hash(ks)}) FILTER (WHERE {_hash(ks)} % {m} = 0)"
                                                   for ks, m in sets.items()) + f" FROM {quote_ident(parent)}").fetchone()
        found.update({(parent, ks): (m, set(v)) for (ks, m), v in zip(sets.items(), row, strict=True)})
    survivors, comparable = [], {}
    for c in cands:
        m, held = found[(c.parent, c.keys)]
        if (sample := comparable.get((c.child, c.cols, m))) is None:
            sample = comparable[(c.child, c.cols, m)] = {h for h in samples[(c.child, c.cols)][1] if h % m == 0}
        whole = m == 1 and samples[(c.child, c.cols)][0] == 1  # every value on both sides: no sampling error
        if (len(sample) < PROBE_MIN_SAMPLE and not whole) or len(sample & held) >= (c.required - PROBE_SLACK) * len(sample):
            survivors.append(c)
    return survivors, len(sets_of) + len(moduli)


def _verify(ws: Workspace, c: _Candidate) -> ForeignKey:
    """The exact anti-join: matched rows, distinct values found, orphan rows/values and a sorted orphan sample."""
    vs = [f"v{i}" for i in range(len(c.cols))]
    ch = ", ".join(f"{quote_ident(col)} AS {v}" for col, v in zip(c.cols, vs, strict=True))
    notnull = " AND ".join(f"{quote_ident(col)} IS NOT NULL" for col in c.cols)
    pk = ", ".join(f"{quote_ident(k)} AS k{i}" for i, k in enumerate(c.keys))
    on = " AND ".join(f"ch.v{i} = p.k{i}" for i in range(len(c.keys)))
    val = "ch.v0" if len(vs) == 1 else "row(" + ", ".join(f"ch.{v}" for v in vs) + ")"
    n, matched, values, orphan_values, sample = ws.con.execute(
        f"SELECT count(*), count(p.k0), count(DISTINCT {val}), count(DISTINCT {val}) FILTER (WHERE p.k0 IS NULL), "
        f"list_slice(list_sort(list(DISTINCT {val}) FILTER (WHERE p.k0 IS NULL)), 1, {ORPHAN_SAMPLE}) "
        f"FROM (SELECT {ch} FROM {quote_ident(c.child)} WHERE {notnull}) ch "
        f"LEFT JOIN (SELECT DISTINCT {pk} FROM {quote_ident(c.parent)}) p ON {on}"
    ).fetchone()
    sample = [jsonable(v) if len(vs) == 1 else [jsonable(x) for x in v] for v in sample or []]
    return ForeignKey(from_table=c.child, from_columns=list(c.cols), to_table=c.parent, to_columns=list(c.keys),
                      coverage=round(matched / n, 6) if n else 0.0,
                      value_coverage=round(1 - orphan_values / values, 6) if values else 0.0,
                      orphan_count=n - matched, orphan_values=orphan_values, orphan_sample=sample, name_hint=c.named)


def _mutual(fks: list[ForeignKey]) -> list[ForeignKey]:
    """Of ``a -> b`` and ``b -> a`` (two unique columns holding the same values) keep the one into the table
    the key is named after, else the one with the higher value coverage, else the one into the bigger parent."""
    by = {(f.from_table, tuple(f.from_columns), f.to_table, tuple(f.to_columns)): f for f in fks}
    drop = set()
    for (ct, cc, pt, pc), f in by.items():
        back = by.get((pt, pc, ct, cc))
        if back is None:
            continue
        rank = (len(pc) == 1 and _is_own_key(pt, pc[0]), f.value_coverage, pt)
        back_rank = (len(cc) == 1 and _is_own_key(ct, cc[0]), back.value_coverage, ct)
        drop.add(id(back) if rank > back_rank else id(f))
    return [f for f in fks if id(f) not in drop]


def foreign_keys(ws: Workspace, profiles: dict[str, TableProfile]) -> ForeignKeySearch:
    """Foreign keys between the profiled tables: cheap filters, one batched probe, an anti-join per survivor."""
    cands = _candidates(profiles)
    survivors, probe_queries = _probe(ws, profiles, cands) if cands else ([], 0)
    best: dict[tuple[str, tuple[str, ...]], tuple[tuple, ForeignKey]] = {}
    for c in survivors:
        fk = _verify(ws, c)
        if fk.coverage < FK_MIN_COVERAGE or fk.value_coverage < c.required:
            continue
        rank = (fk.name_hint, fk.value_coverage, fk.coverage, -c.parent_distinct, c.parent)
        slot = (c.child, c.cols)
        if slot not in best or rank > best[slot][0]:
            best[slot] = (rank, fk)
    found = _mutual([fk for _, fk in best.values()])
    return ForeignKeySearch(keys=sorted(found, key=lambda f: (f.from_table, f.from_columns, f.to_table)),
                            candidates=len(cands), probe_queries=probe_queries, verify_queries=len(survivors))
