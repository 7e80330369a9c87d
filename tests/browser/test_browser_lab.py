"""Every step notebook, opened and run in JupyterLab in headless Chromium, then used as a person would.

Notebooks are discovered at collection time (``workbench/notebooks/NN_*.ipynb``), so a new step is covered
the moment it lands. Each test: open, Run All from the menu, wait for the kernel, assert no error
output and every widget view rendered, run the step's interaction (if it has widgets), assert
again and save a screenshot to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import pytest
from browser_helpers import (
    NOTEBOOKS,
    open_notebook,
    problems,
    prompts,
    run_all,
    screenshot,
    shutdown_kernels,
    wait_views,
)
from step_interactions import INTERACTIONS

pytestmark = pytest.mark.browser

STEP_NOTEBOOKS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture
def lab_page(lab, page):
    yield page
    shutdown_kernels(lab)


def check_step_notebook(lab, page, screenshots, notebook: str) -> None:
    stem = notebook.removesuffix(".ipynb")
    open_notebook(page, lab, f"workbench/notebooks/{notebook}")
    run_all(page)

    assert problems(page) == [], f"{notebook} shows errors after Run All"
    assert all(p != "[ ]:" for p in prompts(page)), f"{notebook}: cells left unexecuted: {prompts(page)}"
    expected, rendered = wait_views(page)
    assert problems(page) == [], f"{notebook}: a widget failed to render"
    assert rendered == expected, f"{notebook}: {rendered} of {expected} widget views rendered"

    interact = INTERACTIONS.get(stem)
    if interact is not None:
        assert rendered > 0, f"{notebook} should show its step widget"
        interact(page)
        assert problems(page) == [], f"{notebook} shows errors after using its widget"
    assert not page.console_errors, f"{notebook}: JavaScript errors: {page.console_errors}"
    focus = page.locator(".jp-OutputArea-output:has(> .jupyter-widgets)").last if rendered else None
    screenshot(page, screenshots / f"lab-{stem}.png", focus=focus)


# Two classes so that ``pytest -n 2 --dist loadscope`` runs the notebooks on both workers.
class TestStepNotebooksEven:
    @pytest.mark.parametrize("notebook", STEP_NOTEBOOKS[0::2])
    def test_step_notebook_runs_and_its_widgets_work_in_jupyterlab(self, lab, lab_page, screenshots, notebook):
        check_step_notebook(lab, lab_page, screenshots, notebook)


class TestStepNotebooksOdd:
    @pytest.mark.parametrize("notebook", STEP_NOTEBOOKS[1::2])
    def test_step_notebook_runs_and_its_widgets_work_in_jupyterlab(self, lab, lab_page, screenshots, notebook):
        check_step_notebook(lab, lab_page, screenshots, notebook)
