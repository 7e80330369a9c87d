"""Tests on columns whose names differ only in characters an id cannot hold stay four tests (issue 18, group 5)."""

from __future__ import annotations

import workbench as wb
from workbench.transform.project import TransformProject

COLUMNS = ['a"b', "a;b", "a`b", "a'b"]


def test_four_odd_columns_keep_four_tests_each_with_its_own_outcome():
    ws = wb.Workspace()
    select = ", ".join(f"{v} AS {wb.quote_ident(c)}" for c, v in zip(COLUMNS, ["1", "NULL", "3", "NULL"], strict=True))
    proj = TransformProject("odd")
    proj.add_model("m", f"select {select}", materialized="table")
    for c in COLUMNS:
        proj.add_test("not_null", "m", c)
    names = {t.column: t.name for t in proj.tests}
    assert len(set(names.values())) == 4  # one slug, a_b, for all four: told apart by a hash of the exact name
    r = proj.build(ws)
    status = {t.name: t.status for t in r.tests("m")}
    assert {c: status[n] for c, n in names.items()} == {'a"b': "pass", "a;b": "fail", "a`b": "pass", "a'b": "fail"}
    ws.close()


def test_a_plain_column_keeps_its_readable_id():
    proj = TransformProject("plain")
    assert proj.add_test("not_null", "stg_orders", "order_id").name == "not_null_stg_orders_order_id"
