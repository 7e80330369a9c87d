"""The standalone dashboard served by ``workbench app``: the step widgets on tabs, no code.

It only composes widgets from ``workbench.ui``; the Voilà notebook calls ``dashboard()`` and
nothing else. The launcher passes the data folder and workspace through environment variables.
Every tab starts from the data: the event source is the fact table and arrival-time column
``choose_focus`` picks (its reason is shown), the profile explorer opens on the same table.
Stable CSS classes for browser tests: ``wb-dashboard``, ``wb-dashboard-source`` (event-source
picker), ``wb-dashboard-focus`` (the reason), ``wb-dashboard-architecture``, ``wb-workspace-summary``.
"""

from __future__ import annotations

import os
from html import escape

import ipywidgets as widgets

from workbench.app import DATA_ENV, WORKSPACE_ENV
from workbench.architecture import Workload
from workbench.errors import WorkbenchError
from workbench.profiling import choose_focus, profile
from workbench.profiling.focus import FocusChoice, time_columns
from workbench.session import open_workspace, source_tables, workspace_summary
from workbench.ui.architecture import architecture_simulator
from workbench.ui.profile import profile_explorer
from workbench.workspace import Workspace


def event_sources(ws: Workspace, tables: list[str], focus: FocusChoice) -> list[tuple[str, str]]:
    """(table, date or timestamp column) pairs a workload can be measured from, the focus first."""
    pairs = [(t, c) for t in tables for c in time_columns(ws, t)]
    first = (focus.table, focus.timestamp_column)
    return sorted(pairs, key=lambda p: (p != first, p))


def workspace_panel(ws: Workspace) -> widgets.Widget:
    """The tables in the workspace (rows and columns counted in DuckDB)."""
    table = workspace_summary(ws).to_html(index=False, classes="wb-workspace-summary", border=0)
    return widgets.HTML(f"<h3>Tables in the workspace</h3>{table}")


def architecture_panel(ws: Workspace, tables: list[str], focus: FocusChoice) -> widgets.Widget:
    """Pick the event source (the focus first, with its reason); the simulator starts from its workload."""
    sources = event_sources(ws, tables, focus)
    if not sources:
        return widgets.HTML("<p>No table has a date or timestamp column, so there is no event rate to simulate. "
                            "Load a table of events: rows with the time each one happened.</p>")
    picker = widgets.Dropdown(options=[(f"{t}.{c}", (t, c)) for t, c in sources], value=sources[0],
                              description="Event source", style={"description_width": "150px"})
    picker.add_class("wb-dashboard-source")
    why = widgets.HTML(f"<p>Chosen from the data: {escape(focus.reason)}</p>")
    why.add_class("wb-dashboard-focus")
    body = widgets.VBox()

    def build(_change: object = None) -> None:
        table, column = picker.value
        try:
            workload = Workload.from_profile(profile(ws, table), timestamp_column=column)
            body.children = [architecture_simulator(workload)]
        except WorkbenchError as exc:
            body.children = [widgets.HTML(f"<p class='wb-error'>{escape(str(exc))}</p>")]

    picker.observe(build, names="value")
    build()
    panel = widgets.VBox([why, picker, body])
    panel.add_class("wb-dashboard-architecture")
    return panel


def dashboard(data_dir: str | None = None, workspace_path: str | None = None) -> widgets.Widget:
    """The dashboard over ``data_dir`` (default: ``$WORKBENCH_APP_DATA_DIR``, else the bundled sample).

    A saved workspace (``workspace_path`` or ``$WORKBENCH_APP_WORKSPACE``) is opened read-only, so every
    browser tab (each its own Voilà kernel) can read it at once; the dashboard never writes to it.
    """
    ws = open_workspace(
        workspace_path or os.environ.get(WORKSPACE_ENV) or None,
        data_dir or os.environ.get(DATA_ENV) or None,
        read_only=True,
    )
    tables = source_tables(ws, data_dir or os.environ.get(DATA_ENV) or None) or ws.tables()
    focus = choose_focus(ws, tables)
    panels = {
        "Architecture": architecture_panel(ws, tables, focus),
        "Profile": profile_explorer(ws, [focus.table, *(t for t in tables if t != focus.table)]),
        "Data": workspace_panel(ws),
    }
    tabs = widgets.Tab(children=list(panels.values()), titles=list(panels))
    tabs.add_class("wb-dashboard")
    return tabs
