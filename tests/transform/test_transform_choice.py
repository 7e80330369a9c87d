"""Which project the transform step builds: yours, the example on its own sample, else a scaffold."""

from __future__ import annotations

import pandas as pd
import pytest

import workbench as wb
from workbench.resources import example_dbt_project


@pytest.fixture()
def flights(tmp_path):
    pd.DataFrame({"iata": ["HND", "NRT", "KIX"], "city": ["Tokyo", "Narita", "Osaka"]}).to_csv(
        tmp_path / "airports.csv", index=False)
    dep = pd.date_range("2026-10-01", periods=90, freq="5h")
    pd.DataFrame({"FlightNo": [f"F{i}" for i in range(90)], "Origin": ["HND", "NRT", "KIX"] * 30,
                  "Seats": range(90), "DepartedAt": dep}).to_csv(tmp_path / "flights.csv", index=False)
    return wb.open_workspace(None, tmp_path)


def test_the_example_is_chosen_only_on_its_sample(sample_dir):
    ws = wb.open_workspace(None, sample_dir)
    choice = wb.choose_transform_project(ws)
    assert choice.origin == "example" and "every table its sources read is in your data" in choice.reason
    assert choice.project.build(ws).ok is not None
    assert wb.lineage_target(choice.project, ws) == ("dim_customers", "customer_lifetime_value")


def test_other_data_get_a_scaffold_and_a_daily_report_that_builds(flights):
    choice = wb.choose_transform_project(flights, wb.profile_dataset(flights), name="air")
    assert choice.origin == "scaffold" and choice.fact_model == "fct_flights"
    assert "shop" not in choice.reason and "orders" not in choice.reason
    result = choice.project.build(flights)
    assert result.ok
    name, sql, tests = wb.daily_report_model(choice.project, flights, choice.fact_model)
    assert name == "rpt_flights_daily" and "ref('fct_flights')" in sql
    choice.project.add_model(name, sql, folder="marts", materialized="table", tests=tests)
    built = choice.project.build(flights, select=name)
    days = flights.scalar("SELECT count(DISTINCT CAST(DepartedAt AS DATE)) FROM flights")
    assert built.ok and built[name].rows == days
    total = flights.scalar(f"SELECT sum(sum_seats) FROM {name}")
    assert total == sum(range(90))


def test_a_given_project_wins(flights):
    choice = wb.choose_transform_project(flights, dbt_project=example_dbt_project())
    assert choice.origin == "yours" and choice.reasons[0].endswith("chosen by you")


def test_without_a_profile_or_project_it_says_what_to_pass(flights):
    with pytest.raises(wb.TransformError, match="no profile to scaffold"):
        wb.choose_transform_project(flights)
