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
