"""Profile explorer widget: pick a table and a column, read the summary, charts and alerts, suggest expectations.

Thin over ``workbench.profiling``: every figure comes from ``profile()``; profiles are cached per
table so switching back and forth does not re-scan.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

import ipywidgets as widgets

from workbench.profiling import TableProfile, profile, suggest_expectation_dicts, suggest_expectations
from workbench.profiling import charts as pcharts
from workbench.profiling.html import alerts_html
from workbench.workspace import Workspace


class ProfileExplorer(widgets.VBox):
    """The widget: ``ProfileExplorer(ws)``; ``.profiles`` caches results, ``.suite`` holds the last suggestion."""

    def __init__(self, ws: Workspace, tables: list[str] | None = None, *,
                 reference_time: datetime | str | None = None) -> None:
        self.ws, self.reference_time = ws, reference_time
        self.profiles: dict[str, TableProfile] = {}
        self.suite = None
        names = list(tables) if tables else ws.tables()
        self.table = widgets.Dropdown(options=names, description="table")
        self.column = widgets.Dropdown(options=[], description="column")
        self.summary = widgets.HTML()
        self.alerts = widgets.HTML()
        self.column_info = widgets.HTML()
        self.column_charts = widgets.Output()
        self.nulls_chart = widgets.Output()
        self.suggest_button = widgets.Button(description="Suggest expectations", icon="magic")
        self.suggestions = widgets.HTML()
        self.table.observe(lambda _: self._show_table(), names="value")
        self.column.observe(lambda _: self._show_column(), names="value")
        self.suggest_button.on_click(lambda _: self._suggest())
        tabs = widgets.Tab(children=[
            widgets.VBox([self.summary, self.nulls_chart]),
            widgets.VBox([self.column, self.column_info, self.column_charts]),
            self.alerts,
            widgets.VBox([self.suggest_button, self.suggestions]),
        ])
        for i, title in enumerate(["Summary", "Column", "Alerts", "Expectations"]):
            tabs.set_title(i, title)
        self.tabs = tabs
        super().__init__([widgets.HTML("<b>Profile explorer</b>"), self.table, tabs])
        if names:
            self._show_table()

    @property
    def current(self) -> TableProfile | None:
        t = self.table.value
        if t is None:
            return None
        if t not in self.profiles:
            self.profiles[t] = profile(self.ws, t, reference_time=self.reference_time)
        return self.profiles[t]

    def _show_table(self) -> None:
        p = self.current
        if p is None:
            return
        self.summary.value = p._repr_html_()
        self.alerts.value = alerts_html(p.alerts)
        _draw(self.nulls_chart, pcharts.null_overview(p))
        self.suggestions.value = ""
        self.column.options = list(p.columns)
        self._show_column()

    def _show_column(self) -> None:
        p, name = self.current, self.column.value
        if p is None or name is None:
            return
        c = p.columns[name]
        self.column_info.value = c._repr_html_()
        _draw(self.column_charts, pcharts.column_chart(c))

    def _suggest(self) -> None:
        p = self.current
        if p is None:
            return
        self.suite = suggest_expectations(p)
        rows = "".join(
            f"<tr><td>{escape(d['type'])}</td><td><code>{escape(str(d['kwargs']))}</code></td>"
            f"<td>{escape(d['severity'])}</td><td>{escape(d['meta']['reason'])}</td></tr>"
            for d in suggest_expectation_dicts(p))
        self.suggestions.value = (f"<p>{len(self.suite.expectations)} expectations in suite "
                                  f"<code>{escape(self.suite.name)}</code> (see <code>explorer.suite</code>)</p>"
                                  f"<table><tr><th>type</th><th>kwargs</th><th>severity</th><th>why</th></tr>{rows}</table>")


def _draw(out: widgets.Output, chart) -> None:
    out.clear_output()
    if chart is not None:
        out.append_display_data(chart)


def profile_explorer(ws: Workspace, tables: list[str] | None = None, *,
                     reference_time: datetime | str | None = None) -> ProfileExplorer:
    """The profile explorer widget over ``ws`` (all tables unless ``tables`` is given)."""
    return ProfileExplorer(ws, tables, reference_time=reference_time)
