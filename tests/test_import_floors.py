"""The package's import graph, read with ``ast``: floors never look up and no loop spans more than two files.

Imports under ``if TYPE_CHECKING:`` are annotations only and do not count; imports inside functions do.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"
STEPS = ("profiling", "architecture", "transform", "quality", "cdc", "streaming", "storage")
ABOVE_STEPS = ("design", "pipeline", "ui")
#: the one edge from design/ down to a step, documented in ARCHITECTURE.md: the dbt exporter writes the project with
#: the transform step's own dbt writer, so an exported project and ``TransformProject.export_dbt`` are the same files
DESIGN_USES_STEP = {("workbench.design.export.dbt", "workbench.transform"),
                    # the runnable pipeline's gate runs the suites compiled by the quality step's own compiler
                    ("workbench.design.export.pipeline_pkg", "workbench.quality.compile"),
                    ("workbench.design.export.pipeline_pkg", "workbench.quality.suite")}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_imports(tree: ast.AST, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """Workbench modules imported at run time (TYPE_CHECKING blocks skipped), as absolute names.

    ``from pkg import submodule`` counts as an import of the submodule only, not of the package's re-exports.
    """
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{a.name}" for a in node.names}
            found.update(subs & modules if subs <= modules else (subs & modules) | {target})
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in modules and m != module}


def import_graph() -> dict[str, set[str]]:
    """module -> the workbench modules it imports at run time."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: _runtime_imports(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py",
                                   set(files))
            for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def long_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str] | None:
    """A simple import cycle through three or more modules of one strongly connected component, if any.

    A component can hold only two-file loops (``suite`` <-> ``gx`` and ``suite`` <-> ``dbt``); those are allowed.
    """
    inside = set(component)

    def walk(path: list[str]) -> list[str] | None:
        for nxt in sorted(graph[path[-1]] & inside):
            if nxt == path[0] and len(path) > 2:
                return path
            if nxt not in path and nxt > path[0]:  # each cycle is found once, from its smallest module
                found = walk([*path, nxt])
                if found:
                    return found
        return None

    return next((c for start in sorted(component) if (c := walk([start]))), None)


def _floor(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_cycles_finder_sees_a_three_file_loop_and_allows_two_file_ones():
    triangle = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(triangle) == [["a", "b", "c"]]
    assert long_cycle(triangle, ["a", "b", "c"]) == ["a", "b", "c"]
    star = {"s": {"g", "d"}, "g": {"s"}, "d": {"s"}}
    assert cycles(star) == [["d", "g", "s"]] and long_cycle(star, ["d", "g", "s"]) is None
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_relative_imports_resolve_to_the_package():
    tree = ast.parse("from .parts import X\nfrom ..errors import E\nfrom workbench import quality\n"
                     "if TYPE_CHECKING:\n    from workbench.ui import common\n")
    modules = {"workbench", "workbench.errors", "workbench.quality", "workbench.design.parts", "workbench.ui.common"}
    assert _runtime_imports(tree, "workbench.design.model", False, modules) == {
        "workbench.design.parts", "workbench.errors", "workbench.quality"}


def test_no_import_loop_spans_more_than_two_files():
    graph = import_graph()
    long_loops = [loop for c in cycles(graph) if len(c) > 2 and (loop := long_cycle(graph, c))]
    assert not long_loops, f"import loops over more than two files: {long_loops}"


@pytest.mark.parametrize("step", STEPS)
def test_a_step_never_imports_the_floors_above_it(step):
    graph = import_graph()
    upward = sorted((m, t) for m, ts in graph.items() if _floor(m) == step
                    for t in ts if _floor(t) in ABOVE_STEPS)
    assert not upward, f"{step}/ imports a floor above the steps: {upward}"


def test_design_imports_no_step_and_no_pipeline():
    graph = import_graph()
    upward = sorted((m, t) for m, ts in graph.items() if _floor(m) == "design"
                    for t in ts if _floor(t) in (*STEPS, "pipeline", "ui") and (m, t) not in DESIGN_USES_STEP)
    assert not upward, f"design/ must stay data + exporters: {upward}"
