"""Candidate keys (single columns, then a bounded pair search) and foreign keys by value inclusion.

Every key reported is verified exactly in DuckDB. The pair search looks at no more than
``PAIR_POOL`` columns and verifies at most ``MAX_PAIRS`` pairs, so a 1,000-column table costs the
same handful of queries as a 10-column one.
"""

from __future__ import annotations

import math
import re
from itertools import combinations

from workbench.profiling.models import ColumnProfile, ForeignKey, TableProfile
from workbench.profiling.types import is_float
from workbench.workspace import Workspace, quote_ident

PAIR_POOL = 12
MAX_PAIRS = 15
#: an approximate pair distinct count must reach this share of the rows before the exact check
PAIR_APPROX_SHARE = 0.97
ID_NAME = re.compile(r"(^|_)(id|key|code|no|number|uuid|sku)$", re.I)
#: a foreign key is reported when at least this share of the child's non-null rows find a parent
FK_MIN_COVERAGE = 0.5
FK_VALUE_ONLY_COVERAGE = 0.99
FK_VALUE_ONLY_MIN_DISTINCT = 10


def _keyable(c: ColumnProfile) -> bool:
    """Keys are integers, text, dates, uuids...: not floats/decimals, booleans or nested values."""
    return (c.kind not in ("nested", "boolean") and not is_float(c.dtype) and not c.dtype.upper().startswith("DECIMAL")
            and c.note is None)


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


def parent_keys(p: TableProfile) -> list[ColumnProfile]:
    """Columns that identify rows of their own table: named after it (``customers.customer_id``, ``id``)
    and (nearly) unique; when none is so named, the table's single-column candidate keys."""
    own = _own_key_names(p.table)
    named = [c for c in p.columns.values() if c.name.lower() in own and _keyable(c) and c.count
             and (c.distinct_count or 0) >= 0.95 * c.count]
    if named:
        return named
    return [p.columns[k[0]] for k in p.candidate_keys if len(k) == 1 and ID_NAME.search(k[0])]


def _compatible(a: ColumnProfile, b: ColumnProfile) -> bool:
    if a.kind != b.kind or a.kind in ("nested",) or is_float(a.dtype) or is_float(b.dtype):
        return False
    return a.kind != "other" or a.dtype == b.dtype


def _name_hint(child: str, parent_table: str, parent_col: str) -> bool:
    c, p = child.lower(), parent_col.lower()
    if p == "id":
        return c in {f"{singular(parent_table)}_id", f"{parent_table.lower()}_id"} or c.endswith(f"_{singular(parent_table)}_id")
    return c == p or c.endswith("_" + p)


def foreign_keys(ws: Workspace, profiles: dict[str, TableProfile]) -> list[ForeignKey]:
    """Single-column foreign keys between the profiled tables, verified by an anti-join per candidate."""
    found = []
    for parent in profiles.values():
        for pk in parent_keys(parent):
            for child in profiles.values():
                for col in child.columns.values():
                    if (child.table == parent.table or not col.count or not _compatible(col, pk)
                            or col.inferred_type != pk.inferred_type):
                        continue
                    hint = _name_hint(col.name, parent.table, pk.name)
                    if not hint and not _value_only_candidate(col, pk):
                        continue
                    fk = _verify(ws, child.table, col.name, parent.table, pk.name, hint)
                    if fk.coverage >= (FK_MIN_COVERAGE if hint else FK_VALUE_ONLY_COVERAGE):
                        found.append(fk)
    return sorted(found, key=lambda f: (f.from_table, f.from_columns, f.to_table))


def _value_only_candidate(col: ColumnProfile, pk: ColumnProfile) -> bool:
    """Without a name hint only text/uuid keys are tried (small integers are contained in everything)."""
    return (col.kind in ("string", "other") and (col.distinct_count or 0) >= FK_VALUE_ONLY_MIN_DISTINCT
            and (col.distinct_count or 0) <= (pk.distinct_count or 0)
            and str(col.min) >= str(pk.min) and str(col.max) <= str(pk.max))


def _verify(ws: Workspace, child: str, col: str, parent: str, key: str, hint: bool) -> ForeignKey:
    c, k = quote_ident(col), quote_ident(key)
    n, matched, orphan_values = ws.con.execute(
        f"SELECT count(*), count(p.k), count(DISTINCT CASE WHEN p.k IS NULL THEN ch.v END) "
        f"FROM (SELECT {c} AS v FROM {quote_ident(child)} WHERE {c} IS NOT NULL) ch "
        f"LEFT JOIN (SELECT DISTINCT {k} AS k FROM {quote_ident(parent)}) p ON ch.v = p.k"
    ).fetchone()
    return ForeignKey(from_table=child, from_columns=[col], to_table=parent, to_columns=[key],
                      coverage=round(matched / n, 6) if n else 0.0, orphan_count=n - matched,
                      orphan_values=orphan_values, name_hint=hint)
