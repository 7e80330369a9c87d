"""Lineage: the model DAG (Mermaid text, an interactive Altair chart) and column-level lineage.

Column lineage parses each model's compiled SQL with sqlglot, qualifies it against the live DuckDB
schema (so ``select *`` expands to real columns), follows ``sqlglot.lineage`` to the tables a column
is computed from, and reports the columns used in JOIN conditions and WHERE/HAVING/QUALIFY filters
of the same queries as *influencing* columns. Upstream models are followed transitively down to
seeds and sources.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel

from workbench.errors import TransformError, did_you_mean

EdgeKind = Literal["value", "join", "filter"]
LAYERS = (("stg_", "staging"), ("int_", "intermediate"), ("dim_", "mart"), ("fct_", "mart"), ("rpt_", "report"))


class ColumnEdge(BaseModel):
    """``model.column`` feeds ``to_model.to_column`` (as its value, or by joining / filtering)."""

    model: str
    column: str
    to_model: str
    to_column: str
    kind: EdgeKind
    depth: int


class ColumnLineage(BaseModel):
    """Upstream columns of ``model.column``; iterating yields ``(model, column)`` pairs, nearest first."""

    model: str
    column: str
    edges: list[ColumnEdge]

    def pairs(self, kind: EdgeKind | None = None) -> list[tuple[str, str]]:
        seen: dict[tuple[str, str], None] = {}
        for e in sorted(self.edges, key=lambda e: e.depth):
            if kind is None or e.kind == kind:
                seen.setdefault((e.model, e.column), None)
        return list(seen)

    @property
    def upstream(self) -> list[tuple[str, str]]:
        return self.pairs()

    @property
    def direct(self) -> list[tuple[str, str]]:
        """Columns the value is computed from in the model's own query."""
        return [(e.model, e.column) for e in self.edges if e.depth == 1 and e.kind == "value"]

    @property
    def influencing(self) -> list[tuple[str, str]]:
        """Join and filter columns that decide which rows reach the value."""
        return [p for p in self.pairs() if p not in set(self.pairs("value"))]

    def __iter__(self):  # type: ignore[override]
        return iter(self.pairs())

    def __contains__(self, item: object) -> bool:
        return item in self.pairs()

    def __len__(self) -> int:
        return len(self.pairs())

    def summary(self) -> str:
        lines = [f"{self.model}.{self.column} comes from:"]
        for e in sorted(self.edges, key=lambda e: (e.depth, e.kind, e.model, e.column)):
            lines.append(f"  {'  ' * (e.depth - 1)}{e.model}.{e.column} ({e.kind}) -> {e.to_model}.{e.to_column}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            f"<tr><td>{e.depth}</td><td>{html.escape(e.model)}.{html.escape(e.column)}</td><td>{e.kind}</td>"
            f"<td>{html.escape(e.to_model)}.{html.escape(e.to_column)}</td></tr>"
            for e in sorted(self.edges, key=lambda e: (e.depth, e.kind != "value", e.model, e.column)))
        return (f"<div><b>{html.escape(self.model)}.{html.escape(self.column)}</b> comes from"
                f"<table><tr><th>hop</th><th>upstream column</th><th>as</th><th>feeds</th></tr>{rows}</table></div>")

    def mermaid(self) -> str:
        """The column lineage as a Mermaid flowchart (dashed arrows: join/filter influence)."""
        ids: dict[tuple[str, str], str] = {}

        def nid(m: str, c: str) -> str:
            if (m, c) not in ids:
                ids[(m, c)] = f"c{len(ids)}"
            return ids[(m, c)]

        lines = ["flowchart LR"]
        nid(self.model, self.column)
        for e in self.edges:
            nid(e.model, e.column)
            nid(e.to_model, e.to_column)
        for (m, c), i in ids.items():
            lines.append(f'  {i}["{m}.{c}"]')
        for e in self.edges:
            arrow = "-->" if e.kind == "value" else f"-. {e.kind} .->"
            lines.append(f"  {nid(e.model, e.column)} {arrow} {nid(e.to_model, e.to_column)}")
        return "\n".join(lines)


