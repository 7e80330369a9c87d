"""What a person does in JupyterLab and Voilà, as Playwright steps: open, run all, look for trouble.

Every wait is on a selector or a page state (kernel idle, prompts numbered, views attached),
never a fixed sleep. ``problems()`` collects what a person would see as broken: error outputs,
tracebacks inside widgets, "Error displaying widget", scripts that failed to load.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "workbench" / "notebooks"
SAMPLE_DATA = ROOT / "sample_data"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

#: text that means an output or widget view failed to render
RENDER_FAILURES = (
    "Error displaying widget",
    "Failed to load model class",
    "Error loading script",
    "Javascript Error",
    "Could not render content",
)
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
RUN_TIMEOUT_MS = 240_000

_KERNEL_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const ctx = panel && panel.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  return !!(panel.context && panel.context.isReady && kernel && kernel.connectionStatus === 'connected'
            && kernel.status === 'idle');
}"""

_PROMPTS = "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim())"

_RUN_FINISHED = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  if (prompts.some(t => t === '[*]:') || kernel.status !== 'idle') return false;
  const errored = document.querySelector('.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
  return prompts.every(t => /^\\[\\d+\\]:$/.test(t)) || !!errored;
}"""

_MODEL_ERRORS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const errors = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j).toJSON();
      if (out.output_type === 'error') errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
    }
  }
  return errors;
}"""

_WIDGET_VIEWS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  let expected = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    for (let j = 0; j < cell.outputs.length; j++) {
      const data = cell.outputs.get(j).toJSON().data || {};
      if ('application/vnd.jupyter.widget-view+json' in data) expected++;
    }
  }
  const top = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')]
    .filter(el => !el.parentElement.closest('.jupyter-widgets'));
  const rendered = top.filter(el => el.querySelector(':scope > .jupyter-widgets')).length;
  const failed = top.filter(el => el.textContent.includes('Error displaying widget')).length;
  return {expected, rendered, failed};
}"""

_NEXT_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def open_notebook(page: Page, server, path: str) -> None:
    """Open ``path`` (relative to the server root) in JupyterLab and wait until its kernel is idle."""
    page.goto(server.page_url(f"/lab/tree/{path}?reset"))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    page.wait_for_function(_KERNEL_READY, timeout=RUN_TIMEOUT_MS)


def run_all(page: Page) -> None:
    """Run > Run All Cells from the menu bar, then wait until the kernel is idle and every cell ran (or one failed)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].some(e => e.textContent.trim() !== '[ ]:' && e.textContent.trim() !== '')"
    )
    page.wait_for_function(_RUN_FINISHED, timeout=RUN_TIMEOUT_MS)


def prompts(page: Page) -> list[str]:
    return page.evaluate(_PROMPTS)


def wait_views(page: Page) -> tuple[int, int]:
    """Wait until every widget output of the notebook has attached its view or failed; (expected, rendered)."""
    page.wait_for_function(f"() => {{ const v = ({_WIDGET_VIEWS})(); return v.rendered + v.failed >= v.expected; }}")
    views = page.evaluate(_WIDGET_VIEWS)
    return views["expected"], views["rendered"]


def problems(page: Page, scope: str = "body", *, lab: bool = True) -> list[str]:
    """Everything on the page a person would read as broken (empty list when all is well)."""
    found = page.evaluate(_MODEL_ERRORS) if lab else []
    for el in page.locator(f"{scope} .jp-OutputArea-output").all():
        text = el.inner_text()
        found += [f"output shows {marker!r}: {text[:300]}" for marker in RENDER_FAILURES if marker in text]
    for el in page.locator(f"{scope} {STDERR}").all():
        text = el.inner_text()
        if "Traceback" in text or re.search(r"^\w*(Error|Exception)\b", text, re.M):
            found.append(f"error output: {text[:500]}")
    return found


def widget(page: Page, description: str) -> Locator:
    """The widget control labelled ``description`` (ipywidgets puts the description in a ``label``)."""
    return page.locator(".widget-inline-hbox, .widget-hbox, .jupyter-widgets", has=page.locator("label", has_text=description)).last


def screenshot(page: Page, path: Path, content: str = ".jp-NotebookPanel .jp-WindowedPanel-inner",
               focus: Locator | None = None) -> Path:
    """Screenshot with the viewport stretched to the whole content, so every output is in the picture;
    ``focus`` also gets a close-up beside it (``<name>-widget.png``)."""
    height = page.evaluate(f"() => document.querySelector({json.dumps(content)})?.scrollHeight || 0")
    size = page.viewport_size or {"width": 1400, "height": 1100}
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height + 250, 12_000))})
    page.evaluate(_NEXT_FRAMES)
    page.screenshot(path=str(path))
    if focus is not None:
        focus.screenshot(path=str(path.with_name(f"{path.stem}-widget.png")))
    page.set_viewport_size(size)
    return path


def shutdown_kernels(server) -> None:
    """Delete every session on ``server`` (shuts its kernels down) so kernels do not pile up between tests."""
    def call(method: str, path: str):
        req = urllib.request.Request(f"{server.url}{path}?token={server.token}", method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    for session in call("GET", "/api/sessions"):
        call("DELETE", f"/api/sessions/{session['id']}")
