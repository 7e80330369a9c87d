"""Designs are named after their data: a declared package name, the folder, the fact table; user names win."""

from __future__ import annotations

import json

import pandas as pd

import workbench as wb


def test_a_declared_data_package_names_the_design(tmp_path):
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "Air Traffic", "title": "Air traffic"}))
    names = wb.dataset_names(tmp_path)
    assert (names.name, names.title) == ("air_traffic", "Air traffic pipeline")
    assert "datapackage.json" in names.reason


def test_the_folder_names_the_design_unless_it_is_generic(tmp_path):
    flights = tmp_path / "Flight-Ops 2026"
    flights.mkdir()
    assert wb.dataset_names(flights).name == "flight_ops_2026"
    generic = tmp_path / "data"
    generic.mkdir()
    assert wb.dataset_names(generic, fact_table="Flights").name == "flights"
    assert wb.dataset_names(generic).name == "pipeline"
    digits = tmp_path / "2026"
    digits.mkdir()
    assert wb.dataset_names(digits).name == "d_2026"


def test_name_design_fills_only_default_names(tmp_path):
    design = wb.PipelineDesign(sources=[{"name": "flights"}])
    design.orchestration.pipeline_id = "ops_daily"
    done = wb.name_design(design, wb.dataset_names(tmp_path / "x", fact_table="flights"))
    assert design.name == "flights_pipeline" and design.title == "Flights pipeline"
    assert design.orchestration.pipeline_id == "ops_daily" and "pipeline_id" not in done
    assert design.transforms.source_name == "flights" and design.cdc.connector_name == "flights-postgres-cdc"
    assert design.sources[0].domain == "flights" and design.cdc.topic_prefix == "flights"
    assert wb.name_design(design, wb.dataset_names(None, fact_table="other")) == []


def test_the_sample_keeps_its_shop_names(sample_dir):
    assert wb.dataset_names(sample_dir).name == "shop"
    assert wb.read_data_package(sample_dir).extracted_at == "2026-11-01T00:00:00+00:00"


def test_complete_design_names_a_design_over_other_data_after_it(tmp_path):
    folder = tmp_path / "airline"
    folder.mkdir()
    dep = pd.date_range("2026-10-01", periods=50, freq="h")
    pd.DataFrame({"FlightNo": range(50), "DepartedAt": dep}).to_csv(folder / "flights.csv", index=False)
    design = wb.PipelineDesign()
    filled = wb.complete_design(design, wb.open_workspace(None, folder), data_dir=folder)
    assert any(f.startswith("names (named 'airline' after the data folder") for f in filled)
    text = design.model_dump_json()
    assert "shop" not in text and "orders" not in text