def live_schema(ws: Any) -> dict[str, dict[str, dict[str, str]]]:
    """schema -> table -> column -> type for every table and view of the workspace database."""
    rows = ws.con.execute(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position"
    ).fetchall()
    out: dict[str, dict[str, dict[str, str]]] = {}
    for schema, table, column, dtype in rows:
        out.setdefault(schema, {}).setdefault(table, {})[column] = dtype
    return out


def _relations(proj: Any) -> dict[tuple[str, str], str]:
    """(schema, identifier) -> node name (models, seeds) or ``source:src.table``."""
    rels = {(st.schema_name, st.relation_name): key for key, st in proj.sources.items()}
    for name in [*proj.seeds, *proj.models]:
        rel = proj.relation_for(name)
        rels[(rel.schema, rel.identifier)] = name
    return rels


def _model_lineage(proj: Any, ws: Any, model: str, column: str, schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Direct (node, column, kind) parents of ``model.column`` from the model's compiled SQL."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.lineage import lineage, to_node
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.optimizer.scope import traverse_scope
    from sqlglot.schema import ensure_schema

    sql = proj.compiled.get(model) or proj.compile(model).sql
    rels = _relations(proj)
    try:
        tree = qualify(sqlglot.parse_one(sql, read="duckdb"), schema=schema, dialect="duckdb",
                       validate_qualify_columns=False)
    except sqlglot.errors.SqlglotError as exc:
        raise TransformError(f"Model {model!r}: sqlglot could not analyse its SQL: {exc}") from None
    outputs = [s.alias_or_name for s in tree.selects] if isinstance(tree, exp.Query) else []
    if column not in outputs:
        raise TransformError(f"Model {model!r} has no column {column!r} (columns: {', '.join(outputs)}).",
                             hint=did_you_mean(column, outputs))
    sch = ensure_schema(schema, dialect="duckdb")
    root = lineage(column, tree, schema=schema, dialect="duckdb", copy=False, trim_selects=False)
    found: dict[tuple[str, str, str], None] = {}

    def leaves(node: Any, kind: str) -> None:
        for n in node.walk():
            if isinstance(n.expression, exp.Table):
                key = (n.expression.db, n.expression.name)
                if key in rels:
                    found.setdefault((rels[key], n.name.split(".")[-1].strip('"'), kind), None)

    leaves(root, "value")
    used = {id(n.source) for n in root.walk() if n.source is not None}
    for scope in traverse_scope(tree):
        sel = scope.expression
        if id(sel) not in used or not isinstance(sel, exp.Select):
            continue
        conds = [("join", j.args.get("on")) for j in sel.args.get("joins") or []]
        conds += [("filter", sel.args.get(k)) for k in ("where", "having", "qualify")]
        for kind, cond in conds:
            if cond is None:
                continue
            for col in cond.find_all(exp.Column):
                src = scope.sources.get(col.table)
                if isinstance(src, exp.Table):
                    key = (src.db, src.name)
                    if key in rels:
                        found.setdefault((rels[key], col.name, kind), None)
                elif src is not None:
                    leaves(to_node(col.name, src, "duckdb", sch), kind)
    return list(found)


def column_lineage(proj: Any, ws: Any, model: str, column: str) -> ColumnLineage:
    """Every upstream column of ``model.column``: value edges are followed transitively down to seeds and
    sources; at each hop the join and filter columns of that query are reported as influencing."""
    proj.require_model(model)
    schema = live_schema(ws)
    edges: list[ColumnEdge] = []
    seen: set[tuple[str, str]] = set()
    frontier = [(model, column, 1)]
    while frontier:
        m, c, depth = frontier.pop(0)
        if (m, c) in seen:
            continue
        seen.add((m, c))
        for node, col, kind in _model_lineage(proj, ws, m, c, schema):
            edges.append(ColumnEdge(model=node, column=col, to_model=m, to_column=c, kind=kind, depth=depth))
            if node in proj.models and kind == "value":
                frontier.append((node, col, depth + 1))
    return ColumnLineage(model=model, column=column, edges=edges)


# --- the model DAG -------------------------------------------------------------------------------
def layer_of(name: str) -> str:
    if name.startswith("source:"):
        return "source"
    for prefix, layer in LAYERS:
        if name.startswith(prefix):
            return layer
    return "other"


def _mid(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def mermaid(proj: Any) -> str:
    """``flowchart LR`` of sources, seeds and models, styled by layer (stg_/int_/dim_ fct_/rpt_)."""
    dag = proj.dag()
    lines = ["flowchart LR",
             "  classDef source fill:#eceff1,stroke:#546e7a", "  classDef seed fill:#fff8e1,stroke:#f9a825",
             "  classDef staging fill:#e3f2fd,stroke:#1565c0", "  classDef intermediate fill:#ede7f6,stroke:#5e35b1",
             "  classDef mart fill:#e8f5e9,stroke:#2e7d32", "  classDef report fill:#fce4ec,stroke:#ad1457",
             "  classDef other fill:#ffffff,stroke:#757575"]
    sources = sorted({p for parents in dag.values() for p in parents if p.startswith("source:")})
    for s in sources:
        lines.append(f'  {_mid(s)}[("{s.removeprefix("source:")}")]:::source')
    for name in sorted(dag):
        if name in proj.seeds:
            lines.append(f'  {_mid(name)}[/"{name}"/]:::seed')
        else:
            mat = proj.config_for(name)["materialized"]
            lines.append(f'  {_mid(name)}["{name}<br/><small>{mat}</small>"]:::{layer_of(name)}')
    for name in sorted(dag):
        for parent in dag[name]:
            lines.append(f"  {_mid(parent)} --> {_mid(name)}")
    return "\n".join(lines)


def dag_positions(proj: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes (name, kind, layer, x = longest path from a source, y = rank) and edges with coordinates."""
    dag = proj.dag()
    names = sorted({p for ps in dag.values() for p in ps} | set(dag))
    depth: dict[str, int] = {}

    def d(n: str) -> int:
        if n not in depth:
            depth[n] = 0 if not dag.get(n) else 1 + max(d(p) for p in dag[n])
        return depth[n]

    for n in names:
        d(n)
    ranks: dict[int, int] = {}
    nodes = []
    for n in sorted(names, key=lambda n: (depth[n], n)):
        y = ranks.get(depth[n], 0)
        ranks[depth[n]] = y + 1
        kind = "source" if n.startswith("source:") else "seed" if n in proj.seeds else "model"
        mat = proj.config_for(n)["materialized"] if kind == "model" else kind
        nodes.append({"node": n, "kind": kind, "layer": layer_of(n) if kind != "seed" else "seed",
                      "materialized": mat, "x": depth[n], "y": y, "parents": ", ".join(dag.get(n, []))})
    pos = {r["node"]: r for r in nodes}
    edges = []
    for i, (child, parents) in enumerate(sorted(dag.items())):
        for j, p in enumerate(parents):
            eid = f"{i}-{j}"
            edges.append({"edge": eid, "x": pos[p]["x"], "y": pos[p]["y"], "node": p, "to": child})
            edges.append({"edge": eid, "x": pos[child]["x"], "y": pos[child]["y"], "node": p, "to": child})
    return nodes, edges


def dag_chart(proj: Any):
    """An interactive Altair chart of the DAG: hover a node for details, click one to highlight its edges."""
    import altair as alt
    import pandas as pd

    nodes, edges = dag_positions(proj)
    pick = alt.selection_point(fields=["node"], on="click", empty=True)
    base_x = alt.X("x:Q", axis=None, scale=alt.Scale(padding=40))
    base_y = alt.Y("y:Q", axis=None, scale=alt.Scale(reverse=True, padding=30))
    lines = (
        alt.Chart(pd.DataFrame(edges)).mark_line(strokeWidth=1.5)
        .encode(x=base_x, y=base_y, detail="edge:N",
                color=alt.condition(pick, alt.value("#455a64"), alt.value("#cfd8dc")))
    )
    points = (
        alt.Chart(pd.DataFrame(nodes)).mark_circle(size=500, opacity=1)
        .encode(x=base_x, y=base_y, color=alt.Color("layer:N", title="layer"),
                tooltip=["node:N", "kind:N", "materialized:N", "parents:N"])
        .add_params(pick)
    )
    labels = (
        alt.Chart(pd.DataFrame(nodes)).mark_text(dy=-16, fontSize=11)
        .encode(x=base_x, y=base_y, text="node:N")
    )
    return (lines + points + labels).properties(width=700, height=320, title=f"{proj.name}: model DAG")
