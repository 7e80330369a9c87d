"""workbench.orchestrators: one enum, values for designs, labels for people, parse for either."""

from __future__ import annotations

import pytest

from workbench.errors import WorkbenchError
from workbench.orchestrators import Orchestrator, OrchestratorError


def test_values_and_labels() -> None:
    assert [o.value for o in Orchestrator] == ["airflow", "dagster", "prefect", "dbt_cloud"]
    assert [o.label for o in Orchestrator] == ["Airflow", "Dagster", "Prefect", "dbt Cloud"]
    assert Orchestrator.DBT_CLOUD == "dbt_cloud"


@pytest.mark.parametrize(("text", "expected"), [
    ("airflow", Orchestrator.AIRFLOW), ("Airflow", Orchestrator.AIRFLOW), ("DAGSTER", Orchestrator.DAGSTER),
    (" Prefect ", Orchestrator.PREFECT), ("dbt Cloud", Orchestrator.DBT_CLOUD), ("dbt cloud", Orchestrator.DBT_CLOUD),
    ("dbt_cloud", Orchestrator.DBT_CLOUD), ("DBT-Cloud", Orchestrator.DBT_CLOUD),
    (Orchestrator.DAGSTER, Orchestrator.DAGSTER),
])
def test_parse_accepts_either_spelling(text: str, expected: Orchestrator) -> None:
    assert Orchestrator.parse(text) is expected


def test_parse_names_the_valid_values() -> None:
    with pytest.raises(OrchestratorError) as err:
        Orchestrator.parse("airflw")
    assert isinstance(err.value, WorkbenchError)
    assert "Did you mean 'airflow'?" in str(err.value)
    assert "airflow, dagster, prefect, dbt_cloud" in str(err.value) and "dbt Cloud" in str(err.value)


def test_recommendation_holds_the_enum_and_shows_the_label() -> None:
    import workbench as wb
    from workbench.architecture import SimulationSettings

    wl = wb.Workload(peak_events_per_sec=100, avg_event_bytes=500, latency_slo_seconds=86_400, destination="warehouse")
    rec = wb.recommend(wl, orchestrator="dbt Cloud")
    assert rec.orchestrator is Orchestrator.DBT_CLOUD
    assert "dbt Cloud" in rec.stack and "orchestrator dbt Cloud: SQL-centric ELT." in rec.reasons
    assert rec.model_dump()["orchestrator"] == "dbt_cloud" and type(rec.model_dump()["orchestrator"]) is str
    assert wb.recommend(wl, orchestrator=Orchestrator.DAGSTER).orchestrator is Orchestrator.DAGSTER
    assert SimulationSettings(orchestrator="Prefect").orchestrator is Orchestrator.PREFECT
    with pytest.raises(ValueError, match="Unknown orchestrator 'luigi'"):
        wb.recommend(wl, orchestrator="luigi")
