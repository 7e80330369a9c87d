"""Which transform project the transform step works on, and why (an explicit project wins).

``choose_transform_project(ws, dataset, dbt_project=...)``: a given dbt project folder is read as is; without
one, the bundled example (``examples/shop_dbt``) when every table its sources read is in the workspace (the
sample it was written for), else a project scaffolded from the profile (``scaffold_project``). The choice also
names the model to look at (the main mart) and the column whose lineage to draw (the mart column that the most
upstream columns influence), so the step's cells need no model names.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from workbench.errors import TransformError
from workbench.profiling.models import DatasetProfile
from workbench.resources import example_dbt_project
from workbench.sqltypes import is_numeric, is_timestamp, normalize
from workbench.transform.project import TransformProject
from workbench.transform.scaffold import jinja_safe, scaffold_project
from workbench.workspace import Workspace, quote_ident


class TransformChoice(BaseModel):
    """The project, where it came from (``yours`` | ``example`` | ``scaffold``), the reasons, the model to show."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    project: TransformProject
    origin: str
    reasons: list[str]
    main_model: str | None = None
    fact_model: str | None = None

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _example_fits(ws: Workspace, proj: TransformProject) -> list[str]:
    """The tables the example's sources read that the workspace lacks."""
    return sorted({s.identifier or s.name for s in proj.sources.values()} - set(ws.tables()))


def _marts(proj: TransformProject) -> list[str]:
    _, order = proj.graph()
    return [m for m in order if m in proj.models and (proj.models[m].folder.split("/")[0] == "marts"
                                                       or m.startswith(("fct_", "dim_")))]


def _shown(proj: TransformProject) -> dict[str, str | None]:
    """The main mart (first built) and the fact model (the first ``fct_`` mart, else the main one)."""
    marts = _marts(proj) or [m for m in proj.graph()[1] if m in proj.models][-1:]
    main = next(iter(marts), None)
    return {"main_model": main, "fact_model": next((m for m in marts if m.startswith("fct_")), main)}


def choose_transform_project(ws: Workspace, dataset: DatasetProfile | None = None, *,
                             dbt_project: str | Path | None = None, name: str | None = None,
                             fact_table: str | None = None, timestamp_column: str | None = None) -> TransformChoice:
    """The project the step builds (rule in the module docstring); ``dataset`` is needed only to scaffold."""
    if dbt_project:
        proj = TransformProject.from_dbt(dbt_project)
        return TransformChoice(project=proj, origin="yours",
                               reasons=[f"the dbt project {str(dbt_project)!r}: chosen by you"], **_shown(proj))
    example = TransformProject.from_dbt(example_dbt_project())
    missing = _example_fits(ws, example)
    if not missing:
        return TransformChoice(project=example, origin="example",
                               reasons=[f"the bundled example {example_dbt_project().name}: every table its sources "
                                        "read is in your data (pass dbt_project= to use your own)"],
                               **_shown(example))
    if dataset is None:
        raise TransformError("There is no dbt project to build and no profile to scaffold one from.",
                             hint="Pass dbt_project= a dbt project folder, or dataset=profile_dataset(ws).")
    scaffold = scaffold_project(ws, dataset, fact_table=fact_table, timestamp_column=timestamp_column, name=name)
    why = (f"a project scaffolded from the profile: no dbt project given, and {len(missing)} of the tables the "
           "bundled example reads are not in your data (it was written for the sample)")
    return TransformChoice(project=scaffold.project, origin="scaffold", reasons=[why, *scaffold.reasons],
                           main_model=scaffold.dim_model or scaffold.fct_model, fact_model=scaffold.fct_model)


def lineage_target(proj: TransformProject, ws: Workspace, model: str | None = None) -> tuple[str, str] | None:
    """(model, column) whose lineage tells most: in ``model`` (default: every built mart), the measure (a numeric
    column that is not an ``*_id``; any column when there is none) with the most upstream columns; ties go to
    the earlier model and column. None when no mart is built."""
    candidates = []
    for m in [model] if model else _marts(proj):
        rel = proj.relation_for(m)
        if ws.has_table(rel.identifier):
            schema = ws.schema(rel.identifier)
            candidates += [(m, c, is_numeric(t) and not c.lower().endswith("_id")) for c, t in schema.items()]
    pool = [(m, c) for m, c, measure in candidates if measure] or [(m, c) for m, c, _ in candidates]
    if not pool:
        return None
    sizes = [len(proj.column_lineage(m, c, ws)) for m, c in pool]
    return pool[max(range(len(pool)), key=lambda i: (sizes[i], -i))]


def daily_report_model(proj: TransformProject, ws: Workspace, model: str) -> tuple[str, str, dict[str, list[str]]]:
    """(name, SQL, column tests) of ``rpt_<entity>_daily``: rows per day of built ``model`` (its first DATE or
    timestamp column) and the sum of its first measure; raises when the model has no date or timestamp."""
    schema = ws.schema(proj.relation_for(model).identifier)
    day = next((c for c, t in schema.items() if normalize(t) == "DATE"), None)
    stamp = next((c for c, t in schema.items() if is_timestamp(t)), None)
    if not (day or stamp):
        raise TransformError(f"Model {model!r} has no date or timestamp column to report per day.",
                             hint=f"Its columns: {', '.join(schema)}.")
    def q(col: str) -> str:
        return jinja_safe(quote_ident(col))

    day_sql = q(day) if day else f"CAST({q(stamp)} AS DATE)"
    measure = next((c for c, t in schema.items() if is_numeric(t) and not c.lower().endswith("_id")), None)
    total = f", round(sum({q(measure)}), 2) AS {q('sum_' + measure)}" if measure else ""
    entity = model.split("_", 1)[1] if model.startswith(("fct_", "dim_", "int_", "rpt_")) else model
    sql = (f"SELECT {day_sql} AS day, count(*) AS row_count{total}\nFROM {{{{ ref('{model}') }}}}\n"
           f"WHERE {day_sql} IS NOT NULL\nGROUP BY 1")
    return f"rpt_{entity}_daily", sql, {"day": ["unique", "not_null"]}
