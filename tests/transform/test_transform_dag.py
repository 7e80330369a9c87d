"""The DAG: graphlib order respects every dependency, cycles are named, selection follows dbt's syntax."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import TransformError
from workbench.transform.dag import ancestors, build_order, descendants, select


@st.composite
def dags(draw):
    n = draw(st.integers(1, 12))
    names = [f"m{i}" for i in range(n)]
    deps: dict[str, set[str]] = {names[0]: set()}
    for i in range(1, n):
        deps[names[i]] = {names[j] for j in draw(st.sets(st.integers(0, i - 1), max_size=3))}
    return deps


@given(dags())
def test_build_order_puts_every_parent_first(deps):
    order = build_order(deps)
    assert sorted(order) == sorted(deps)
    pos = {n: i for i, n in enumerate(order)}
    assert all(pos[p] < pos[child] for child, parents in deps.items() for p in parents)


@given(dags(), st.data())
def test_adding_a_back_edge_is_a_named_cycle(deps, data):
    chains = [(c, p) for c, ps in deps.items() for p in ps]
    if not chains:
        return
    child, parent = data.draw(st.sampled_from(chains))
    deps[parent] = deps[parent] | {child}
    with pytest.raises(TransformError, match="The models form a cycle: ") as err:
        build_order(deps)
    cycle = str(err.value).split("cycle: ")[1].split(".")[0].split(" -> ")
    assert cycle[0] == cycle[-1] and len(cycle) >= 3


@given(dags(), st.data())
def test_plus_selectors_are_ancestors_and_descendants(deps, data):
    node = data.draw(st.sampled_from(sorted(deps)))
    kw = {"tags": {}, "folders": {}}
    assert select(f"+{node}", deps, **kw) == {node} | ancestors(node, deps)
    assert select(f"{node}+", deps, **kw) == {node} | descendants(node, deps)
    assert select(None, deps, **kw) == set(deps)


def test_two_argument_ref_and_package_name():
    import workbench as wb
    from workbench.transform import TransformProject

    proj = TransformProject("pkg")
    proj.add_model("a", "select 1 as x")
    proj.add_model("b", "select * from {{ ref('pkg', 'a') }}")
    assert proj.dag()["b"] == ["a"]
    assert proj.build(wb.Workspace()).ok
