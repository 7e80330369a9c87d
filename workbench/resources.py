"""Files that ship inside the package: the step notebooks, the example dbt project, the dashboard.

Resolved with ``importlib.resources`` so they are found the same way from a clone, an editable
install or an installed wheel (setuptools installs package data as plain files, so ``as_file``
hands back the real path without copying).
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def _path(*parts: str) -> Path:
    resource = files("workbench").joinpath(*parts)
    with as_file(resource) as p:
        return Path(p)


def notebooks_dir() -> Path:
    """The folder of step notebooks (``workbench/notebooks``)."""
    return _path("notebooks")


def example_dbt_project() -> Path:
    """The sample shop as a dbt project (``workbench/examples/shop_dbt``)."""
    return _path("examples", "shop_dbt")


def dashboard_notebook() -> Path:
    """The Voila dashboard notebook (``workbench/app/workbench_dashboard.ipynb``)."""
    return _path("app", "workbench_dashboard.ipynb")
