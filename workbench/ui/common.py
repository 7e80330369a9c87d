"""Shared plumbing for the step widgets: show a live widget in JupyterLab, static output in reports.

Papermill reports have no widget frontend, so ``show(widget, static)`` displays ``static`` (HTML,
a DataFrame or an Altair chart built by the core) instead when the report harness is running.
"""

from __future__ import annotations

import os
from typing import Any

from workbench.charts import OFFLINE_ENV


def in_report() -> bool:
    """True when the notebook runs inside ``workbench report`` (no widget frontend)."""
    return bool(os.environ.get(OFFLINE_ENV))


def show(widget: Any, static: Any = None) -> Any:
    """Return what the cell should display: the widget live, or its static counterpart in a report."""
    if in_report() and static is not None:
        return static
    return widget
