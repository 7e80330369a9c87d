"""Altair chart builders shared by the steps: data in, chart out (never displayed here).

Aggregation happens in DuckDB before a chart sees the data, so a chart carries at most a few
thousand points. ``configure_charts()`` renders inline SVG (via vl-convert), so notebooks, the
dashboard and exported HTML show charts with no network.
"""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt

from workbench.files import write_atomic
from workbench.workspace import Workspace, quote_ident

#: set by ``workbench report``: render charts as inline SVG so the HTML report works offline
OFFLINE_ENV = "WORKBENCH_OFFLINE_CHARTS"

GRAINS = ("minute", "hour", "day", "week", "month")


def configure_charts() -> str:
    """Render charts as inline SVG (vl-convert) in JupyterLab, Voila and reports alike.

    Altair's default renderer loads Vega from a CDN, which fails offline ("Error loading script"),
    and JupyterLab's built-in renderer only knows Vega-Lite 5 while Altair 6 emits Vega-Lite 6.
    """
    alt.renderers.enable("svg")
    return "svg"


def rows_over_time(ws: Workspace, table: str, column: str, grain: str = "day") -> alt.Chart:
    """Rows per ``grain`` of timestamp ``column``, counted in DuckDB."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}")
    ws.require_column(table, column)
    df = ws.con.execute(
        f"SELECT date_trunc(?, CAST({quote_ident(column)} AS TIMESTAMP)) AS period, count(*) AS rows "
        f"FROM {quote_ident(table)} WHERE {quote_ident(column)} IS NOT NULL GROUP BY ALL ORDER BY period",
        [grain],
    ).fetchdf()
    return (
        alt.Chart(df, title=f"{table}: rows per {grain} of {column}")
        .mark_bar()
        .encode(x=alt.X("period:T", title=grain), y=alt.Y("rows:Q", title="rows"), tooltip=["period:T", "rows:Q"])
        .properties(width=600, height=200)
    )


def save_chart(chart: alt.TopLevelMixin, path: str | os.PathLike, scale: float = 1.0) -> Path:
    """Write a chart as PNG or SVG (by suffix) with vl-convert, offline and atomically."""
    import vl_convert as vlc

    spec = chart.to_json()
    svg = Path(path).suffix == ".svg"
    return write_atomic(path, vlc.vegalite_to_svg(spec) if svg else vlc.vegalite_to_png(spec, scale=scale))


def watermark_tradeoff_chart(points: list, chosen_delay: float | None = None) -> alt.VConcatChart:
    """What each watermark delay costs and buys, from ``watermark_tradeoff``'s replays: the share of events
    dropped as late (top) and the median wait before a window is final (bottom), delay on a symlog axis (0 s
    included); ``chosen_delay`` is marked by a rule."""
    import pandas as pd

    df = pd.DataFrame([p.model_dump() if hasattr(p, "model_dump") else dict(p) for p in points],
                      columns=["delay_seconds", "late_events", "late_share", "median_wait_seconds", "open_windows"])
    x = alt.X("delay_seconds:Q", title="watermark delay (symlog scale)", scale=alt.Scale(type="symlog"),
              axis=alt.Axis(values=[0, 1, 10, 60, 600, 3600, 14400, 86400], labelFlush=False,
                             labelExpr="datum.value >= 3600 ? datum.value / 3600 + ' h' : datum.value >= 60 ? "
                                       "datum.value / 60 + ' min' : datum.value + ' s'"))
    tooltip = [alt.Tooltip("delay_seconds:Q", title="delay (s)"), alt.Tooltip("late_events:Q", title="late events"),
               alt.Tooltip("late_share:Q", title="late share", format=".3%"),
               alt.Tooltip("median_wait_seconds:Q", title="median wait (s)", format=",.0f"),
               alt.Tooltip("open_windows:Q", title="windows never final")]
    base = alt.Chart(df).encode(x=x, tooltip=tooltip)
    late = base.mark_line(point=True, color="#c0392b").encode(
        y=alt.Y("late_share:Q", title="events late (share)", axis=alt.Axis(format="%")))
    wait = base.mark_line(point=True, color="#2c7fb8").encode(
        y=alt.Y("median_wait_seconds:Q", title="median wait until final (s)"))
    panels = [late, wait]
    if chosen_delay is not None:
        rule = alt.Chart(pd.DataFrame({"delay_seconds": [float(chosen_delay)]})).mark_rule(
            color="#555", strokeDash=[4, 3]).encode(x="delay_seconds:Q")
        panels = [alt.layer(p, rule) for p in panels]
    title = "Watermark delay: events dropped vs time until a window is final"
    if chosen_delay is not None:
        title += f" (chosen: {float(chosen_delay):g} s)"
    return alt.vconcat(*(p.properties(width=560, height=150) for p in panels), title=title)
