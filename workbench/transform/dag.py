"""The model DAG: dependencies from ``ref``/``source``, build order by stdlib graphlib, node selection.

Selection follows dbt's syntax for the methods notebooks use: ``model``, ``+model`` (with its
ancestors), ``model+`` (with its descendants), ``tag:x``, ``path:staging``; space-separated terms
are a union.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable

from workbench.errors import TransformError, did_you_mean


def build_order(deps: dict[str, set[str]]) -> list[str]:
    """Nodes in dependency order (ties broken by name); a cycle raises TransformError naming it."""
    ts = graphlib.TopologicalSorter()
    for node in sorted(deps):
        ts.add(node, *sorted(d for d in deps[node] if d in deps))
    try:
        ts.prepare()
    except graphlib.CycleError as exc:
        cycle = list(exc.args[1])
        raise TransformError(
            f"The models form a cycle: {' -> '.join(reversed(cycle))}.",
            hint="A model cannot ref() itself through other models; move the shared logic into an upstream model.",
        ) from None
    order: list[str] = []
    while ts.is_active():
        ready = sorted(ts.get_ready())
        order.extend(ready)
        ts.done(*ready)
    return order


def ancestors(node: str, deps: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(deps.get(node, ()))
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(deps.get(n, ()))
    return seen


def descendants(node: str, deps: dict[str, set[str]]) -> set[str]:
    children: dict[str, set[str]] = {}
    for child, parents in deps.items():
        for p in parents:
            children.setdefault(p, set()).add(child)
    return ancestors(node, children)


def select(
    spec: str | Iterable[str] | None,
    deps: dict[str, set[str]],
    *,
    tags: dict[str, set[str]],
    folders: dict[str, str],
) -> set[str]:
    """The nodes a selection names (all of ``deps`` when ``spec`` is None or empty).

    ``tags`` maps node -> its tags; ``folders`` maps node -> its path under the project
    (``models/staging/stg_orders.sql``).
    """
    if not spec:
        return set(deps)
    terms = spec.split() if isinstance(spec, str) else [t for s in spec for t in s.split()]
    chosen: set[str] = set()
    for term in terms:
        up = term.startswith("+")
        down = term.endswith("+")
        body = term.strip("+")
        if body.startswith("tag:"):
            tag = body[4:]
            base = {n for n, t in tags.items() if tag in t}
            if not base:
                raise TransformError(f"Selector {term!r} matches no node.",
                                     hint=did_you_mean(tag, {t for ts in tags.values() for t in ts}))
        elif body.startswith("path:"):
            prefix = body[5:].strip("/")
            base = {n for n, p in folders.items()
                    if p == prefix or p.startswith(prefix.rstrip("/") + "/")
                    or p.startswith(f"models/{prefix}/") or p == f"models/{prefix}"
                    or p.startswith(f"seeds/{prefix}")}
            if not base:
                raise TransformError(f"Selector {term!r} matches no node.", hint="Paths are relative to the project, "
                                     "e.g. 'path:models/staging' or 'path:staging'.")
        else:
            if body not in deps:
                raise TransformError(f"Selector {term!r}: no model or seed named {body!r}.",
                                     hint=did_you_mean(body, deps))
            base = {body}
        chosen |= base
        for node in base:
            if up:
                chosen |= ancestors(node, deps)
            if down:
                chosen |= descendants(node, deps)
    return chosen & set(deps)
