"""Alerts from a profile: one small rule per kind, in one explicit table (``RULES``), thresholds as constants.

Each rule reads the already-computed profile (no SQL); orphan foreign keys are added by
``profile_dataset`` once the relationships are known.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator

from workbench.profiling.keys import ID_NAME
from workbench.profiling.models import Alert, ColumnProfile, ForeignKey, TableProfile
from workbench.profiling.types import TYPE_SHARE

HIGH_NULL_SHARE = 0.5
SKEW = 2.0
IMBALANCE = 0.5
ZERO_SHARE = 0.1
HIGH_CARDINALITY = 50
PATTERN_SHARE = 0.9
#: a dominant-pattern alert needs this many distinct values (a short list of names is not a code)
PATTERN_MIN_DISTINCT = 20
#: stray negatives in an otherwise non-negative column (any name) below this share are flagged
STRAY_NEGATIVE_SHARE = 0.01
AMOUNT_NAME = re.compile(r"amount|price|total|cost|revenue|fee|qty|quantity|paid|balance|tax|discount", re.I)
SEMANTIC = ("boolean", "integer", "decimal", "date", "timestamp", "uuid", "email", "url")


def _alert(kind: str, c: ColumnProfile | None, message: str, severity: str = "warning", **kw) -> Alert:
    return Alert(kind=kind, column=c.name if c else None, message=message, severity=severity, **kw)


def constant(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    if p.row_count > 1 and c.distinct_count == 1:
        yield _alert("constant", c, f"only one value ({c.top_values[0][0] if c.top_values else c.min!r})", "info")


def nulls(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    if not c.null_count or not p.row_count:
        return
    if c.null_count == p.row_count:
        yield _alert("all_null", c, "every value is null", count=c.null_count, share=1.0)
    elif c.null_share >= HIGH_NULL_SHARE:
        yield _alert("high_null_share", c, f"{c.null_share:.1%} of values are null", count=c.null_count,
                     share=c.null_share)
    else:
        keyish = bool(ID_NAME.search(c.name))
        yield _alert("nulls", c, f"{c.null_count:,} null values ({c.null_share:.2%})"
                     + ("; an identifier should never be null" if keyish else ""),
                     "warning" if keyish else "info", count=c.null_count, share=c.null_share)


def uniqueness(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    if p.row_count > 1 and [c.name] in p.candidate_keys:
        yield _alert("unique", c, "every value is distinct and non-null: a candidate key", "info")
    elif c.duplicate_value_rows and ID_NAME.search(c.name) and (c.distinct_count or 0) >= 0.95 * c.count:
        dups = ", ".join([str(v) for v, k in c.top_values if k > 1][:5])
        yield _alert("duplicate_values", c, f"looks like a key but {c.duplicate_value_rows:,} rows repeat a value"
                     + (f" (e.g. {dups})" if dups else ""), count=c.duplicate_value_rows)


def cardinality(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    d = c.distinct_count or 0
    if (c.inferred_type == "text" and d > HIGH_CARDINALITY and d >= 0.5 * c.count and d < c.count):
        yield _alert("high_cardinality", c, f"{d:,} distinct values in {c.count:,} rows", "info", count=d)


def skewed(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    if c.skewness is not None and abs(c.skewness) > SKEW:
        yield _alert("skewed", c, f"skewness {c.skewness:.2f}", "info", share=round(c.skewness, 4))


def imbalanced(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    d = c.distinct_count or 0
    if c.inferred_type not in ("categorical", "boolean") or not 2 <= d <= len(c.top_values) or not c.count:
        return
    probs = [k / c.count for _, k in c.top_values]
    imbalance = 1 - (-sum(q * math.log(q) for q in probs if q > 0)) / math.log(d)
    if imbalance > IMBALANCE:
        top, k = c.top_values[0]
        yield _alert("imbalanced", c, f"{top!r} holds {k / c.count:.1%} of values (imbalance {imbalance:.2f})",
                     "info", share=round(imbalance, 4))


def zeros(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    if c.zero_count and c.count and c.zero_count / c.count >= ZERO_SHARE:
        yield _alert("zeros", c, f"{c.zero_count:,} zeros ({c.zero_count / c.count:.1%})", "info",
                     count=c.zero_count, share=round(c.zero_count / c.count, 6))


def negatives(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    neg = c.negative_count or 0
    if neg and (AMOUNT_NAME.search(c.name) or neg / c.count < STRAY_NEGATIVE_SHARE):
        yield _alert("negative_amounts", c, f"{neg:,} negative values (min {c.min})", count=neg,
                     share=round(neg / c.count, 6))


def malformed(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    s = c.inferred_share
    if c.kind == "string" and c.inferred_type in SEMANTIC and s is not None and TYPE_SHARE <= s < 1:
        est = "" if not c.patterns_sampled else " (estimated from a sample)"
        bad = round((1 - s) * c.count)
        yield _alert("malformed_pattern", c, f"{bad:,} values ({1 - s:.2%}) are not valid {c.inferred_type}{est}",
                     count=bad, share=round(1 - s, 6))
    elif (c.inferred_type == "text" and c.patterns and not c.patterns[0].collapsed
          and PATTERN_SHARE <= c.patterns[0].coverage < 1 and (c.distinct_count or 0) > PATTERN_MIN_DISTINCT):
        top = c.patterns[0]
        yield _alert("malformed_pattern", c, f"{1 - top.coverage:.2%} of values do not follow the dominant pattern "
                     f"{top.pattern!r}", count=round((1 - top.coverage) * c.count), share=round(1 - top.coverage, 6))


def future(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    fut = c.time.future_count if c.time else None
    if fut:
        yield _alert("future_timestamps", c, f"{fut:,} values after the reference time {p.reference_time} "
                     f"(max {c.time.max_ts})", count=fut)


def nested(p: TableProfile, c: ColumnProfile) -> Iterator[Alert]:
    if c.kind == "nested" or c.note:
        yield _alert("not_profiled", c, c.note or "not profiled", "info")


#: kind -> rule over one column; the table-level rule (duplicate rows) follows
RULES: tuple[Callable[[TableProfile, ColumnProfile], Iterator[Alert]], ...] = (
    constant, nulls, uniqueness, cardinality, skewed, imbalanced, zeros, negatives, malformed, future, nested,
)


def table_alerts(p: TableProfile) -> list[Alert]:
    """Every alert of a profile, table-level first, each tagged with the table name."""
    out = []
    if p.duplicate_row_count:
        out.append(_alert("duplicate_rows", None, f"{p.duplicate_row_count:,} rows are exact copies of another row",
                          count=p.duplicate_row_count, share=round(p.duplicate_row_count / p.row_count, 6)))
    if p.row_count == 0:
        out.append(_alert("empty_table", None, "the table has no rows"))
    for c in p.columns.values():
        for rule in RULES:
            out.extend(rule(p, c))
    for a in out:
        a.table = p.table
    return out


def orphan_alert(fk: ForeignKey) -> Alert:
    """Rows whose value has no parent; a 2-column key is named ``table(a, b)`` and its alert's column ``a, b``."""
    target = (f"{fk.to_table}.{fk.to_columns[0]}" if len(fk.to_columns) == 1
              else f"{fk.to_table}({', '.join(fk.to_columns)})")
    return Alert(kind="orphan_foreign_key", table=fk.from_table, column=", ".join(fk.from_columns),
                 message=f"{fk.orphan_count:,} rows ({1 - fk.coverage:.2%}) reference a {target} that does not exist",
                 count=fk.orphan_count, share=round(1 - fk.coverage, 6))
