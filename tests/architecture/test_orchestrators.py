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
