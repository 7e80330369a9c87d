"""expect_column_pair_values_a_to_be_greater_than_b: one handler class in handlers/multicolumn.py, real DuckDB."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.errors import ExpectationError

PAIR = "expect_column_pair_values_a_to_be_greater_than_b"


@pytest.fixture
def pairs():
    ws = wb.Workspace()
    ws.con.execute("""CREATE TABLE pairs AS SELECT * FROM (VALUES
        (1, 5, 1),       -- A > B
        (2, 3, 3),       -- A = B: unexpected unless or_equal
        (3, 1, 4),       -- A < B: unexpected
        (4, NULL, 2),    -- A missing
        (5, 7, NULL),    -- B missing
        (6, NULL, NULL)  -- both missing
    ) AS t(id, a, b)""")
    yield ws
    ws.close()


def run(ws, **kwargs):
    suite = wb.Suite(name="s", expectations=[{"type": PAIR, "kwargs": {"column_A": "a", "column_B": "b", **kwargs}}])
    return wb.validate(ws, "pairs", suite, key_columns=["id"], record_history=False).results[0]


@pytest.mark.parametrize(("kwargs", "unexpected_ids", "element", "missing"), [
    ({}, [2, 3, 4, 5], 6, 1),  # default ignore_row_if: both_values_are_missing; one-sided NULLs fail
    ({"or_equal": True}, [3, 4, 5], 6, 1),
    ({"ignore_row_if": "either_value_is_missing"}, [2, 3], 6, 3),
    ({"ignore_row_if": "neither"}, [2, 3, 4, 5, 6], 6, 0),
])
def test_pair_greater_semantics(pairs, kwargs, unexpected_ids, element, missing):
    r = run(pairs, **kwargs)
    assert r.unexpected_count == len(unexpected_ids) and not r.success
    assert r.element_count == element and r.missing_count == missing
    assert sorted(row["id"] for row in r.failing_rows) == unexpected_ids
    assert len(r.partial_unexpected_list) == len(unexpected_ids)


def test_pair_greater_passes_and_mostly(pairs):
    pairs.con.execute("DELETE FROM pairs WHERE id IN (2, 3, 4, 5)")
    assert run(pairs).success
    pairs.con.execute("INSERT INTO pairs VALUES (7, 0, 9)")  # 1 of 2 considered rows unexpected
    assert not run(pairs).success and run(pairs, mostly=0.5).success


def test_pair_greater_gx_0x_spelling_round_trips():
    s = wb.Suite.from_gx_json({"expectation_suite_name": "s", "expectations": [
        {"expectation_type": "expect_column_pair_values_A_to_be_greater_than_B",
         "kwargs": {"column_A": "updated_at", "column_B": "created_at", "or_equal": True}, "meta": {}}]})
    assert s.expectations[0].type == PAIR and s.expectations[0].kwargs.or_equal is True
    assert s.to_gx_json(version="0")["expectations"][0]["expectation_type"] == (
        "expect_column_pair_values_A_to_be_greater_than_B")
    assert s.to_gx_json(version="1")["expectations"][0]["type"] == PAIR


def test_pair_greater_rejects_unknown_kwargs():
    with pytest.raises(ExpectationError, match="column_C"):
        wb.Suite(name="s", expectations=[{"type": PAIR, "kwargs": {"column_A": "a", "column_B": "b", "column_C": "c"}}])
