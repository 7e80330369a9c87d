"""The standalone dashboard served by ``workbench app``: the step widgets on tabs, no code.

It only composes widgets from ``workbench.ui``; the Voilà notebook calls ``dashboard()`` and
nothing else. The launcher passes the data folder and workspace through environment variables.
Stable CSS classes for browser tests: ``wb-dashboard``, ``wb-dashboard-source`` (event-source
picker), ``wb-dashboard-architecture``, ``wb-workspace-summary``.
"""

from __future__ import annotations

import os
from html import escape

import ipywidgets as widgets

from workbench.app import DATA_ENV, WORKSPACE_ENV
from workbench.architecture import Workload
from workbench.errors import WorkbenchError
from workbench.profiling import profile
from workbench.session import open_workspace, workspace_summary
from workbench.ui.architecture import architecture_simulator
from workbench.ui.profile import profile_explorer
from workbench.workspace import Workspace

#: the sample's order stream comes first when present (as in 02_architecture)
PREFERRED_SOURCE = ("orders", "created_at")


def event_sources(ws: Workspace) -> list[tuple[str, str]]:
    """(table, timestamp column) pairs a workload can be measured from, the sample's orders first."""
    pairs = [(t, c) for t in ws.tables() for c, kind in ws.schema(t).items() if kind.startswith("TIMESTAMP")]
    return sorted(pairs, key=lambda p: (p != PREFERRED_SOURCE, p))


def workspace_panel(ws: Workspace) -> widgets.Widget:
    """The tables in the workspace (rows and columns counted in DuckDB)."""
    table = workspace_summary(ws).to_html(index=False, classes="wb-workspace-summary", border=0)
    return widgets.HTML(f"<h3>Tables in the workspace</h3>{table}")


def architecture_panel(ws: Workspace) -> widgets.Widget:
    """Pick the event source; the simulator starts from its profiled workload."""
    sources = event_sources(ws)
    if not sources:
        return widgets.HTML("<p>No table has a timestamp column, so there is no event rate to simulate. "
                            "Load a table of events (e.g. orders with a created_at column).</p>")
    picker = widgets.Dropdown(options=[(f"{t}.{c}", (t, c)) for t, c in sources], value=sources[0],
                              description="Event source", style={"description_width": "150px"})
    picker.add_class("wb-dashboard-source")
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
    panel = widgets.VBox([picker, body])
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
    panels = {
        "Architecture": architecture_panel(ws),
        "Profile": profile_explorer(ws),
        "Data": workspace_panel(ws),
    }
    tabs = widgets.Tab(children=list(panels.values()), titles=list(panels))
    tabs.add_class("wb-dashboard")
    return tabs
