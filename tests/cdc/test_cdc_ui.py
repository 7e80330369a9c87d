"""The CDC widgets bind controls to the core; in a report they return the static result instead."""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets
from IPython.display import Markdown

from workbench.cdc import DeliveryResult
from workbench.charts import OFFLINE_ENV
from workbench.ui.cdc import backfill_panel, delivery_panel

FIXED = ("SELECT CAST(created_at AS DATE) AS order_date, count(*) AS orders FROM (SELECT DISTINCT * FROM orders) "
         "GROUP BY ALL")


def test_delivery_panel_runs_the_simulator_on_click(ews, monkeypatch):
    monkeypatch.delenv(OFFLINE_ENV, raising=False)
    panel = delivery_panel(ews, "order_events", "order_id", batch_size=3000)
    assert isinstance(panel, widgets.VBox)
    button = next(c for c in panel.children if isinstance(c, widgets.Button))
    button.click()
    assert ews.row_count("delivery_replica") == 1939


def test_panels_fall_back_to_static_results_in_a_report(ws, monkeypatch):
    monkeypatch.setenv(OFFLINE_ENV, "1")
    result = delivery_panel(ws, "order_events", "order_id", batch_size=3000)
    assert isinstance(result, DeliveryResult) and result.match
    ws.con.execute(f"CREATE TABLE daily AS {FIXED}")
    md = backfill_panel(ws, "daily", FIXED, "order_date", start=date(2026, 10, 1), end=date(2026, 10, 3))
    assert isinstance(md, Markdown) and "airflow backfill create --dag-id daily" in md.data
