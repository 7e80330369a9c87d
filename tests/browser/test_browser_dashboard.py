"""``workbench app``: the dashboard as a person uses it, in Voilà, in headless Chromium.

The server is started by the real command (``python -m workbench.cli app --no-browser ...``) over a
copy of the sample data. The page must show widgets and no code, and the architecture simulator
and the profile explorer must respond.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import problems, screenshot
from playwright.sync_api import expect
from step_interactions import use_architecture_simulator, use_profile_explorer

pytestmark = pytest.mark.browser

#: the page is served while the dashboard notebook runs (kernel start, loading and profiling the data)
FIRST_RENDER_MS = 240_000
CODE = ".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .cm-editor, .CodeMirror, pre.highlight"


def test_dashboard_shows_the_simulator_and_explorer_without_code(dashboard, page, screenshots):
    page.goto(dashboard.page_url("/"), wait_until="commit", timeout=FIRST_RENDER_MS)
    board = page.locator(".wb-dashboard")
    expect(board).to_be_visible(timeout=FIRST_RENDER_MS)
    expect(page).to_have_title(re.compile("workbench", re.I))

    assert page.locator(CODE).filter(visible=True).count() == 0, "the dashboard must not show code cells"
    assert "from workbench.ui.dashboard import" not in page.content(), "the page carries the notebook's source"
    assert problems(page, lab=False) == []

    tab = board.locator(".lm-TabBar").first.locator(".lm-TabBar-tab")
    expect(tab).to_have_text(["Architecture", "Profile", "Data"])
    use_architecture_simulator(page, board)
    screenshot(page, screenshots / "dashboard-architecture.png", content="#rendered_cells")

    tab.filter(has_text="Profile").click()
    use_profile_explorer(page, board)
    screenshot(page, screenshots / "dashboard-profile.png", content="#rendered_cells")

    tab.filter(has_text="Data").click()
    expect(board.locator("table.wb-workspace-summary")).to_contain_text("orders")
    assert problems(page, lab=False) == []
    assert not page.console_errors, f"JavaScript errors: {page.console_errors}"
