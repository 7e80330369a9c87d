"""Name a design after its data: the DAG id, dbt project, topics and connector say what the data are.

The name is, in order: the ``name`` (and ``title``) the data folder declares (``read_data_package``), the
folder's name in snake_case unless it is a generic one (``data``, ``input``, ``exports``...), the fact table's
name, else ``pipeline``.
``name_design`` only fills names still at the model's defaults: a name a user (or an earlier step) set wins.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from workbench.datapackage import read_data_package
from workbench.design.model import PipelineDesign
from workbench.design.parts import CDCPlan, Orchestration, Source, Transforms
from workbench.pipeline.policies import snake

#: folder names that say nothing about the data
GENERIC_FOLDERS = frozenset({
    "data", "sample_data", "sample", "samples", "input", "inputs", "files", "export", "exports", "raw", "tmp",
    "temp", "csv", "parquet", "json", "dataset", "datasets", "downloads", "in", "src", "source", "sources", "extract",
    "extracts", "dump", "dumps", "landing", "staging"})


class DesignNames(BaseModel):
    """A design's base name (snake_case), its title, and why."""

    name: str
    title: str
    reason: str


def dataset_names(data_dir: str | Path | None = None, *, fact_table: str | None = None) -> DesignNames:
    """The design's name from the data (rule in the module docstring)."""
    package = read_data_package(data_dir)
    title = package.title
    if package.name and snake(package.name) != "x":
        name, why = snake(package.name), f"the name {package.name!r} declared in {package.file}"
    elif data_dir and snake(Path(data_dir).resolve().name) not in GENERIC_FOLDERS | {"x"}:
        folder = Path(data_dir).resolve().name
        name, why = snake(folder), f"the data folder {folder!r}"
    elif fact_table:
        name, why = snake(fact_table), f"the fact table {fact_table!r} (the data folder's name is generic)"
    else:
        name, why = "pipeline", "nothing names the data"
    if name[0].isdigit():
        name = f"d_{name}"
    title = title or name.replace("_", " ").capitalize()
    return DesignNames(name=name, title=f"{title} pipeline", reason=f"named {name!r} after {why}")


def _default(model: type, field: str) -> object:
    return model.model_fields[field].default


def name_design(design: PipelineDesign, names: DesignNames) -> list[str]:
    """Set every name of ``design`` still at its default from ``names``; returns the fields set."""
    base = names.name
    wanted = [
        (design, PipelineDesign, "name", f"{base}_pipeline"),
        (design, PipelineDesign, "title", names.title),
        (design.orchestration, Orchestration, "pipeline_id", f"{base}_pipeline"),
        (design.transforms, Transforms, "project_name", base),
        (design.transforms, Transforms, "source_name", base),
        (design.cdc, CDCPlan, "connector_name", f"{base.replace('_', '-')}-postgres-cdc"),
        (design.cdc, CDCPlan, "topic_prefix", base),
    ]
    wanted += [(s, Source, f, base) for s in design.sources for f in ("database", "domain")]
    done = []
    for obj, model, field, value in wanted:
        if getattr(obj, field) == _default(model, field) and value != getattr(obj, field):
            setattr(obj, field, value)
            done.append(field)
    design.check_in_place()
    return list(dict.fromkeys(done))
