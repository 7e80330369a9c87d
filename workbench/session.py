"""Open the workspace a notebook or report works in, loading the sample data when it is absent.

Every step notebook starts with ``ws = open_workspace(workspace_path, data_dir)``: the same call in
JupyterLab, under papermill and under nbval.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.charts import configure_charts
from workbench.errors import DataSourceError
from workbench.sample_data import generate_sample_data
from workbench.workspace import READERS, Workspace, table_name_for

#: the sample data committed beside the package (present in a clone / editable install)
BUNDLED_SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def sample_data_dir() -> Path:
    """The bundled sample data folder, generated into the user cache when the package was installed alone."""
    if (BUNDLED_SAMPLE / "orders.csv").exists():
        return BUNDLED_SAMPLE
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pipeline-workbench" / "sample_data"
    if not (cache / "orders.csv").exists():
        generate_sample_data(cache)
    return cache


def data_files(data_dir: str | os.PathLike) -> list[Path]:
    """The loadable data files in a folder (``manifest.json`` and READMEs are not data)."""
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DataSourceError(
            f"Data folder {str(folder)!r} does not exist (working directory: {os.getcwd()}).",
            hint="Pass data_dir= a folder of CSV/Parquet/JSON files, or run `workbench sample-data --out DIR`.",
        )
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in READERS and p.name != "manifest.json" and not p.name.startswith(".")
    )


def open_workspace(workspace_path: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None,
                   *, read_only: bool = False) -> Workspace:
    """A workspace (in memory when ``workspace_path`` is empty) holding every table of ``data_dir``.

    Tables already present are kept as they are, so re-running a notebook against a persisted
    workspace never reloads or duplicates data. ``read_only`` opens a saved workspace as it is
    (several processes may then read it at once) and loads nothing.
    """
    configure_charts()
    if read_only and workspace_path:
        ws = Workspace(workspace_path, read_only=True)
        if not ws.tables():
            raise DataSourceError(f"Workspace {str(workspace_path)!r} holds no tables.",
                                  hint="Fill it first, e.g. `workbench report` writes reports/workbench.duckdb.")
        return ws
    ws = Workspace(workspace_path or None)
    folder = Path(data_dir) if data_dir else sample_data_dir()
    present = set(ws.tables())
    for path in data_files(folder):
        if table_name_for(path) not in present:
            ws.load(path)
    return ws


def workspace_summary(ws: Workspace):
    """One row per table: name, rows and columns (counted in DuckDB) as a DataFrame."""
    import pandas as pd

    rows = [{"table": t, "rows": ws.row_count(t), "columns": len(ws.columns(t))} for t in ws.tables()]
    return pd.DataFrame(rows, columns=["table", "rows", "columns"])


def source_tables(ws: Workspace, data_dir: str | Path | None) -> list[str]:
    """The workspace tables that came from the files of ``data_dir`` (all tables when it is not given)."""
    if not data_dir:
        return ws.tables()
    present = set(ws.tables())
    return [t for t in dict.fromkeys(table_name_for(p) for p in data_files(data_dir)) if t in present]
