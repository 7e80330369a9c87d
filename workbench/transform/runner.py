"""``dbt build`` semantics in one pass: seeds and models in DAG order, each followed by its tests.

A model whose SQL fails is an ``error`` node (with the model's line and DuckDB's message) and its
descendants are ``skipped``; an error-severity test that fails also skips what is downstream of the
model it tests, as ``dbt build`` does. Warn-severity failures are reported but never block.
"""

from __future__ import annotations

import html
import time
from typing import Any

from pydantic import BaseModel, ConfigDict

from workbench.errors import TransformError
from workbench.transform import dag as dagmod
from workbench.transform.materialize import SqlFailure, existing_kind, load_seed, materialize
from workbench.transform.render_sql import Relation
from workbench.transform.results import BuildResult, NodeResult
from workbench.transform.tests import compile_test, is_builtin, run_test_sql
from workbench.workspace import quote_ident


def sql_error_message(proj: Any, name: str, sql: str, failure: SqlFailure, cte_lines: int) -> str:
    """``Model 'x' (models/x.sql), line 3 `wher id = 1`: Parser Error: ...`` from DuckDB's report."""
    model = proj.models[name]
    where = ""
    if failure.line is not None:
        compiled = sql.splitlines()
        text = compiled[failure.line - 1].strip() if 0 < failure.line <= len(compiled) else ""
        own = failure.line - cte_lines
        if own <= 0:
            where = f", in an inlined ephemeral model (compiled line {failure.line})"
        elif _line_count(model.sql) == _line_count(sql) - cte_lines:
            where = f", line {own}"
        else:
            where = f", compiled line {own}"
        if text:
            where += f" `{text}`"
    return f"Model {name!r} ({model.path}){where}: {failure.message}"


def _line_count(sql: str) -> int:
    return sql.rstrip().rstrip(";").rstrip().count("\n") + 1


def run_build(proj: Any, ws: Any, *, select: Any = None, full_refresh: bool = False) -> BuildResult:
    started = time.perf_counter()
    con = ws.con
    proj.renderer.target = proj.target(con.execute("SELECT current_database()").fetchone()[0])
    deps, order = proj.graph()
    chosen = dagmod.select(select, deps, tags=proj.tags(), folders=proj.node_paths())
    nodes: list[NodeResult] = []
    status: dict[str, str] = {}
    blocked: dict[str, str] = {}
    schemas_made: set[str] = set()

    def ensure_schema(schema: str) -> None:
        if schema not in schemas_made:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
            schemas_made.add(schema)

    generic = [t for t in proj.tests if select is None or any(p in chosen for p in proj.test_parents(t))]
    singular = dict(proj.singular_tests)
    singular_parents = {n: _singular_refs(proj, s) for n, s in singular.items()}
    if select is not None:
        singular = {n: s for n, s in singular.items() if any(p in chosen for p in singular_parents[n])}
    pending = [("generic", t) for t in generic] + [("singular", s) for s in singular.values()]

    def parents_of(item: tuple[str, Any]) -> list[str]:
        kind, t = item
        return proj.test_parents(t) if kind == "generic" else singular_parents[t.name]

    def run_ready_tests() -> None:
        nonlocal pending
        still = []
        for item in pending:
            parents = [p for p in parents_of(item) if not p.startswith("source:")]
            if any(p in chosen and p not in status for p in parents):
                still.append(item)
                continue
            nodes.append(_run_test(proj, con, item, parents, status, blocked))
        pending = still

    run_ready_tests()  # tests on sources only
    for name in order:
        if name not in chosen:
            continue
        t0 = time.perf_counter()
        bad = [d for d in deps[name] if status.get(d) in ("error", "skipped") or d in blocked]
        if bad:
            why = blocked.get(bad[0]) or f"upstream {bad[0]!r} {status.get(bad[0])}"
            status[name] = "skipped"
            nodes.append(NodeResult(name=name, kind="seed" if name in proj.seeds else "model", status="skipped",
                                    message=f"skipped: {why}"))
            run_ready_tests()
            continue
        if name in proj.seeds:
            ensure_schema(proj.schema)
            try:
                rows = load_seed(con, proj.schema, proj.seeds[name], proj.seed_files.get(name))
                nodes.append(NodeResult(name=name, kind="seed", status="success", rows=rows, materialized="seed",
                                        relation=f"{proj.schema}.{name}", seconds=time.perf_counter() - t0))
                status[name] = "success"
            except TransformError as exc:
                nodes.append(NodeResult(name=name, kind="seed", status="error", message=str(exc),
                                        seconds=time.perf_counter() - t0))
                status[name] = "error"
        else:
            nodes.append(_build_model(proj, con, name, full_refresh, ensure_schema, t0))
            status[name] = nodes[-1].status
        run_ready_tests()
    ok = all(n.ok for n in nodes)
    return BuildResult(ok=ok, nodes=nodes, seconds=time.perf_counter() - started)


