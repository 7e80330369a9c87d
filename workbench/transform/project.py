"""TransformProject: models, sources, seeds, macros and tests, built in a DuckDB workspace.

A project comes from a dbt folder (``TransformProject.from_dbt(path)``) or is assembled in Python
(``proj.add_model("stg_orders", sql)``); both are the same specs. Parsing (Jinja render with
``ref``/``source`` recording) is cached per model text, so editing one model and rebuilding is
immediate.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import TransformError, did_you_mean
from workbench.transform import dag as dagmod
from workbench.transform.materialize import cte_name, inject_ctes, strip_sql
from workbench.transform.render_sql import Relation, Rendered, Renderer, docs_blocks
from workbench.transform.results import BuildResult, NodeResult
from workbench.transform.spec import (
    MATERIALIZATIONS,
    ColumnSpec,
    ModelSpec,
    SeedSpec,
    SingularTest,
    SourceTable,
    TestSpec,
    check_folder,
    check_name,
)

_REF_ARG = re.compile(r"""^\s*ref\(\s*['"](\w+)['"]\s*\)\s*$""")
_SOURCE_ARG = re.compile(r"""^\s*source\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]\s*\)\s*$""")
_ADDITIVE = ("tags",)


@dataclass
class CompiledModel:
    """A model's runnable SQL: ``cte_lines`` lines of inlined ephemeral CTEs come before its own SQL."""

    sql: str
    cte_lines: int = 0
    logs: list[str] = field(default_factory=list)


class TransformProject:
    """A dbt-style project: ``proj.build(ws)`` runs seeds, models in DAG order and tests."""

    def __init__(self, name: str = "workbench", *, schema: str = "main", vars: dict[str, Any] | None = None) -> None:
        self.name = check_name(name, "project")
        self.schema = schema
        self.vars: dict[str, Any] = dict(vars or {})
        self.models: dict[str, ModelSpec] = {}
        self.seeds: dict[str, SeedSpec] = {}
        self.sources: dict[str, SourceTable] = {}
        self.tests: list[TestSpec] = []
        self.singular_tests: dict[str, SingularTest] = {}
        self.macros: dict[str, str] = {}
        #: dbt_project.yml ``models: <project>:`` / ``seeds: <project>:`` trees (``+materialized`` by folder)
        self.folder_config: dict[str, Any] = {}
        self.seed_folder_config: dict[str, Any] = {}
        self.root: Path | None = None
        #: the source dbt_project.yml (from_dbt): export keeps the keys it does not regenerate
        self.dbt_project: dict[str, Any] = {}
        #: .md files holding ``{% docs %}`` blocks, by path relative to the project root
        self.doc_files: dict[str, str] = {}
        self.seed_files: dict[str, str] = {}
        self.last_build: BuildResult | None = None
        #: the latest result of every test, across (selective) builds
        self.test_results: dict[str, NodeResult] = {}
        self.compiled: dict[str, str] = {}
        self._ws = None
        self._renderer: Renderer | None = None
        self._parsed: dict[str, tuple[str, str, Rendered]] = {}

    # --- construction ------------------------------------------------------------------
    @classmethod
    def from_dbt(cls, path: str | os.PathLike) -> TransformProject:
        """Load a standard dbt project folder (dbt_project.yml, models/, seeds/, macros/, tests/)."""
        from workbench.transform.dbt_io import load_dbt_project

        return load_dbt_project(path)

    def _changed(self, *, macros: bool = False) -> None:
        if macros:
            self._renderer = None
            self._parsed.clear()

    def add_model(self, name: str, sql: str, *, folder: str = "", description: str = "",
                  columns: dict[str, str] | None = None, tests: dict[str, list[Any]] | None = None,
                  **config: Any) -> ModelSpec:
        """Add or replace (edit) a model. ``config`` as in dbt (``materialized='table'``, ``unique_key``...);
        ``tests`` maps a column (or ``None`` for model-level tests) to dbt-style test entries."""
        check_name(name)
        if name in self.seeds:
            raise TransformError(f"Model {name!r} has the same name as a seed.", hint="Names must be unique.")
        self._check_config(name, config)
        old = self.models.get(name)
        spec = ModelSpec(name=name, sql=sql, folder=check_folder(folder), config=dict(config),
                         description=description or (old.description if old else ""),
                         columns={c: ColumnSpec(name=c, description=d) for c, d in (columns or {}).items()}
                         or (old.columns if old else {}))
        self.models[name] = spec
        if tests is not None:
            from workbench.transform.dbt_io import parse_test_entries

            self.tests = [t for t in self.tests if t.target != name]
            for column, entries in tests.items():
                self.tests.extend(parse_test_entries(entries, name, column))
        return spec

    def edit_model(self, name: str, sql: str) -> ModelSpec:
        """Replace a model's SQL, keeping its folder, config, documentation and tests (an edit in place)."""
        model = self.require_model(name)
        model.sql = sql
        return model

    def add_source(self, source: str, tables: list[str] | dict[str, str], *, schema: str = "main") -> list[SourceTable]:
        """Bind source tables to workspace relations: ``add_source('shop', ['orders', 'customers'])``."""
        check_name(source, "source")
        out = []
        items = tables.items() if isinstance(tables, dict) else ((t, t) for t in tables)
        for table, identifier in items:
            st = SourceTable(source=source, name=check_name(table, "source table"), schema_name=schema,
                             identifier=identifier)
            self.sources[st.key] = st
            out.append(st)
        return out

    def add_seed(self, name: str, csv: str | os.PathLike, *, column_types: dict[str, str] | None = None,
                 folder: str = "") -> SeedSpec:
        """Add a seed from CSV text or a CSV file path."""
        check_name(name, "seed")
        if name in self.models:
            raise TransformError(f"Seed {name!r} has the same name as a model.", hint="Names must be unique.")
        text = str(csv)
        if "\n" not in text and Path(text).suffix.lower() == ".csv":
            self.seed_files[name] = str(Path(text).resolve())
            text = Path(text).read_text(encoding="utf-8")
        spec = SeedSpec(name=name, csv_text=text, folder=check_folder(folder), column_types=dict(column_types or {}))
        self.seeds[name] = spec
        return spec

    def add_test(self, test: str, target: str, column: str | None = None, *, severity: str = "error",
                 where: str | None = None, **kwargs: Any) -> TestSpec:
        """Attach a generic test: ``add_test('unique', 'stg_orders', 'order_id')``."""
        spec = TestSpec(test=test, target=target, column=column, kwargs=kwargs, severity=severity, where=where)
        self.tests = [t for t in self.tests if t.name != spec.name] + [spec]
        return spec

    def add_singular_test(self, name: str, sql: str, *, severity: str = "error") -> SingularTest:
        """A query whose rows are failures, as in ``tests/<name>.sql``."""
        spec = SingularTest(name=check_name(name, "test"), sql=sql, path=f"tests/{name}.sql", severity=severity)
        self.singular_tests[name] = spec
        return spec

    def add_macro(self, path: str, text: str) -> None:
        """Add a macro file (``macros/<path>``) of ``{% macro %}`` / ``{% test %}`` definitions."""
        path = path if path.startswith("macros/") else f"macros/{path}"
        if not path.endswith(".sql"):
            path += ".sql"
        self.macros[path] = text
        self._changed(macros=True)

    def set_vars(self, **values: Any) -> None:
        self.vars.update(values)
        self._parsed.clear()

    # --- documentation --------------------------------------------------------------------
    @property
    def docs(self) -> dict[str, str]:
        """Docs blocks (``{% docs name %}``) of the project's .md files: name -> text."""
        out: dict[str, str] = {}
        where: dict[str, str] = {}
        for path, text in sorted(self.doc_files.items()):
            for name, body in docs_blocks(text).items():
                if name in out:
                    raise TransformError(f"Docs block {name!r} is defined twice: in {where[name]} and {path}.",
                                         hint="dbt docs names are unique in a project; rename or remove one.")
                out[name], where[name] = body, path
        return out

    def describe(self, node: str, column: str | None = None) -> str:
        """The description of a model, seed or source (``source:src.table``) or of its column, doc() rendered."""
        spec = self.models.get(node) or self.seeds.get(node) or self.sources.get(node)
        if spec is None:
            raise TransformError(f"No model, seed or source named {node!r}.",
                                 hint=did_you_mean(node, [*self.models, *self.seeds, *self.sources]))
        text, label = spec.description, f"{node!r}"
        if column is not None:
            if column not in spec.columns:
                raise TransformError(f"{node!r} documents no column {column!r}.",
                                     hint=did_you_mean(column, spec.columns) or "Document it in its properties YAML.")
            text, label = spec.columns[column].description, f"{node!r} column {column!r}"
        return self.renderer.render_description(text, self.docs, node=f"Description of {label}")

    # --- config --------------------------------------------------------------------------
    @staticmethod
    def _check_config(name: str, config: dict[str, Any]) -> None:
        mat = config.get("materialized")
        if mat is not None and mat not in MATERIALIZATIONS:
            raise TransformError(f"Model {name!r}: unknown materialization {mat!r}.",
                                 hint=f"Use one of {', '.join(MATERIALIZATIONS)}.")

    def folder_config_for(self, model: ModelSpec) -> dict[str, Any]:
        """Config inherited from dbt_project.yml for the model's folder path (``+materialized`` etc.)."""
        return inherited_config(self.folder_config, [p for p in model.folder.split("/") if p] + [model.name])

    def config_for(self, name: str) -> dict[str, Any]:
        """Effective config: defaults < dbt_project.yml folders < model properties < config() in the SQL."""
        model = self.models[name]
        cfg: dict[str, Any] = {"materialized": "view"}
        for layer in (self.folder_config_for(model), model.config, self.parse(name).config):
            for k, v in layer.items():
                if k in _ADDITIVE:
                    cfg[k] = sorted(set(cfg.get(k, [])) | set([v] if isinstance(v, str) else v))
                else:
                    cfg[k] = v
        self._check_config(name, cfg)
        return cfg

    # --- parsing ---------------------------------------------------------------------------
    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = Renderer(self.macros, project_name=self.name, target=self.target())
        return self._renderer

    def target(self, database: str = "memory") -> dict[str, Any]:
        return {"name": "dev", "schema": self.schema, "type": "duckdb", "database": database, "threads": 1,
                "profile_name": self.name}

    def relation_for(self, name: str, config: dict[str, Any] | None = None) -> Relation:
        """Where a model or seed lives: ``target schema`` (or ``<schema>_<custom>``) and its alias."""
        if name in self.seeds:
            return Relation(self.schema, name)
        cfg = config if config is not None else self.config_for(name)
        schema = f"{self.schema}_{cfg['schema']}" if cfg.get("schema") else self.schema
        return Relation(schema, cfg.get("alias") or name)

    def source_relation(self, source: str, table: str) -> Relation:
        key = f"source:{source}.{table}"
        st = self.sources.get(key)
        if st is None:
            known = [k.removeprefix("source:") for k in self.sources]
            raise TransformError(
                f"source({source!r}, {table!r}) is not defined.",
                hint=(did_you_mean(f"{source}.{table}", known) + " ").lstrip()
                + "Declare it in a sources YAML file (sources: - name: ... tables: ...) or with proj.add_source().",
            )
        return Relation(st.schema_name, st.relation_name)

    def _missing_ref(self, name: str) -> TransformError:
        pool = [*self.models, *self.seeds]
        return TransformError(f"ref({name!r}): no model or seed named {name!r}.",
                              hint=did_you_mean(name, pool) or f"Models: {', '.join(sorted(pool)) or 'none'}.")

    def parse(self, name: str) -> Rendered:
        """Render a model once to learn its refs, sources and in-SQL config (cached per SQL text)."""
        model = self.models[name]
        cached = self._parsed.get(name)
        if cached and cached[0] == model.sql and cached[1] == model.folder:
            return cached[2]

        def ref(target: str, package: str | None) -> Any:
            if target not in self.models and target not in self.seeds:
                raise self._missing_ref(target)
            return Relation(self.schema, target)

        rendered = self.renderer.render(
            node=name, path=model.path, source=model.sql, resolve_ref=ref,
            resolve_source=self.source_relation, variables=self.vars,
            this=Relation(self.schema, name), incremental=False,
        )
        self._parsed[name] = (model.sql, model.folder, rendered)
        return rendered

    def dependencies(self) -> dict[str, set[str]]:
        """Node -> the models and seeds it refs (sources are not build nodes)."""
        deps: dict[str, set[str]] = {s: set() for s in self.seeds}
        for name in self.models:
            deps[name] = set(self.parse(name).refs)
        return deps

    def graph(self) -> tuple[dict[str, set[str]], list[str]]:
        """Dependencies and build order; raises TransformError on cycles or name clashes."""
        clash = set(self.models) & set(self.seeds)
        if clash:
            raise TransformError(f"Duplicate node names (model and seed): {', '.join(sorted(clash))}.",
                                 hint="Rename one of them: model and seed names share one namespace.")
        deps = self.dependencies()
        order = dagmod.build_order(deps)
        bound = {(st.schema_name, st.relation_name) for st in self.sources.values()}
        for name in order:
            if name in self.models and self.config_for(name)["materialized"] == "ephemeral":
                continue
            rel = self.relation_for(name)
            if (rel.schema, rel.identifier) in bound:
                raise TransformError(
                    f"{'Model' if name in self.models else 'Seed'} {name!r} would overwrite the source table "
                    f"{rel.schema}.{rel.identifier}.",
                    hint="Rename the model, or build into another schema: TransformProject(schema='analytics').",
                )
        return deps, order

    def dag(self) -> dict[str, list[str]]:
        """Every model and seed with its parents, sources included as ``source:src.table``."""
        out: dict[str, list[str]] = {s: [] for s in self.seeds}
        for name in self.models:
            r = self.parse(name)
            out[name] = sorted(r.refs) + sorted(r.sources)
        return out

    def tags(self) -> dict[str, set[str]]:
        return {**{s: set(self.seeds[s].config.get("tags", [])) for s in self.seeds},
                **{m: set(self.config_for(m).get("tags", [])) for m in self.models}}

    def node_paths(self) -> dict[str, str]:
        return {**{s: self.seeds[s].path for s in self.seeds}, **{m: self.models[m].path for m in self.models}}

    def test_parents(self, t: TestSpec) -> list[str]:
        """The nodes a generic test reads: its target and, for relationships, the ``to`` model."""
        parents = [t.target]
        to = t.kwargs.get("to")
        if isinstance(to, str):
            m = _REF_ARG.match(to)
            if m:
                parents.append(m.group(1))
            else:
                s = _SOURCE_ARG.match(to)
                if s:
                    parents.append(f"source:{s.group(1)}.{s.group(2)}")
        return parents

    def resolve_test_ref(self, to: str) -> Relation:
        """``ref('x')`` / ``source('a','b')`` / ``source:a.b`` / a bare name in a test argument -> its relation."""
        m = _REF_ARG.match(to)
        if m:
            to = m.group(1)
        s = _SOURCE_ARG.match(to)
        if s:
            return self.source_relation(s.group(1), s.group(2))
        if to.startswith("source:"):
            src, table = to.removeprefix("source:").split(".", 1)
            return self.source_relation(src, table)
        if to not in self.models and to not in self.seeds:
            raise self._missing_ref(to)
        return self.relation_for(to)

    # --- compiling --------------------------------------------------------------------------
    def compile(self, name: str, *, incremental: bool = False) -> CompiledModel:
        """The SQL DuckDB runs for a model (ephemeral parents inlined as CTEs), the lines the CTEs added
        before the model's own SQL, and the model's ``log()`` lines."""
        model = self.models[name]
        cfg = self.config_for(name)
        ephemerals: list[str] = []

        def ref(target: str, package: str | None) -> Any:
            if target in self.models and self.config_for(target)["materialized"] == "ephemeral":
                if target not in ephemerals:
                    ephemerals.append(target)
                return cte_name(target)
            if target not in self.models and target not in self.seeds:
                raise self._missing_ref(target)
            return self.relation_for(target)

        rendered = self.renderer.render(
            node=name, path=model.path, source=model.sql, resolve_ref=ref, resolve_source=self.source_relation,
            variables=self.vars, this=self.relation_for(name, cfg), incremental=incremental,
        )
        sql, added = inject_ctes(strip_sql(rendered.sql), self._ephemeral_chain(ephemerals))
        return CompiledModel(sql=sql, cte_lines=added, logs=rendered.logs)

    def _ephemeral_chain(self, names: list[str], seen: set[str] | None = None) -> list[tuple[str, str]]:
        """Ephemeral models (and the ephemerals they use) as (name, sql) in dependency order."""
        seen = seen if seen is not None else set()
        chain: list[tuple[str, str]] = []
        for name in names:
            if name in seen:
                continue
            seen.add(name)
            inner: list[str] = []
            model = self.models[name]

            def ref(target: str, package: str | None, inner: list[str] = inner) -> Any:
                if target in self.models and self.config_for(target)["materialized"] == "ephemeral":
                    inner.append(target)
                    return cte_name(target)
                if target not in self.models and target not in self.seeds:
                    raise self._missing_ref(target)
                return self.relation_for(target)

            rendered = self.renderer.render(node=name, path=model.path, source=model.sql, resolve_ref=ref,
                                            resolve_source=self.source_relation, variables=self.vars,
                                            this=Relation(self.schema, name))
            chain.extend(self._ephemeral_chain(inner, seen))
            chain.append((name, strip_sql(rendered.sql)))
        return chain

    # --- running ------------------------------------------------------------------------------
    def build(self, ws: Any, select: str | list[str] | None = None, *, full_refresh: bool = False,
              vars: dict[str, Any] | None = None) -> BuildResult:
        """Seeds, models in DAG order and their tests (like ``dbt build``) in ``ws``; returns a BuildResult."""
        from workbench.transform.runner import run_build

        if vars:
            self.set_vars(**vars)
        self._ws = ws
        result = run_build(self, ws, select=select, full_refresh=full_refresh)
        self.last_build = result
        self.test_results.update((n.name, n) for n in result.nodes if n.kind == "test")
        return result

    def preview(self, model: str, limit: int = 10, ws: Any = None):
        """The model's first rows (compiled SQL run in DuckDB) beside its tests' last results."""
        from workbench.transform.runner import preview

        return preview(self, self._workspace(ws), model, limit)

    def _workspace(self, ws: Any) -> Any:
        ws = ws or self._ws
        if ws is None:
            raise TransformError("This project has not been built in a workspace yet.",
                                 hint="Call proj.build(ws) first, or pass ws=...")
        return ws

    def require_model(self, name: str) -> ModelSpec:
        if name not in self.models:
            raise TransformError(f"No model named {name!r}.", hint=did_you_mean(name, self.models))
        return self.models[name]

    # --- lineage, lint, export ------------------------------------------------------------------
    def column_lineage(self, model: str, column: str, ws: Any = None):
        """Upstream (model, column) pairs feeding ``model.column``, through sqlglot against the live schema."""
        from workbench.transform.lineage import column_lineage

        return column_lineage(self, self._workspace(ws), model, column)

    def mermaid(self) -> str:
        """The model DAG as Mermaid flowchart text."""
        from workbench.transform.lineage import mermaid

        return mermaid(self)

    def lineage_chart(self):
        """The model DAG as an interactive Altair chart (hover for the node, click to highlight)."""
        from workbench.transform.lineage import dag_chart

        return dag_chart(self)

    def lint(self):
        """Naming and layering warnings from the design guide (stg_/int_/dim_/fct_/rpt_)."""
        from workbench.transform.lint import lint

        return lint(self)

    def export_dbt(self, path: str | os.PathLike, *, duckdb_path: str | None = None, overwrite: bool = False):
        """Write a dbt project (dbt_project.yml, profiles.yml for dbt-duckdb, models, schema.yml, seeds), with
        every file of the folder the project was read from that it does not regenerate."""
        from workbench.transform.dbt_io import export_dbt_project

        return export_dbt_project(self, path, duckdb_path=duckdb_path, overwrite=overwrite)

    def __repr__(self) -> str:
        return (f"TransformProject({self.name!r}, models={len(self.models)}, seeds={len(self.seeds)}, "
                f"sources={len(self.sources)}, tests={len(self.tests) + len(self.singular_tests)})")


def inherited_config(tree: dict[str, Any] | None, parts: list[str]) -> dict[str, Any]:
    """dbt_project.yml config for the node at ``parts`` (folders, then name): each level overrides the last."""
    cfg: dict[str, Any] = {}
    node: Any = tree or {}
    _merge_level(cfg, node)
    for part in parts:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            break
        node = node[part]
        _merge_level(cfg, node)
    return cfg


def _merge_level(cfg: dict[str, Any], level: dict[str, Any]) -> None:
    for key, value in level.items():
        if key.startswith("+"):
            key = key[1:]
        elif isinstance(value, dict):
            continue
        if key in _ADDITIVE:
            cfg[key] = sorted(set(cfg.get(key, [])) | set([value] if isinstance(value, str) else value))
        else:
            cfg[key] = value
