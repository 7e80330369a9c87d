"""CDC widgets: the delivery simulator and the backfill planner, bound to ``workbench.cdc``.

Each panel is one call in a notebook cell; in a papermill report (no widget frontend) it returns the
static result of the default settings instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workbench.cdc import REASONS, backfill_playbook, plan_backfill, simulate_delivery
from workbench.ui.common import in_report, show
from workbench.workspace import Workspace


def delivery_panel(ws: Workspace, events: Any, key: str | list[str], *,
                   target: str = "delivery_replica", duplicate_rate: float = 0.1, reorder_window: int = 50,
                   batch_size: int = 1000, failure_at: float | None = 0.5, seed: int = 0) -> Any:
    """Sliders for duplicate rate, reorder window, batch size and crash point; Run shows both checksums."""
    def run(**kw: Any):
        return simulate_delivery(ws, events, key, target=target, **kw)

    if in_report():
        return run(duplicate_rate=duplicate_rate, reorder_window=reorder_window, batch_size=batch_size,
                   failure_at=failure_at, seed=seed)
    import ipywidgets as w

    dup = w.FloatSlider(value=duplicate_rate, min=0, max=0.9, step=0.05, description="duplicates")
    window = w.IntSlider(value=reorder_window, min=0, max=500, step=5, description="reorder window")
    batch = w.IntSlider(value=batch_size, min=50, max=5000, step=50, description="batch size")
    crash = w.Checkbox(value=failure_at is not None, description="crash every batch part-way")
    at = w.FloatSlider(value=failure_at or 0.5, min=0, max=0.95, step=0.05, description="crash point")
    seed_box = w.IntText(value=seed, description="seed")
    button = w.Button(description="Run delivery", button_style="primary")
    out = w.Output()

    def on_click(_: Any) -> None:
        out.clear_output()
        with out:
            from IPython.display import display

            display(run(duplicate_rate=dup.value, reorder_window=window.value, batch_size=batch.value,
                        failure_at=at.value if crash.value else None, seed=seed_box.value))

    button.on_click(on_click)
    return show(w.VBox([w.HBox([dup, window]), w.HBox([batch, seed_box]), w.HBox([crash, at]), button, out]))


def backfill_panel(ws: Workspace, target: str, source_sql: str, partition_column: str, *, start: date,
                   end: date, reason: str = "bug_fix", dag_id: str | None = None) -> Any:
    """Pick a date range and a reason; Plan shows the plan and its Markdown playbook (nothing is run)."""
    def plan(start_: date, end_: date, reason_: str):
        return plan_backfill(ws, target, source_sql, partition_column, start_, end_, reason_, dag_id=dag_id)

    if in_report():
        from IPython.display import Markdown

        return Markdown(backfill_playbook(plan(start, end, reason)))
    import ipywidgets as w

    first = w.DatePicker(value=start, description="from")
    last = w.DatePicker(value=end, description="to")
    why = w.Dropdown(options=[(p.label, k) for k, p in REASONS.items()], value=reason, description="reason")
    button = w.Button(description="Plan backfill", button_style="primary")
    out = w.Output()

    def on_click(_: Any) -> None:
        out.clear_output()
        with out:
            from IPython.display import Markdown, display

            display(Markdown(backfill_playbook(plan(first.value, last.value, why.value))))

    button.on_click(on_click)
    return show(w.VBox([w.HBox([first, last, why]), button, out]))
