"""The standalone dashboard served by ``workbench app``: the step widgets on tabs, no code.

It only composes widgets from ``workbench.ui``; the Voilà notebook calls ``dashboard()`` and
nothing else. The launcher passes the data folder and workspace through environment variables.
"""

from __future__ import annotations

import os

import ipywidgets as widgets

from workbench.app import DATA_ENV, WORKSPACE_ENV
from workbench.session import open_workspace, workspace_summary
from workbench.workspace import Workspace


def workspace_panel(ws: Workspace) -> widgets.Widget:
    """The tables in the workspace (rows and columns counted in DuckDB)."""
    table = workspace_summary(ws).to_html(index=False, classes="wb-workspace-summary", border=0)
    return widgets.HTML(f"<h3>Workspace</h3>{table}", layout=widgets.Layout(margin="0 0 12px 0"))


def dashboard(data_dir: str | None = None, workspace_path: str | None = None) -> widgets.Widget:
    """The dashboard over ``data_dir`` (default: ``$WORKBENCH_APP_DATA_DIR``, else the bundled sample)."""
    ws = open_workspace(
        workspace_path or os.environ.get(WORKSPACE_ENV) or None,
        data_dir or os.environ.get(DATA_ENV) or None,
    )
    return widgets.VBox([workspace_panel(ws)], layout=widgets.Layout(padding="8px"))