def _build_model(proj: Any, con: Any, name: str, full_refresh: bool, ensure_schema: Any, t0: float) -> NodeResult:
    cfg = proj.config_for(name)
    mat = cfg["materialized"]
    rel = proj.relation_for(name, cfg)
    base = dict(name=name, kind="model", materialized=mat, relation=f"{rel.schema}.{rel.identifier}")
    try:
        incremental = (mat == "incremental" and not full_refresh
                       and existing_kind(con, rel.schema, rel.identifier) == "table")
        compiled = proj.compile(name, incremental=incremental)
        sql = compiled.sql
        proj.compiled[name] = sql
        if mat == "ephemeral":
            return NodeResult(**base, status="success", message="inlined as a CTE where it is used",
                              compiled_sql=sql, seconds=time.perf_counter() - t0)
        ensure_schema(rel.schema)
        rows = materialize(con, schema=rel.schema, name=rel.identifier, sql=sql, materialized=mat,
                           incremental_run=incremental, strategy=cfg.get("incremental_strategy"),
                           unique_key=cfg.get("unique_key"))
    except SqlFailure as failure:
        return NodeResult(**base, status="error",
                          message=sql_error_message(proj, name, sql, failure, compiled.cte_lines),
                          compiled_sql=sql, seconds=time.perf_counter() - t0)
    except TransformError as exc:
        return NodeResult(**base, status="error", message=str(exc), seconds=time.perf_counter() - t0)
    return NodeResult(**base, status="success", rows=rows, compiled_sql=sql, message="; ".join(compiled.logs),
                      seconds=time.perf_counter() - t0)


def _singular_refs(proj: Any, s: Any) -> list[str]:
    def ref(target: str, package: str | None) -> Any:
        if target not in proj.models and target not in proj.seeds:
            raise proj._missing_ref(target)
        return Relation(proj.schema, target)

    r = proj.renderer.render(node=s.name, path=s.path, source=s.sql, resolve_ref=ref,
                             resolve_source=proj.source_relation, variables=proj.vars)
    if r.config.get("severity"):
        s.severity = str(r.config["severity"]).lower()
    return [*r.refs, *r.sources]


def _test_sql(proj: Any, item: tuple[str, Any]) -> tuple[str, list[Any]]:
    kind, t = item
    if kind == "singular":
        rendered = proj.renderer.render(node=t.name, path=t.path, source=t.sql,
                                        resolve_ref=lambda n, p: proj.relation_for(n),
                                        resolve_source=proj.source_relation, variables=proj.vars)
        return rendered.sql.strip().rstrip(";"), []
    model_rel = proj.resolve_test_ref(t.target)
    resolve = lambda to: proj.resolve_test_ref(to).render()  # noqa: E731
    macro = "test_" + t.test.split(".")[-1]
    if is_builtin(t.test) or macro not in proj.renderer.macro_names:
        return compile_test(t, model_rel.render(), resolve)  # an unknown test raises there
    args = ", ".join(f"{k}=__kw[{k!r}]" for k in t.kwargs)
    call = f"{{{{ {macro}(model=__model, column_name=__col{', ' + args if args else ''}) }}}}"
    rendered = proj.renderer.render(node=t.name, path=f"tests/{t.name}", source=call,
                                    resolve_ref=lambda n, p: proj.relation_for(n),
                                    resolve_source=proj.source_relation, variables=proj.vars,
                                    extra={"__model": model_rel, "__col": t.column, "__kw": t.kwargs})
    return rendered.sql.strip().rstrip(";"), []


