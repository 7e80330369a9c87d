"""Step 3 — dbt-style transforms in DuckDB: load, build, test, trace and export dbt projects.

``TransformProject.from_dbt(path)`` loads a dbt project; ``proj.build(ws)`` runs it in the workspace
and returns a ``BuildResult``; ``proj.export_dbt(path)`` writes a project real dbt builds the same.
Without a dbt project, ``scaffold_project(ws, dataset)`` builds a staging -> marts one from the profile.
"""

from __future__ import annotations

from workbench.transform.project import TransformProject
from workbench.transform.results import BuildResult, NodeResult
from workbench.transform.scaffold import ScaffoldResult, scaffold_project, snake_names

__all__ = ["TransformProject", "BuildResult", "NodeResult", "ScaffoldResult", "scaffold_project", "snake_names"]
