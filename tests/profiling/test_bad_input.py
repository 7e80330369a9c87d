"""Bad input never crashes a profile: empty, tiny, all-null, odd names, nested types, wide, long strings."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import ProfileError, TableNotFoundError
from workbench.profiling import profile, profile_dataset, suggest_expectations


def test_unknown_table_names_the_fix(empty_ws):
    empty_ws.load(pd.DataFrame({"a": [1]}), name="orders")
    with pytest.raises(TableNotFoundError, match="Did you mean 'orders'"):
        profile(empty_ws, "order")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"bins": 0}, "Profiling 'orders': bins=0 must be a whole number >= 1"),
    ({"top_k": -1}, "top_k=-1 must be a whole number >= 1"),
    ({"exact_rows": 1.5}, "exact_rows=1.5 must be a whole number >= 0"),
    ({"reference_time": "yesterday"}, "reference_time 'yesterday' is not an ISO date.*'2026-11-01'"),
])
def test_bad_arguments_name_the_table_and_the_fix(empty_ws, kwargs, message):
    empty_ws.load(pd.DataFrame({"a": [1, 2, 3]}), name="orders")
    with pytest.raises(ProfileError, match=message):
        profile(empty_ws, "orders", **kwargs)


def test_empty_table(empty_ws):
    empty_ws.con.execute("CREATE TABLE e (id INTEGER, name VARCHAR, \"at\" TIMESTAMP, tags VARCHAR[])")
    p = profile(empty_ws, "e")
    assert p.row_count == 0 and p.candidate_keys == [] and p.duplicate_row_count == 0
    assert [a.kind for a in p.alerts if a.column is None] == ["empty_table"]
    c = p.columns["name"]
    assert (c.count, c.null_count, c.distinct_count, c.inferred_type, c.time) == (0, 0, 0, "null", None)
    assert suggest_expectations(p).expectations == []
    assert "e: 0 rows" in p.summary()


def test_single_row(empty_ws):
    empty_ws.con.execute("CREATE TABLE one AS SELECT 7 AS id, 'x' AS label, 2.5 AS amount, TIMESTAMP '2026-01-01 10:00' AS \"at\"")
    p = profile(empty_ws, "one", reference_time="2026-01-02T10:00:00")
    assert p.row_count == 1 and p.candidate_keys == [["id"], ["label"], ["at"]]
    assert p.columns["amount"].std is None and p.columns["amount"].quantiles[0.5] == 2.5
    assert p.columns["at"].time.span_seconds == 0 and p.columns["at"].time.freshness_seconds == 86400
    assert not [a for a in p.alerts if a.kind in ("constant", "unique")]
    suggest_expectations(p)


def test_all_null_columns(empty_ws):
    empty_ws.con.execute("CREATE TABLE n AS SELECT range AS id, NULL::INTEGER AS i, NULL::VARCHAR AS s, "
                         "NULL::TIMESTAMP AS t FROM range(5)")
    p = profile(empty_ws, "n")
    for col in "ist":
        c = p.columns[col]
        assert (c.null_count, c.distinct_count, c.min, c.histogram) == (5, 0, None, [])
        assert p.alerts_of("all_null", col)[0].share == 1.0
    assert p.columns["s"].inferred_type == "null" and p.candidate_keys == [["id"]]
    assert all(e.kwargs.column != "s" for e in suggest_expectations(p).expectations if hasattr(e.kwargs, "column"))


ODD = ["order id", 'quo"te', "it's", "ünïcødé 列", "select", "from", "group by", "", " lead"]


def test_odd_column_and_table_names(empty_ws):
    names = [n or "blank" for n in ODD]
    df = pd.DataFrame({n: [f"{i}-{k}" if k % 2 else i for i in range(30)] for k, n in enumerate(names)})
    df = df.astype({n: str for k, n in enumerate(names) if k % 2})
    empty_ws.load(df, name='tab"le; DROP TABLE x --')
    p = profile(empty_ws, 'tab"le; DROP TABLE x --')
    assert list(p.columns) == names and p.row_count == 30
    assert all(c.distinct_count == 30 for c in p.columns.values())
    assert [names[0]] in p.candidate_keys
    assert p.columns["select"].inferred_type == "integer"
    d = profile_dataset(empty_ws)
    assert d.profiles['tab"le; DROP TABLE x --'].row_count == 30


def test_nested_columns_reported_not_crashing(empty_ws):
    empty_ws.con.execute(
        "CREATE TABLE nest AS SELECT range AS id, {'a': range, 'b': 'x'} AS s, [range, range + 1] AS l, "
        "MAP {'k': range} AS m, [{'z': 1}] AS ls, CASE WHEN range % 2 = 0 THEN NULL ELSE [1] END AS maybe, "
        "union_value(num := 2) AS u FROM range(10)")
    p = profile(empty_ws, "nest")
    assert {n: c.inferred_type for n, c in p.columns.items() if c.kind == "nested"} == {
        "s": "struct", "l": "list", "m": "map", "ls": "list", "maybe": "list", "u": "union"}
    assert p.columns["maybe"].null_count == 5
    assert len(p.alerts_of("not_profiled")) == 6
    assert p.candidate_keys == [["id"]] and p.avg_row_bytes > 0


def test_other_types(empty_ws):
    empty_ws.con.execute(
        "CREATE TABLE o AS SELECT uuid() AS u, 'ab'::BLOB AS b, TIME '10:00:00' + INTERVAL (range) MINUTE AS t, "
        "INTERVAL (range) DAY AS iv, TIMESTAMPTZ '2026-01-01 00:00:00+02' + INTERVAL (range) HOUR AS tz, "
        "range::HUGEINT * 1000000000000 AS h, (range / 3)::DECIMAL(38, 4) AS d, 'NaN'::DOUBLE AS nan, "
        "range % 2 = 0 AS flag FROM range(12)")
    p = profile(empty_ws, "o", reference_time="2026-01-01T00:00:00+00:00")
    assert p.columns["u"].inferred_type == "uuid" and p.columns["t"].inferred_type == "time"
    assert p.columns["tz"].time.min_ts == "2025-12-31T22:00:00" and p.columns["tz"].time.future_count == 9
    assert p.columns["d"].max == pytest.approx(11 / 3, abs=1e-4) and p.columns["h"].max == 11 * 10**12
    assert p.columns["nan"].mean is None
    assert p.columns["flag"].top_values == [(False, 6), (True, 6)]
    p.model_dump_json()


def test_wide_table_bounded_work(empty_ws):
    cols = ", ".join(f"(range + {k}) % 7 AS c{k}" for k in range(1000))
    empty_ws.con.execute(f"CREATE TABLE wide AS SELECT {cols} FROM range(200)")
    p = profile(empty_ws, "wide")
    assert len(p.columns) == 1000 and p.candidate_keys == []
    assert p.scans <= 1 + 5 + 17 + 1 + 1, p.scans  # row count, stats per 200 columns, values per 60, pairs, dup rows
    assert p.columns["c999"].distinct_count == 7


def test_pair_key_found_and_verified(empty_ws):
    empty_ws.con.execute("CREATE TABLE pk AS SELECT range // 10 AS store, range % 10 AS day, random() AS x, "
                         "range % 3 AS noise FROM range(100)")
    p = profile(empty_ws, "pk")
    assert p.candidate_keys == [["store", "day"]]


def test_very_long_strings(empty_ws):
    empty_ws.con.execute("CREATE TABLE long AS SELECT repeat('Ab9-', 250000) || range AS s FROM range(3)")
    p = profile(empty_ws, "long")
    c = p.columns["s"]
    assert c.length.max == 1_000_001 and len(c.min) <= 201 and len(c.patterns[0].pattern) == 40
    assert len(p.model_dump_json()) < 20_000


def test_text_type_inference(empty_ws):
    n = 40
    df = pd.DataFrame({
        "ints": [str(i) for i in range(n)],
        "decs": [f"{i}.25" for i in range(n)],
        "bools": ["true", "false"] * (n // 2),
        "dates": [f"2026-01-{i % 28 + 1:02d}" for i in range(n)],
        "stamps": [f"2026-01-{i % 28 + 1:02d} 10:{i:02d}:00" for i in range(n)],
        "urls": [f"https://example.com/p/{i}" for i in range(n)],
        "uuids": [f"123e4567-e89b-12d3-a456-4266141740{i:02d}" for i in range(n)],
        "cats": ["red", "green", "blue", "red"] * (n // 4),
        "words": [f"free text number {i} here" for i in range(n)],
    })
    empty_ws.load(df, name="txt")
    p = profile(empty_ws, "txt", reference_time="2026-02-01")
    assert {k: c.inferred_type for k, c in p.columns.items()} == {
        "ints": "integer", "decs": "decimal", "bools": "boolean", "dates": "date", "stamps": "timestamp",
        "urls": "url", "uuids": "uuid", "cats": "categorical", "words": "text"}
    tp = p.columns["stamps"].time
    assert tp.source == "text" and tp.min_ts == "2026-01-01T10:00:00" and sum(tp.rows_per_day.values()) == n


def test_approximate_mode_is_marked(empty_ws):
    empty_ws.con.execute("CREATE TABLE big AS SELECT range AS id, range % 1500 AS mid, range % 3 AS low, "
                         "range::DOUBLE / 7 AS x FROM range(3000)")
    p = profile(empty_ws, "big", exact_rows=100)
    assert not p.exact_distinct
    assert p.columns["id"].distinct_count == 3000 and not p.columns["id"].distinct_approximate  # key-like: exact
    assert p.columns["mid"].distinct_approximate and abs(p.columns["mid"].distinct_count - 1500) < 100
    assert not p.columns["low"].distinct_approximate and p.columns["low"].distinct_count == 3
    assert p.columns["x"].quantiles_approximate and p.candidate_keys == [["id"]]


def test_alert_kinds_on_a_synthetic_table(empty_ws):
    empty_ws.con.execute(
        "CREATE TABLE a AS SELECT range AS id, 'same' AS const, CASE WHEN range % 4 = 0 THEN range END AS sparse, "
        "range % 3 AS qty_zero, 'note ' || (range % 300) AS free_text, "
        "CASE WHEN range % 20 = 0 THEN 'rare' ELSE 'common' END AS flag_text, "
        "exp(range / 40.0) AS heavy, printf('AB-%03d', range) || CASE WHEN range = 5 THEN 'x' ELSE '' END AS code "
        "FROM range(400)")
    p = profile(empty_ws, "a")
    kinds = {(a.kind, a.column) for a in p.alerts}
    assert {("constant", "const"), ("high_null_share", "sparse"), ("zeros", "qty_zero"),
            ("high_cardinality", "free_text"), ("imbalanced", "flag_text"), ("skewed", "heavy"),
            ("malformed_pattern", "code"), ("unique", "id")} <= kinds
    assert p.alerts_of("high_null_share", "sparse")[0].count == 300
    assert p.alerts_of("malformed_pattern", "code")[0].count == 1