def _missing(proj: Any, con: Any, node: str) -> bool:
    """True when a model or seed a test reads (but this build did not select) is not in the database."""
    if node not in proj.models and node not in proj.seeds:
        return False
    rel = proj.relation_for(node)
    return existing_kind(con, rel.schema, rel.identifier) is None


def _run_test(proj: Any, con: Any, item: tuple[str, Any], parents: list[str], status: dict[str, str],
              blocked: dict[str, str]) -> NodeResult:
    t0 = time.perf_counter()
    _, t = item
    severity = getattr(t, "severity", "error")
    base = dict(name=t.name, kind="test", severity=severity, attached_to=parents)
    bad = [p for p in parents if status.get(p) in ("error", "skipped") or (p not in status and _missing(proj, con, p))]
    if bad:
        return NodeResult(**base, status="skipped", message=f"skipped: {bad[0]!r} was not built")
    try:
        sql, params = _test_sql(proj, item)
        failures, cols, rows = run_test_sql(con, sql, params)
    except TransformError as exc:
        return NodeResult(**base, status="error", message=str(exc), seconds=time.perf_counter() - t0)
    except Exception as exc:  # duckdb.Error: the test query itself is broken (e.g. a missing column)
        first = str(exc).strip().splitlines()[0]
        return NodeResult(**base, status="error", message=f"Test {t.name!r}: {first}",
                          seconds=time.perf_counter() - t0)
    if failures == 0:
        st = "pass"
        msg = ""
    else:
        st = "warn" if severity == "warn" else "fail"
        msg = f"Got {failures} result{'s' if failures != 1 else ''}, configured to {st} if != 0"
        if st == "fail":
            for p in parents:
                blocked.setdefault(p, f"test {t.name!r} on {p!r} failed")
    return NodeResult(**base, status=st, failures=failures, message=msg, compiled_sql=sql,
                      sample_columns=cols, sample_rows=[list(r) for r in rows], seconds=time.perf_counter() - t0)


class ModelPreview(BaseModel):
    """A model's first rows beside the results of its tests in the last build."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: str
    columns: list[str]
    rows: list[list[Any]]
    tests: list[NodeResult]

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def summary(self) -> str:
        tests = "\n".join(f"  {t.status:<7} {t.name}" + (f" ({t.failures} failing)" if t.failures else "")
                          for t in self.tests) or "  (no tests)"
        return f"{self.model}: {len(self.rows)} rows shown\n{self.to_frame().to_string(index=False)}\ntests:\n{tests}"

    def _repr_html_(self) -> str:
        table = self.to_frame().to_html(index=False, max_rows=50)
        tests = "".join(
            f"<tr><td>{html.escape(t.name)}</td><td>{t.status}</td><td>{t.failures or 0}</td></tr>" for t in self.tests
        ) or "<tr><td colspan=3>no tests</td></tr>"
        return (f"<div style='display:flex;gap:2em;align-items:flex-start'><div><b>{html.escape(self.model)}</b>"
                f"{table}</div><div><b>tests</b><table><tr><th>test</th><th>status</th><th>failing</th></tr>"
                f"{tests}</table></div></div>")


def preview(proj: Any, ws: Any, model: str, limit: int) -> ModelPreview:
    """Run the model's compiled SQL with a LIMIT (no table is written) and collect its tests' results."""
    proj.require_model(model)
    sql = proj.compile(model).sql
    try:
        cur = ws.con.execute(f"SELECT * FROM ({sql}\n) AS preview LIMIT ?", [int(limit)])
    except Exception as exc:
        first = str(exc).strip().split("\n\nLINE")[0]
        raise TransformError(f"Model {model!r} ({proj.models[model].path}): {first}",
                             hint="Build its parents first: proj.build(ws, select='+" + model + "').") from None
    rows = [list(r) for r in cur.fetchall()]
    cols = [d[0] for d in cur.description]
    tests = [t for t in proj.test_results.values() if model in t.attached_to]
    return ModelPreview(model=model, columns=cols, rows=rows, tests=tests)
