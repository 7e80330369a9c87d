"""The profile explorer widget binds controls to the core (driven here without a browser)."""

from __future__ import annotations

from workbench.sample_data import SNAPSHOT_AT
from workbench.ui.profile import profile_explorer


def test_explorer_follows_the_controls(sample_ws):
    ex = profile_explorer(sample_ws, reference_time=SNAPSHOT_AT)
    assert list(ex.table.options) == sample_ws.tables() and ex.table.value == "customers"
    assert "customers: 500 rows" in ex.summary.value and "malformed_pattern" in ex.alerts.value
    ex.table.value = "orders"
    assert "orders: 2,010 rows" in ex.summary.value and "negative_amounts" in ex.alerts.value
    assert list(ex.column.options)[0] == "order_id"
    ex.column.value = "created_at"
    assert "created_at" in ex.column_info.value and ex.column_charts.outputs
    spec = ex.column_charts.outputs[0]["data"]
    assert "image/svg+xml" in spec or any("vega" in k for k in spec)
    ex.suggest_button.click()
    assert ex.suite.name == "orders.suggested" and "expect_column_values_to_be_unique" in ex.suggestions.value
    ex.table.value = "customers"
    assert ex.suggestions.value == "" and set(ex.profiles) == {"customers", "orders"}


def test_explorer_on_nested_column(sample_ws):
    ex = profile_explorer(sample_ws, ["order_events"])
    ex.column.value = "after"
    assert "after" in ex.column_info.value and not ex.column_charts.outputs
