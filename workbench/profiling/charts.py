"""Altair charts of a profile, built from the figures already computed (no query), returned not displayed."""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.profiling.models import ColumnProfile, TableProfile

WIDTH = 420


def histogram(c: ColumnProfile) -> alt.Chart:
    """Equal-width histogram of a numeric or temporal column."""
    df = pd.DataFrame([b.model_dump() for b in c.histogram], columns=["lower", "upper", "count"])
    t = "T" if c.kind == "temporal" else "Q"
    return (
        alt.Chart(df, title=f"{c.name}: distribution")
        .mark_bar()
        .encode(x=alt.X(f"lower:{t}", bin="binned", title=c.name), x2=f"upper:{t}",
                y=alt.Y("count:Q", title="rows"), tooltip=[f"lower:{t}", f"upper:{t}", "count:Q"])
        .properties(width=WIDTH, height=180)
    )


def top_values(c: ColumnProfile) -> alt.Chart:
    """Most frequent values with their counts, most frequent first."""
    df = pd.DataFrame([{"value": str(v), "count": k} for v, k in c.top_values], columns=["value", "count"])
    return (
        alt.Chart(df, title=f"{c.name}: top values")
        .mark_bar()
        .encode(y=alt.Y("value:N", sort="-x", title=None), x=alt.X("count:Q", title="rows"),
                tooltip=["value:N", "count:Q"])
        .properties(width=WIDTH, height=max(60, 18 * len(df)))
    )


def null_overview(p: TableProfile) -> alt.Chart:
    """Share of nulls per column of a table."""
    df = pd.DataFrame([{"column": c.name, "null_share": c.null_share, "nulls": c.null_count}
                       for c in p.columns.values()], columns=["column", "null_share", "nulls"])
    return (
        alt.Chart(df, title=f"{p.table}: nulls per column")
        .mark_bar()
        .encode(y=alt.Y("column:N", sort=None, title=None),
                x=alt.X("null_share:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title="null share"),
                tooltip=["column:N", "nulls:Q", alt.Tooltip("null_share:Q", format=".2%")])
        .properties(width=WIDTH, height=max(60, 18 * len(df)))
    )


def rows_per_day(c: ColumnProfile) -> alt.Chart:
    """Rows per day of a timestamp column (from its TimeProfile)."""
    days = c.time.rows_per_day if c.time else {}
    df = pd.DataFrame({"day": pd.to_datetime(list(days)), "rows": list(days.values())})
    return (
        alt.Chart(df, title=f"{c.name}: rows per day")
        .mark_bar()
        .encode(x=alt.X("day:T", title="day"), y=alt.Y("rows:Q", title="rows"), tooltip=["day:T", "rows:Q"])
        .properties(width=WIDTH, height=180)
    )


def rows_per_hour(c: ColumnProfile) -> alt.Chart:
    """Rows per hour of day (0-23) of a timestamp column: the daily rhythm."""
    hours = c.time.rows_per_hour if c.time else {}
    df = pd.DataFrame({"hour": list(hours), "rows": list(hours.values())})
    return (
        alt.Chart(df, title=f"{c.name}: rows per hour of day")
        .mark_bar()
        .encode(x=alt.X("hour:O", title="hour of day"), y=alt.Y("rows:Q", title="rows"), tooltip=["hour:O", "rows:Q"])
        .properties(width=WIDTH, height=180)
    )


def column_charts(c: ColumnProfile) -> list[alt.Chart]:
    """The charts that say something about this column (possibly none, e.g. for nested columns)."""
    out = []
    if c.histogram:
        out.append(histogram(c))
    if c.top_values and (c.distinct_count or 0) < c.count:
        out.append(top_values(c))
    if c.time:
        out += [rows_per_day(c), rows_per_hour(c)]
    return out


def column_chart(c: ColumnProfile) -> alt.VConcatChart | alt.Chart | None:
    """All of a column's charts stacked, or None when there is nothing to draw."""
    charts = column_charts(c)
    if not charts:
        return None
    return charts[0] if len(charts) == 1 else alt.vconcat(*charts)
