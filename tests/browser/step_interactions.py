"""What a person does with each step's widget, keyed by notebook name (``NN_name``).

Each interaction finds the widget by its stable CSS class or visible labels, changes something the
way a person would (drag a slider, pick from a dropdown, click a button) and waits until the
widget shows the consequence, pinned against the sample data where a number is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

expect.set_options(timeout=60_000)


def drag_slider(page: Page, slider: Locator, fraction: float) -> None:
    """Drag the slider's handle to ``fraction`` (0 = left end, 1 = right end) of its track with the mouse."""
    slider.scroll_into_view_if_needed()
    handle, track = slider.locator(".noUi-handle"), slider.locator(".noUi-base")
    h, t = handle.bounding_box(), track.bounding_box()
    page.mouse.move(h["x"] + h["width"] / 2, h["y"] + h["height"] / 2)
    page.mouse.down()
    page.mouse.move(t["x"] + fraction * t["width"], t["y"] + t["height"] / 2, steps=8)
    page.mouse.up()


def labelled(scope: Locator, kind: str, label: str) -> Locator:
    """The ipywidgets control of class ``widget-<kind>`` whose description is ``label``."""
    return scope.locator(f".widget-{kind}", has=scope.page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$")))


def use_architecture_simulator(page: Page, scope: Locator | None = None) -> None:
    """Drag the peak rate to the top: the volume in the recommendation and the comparison change;
    drag the latency SLO to its minimum: the recommended architecture leaves batch."""
    sim = (scope or page.locator("body")).locator(".wb-architecture-simulator").last
    expect(sim).to_be_visible()
    rec, table = sim.locator(".wb-arch-recommendation"), sim.locator(".wb-arch-comparison")
    expect(rec).to_contain_text("Recommendation")
    rate = sim.locator(".wb-arch-rate")
    rate_before, rec_before, table_before = rate.locator(".widget-readout").inner_text(), rec.inner_text(), table.inner_text()

    drag_slider(page, rate, 1.0)
    expect(rate.locator(".widget-readout")).not_to_have_text(rate_before)
    expect(rec).not_to_have_text(rec_before)
    expect(table).not_to_have_text(table_before)

    drag_slider(page, sim.locator(".wb-arch-slo"), 0.0)
    expect(rec).to_contain_text(re.compile(r"latency SLO .*< 1 min: yes"))
    expect(rec).not_to_contain_text(re.compile(r"Recommendation:\s*batch\b"))


def use_expectation_builder(page: Page, scope: Locator | None = None) -> None:
    """Expect orders.customer_id not null, add it and run: 20 nulls are planted (manifest)."""
    root = scope or page.locator("body")
    labelled(root, "dropdown", "Table").locator("select").last.select_option("orders")
    labelled(root, "dropdown", "Column").locator("select").last.select_option("customer_id")
    labelled(root, "dropdown", "Type").locator("select").last.select_option("expect_column_values_to_not_be_null")
    root.get_by_role("button", name="Add expectation").last.click()
    expect(root.get_by_text("added", exact=False).last).to_be_visible()
    root.get_by_role("button", name="Run suite").last.click()
    expect(root.get_by_text("failed: see the table below").last).to_be_visible()
    expect(root.locator("table", has_text="customer_id").last).to_contain_text("20")


def use_profile_explorer(page: Page, scope: Locator | None = None) -> None:
    """Pick orders, open the Column tab, pick customer_id: its profile shows the 20 planted nulls and a chart."""
    root = scope or page.locator("body")
    explorer = root.locator(".widget-vbox", has=page.get_by_text("Profile explorer", exact=True)).last
    expect(explorer).to_be_visible()
    labelled(explorer, "dropdown", "table").locator("select").first.select_option("orders")
    explorer.locator(".lm-TabBar-tab", has_text=re.compile(r"^Column$")).first.click()
    columns = labelled(explorer, "dropdown", "column").locator("select").first
    expect(columns.locator("option", has_text=re.compile(r"^total_amount$"))).to_have_count(1)  # orders' columns
    columns.select_option("customer_id")
    info = explorer.locator(".widget-html", has_text="customer_id").filter(visible=True).first
    stats = info.locator("tr", has_text="BIGINT").first  # column, type, inferred, nulls, ...
    expect(stats.locator("td, th").nth(0)).to_have_text("customer_id")
    expect(stats.locator("td, th").nth(3)).to_have_text("20")
    expect(explorer.locator(".jp-OutputArea-output img, .jp-OutputArea-output svg").filter(visible=True).first).to_be_visible()


def use_transform_studio(page: Page, scope: Locator | None = None) -> None:
    """Run the selected model: the studio reports it built and shows its rows and tests."""
    studio = (scope or page.locator("body")).locator(".wb-transform-studio").last
    expect(studio).to_be_visible()
    model = studio.locator(".widget-dropdown select").first.input_value()
    studio.locator(".wb-transform-run").click()
    expect(studio).to_contain_text(f"built {model}")
    expect(studio.locator("table").first).to_be_visible()


INTERACTIONS: dict[str, Callable[[Page], None]] = {
    "01_profile": use_profile_explorer,
    "02_architecture": use_architecture_simulator,
    "03_transform": use_transform_studio,
    "04_quality": use_expectation_builder,
}
