"""Workspace loading: every supported format, awkward identifiers, and each bad input's message."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

import workbench as wb
from workbench.errors import DataSourceError, TableExistsError, TableNotFoundError, WorkbenchError


@pytest.fixture
def empty_ws():
    ws = wb.Workspace()
    yield ws
    ws.close()


def test_loads_every_format_with_same_rows(empty_ws, tmp_path):
    df = pd.DataFrame({"id": [1, 2, 3], "name": ["a", "b, c", 'q"uote']})
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_csv(tmp_path / "t.tsv", index=False, sep="\t")
    df.to_parquet(tmp_path / "t.parquet")
    df.to_json(tmp_path / "t.json", orient="records")
    df.to_json(tmp_path / "t.ndjson", orient="records", lines=True)
    with gzip.open(tmp_path / "z.csv.gz", "wt") as f:
        df.to_csv(f, index=False)
    for fname in ["t.csv", "t.tsv", "t.parquet", "t.json", "t.ndjson", "z.csv.gz"]:
        name = empty_ws.load(tmp_path / fname, name=fname)
        assert empty_ws.query(f'SELECT * FROM {wb.quote_ident(name)} ORDER BY id').equals(df), fname


def test_glob_loads_all_parts_under_the_stem(empty_ws, tmp_path):
    for i in range(3):
        pd.DataFrame({"part": [i] * 4}).to_parquet(tmp_path / f"events_{i}.parquet")
    name = empty_ws.load(str(tmp_path / "events_*.parquet"))
    assert name == "events"
    assert empty_ws.row_count(name) == 12


def test_dataframe_with_awkward_identifiers(empty_ws):
    df = pd.DataFrame({"select": [1, 2], "naïve col": ["x", "y"], 'say "hi"': [True, False], "from": [0.5, 1.5]})
    name = empty_ws.load(df, name='my "orders" table')
    assert empty_ws.tables() == ['my "orders" table']
    assert empty_ws.columns(name) == ["select", "naïve col", 'say "hi"', "from"]
    q = wb.quote_ident
    flag = q('say "hi"')
    total = empty_ws.con.execute(f"SELECT sum({q('from')}) FROM {q(name)} WHERE {flag}").fetchone()[0]
    assert total == 0.5


def test_persistent_workspace_keeps_tables(tmp_path):
    path = tmp_path / "design.duckdb"
    with wb.Workspace(path) as ws:
        ws.load(pd.DataFrame({"a": [1, 2]}), name="t")
    with wb.Workspace(path) as ws:
        assert ws.row_count("t") == 2


def test_missing_file_names_the_file(empty_ws, tmp_path):
    with pytest.raises(DataSourceError, match=r"nope\.csv' does not exist") as err:
        empty_ws.load(tmp_path / "nope.csv")
    assert "sample-data" in str(err.value)


def test_empty_file_is_refused(empty_ws, tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataSourceError, match=r"empty\.csv' is empty"):
        empty_ws.load(tmp_path / "empty.csv")


def test_unsupported_extension_lists_supported(empty_ws, tmp_path):
    (tmp_path / "data.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(DataSourceError, match=r"Unsupported file type '\.xlsx'.*\.parquet"):
        empty_ws.load(tmp_path / "data.xlsx")


def test_garbled_csv_names_file_and_table(empty_ws, tmp_path):
    good = "".join(f"{i},n{i},{i}.5\n" for i in range(50))
    (tmp_path / "bad.csv").write_text("id,name,amount\n" + good + '51,"broken,1\n52,x,2,extra,cols\n' + good)
    with pytest.raises(DataSourceError, match=r"Could not read '.*bad\.csv' into table 'bad'") as err:
        empty_ws.load(tmp_path / "bad.csv")
    assert "malformed" in str(err.value)
    assert empty_ws.tables() == []  # nothing half-created


def test_existing_name_refused_unless_replace(empty_ws):
    empty_ws.load(pd.DataFrame({"a": [1]}), name="t")
    with pytest.raises(TableExistsError, match="replace=True"):
        empty_ws.load(pd.DataFrame({"a": [1, 2]}), name="t")
    assert empty_ws.row_count("t") == 1  # the original is untouched
    empty_ws.load(pd.DataFrame({"a": [1, 2]}), name="t", replace=True)
    assert empty_ws.row_count("t") == 2


def test_unknown_table_suggests_nearest(ws):
    with pytest.raises(TableNotFoundError, match="Did you mean 'orders'"):
        ws.require_table("ordres")


def test_unknown_column_lists_columns(ws):
    with pytest.raises(WorkbenchError, match=r"'totl_amount' is not in table 'orders'.*total_amount'\?"):
        ws.require_column("orders", "totl_amount")


def test_dataframe_needs_a_name(empty_ws):
    with pytest.raises(DataSourceError, match="name="):
        empty_ws.load(pd.DataFrame({"a": [1]}))


def test_open_workspace_is_idempotent(tmp_path, sample_dir):
    path = tmp_path / "ws.duckdb"
    first = wb.open_workspace(path, sample_dir)
    counts = wb.workspace_summary(first)
    first.close()
    again = wb.open_workspace(path, sample_dir)  # re-running a notebook must not reload or duplicate
    assert wb.workspace_summary(again).equals(counts)
    again.close()


def test_missing_data_dir_is_a_clear_error(tmp_path):
    with pytest.raises(DataSourceError, match="does not exist"):
        wb.open_workspace(None, tmp_path / "absent")
