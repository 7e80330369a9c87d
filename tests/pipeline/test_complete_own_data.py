"""complete_design on data the project did not generate: flights with natural keys, no change stream, no orders."""

from __future__ import annotations

import pandas as pd

import workbench as wb


def test_complete_design_on_other_data_chooses_from_it_and_builds_no_shop_models(tmp_path):
    pd.DataFrame({"iata": ["HND", "NRT", "KIX"], "city": ["Tokyo", "Narita", "Osaka"]}).to_csv(
        tmp_path / "airports.csv", index=False)
    dep = pd.date_range("2026-10-01", periods=600, freq="37min")
    pd.DataFrame({"FlightNo": [f"F{i}" for i in range(600)], "Origin": ["HND", "NRT", "KIX", "XXX"] * 150,
                  "DepartedAt": dep, "ArrivedAt": dep + pd.Timedelta(minutes=95)}).to_parquet(tmp_path / "flights.parquet")
    ws = wb.open_workspace(None, tmp_path)
    design = wb.PipelineDesign()
    filled = wb.complete_design(design, ws, data_dir=tmp_path)
    assert filled[0].startswith("focus (fact table 'flights'") and "arrival time 'DepartedAt'" in filled[0]
    assert any(f.startswith("transforms (scaffold:") for f in filled)
    models = {m.name for m in design.transforms.models}
    assert {"stg_airports", "stg_flights", "fct_flights"} <= models and not any("order" in m for m in models)
    assert sorted(s.name for s in design.sources) == ["airports", "flights"]
    assert {"airports", "flights"} <= {s.table for s in design.quality.suites}
    chosen = {(c.step, c.choice) for c in design.choices}
    assert ("export", "fact table 'flights'") in chosen and ("transform", "fct_flights") in chosen
    b = design.backfill
    assert b.partition_column == "DepartedAt" and b.estimated_rows and b.end == dep.max().date()


def test_complete_design_windows_the_extract_on_an_update_column_found_by_its_values(tmp_path):
    dep = pd.date_range("2026-10-01", periods=200, freq="3h")
    pd.DataFrame({"FlightNo": [f"F{i}" for i in range(200)], "DepartedAt": dep,
                  "Touched": dep + pd.Timedelta(hours=5)}).to_csv(tmp_path / "flights.csv", index=False)
    design = wb.PipelineDesign()
    filled = wb.complete_design(design, wb.open_workspace(None, tmp_path), data_dir=tmp_path)
    flights = next(s for s in design.sources if s.name == "flights")
    assert design.cdc.method == "timestamp" and flights.update_column == "Touched"  # not named like updated_at
    assert "cdc (timestamp)" in filled
    assert any(c.step == "cdc" and "Touched" in c.reason for c in design.choices)
