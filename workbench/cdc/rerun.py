"""The re-run demonstrations of step 5 on any data: an idempotency audit and a bug-fix backfill of a daily table.

:func:`rerun_plan` derives, from the fact table and its profile, the day column (the arrival time), a
grouping column (the foreign key, else the column, with the most values among those with at most
``MAX_GROUPS`` values, each on two rows on average), a measure (the first non-key amount, else integer, column) and the backfill window
(the last ``days`` days of data; on the bundled sample its planted bug-fix week), and writes the SQL.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import BaseModel

from workbench.cdc.choose import table_key, table_profile
from workbench.profiling.focus import FocusChoice, choose_focus
from workbench.profiling.keys import ID_NAME, singular
from workbench.profiling.models import DatasetProfile
from workbench.sqltypes import type_family
from workbench.workspace import Workspace, quote_ident

#: a grouping column has at most this many distinct values (one row per day and value)
MAX_GROUPS = 50


class RerunPlan(BaseModel):
    """Names and SQL of the idempotency audit and the bug-fix backfill, and why they were chosen."""

    table: str
    date_column: str | None
    group_column: str | None
    measure: str | None
    count_column: str
    reason: str
    audit_table: str = "daily_first_days"
    audit_create: str
    audit_append: str
    audit_replace: str
    #: the backfill (None without a date column: there are no day partitions to replace)
    target: str | None = None
    #: builds the target with the bug (every exported row counted, re-exported duplicates twice)
    build_sql: str | None = None
    partition_column: str | None = None
    start: date | None = None
    end: date | None = None
    fixed_sql: str | None = None
    window_sum_sql: str | None = None
    checks: dict[str, str] = {}
    dag_id: str | None = None


def _group_column(p, keys: list[str], foreign: set[str]) -> tuple[str | None, str]:
    pool = [c for c in p.columns.values() if c.name not in keys and type_family(c.dtype) in ("integer", "string")
            and c.distinct_count and 2 <= c.distinct_count <= min(MAX_GROUPS, p.row_count // 2)]
    if not pool:
        return None, f"no column has 2 to {MAX_GROUPS} values that repeat: counts per day only"
    best = max(pool, key=lambda c: (c.name in foreign, c.distinct_count, -list(p.columns).index(c.name)))
    kind = "a foreign key with" if best.name in foreign else "the low-cardinality column with the most values,"
    return best.name, f"grouped by {best.name!r} ({kind} {best.distinct_count} values)"


def _measure(p, keys: list[str], group: str | None) -> tuple[str | None, str]:
    pool = [c for c in p.columns.values() if c.name not in (*keys, group) and not ID_NAME.search(c.name)
            and type_family(c.dtype) in ("float", "decimal", "integer")]
    if not pool:
        return None, "no numeric measure: row counts only"
    best = min(pool, key=lambda c: (type_family(c.dtype) == "integer", list(p.columns).index(c.name)))
    return best.name, f"summing {best.name!r} (the first non-key {type_family(best.dtype)} column)"


def rerun_plan(ws: Workspace, focus: FocusChoice | None = None, dataset: DatasetProfile | None = None, *,
               table: str | None = None, manifest: dict | None = None, start: date | str | None = None, end: date | str | None = None,
               days: int = 7, audit_days: int = 3) -> RerunPlan:
    """The audit and backfill of a daily aggregate of the fact table (``focus``, default chosen from the data).

    ``table`` names the fact table when ``focus`` is not given. The audit aggregates the first ``audit_days``
    days; the backfill window is ``start``..``end`` when given.
    """
    focus = focus or choose_focus(ws, table=table)
    table, day = focus.table, focus.timestamp_column
    p = table_profile(ws, table, dataset)
    keys = table_key(p)[0]
    keys = keys if len(keys) < len(p.columns) else []  # a whole-row key is no key: every column stays usable
    foreign = {fk.from_columns[0] for fk in (dataset.foreign_keys if dataset else [])
               if fk.from_table == table and len(fk.from_columns) == 1}
    group, why_group = _group_column(p, keys, foreign)
    measure, why_measure = _measure(p, keys, group)
    name = re.sub(r"\W+", "_", table).strip("_").lower() or "rows"
    count = name if name not in (day, group, measure, f"{singular(name)}_date") else "row_count"
    t = quote_ident(table)
    q = {c: quote_ident(c) for c in (day, group, measure, count) if c}
    if day is None:
        by = f"{q[group]} AS {q[group]}" if group else None
        select = f"SELECT {by + ', ' if by else ''}count(*) AS {q[count]} FROM {t}{' GROUP BY ALL' if by else ''}"
        create = (f"CREATE OR REPLACE TABLE daily_first_days ({q[group] + ' ' + p.columns[group].dtype + ', ' if group else ''}"
                  f"{q[count]} BIGINT)")
        return RerunPlan(table=table, date_column=None, group_column=group, measure=measure, count_column=count,
                         reason=f"{table!r} has no date column: the audit counts all rows, there are no day "
                                f"partitions to backfill; {why_group}",
                         audit_create=create, audit_append=f"INSERT INTO daily_first_days {select}",
                         audit_replace=f"CREATE OR REPLACE TABLE daily_first_days AS {select}")
    first, last = ws.con.execute(f"SELECT min(CAST({q[day]} AS DATE)), max(CAST({q[day]} AS DATE)) FROM {t}").fetchone()
    cutoff = first + timedelta(days=audit_days)
    if start or end:
        start, end = date.fromisoformat(str(start or end)), date.fromisoformat(str(end or start))
        why_window = f"window {start} .. {end}: chosen by you"
    elif manifest and isinstance(declared := manifest.get("backfill_window"), list) and len(declared) == 2:
        start, end = date.fromisoformat(declared[0]), date.fromisoformat(declared[1])
        why_window = f"window {start} .. {end}: the backfill window the data folder's manifest declares"
    else:
        start, end = last - timedelta(days=days - 1), last
        why_window = f"window {start} .. {end}: the last {days} days of data"
    d = f"CAST({q[day]} AS DATE)"
    audit = f"SELECT {d}, count(*) FROM {t} WHERE {q[day]} < TIMESTAMP '{cutoff}' GROUP BY ALL"
    partition = f"{singular(name)}_date"
    cols = [f"{d} AS {quote_ident(partition)}"] + ([q[group]] if group else []) + [f"count(*) AS {q[count]}"]
    if measure:
        cols.append(f"sum({q[measure]}) AS {quote_ident('sum_' + measure)}")
    aggregate = f"SELECT {', '.join(cols)} FROM {{rows}} GROUP BY ALL"
    target = f"daily_{name}"
    return RerunPlan(
        table=table, date_column=day, group_column=group, measure=measure, count_column=count,
        reason=(f"daily {table!r} by {day!r} (its arrival time); {why_group}; {why_measure}; audit of the first "
                f"{audit_days} days (before {cutoff}); {why_window}"),
        audit_create=f"CREATE OR REPLACE TABLE daily_first_days (d DATE, {q[count]} BIGINT)",
        audit_append=f"INSERT INTO daily_first_days {audit}",
        audit_replace=(f"CREATE OR REPLACE TABLE daily_first_days AS SELECT {d} AS d, count(*) AS {q[count]} "
                       f"FROM {t} WHERE {q[day]} < TIMESTAMP '{cutoff}' GROUP BY ALL"),
        target=target, build_sql=f"CREATE OR REPLACE TABLE {quote_ident(target)} AS {aggregate.format(rows=t)}",
        partition_column=partition, start=start, end=end,
        fixed_sql=aggregate.format(rows=f"(SELECT DISTINCT * FROM {t})"),
        window_sum_sql=(f"SELECT sum({q[count]}) FROM {quote_ident(target)} WHERE {quote_ident(partition)} "
                        f"BETWEEN DATE '{start}' AND DATE '{end}'"),
        checks={f"no_{count}": f"{q[count]} <= 0"}, dag_id=f"{name}_daily")
