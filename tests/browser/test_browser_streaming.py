"""07_streaming in JupyterLab, used as a person would: move the watermark delay and the window, and check that
every late-event count the widget shows is what ``wb.replay_windows`` returns for the same inputs.

The notebook runs on the sample with its default parameters, so the stream is the one ``choose_stream`` picks
(order_events, ts_ms, seq); the test replays it itself with the delay and window it reads back from the widget
(the figures carry ``data-value`` attributes, see ``workbench/ui/streaming.py``).
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import (
    SAMPLE_DATA,
    open_notebook,
    problems,
    run_all,
    screenshot,
    shutdown_kernels,
    wait_views,
)
from playwright.sync_api import expect
from step_interactions import drag_slider

import workbench as wb

pytestmark = pytest.mark.browser

NOTEBOOK = "workbench/notebooks/07_streaming.ipynb"
BATCH_EVENTS = 50  # the notebook's default parameter


@pytest.fixture(scope="module")
def stream():
    ws = wb.open_workspace("", SAMPLE_DATA)
    yield ws, wb.choose_stream(ws)
    ws.close()


def lab_replay(stream, **kw) -> wb.WindowReplay:
    ws, choice = stream
    args = dict(event_time=choice.event_time, keys=choice.keys, arrival=choice.arrival, window=choice.window,
                batch_events=BATCH_EVENTS)
    return wb.replay_windows(ws, choice.events, **{**args, **kw})


def figure(panel, name: str) -> str:
    return panel.locator(f".wb-stream-figures .wb-stream-{name}").get_attribute("data-value")


def test_streaming_widget_shows_the_cores_late_events(lab, page, screenshots, stream):
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    assert problems(page) == [], "07_streaming shows errors after Run All"
    expected, rendered = wait_views(page)
    assert rendered == expected > 0
    panel = page.locator(".wb-streaming-panel").last
    figures = panel.locator(".wb-stream-figures")
    expect(figures.locator(".wb-stream-summary")).to_contain_text("events late")
    expect(panel.locator(".wb-stream-chart img, .wb-stream-chart svg").first).to_be_visible()

    # the widget opens on the recommended delay; drag the delay to several places and compare each count
    seen: dict[float, int] = {float(figure(panel, "delay-value")): int(figure(panel, "late-events"))}
    slider = panel.locator(".wb-stream-delay")
    for fraction in (1.0, 0.93, 0.6):
        before = figure(panel, "delay-value")
        drag_slider(page, slider, fraction)
        expect(figures.locator(".wb-stream-delay-value")).not_to_have_attribute("data-value", before)
        delay = float(figure(panel, "delay-value"))
        shown = int(figure(panel, "late-events"))
        assert f"watermark {delay:g} s" in figures.locator(".wb-stream-summary").inner_text()
        assert figures.locator(".wb-stream-late-events").inner_text() == f"{shown:,}"
        seen[delay] = shown
    assert len(seen) >= 3, f"the delay slider did not move: {seen}"
    for delay, shown in seen.items():
        core = lab_replay(stream, watermark_delay=delay)
        assert shown == core.late_events, f"delay {delay:g} s: widget shows {shown} late events, core {core.late_events}"
        assert int(figure(panel, "events")) == core.events
    assert len(set(seen.values())) >= 2, f"every delay gave the same late count: {seen}"  # 0 s: 19, 86400 s: 0

    # session windows in update mode: the core refuses, the widget says so instead of failing
    delay = float(figure(panel, "delay-value"))
    panel.locator(".wb-stream-window select").select_option("session")
    expect(figures.locator(".wb-stream-summary")).to_contain_text("session")
    session_shown = int(figure(panel, "late-events"))
    gap = float(re.search(r"session gap (\S+) s", figures.locator(".wb-stream-summary").inner_text()).group(1))
    core = lab_replay(stream, window=("session", gap), watermark_delay=delay)
    assert session_shown == core.late_events
    panel.locator(".wb-stream-output-mode select").select_option("update")
    expect(panel.locator(".wb-stream-error")).to_contain_text("does not support update mode for session windows")
    expect(figures).to_be_hidden()
    panel.locator(".wb-stream-output-mode select").select_option("append")
    expect(figures).to_be_visible()
    expect(panel.locator(".wb-stream-error")).to_be_hidden()

    assert problems(page) == [], "07_streaming shows errors after using its widget"
    assert not page.console_errors, f"JavaScript errors: {page.console_errors}"
    screenshot(page, screenshots / "lab-07_streaming-widget.png", focus=panel)
    shutdown_kernels(lab)
