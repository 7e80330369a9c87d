"""Starter expectations from a profile: GX 1.x-shaped dicts, validated into the quality step's ``Suite``.

Order follows the design guide's priority: uniqueness, not null, freshness, volume, then ranges,
sets and patterns. Each expectation's ``meta.reason`` says which profile figure it came from.
"""

from __future__ import annotations

import math
from typing import Any

from workbench.profiling.alerts import AMOUNT_NAME
from workbench.profiling.keys import ID_NAME
from workbench.profiling.models import ColumnProfile, ForeignKey, TableProfile
from workbench.profiling.types import REGEXES, is_float, pattern_regex

#: row-count range: observed count times these factors
ROW_COUNT_RANGE = (0.5, 2.0)
#: numeric ranges widen the observed [min, max] by this share of the span on each side
RANGE_MARGIN = 0.1
IN_SET_MAX = 20
PATTERN_MIN_COVERAGE = 0.9
MIN_FRESHNESS_SECONDS = 86_400


def _e(type_: str, severity: str = "warning", reason: str = "", **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "layer": "source", "severity": severity, "meta": {"reason": reason}}


def _floor(x: float, digits: int = 2) -> float:
    return math.floor(x * 10**digits) / 10**digits


def suggest_expectation_dicts(p: TableProfile, foreign_keys: list[ForeignKey] | None = None) -> list[dict[str, Any]]:
    """The suggested expectations of one table as GX 1.x dicts (``type``, ``kwargs``, ``layer``, ``severity``, ``meta``)."""
    out: list[dict[str, Any]] = []
    cols = list(p.columns.values())
    # the table's key: its first candidate key of identifier-like columns (a unique timestamp or measure in a
    # small extract is a coincidence, not a contract; the design records the same key as the primary key)
    primary = next((k for k in p.candidate_keys if all(_keyish(p.columns[c]) for c in k)), None)
    keys = set(primary) if primary and len(primary) == 1 else set()
    for c in cols:
        if c.name in keys or (c.duplicate_value_rows and ID_NAME.search(c.name) and c.count and
                              (c.distinct_count or 0) >= 0.95 * c.count):
            why = ("a candidate key" if c.name in keys else
                   f"an identifier with {c.duplicate_value_rows:,} duplicated rows now (likely a defect)")
            out.append(_e("expect_column_values_to_be_unique", "critical", f"{c.name} is {why}", column=c.name))
    if primary and len(primary) > 1:
        out.append(_e("expect_compound_columns_to_be_unique", "critical", "candidate key", column_list=primary))
    for c in cols:
        if not p.row_count or c.kind == "nested" or c.null_share >= 0.5:
            continue
        sev = "critical" if (c.name in keys or ID_NAME.search(c.name)) else "warning"
        if c.null_count == 0:
            out.append(_e("expect_column_values_to_not_be_null", sev, "no nulls observed", column=c.name))
        else:
            mostly = _floor(max(0.0, 1 - 2 * c.null_share))
            out.append(_e("expect_column_values_to_not_be_null", sev,
                          f"{c.null_share:.2%} nulls observed; allows up to twice that", column=c.name, mostly=mostly))
    for c in cols:
        if c.time and c.time.freshness_seconds is not None:
            age = max(MIN_FRESHNESS_SECONDS, math.ceil(2 * max(0.0, c.time.freshness_seconds)))
            out.append(_e("expect_column_max_to_be_fresh", "warning",
                          f"newest value {c.time.max_ts}; twice the observed lag, at least a day",
                          column=c.name, max_age_seconds=age, reference_time=p.reference_time))
    if p.row_count:
        lo, hi = ROW_COUNT_RANGE
        out.append(_e("expect_table_row_count_to_be_between", "warning", f"{p.row_count:,} rows observed",
                      min_value=int(p.row_count * lo), max_value=math.ceil(p.row_count * hi)))
    for c in cols:
        out.extend(_value_rules(c))
    for fk in foreign_keys or []:
        # a composite key has no single-column inclusion check: checking its first column alone would be weaker;
        # a key with orphans when profiled warns (the orphans are documented), a clean one is critical
        if fk.from_table == p.table and len(fk.from_columns) == 1:
            out.append(_e("expect_column_values_to_be_in_other_table", "critical" if fk.coverage >= 1 else "warning",
                          f"foreign key, {fk.coverage:.2%} of rows matched when profiled",
                          column=fk.from_columns[0], other_table_name=fk.to_table, other_column=fk.to_columns[0]))
    return out


def _keyish(c: ColumnProfile) -> bool:
    """A column that can be part of a key: not a timestamp, a float or a free-text measure."""
    return c.kind in ("numeric", "string", "other") and not is_float(c.dtype) and c.inferred_type not in ("decimal",)


def _value_rules(c: ColumnProfile) -> list[dict[str, Any]]:
    out = []
    if c.kind == "numeric" and isinstance(c.min, int | float) and isinstance(c.max, int | float):
        span = c.max - c.min
        lo, hi = c.min - RANGE_MARGIN * span, c.max + RANGE_MARGIN * span
        if c.min >= 0 or (c.negative_count and AMOUNT_NAME.search(c.name)):
            lo = max(0, lo)
        if c.inferred_type == "integer":
            lo, hi = math.floor(lo), math.ceil(hi)
        else:
            lo, hi = round(lo, 6), round(hi, 6)
        why = "observed range widened by 10%" + ("; negative amounts are defects" if c.negative_count and lo == 0 else "")
        out.append(_e("expect_column_values_to_be_between", "warning", why, column=c.name, min_value=lo, max_value=hi))
    if c.inferred_type in ("categorical", "boolean") and c.distinct_count and c.distinct_count <= IN_SET_MAX \
            and len(c.top_values) >= c.distinct_count:
        out.append(_e("expect_column_values_to_be_in_set", "warning", f"{c.distinct_count} values observed",
                      column=c.name, value_set=sorted((v for v, _ in c.top_values), key=str)))
    if c.kind == "string" and c.inferred_type in REGEXES:
        out.append(_e("expect_column_values_to_match_regex", "warning",
                      f"{c.inferred_type}: {c.inferred_share:.2%} of values match now", column=c.name,
                      regex=REGEXES[c.inferred_type]))
    elif c.kind == "string" and c.patterns and c.inferred_type in ("text", "categorical") and \
            c.patterns[0].coverage >= PATTERN_MIN_COVERAGE and (c.distinct_count or 0) > IN_SET_MAX:
        top = c.patterns[0]
        out.append(_e("expect_column_values_to_match_regex", "warning",
                      f"dominant pattern {top.pattern!r} covers {top.coverage:.2%}", column=c.name,
                      regex=pattern_regex(top.pattern, collapsed=top.collapsed), mostly=_floor(top.coverage)))
    return out


def suggest_expectations(p: TableProfile, foreign_keys: list[ForeignKey] | None = None):
    """A starter ``Suite`` named ``<table>.suggested`` from a profile (plus foreign keys when given)."""
    from workbench.quality import Suite

    return Suite.model_validate({"name": f"{p.table}.suggested",
                                 "expectations": suggest_expectation_dicts(p, foreign_keys),
                                 "meta": {"source": "workbench.profile", "reference_time": p.reference_time}})
