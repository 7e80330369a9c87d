"""The dbt project: ``dbt/`` written by the transform step's ``TransformProject.export_dbt``.

The project is rebuilt from the design's transforms (models with their dbt SQL and config, sources,
seeds, macros, tests), so the design file alone is enough; a staging model recorded without SQL
reads its source as is. Staging models protect the PII their source holds (unless log-based CDC already
did at capture, see ``debezium.py``): ``hash`` → a salted SHA-256 (the salt from ``env_var``), ``mask`` →
``*`` × N, ``drop`` → excluded; tests that read a protected column's clear value run on the source instead.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from workbench.design.export.base import Output
from workbench.errors import ExportError

if TYPE_CHECKING:
    from workbench.design.model import PIIField, PipelineDesign, TransformModel, TransformTest


def staging_sql(d: PipelineDesign, table: str) -> str:
    return f"select * from {{{{ source('{d.transforms.source_name}', '{table}') }}}}\n"


def protected_fields(d: PipelineDesign, m: TransformModel) -> list[PIIField]:
    """The hashed, masked or dropped PII columns staging model ``m`` passes on from its one source table."""
    if d.cdc.method == "log" or m.layer != "staging" or len(m.sources) != 1:
        return []
    table = source_identifiers(d).get(m.sources[0], m.sources[0])
    sql = m.sql or "*"
    return [f for f in d.pii.fields if f.table == table and f.handling in ("hash", "mask", "drop")
            and ("*" in sql or re.search(rf"\b{re.escape(f.column)}\b", sql))]


def protect_pii(d: PipelineDesign, m: TransformModel, sql: str) -> str:
    """``sql`` wrapped so its PII columns leave hashed, masked or dropped (DuckDB ``* exclude`` / ``* replace``)."""
    fields = protected_fields(d, m)
    if not fields:
        return sql
    salt = f"{{{{ env_var('{d.pii.salt_env_var}') }}}}"
    stars = "*" * d.pii.mask_chars
    replace = [f'sha256(\'{salt}\' || cast("{f.column}" as varchar)) as "{f.column}"' if f.handling == "hash"
               else f'if("{f.column}" is null, null, \'{stars}\') as "{f.column}"'
               for f in fields if f.handling != "drop"]
    exclude = [f'"{f.column}"' for f in fields if f.handling == "drop"]
    star = "*" + (f" exclude ({', '.join(exclude)})" if exclude else "") + (
        f" replace ({', '.join(replace)})" if replace else "")
    return f"select {star}\nfrom (\n{sql.rstrip().rstrip(';')}\n) as pii_protected\n"


def check_target(d: PipelineDesign, m: TransformModel, test: TransformTest) -> str:
    """Where a model's test runs: on the source when it reads a column the model protects (the clear values)."""
    text = " ".join(str(x) for x in (test.column, test.where, *test.kwargs.values()) if x is not None)
    if any(re.search(rf"\b{re.escape(f.column)}\b", text) for f in protected_fields(d, m)):
        return f"source:{d.transforms.source_name}.{m.sources[0]}"
    return m.name


def source_freshness(d: PipelineDesign, table: str) -> tuple[str | None, dict | None]:
    """dbt ``source freshness`` of one source: its arrival column (update, else event time, from the profile),
    warning after the design's freshness delay and erroring after twice it; nothing without such a column."""
    src = next((s for s in d.sources if s.name == table), None)
    column = src and (src.update_column or src.timestamp_column)
    delay = d.monitoring.freshness_max_delay_seconds
    if not column or not delay or not d.monitoring.enabled:
        return None, None
    hours = math.ceil(delay / 3600)
    field = '"' + column.replace('"', '""') + '"'
    dtype = next((c.type.upper() for c in src.columns if c.name == column), "TIMESTAMP")
    if "INT" in dtype:  # an epoch stamp: dbt compares a timestamp
        field = f"epoch_ms({field})" if column.lower().endswith("_ms") else f"to_timestamp({field})"
    elif not dtype.startswith(("TIMESTAMP", "DATE")):
        return None, None
    return field, {"warn_after": {"count": hours, "period": "hour"}, "error_after": {"count": 2 * hours, "period": "hour"}}


def source_identifiers(d: PipelineDesign) -> dict[str, str]:
    """dbt source table name -> the table it reads: a source whose name is not an identifier (``seattle-weather``)
    gets its snake_case name, as the scaffolded staging models call it, and reads the table by ``identifier``."""
    from workbench.transform import snake_names

    raw = snake_names([s.name for s in d.sources])
    out = {dbt_name: table for table, dbt_name in raw.items()}
    for m in d.transforms.models:
        for name in m.sources:
            out.setdefault(name, name)
    return dict(sorted(out.items()))


def project_from_design(d: PipelineDesign):
    """A ``TransformProject`` holding the design's models, sources, seeds, macros and tests."""
    from workbench.transform import TransformProject

    t = d.transforms
    proj = TransformProject(t.project_name, schema=t.build_schema, vars=dict(t.vars))
    proj.folder_config = dict(t.folder_config)
    for path, text in t.macros.items():
        proj.add_macro(path, text)
    tables = source_identifiers(d)
    if tables:
        for st in proj.add_source(t.source_name, tables, schema=t.source_schema):
            st.loaded_at_field, st.freshness = source_freshness(d, st.identifier or st.name)
    for seed in t.seeds:
        proj.add_seed(seed.name, seed.csv, column_types=seed.column_types, folder=seed.folder)
    missing = []
    for m in t.models:
        sql = m.sql
        if sql is None and m.layer == "staging" and len(m.sources) == 1:
            sql = staging_sql(d, m.sources[0])
        if sql is None:
            missing.append(m.name)
            continue
        sql = protect_pii(d, m, sql)
        config = dict(m.config)
        config.setdefault("materialized", m.materialized)
        if m.unique_key:
            config.setdefault("unique_key", m.unique_key[0] if len(m.unique_key) == 1 else list(m.unique_key))
        proj.add_model(m.name, sql, folder=m.folder or m.layer, description=m.description, columns=m.columns or None,
                       **config)
    if missing:
        raise ExportError(f"dbt models {missing} have no SQL in the design.",
                          hint="Record the transform step's project (design.record_transforms(proj)) or set "
                               "transforms.models[].sql.")
    for m in t.models:
        for test in m.tests:
            proj.add_test(test.test, check_target(d, m, test), test.column, severity=test.severity, where=test.where,
                          **test.kwargs)
    for test in t.extra_tests:
        proj.add_test(test.test, test.target, test.column, severity=test.severity, where=test.where, **test.kwargs)
    for st in t.singular_tests:
        proj.add_singular_test(st.name, st.sql, severity=st.severity)
    return proj


def write(design: PipelineDesign, out: Output) -> None:
    folder = out.root / "dbt"
    # the pipeline's embedded warehouse: $PIPELINE_HOME/warehouse.duckdb (dbt runs from dbt/, so .. by default)
    project_from_design(design).export_dbt(folder, duckdb_path="{{ env_var('PIPELINE_HOME', '..') }}/warehouse.duckdb")
    out.adopt(folder)
