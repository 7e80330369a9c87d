"""The orchestrators the workbench designs for: one enum, one spelling per tool.

Ground floor: imports nothing from the workbench but its errors. The value (``"dbt_cloud"``) is what designs
store and exporters switch on; :attr:`Orchestrator.label` (``"dbt Cloud"``) is what people read in reasons,
stacks and widgets. :meth:`Orchestrator.parse` accepts either spelling.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from workbench.errors import WorkbenchError, did_you_mean


class OrchestratorError(WorkbenchError, ValueError):
    """An orchestrator name that is none of the supported ones."""


class Orchestrator(StrEnum):
    AIRFLOW = "airflow"
    DAGSTER = "dagster"
    PREFECT = "prefect"
    DBT_CLOUD = "dbt_cloud"

    @property
    def label(self) -> str:
        """The tool's own name: Airflow, Dagster, Prefect, dbt Cloud."""
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str | Orchestrator) -> Orchestrator:
        """The orchestrator named by a value or a label, case-insensitive (``"dbt Cloud"``, ``"DBT_CLOUD"``...)."""
        if isinstance(text, cls):
            return text
        key = "_".join(str(text).strip().lower().replace("-", " ").split())
        try:
            return cls(key)
        except ValueError:
            valid = [o.value for o in cls]
            raise OrchestratorError(
                f"Unknown orchestrator {text!r}.",
                hint=" ".join(filter(None, [did_you_mean(key, valid),
                                            f"Use one of {', '.join(valid)} (or {', '.join(o.label for o in cls)})."])),
            ) from None


_LABELS: dict[Orchestrator, str] = {
    Orchestrator.AIRFLOW: "Airflow",
    Orchestrator.DAGSTER: "Dagster",
    Orchestrator.PREFECT: "Prefect",
    Orchestrator.DBT_CLOUD: "dbt Cloud",
}

#: a pydantic field holding an :class:`Orchestrator`: accepts either spelling, dumps the plain value
OrchestratorField = Annotated[Orchestrator, BeforeValidator(Orchestrator.parse),
                              PlainSerializer(lambda o: Orchestrator.parse(o).value, return_type=str)]
