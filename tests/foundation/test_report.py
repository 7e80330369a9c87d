"""The report harness: papermill runs the step notebooks in order and writes an offline HTML report."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from workbench.errors import ReportError
from workbench.report import run_report, step_notebooks

NB = nbformat.v4


def _notebook(path, *sources, params="x = 1"):
    nb = NB.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = NB.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *[NB.new_code_cell(s) for s in sources]]
    nbformat.write(nb, path)


def test_report_runs_notebooks_in_order_and_writes_offline_html(tmp_path, sample_dir):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(step_notebooks()[0], notebooks)  # 00_start_here: loads data and draws a chart
    _notebook(notebooks / "01_next.ipynb",
              "import workbench as wb\nws = wb.open_workspace(workspace_path, data_dir)\n"
              "print('tables seen by step 1:', len(ws.tables()))",
              params="workspace_path = ''\ndata_dir = ''")
    result = run_report(tmp_path / "out", {"notebooks": {"01_next": {}}}, notebooks_dir=notebooks,
                        data_dir=sample_dir)
    assert [p.split("/")[-1] for p in result.notebooks] == ["00_start_here.ipynb", "01_next.ipynb"]
    html = (tmp_path / "out" / "design_report.html").read_text()
    assert "data:image/svg+xml;base64" in html  # the chart, inline
    assert 'src="http' not in html  # nothing fetched from a CDN
    assert "import workbench" not in html  # no code cells
    assert "tables seen by step 1: 6" in html  # the second notebook reused the persisted workspace


def test_failing_cell_names_notebook_and_cell(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_broken.ipynb", "y = 2", "raise ValueError('planted failure')")
    expected = r"'01_broken.ipynb' failed in cell \d+ .*starting .raise ValueError.*ValueError: planted failure"
    with pytest.raises(ReportError, match=expected):
        run_report(tmp_path / "out", notebooks_dir=notebooks)


def test_a_cell_that_never_finishes_fails_the_report_by_name(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_stuck.ipynb", "import time\ntime.sleep(60)")
    with pytest.raises(ReportError, match=r"(?s)'01_stuck.ipynb' did not finish a cell within 2 s.*raise cell_timeout"):
        run_report(tmp_path / "out", notebooks_dir=notebooks, cell_timeout=2)


def test_no_notebooks_is_a_clear_error(tmp_path):
    with pytest.raises(ReportError, match="No step notebooks"):
        step_notebooks(tmp_path)
