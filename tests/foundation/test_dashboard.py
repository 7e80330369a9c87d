"""The dashboard's tabs start from the data they are given, not from the sample."""

from __future__ import annotations

import html

import pandas as pd

from workbench.ui.dashboard import dashboard


def _find(widget, cls):
    """Every descendant widget carrying CSS class ``cls``."""
    out = [widget] if cls in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        out += _find(child, cls)
    return out


def test_dashboard_over_other_data_starts_from_its_fact_table(tmp_path):
    dep = pd.date_range("2026-10-01", periods=300, freq="17min")
    pd.DataFrame({"Tail": ["JA01", "JA02", "JA03"] * 100, "DepartedAt": dep,
                  "ArrivedAt": dep + pd.Timedelta(minutes=80)}).to_csv(tmp_path / "flights.csv", index=False)
    pd.DataFrame({"Tail": ["JA01", "JA02", "JA03"], "Built": pd.to_datetime(["2001-01-01"] * 3)}).to_csv(
        tmp_path / "aircraft.csv", index=False)
    board = dashboard(data_dir=str(tmp_path))
    assert list(board.titles) == ["Architecture", "Profile", "Data"]
    picker = _find(board, "wb-dashboard-source")[0]
    assert picker.value == ("flights", "DepartedAt")
    assert ("aircraft", "Built") in dict(picker.options).values()
    reason = html.unescape(_find(board, "wb-dashboard-focus")[0].value)
    assert "fact table 'flights'" in reason and "'ArrivedAt' is never before 'DepartedAt'" in reason
    explorer = board.children[1]
    assert explorer.table.value == "flights"
