"""The design report: papermill runs the step notebooks in order, nbconvert turns them into HTML.

``run_report(out_dir, params)`` executes every ``workbench/notebooks/NN_*.ipynb`` with the same
``workspace_path``, ``design_path`` and ``data_dir`` (so each step reads what the last one wrote),
writes the executed notebooks, one HTML page per notebook and ``design_report.html`` (all steps, no
code cells, charts as inline SVG so it reads offline). A failing cell raises ReportError naming the
notebook and the cell.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import nbformat
import yaml
from pydantic import BaseModel

from workbench.charts import OFFLINE_ENV
from workbench.errors import ReportError
from workbench.files import write_atomic
from workbench.resources import notebooks_dir

NOTEBOOKS_DIR = notebooks_dir()
STEP_NOTEBOOK = re.compile(r"^\d\d_.+\.ipynb$")
#: cells tagged with one of these are left out of the HTML report entirely
HIDDEN_TAGS = {"parameters", "injected-parameters", "report-hide"}


class ReportResult(BaseModel):
    """What a report run wrote."""

    out_dir: str
    notebooks: list[str]
    html: list[str]
    report_html: str
    parameters: dict[str, Any]


def step_notebooks(notebooks_dir: str | os.PathLike | None = None) -> list[Path]:
    """The step notebooks (``NN_name.ipynb``) in run order."""
    folder = Path(notebooks_dir) if notebooks_dir else NOTEBOOKS_DIR
    found = sorted(p for p in folder.glob("*.ipynb") if STEP_NOTEBOOK.match(p.name))
    if not found:
        raise ReportError(f"No step notebooks (NN_name.ipynb) in {str(folder)!r}.",
                          hint="Reinstall pipeline-workbench (the notebooks ship in the package), or pass notebooks_dir.")
    return found


def load_params(path: str | os.PathLike | None) -> dict[str, Any]:
    """Read a YAML/JSON parameters file: shared keys at the top, per-notebook keys under ``notebooks:``."""
    if not path:
        return {}
    p = Path(path)
    if not p.exists():
        raise ReportError(f"Parameters file {str(p)!r} does not exist.", hint="See params/report.example.yaml.")
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ReportError(f"Parameters file {str(p)!r} must hold a mapping of parameter names to values.")
    return data


#: seconds one report cell may run (the bundled sample's slowest takes a few seconds)
CELL_TIMEOUT = 600


def run_report(
    out_dir: str | os.PathLike = "reports",
    params: dict[str, Any] | None = None,
    *,
    notebooks_dir: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
    kernel_name: str | None = None,
    cell_timeout: int | None = None,
) -> ReportResult:
    """Run every step notebook in order and write the executed notebooks and HTML report to ``out_dir``.

    A cell that runs longer than ``cell_timeout`` seconds (default ``CELL_TIMEOUT``) fails the report with
    a ReportError naming the notebook.
    """
    cell_timeout = cell_timeout or CELL_TIMEOUT
    import papermill as pm

    from workbench.report_kernel import ReportKernelManager
    from workbench.session import sample_data_dir

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    params = copy.deepcopy(params or {})
    per_notebook: dict[str, dict[str, Any]] = params.pop("notebooks", {}) or {}
    workspace = out / "workbench.duckdb"
    for stale in (workspace, workspace.with_name(workspace.name + ".wal")):
        stale.unlink(missing_ok=True)  # a report is a re-run from scratch: same inputs, same report
    shared = {
        "workspace_path": str(workspace),
        "design_path": str(out / "design.yaml"),
        "data_dir": str(Path(data_dir or params.pop("data_dir", None) or sample_data_dir()).resolve()),
        "out_dir": str(out),
        **params,
    }
    os.environ[OFFLINE_ENV] = "1"
    executed: list[Path] = []
    try:
        for nb in step_notebooks(notebooks_dir):
            target = out / nb.name
            nb_params = {**shared, **per_notebook.get(nb.stem, {})}
            try:
                pm.execute_notebook(
                    str(nb), str(target), parameters=nb_params, cwd=str(out), kernel_name=kernel_name,
                    progress_bar=False, report_mode=False, execution_timeout=cell_timeout,
                    kernel_manager_class=ReportKernelManager,
                )
            except TimeoutError as exc:
                raise ReportError(f"Notebook {nb.name!r} did not finish a cell within {cell_timeout} s "
                                  f"({str(exc).splitlines()[0] if str(exc) else 'no reply from the kernel'}).",
                                  hint=f"Open {target} to see where it stopped; raise cell_timeout for large data.") from exc
            except pm.PapermillExecutionError as exc:
                raise ReportError(
                    f"Notebook {nb.name!r} failed in cell {exc.cell_index} (execution count {exc.exec_count}, "
                    f"starting {_failing_source(target)!r}): {exc.ename}: {exc.evalue}",
                    hint=f"Open {target} to see the failing cell's traceback.",
                ) from exc
            executed.append(target)
    finally:
        os.environ.pop(OFFLINE_ENV, None)
    html = [write_html(nb, nb.with_suffix(".html")) for nb in executed]
    report = write_html(merge_notebooks(executed), out / "design_report.html", title="Pipeline design report")
    return ReportResult(out_dir=str(out), notebooks=[str(p) for p in executed], html=[str(p) for p in html],
                        report_html=str(report), parameters=shared)


def _failing_source(notebook: Path) -> str:
    """The first line of the cell that raised, read from papermill's output notebook."""
    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except (OSError, ValueError):
        return "?"
    for cell in cells:
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return next((line for line in cell.source.splitlines() if line.strip()), "")
    return "?"


def merge_notebooks(paths: list[Path]) -> nbformat.NotebookNode:
    """One notebook holding every cell of ``paths`` in order."""
    merged = nbformat.v4.new_notebook()
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        merged.metadata = merged.metadata or nb.metadata
        merged.cells.extend(nb.cells)
    return merged


def write_html(notebook: Path | nbformat.NotebookNode, target: Path, title: str | None = None) -> Path:
    """Export a notebook to standalone HTML without code cells, atomically."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, Path) else notebook
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or target.stem}})
    body = _strip_remote_scripts(body)
    return write_atomic(target, body)


def _strip_remote_scripts(html: str) -> str:
    """Drop ``<script src="http...">`` tags (require.js, MathJax CDNs): the report must read offline."""
    return re.sub(r"<script[^>]+src=\"https?://[^\"]+\"[^>]*>\s*</script>", "", html)
