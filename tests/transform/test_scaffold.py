"""scaffold_project: a staging -> marts project from the profile, on data this project did not generate.

Real datasets (palmerpenguins, vega_datasets) plus hand-written flights whose ``Origin`` codes reference
vega's airports ``iata`` (with orphans). Today's foreign-key discovery does not find natural keys such as
``iata``, so the flights tests add those foreign keys to the profile explicitly (measured in SQL).
"""

from __future__ import annotations

from pathlib import Path

import palmerpenguins
import pandas as pd
import pytest
import vega_datasets
from peers import peer_python
from test_transform_interop import DBT_REQUIREMENTS, compare, dbt_build

import workbench as wb
from workbench.errors import TransformError
from workbench.profiling import DatasetProfile, ForeignKey, profile_dataset
from workbench.transform import TransformProject
from workbench.transform.scaffold import scaffold_project, snake_case, snake_names

PENGUINS = Path(palmerpenguins.__file__).parent / "data"
VEGA = Path(vega_datasets.__file__).parent / "_data"
SAMPLE_WORDS = ("order", "shop", "customer", "payment", "store")

FLIGHTS_CSV = """\
Flight No,DepartedAt,Origin,Dest,Booked On,ArrivedAt,Delay Minutes,Carrier Code
UA1,2024-03-01 08:00:00,SEA,JFK,02/15/24,2024-03-01 16:10:00,5,UA
UA2,2024-03-01 09:30:00,SEA,ORD,02/16/24,2024-03-01 15:00:00,0,UA
DL3,2024-03-01 10:15:00,JFK,SEA,02/17/24,unknown,12,DL
DL4,2024-03-02 07:45:00,ORD,SEA,02/18/24,2024-03-02 10:30:00,-3,DL
AA5,2024-03-02 11:00:00,ZZZ,SEA,n/a,2024-03-02 14:20:00,40,AA
AA6,2024-03-02 12:20:00," LAX",SEA,02/20/24,2024-03-02 15:05:00,7,AA
UA7,2024-03-03 06:05:00,LAX,SEA,02/21/24,2024-03-03 08:55:00,,UA
DL8,2024-03-03 13:40:00,QQQ,JFK,02/22/24,2024-03-03 21:00:00,15,DL
"""
CARRIERS_CSV = "code,carrier_name\nUA,United\nDL,Delta\nAA,American\n"


def load_flights(ws: wb.Workspace, folder: Path, *, extras: bool = False) -> None:
    """flights, carriers and vega's airports (plus penguins_raw and stocks with ``extras``)."""
    (folder / "flights.csv").write_text(FLIGHTS_CSV)
    (folder / "carriers.csv").write_text(CARRIERS_CSV)
    ws.load(folder / "flights.csv", name="flights")
    ws.load(folder / "carriers.csv", name="carriers")
    ws.load(VEGA / "airports.csv", name="airports")
    if extras:
        ws.load(PENGUINS / "penguins-raw.csv", name="penguins_raw")
        ws.load(VEGA / "stocks.csv", name="stocks")


def measured_fk(ws: wb.Workspace, child: str, col: str, parent: str, key: str) -> ForeignKey:
    """A foreign key with its coverage counted in SQL on the raw values, as the profile counts it."""
    n, orphans = ws.con.execute(
        f'SELECT count(*), count(*) FILTER (WHERE "{col}" NOT IN (SELECT "{key}" FROM "{parent}")) '
        f'FROM "{child}" WHERE "{col}" IS NOT NULL').fetchone()
    return ForeignKey(from_table=child, from_columns=[col], to_table=parent, to_columns=[key],
                      coverage=(n - orphans) / n, orphan_count=orphans)


def flights_profile(ws: wb.Workspace) -> DatasetProfile:
    ds = profile_dataset(ws)
    fks = [measured_fk(ws, "flights", "Origin", "airports", "iata"),
           measured_fk(ws, "flights", "Dest", "airports", "iata"),
           measured_fk(ws, "flights", "Carrier Code", "carriers", "code")]
    given = {(f.from_table, tuple(f.from_columns)) for f in fks}
    ds.foreign_keys = [f for f in ds.foreign_keys if (f.from_table, tuple(f.from_columns)) not in given] + fks
    return ds


@pytest.fixture(scope="module")
def flights(tmp_path_factory):
    ws = wb.Workspace()
    load_flights(ws, tmp_path_factory.mktemp("flights"), extras=True)
    ds = flights_profile(ws)
    scaffold = scaffold_project(ws, ds, fact_table="flights")
    build = scaffold.project.build(ws)
    yield ws, scaffold, build
    ws.close()


def types(ws: wb.Workspace, relation: str) -> dict[str, str]:
    return {r[0]: r[1] for r in ws.con.execute(f'DESCRIBE "{relation}"').fetchall()}


# --- naming --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "snake"), [
    ("Individual ID", "individual_id"), ("DepartedAt", "departed_at"), ("Culmen Length (mm)", "culmen_length_mm"),
    ("Delta 15 N (o/oo)", "delta_15_n_o_oo"), ("studyName", "study_name"), ("IATACode", "iata_code"),
    ("2020", "col_2020"), ("Température", "temperature"), ("***", "column"), ("iata", "iata"),
])
def test_snake_case(raw, snake):
    assert snake_case(raw) == snake


def test_snake_names_keep_snake_names_and_number_collisions_and_keywords():
    names = snake_names(["Flight No", "flight_no", "FlightNo", "Order", "date"], frozenset({"order"}))
    assert names == {"Flight No": "flight_no_2", "flight_no": "flight_no", "FlightNo": "flight_no_3",
                     "Order": "order_", "date": "date"}


# --- staging: renames, casts, trims, keys --------------------------------------------------------------
def test_staging_renames_and_types_text_from_the_profile(flights):
    ws, scaffold, build = flights
    assert build.ok, build.summary()
    assert types(ws, "stg_flights") == {
        "flight_no": "VARCHAR", "departed_at": "TIMESTAMP", "origin": "VARCHAR", "dest": "VARCHAR",
        "booked_on": "DATE", "arrived_at": "TIMESTAMP", "delay_minutes": "BIGINT", "carrier_code": "VARCHAR"}
    row = ws.con.execute("SELECT booked_on, arrived_at FROM stg_flights WHERE flight_no = 'UA1'").fetchone()
    assert str(row[0]) == "2024-02-15" and str(row[1]) == "2024-03-01 16:10:00"  # %m/%d/%y, not year 24
    # a bad value becomes null instead of failing the build
    assert ws.scalar("SELECT arrived_at FROM stg_flights WHERE flight_no = 'DL3'") is None
    assert ws.scalar("SELECT booked_on FROM stg_flights WHERE flight_no = 'AA5'") is None
    assert ws.scalar("SELECT origin FROM stg_flights WHERE flight_no = 'AA6'") == "LAX"  # a code, trimmed
    text = str(scaffold)
    assert "stg_flights.booked_on: text read with try_strptime format %m/%d/%y" in text
    assert "'Flight No' -> flight_no" in text and "'DepartedAt' -> departed_at" in text


def test_real_penguins_and_stocks_are_typed_and_keyed(flights):
    ws, scaffold, build = flights
    t = types(ws, "stg_penguins_raw")
    assert t["individual_id"] == "VARCHAR" and t["date_egg"] == "DATE" and t["sample_number"] == "BIGINT"
    assert t["culmen_length_mm"] == "DOUBLE" and t["body_mass_g"] == "BIGINT"
    assert ws.scalar("SELECT count(*) FROM stg_penguins_raw WHERE culmen_length_mm IS NULL") == 2  # the 'NA's
    assert types(ws, "stg_stocks") == {"symbol": "VARCHAR", "date": "DATE", "price": "DOUBLE"}
    assert ws.scalar("SELECT count(*) FROM stg_stocks WHERE date IS NULL") == 0
    assert str(ws.scalar("SELECT min(date) FROM stg_stocks")) == "2000-01-01"  # 'Jan 1 2000'
    tests = {(x.test, x.target, x.column, tuple(x.kwargs.get("combination_of_columns", ()))) for x in scaffold.project.tests}
    assert ("dbt_utils.unique_combination_of_columns", "stg_penguins_raw", None, ("sample_number", "individual_id")) in tests
    assert ("dbt_utils.unique_combination_of_columns", "stg_stocks", None, ("symbol", "date")) in tests
    assert {("not_null", "stg_stocks", c, ()) for c in ("symbol", "date")} <= tests
    assert ("unique", "stg_airports", "iata", ()) in tests and ("unique", "stg_flights", "flight_no", ()) in tests
    # a pair holding a measurement (decimal) is not the key, and the reason says so
    assert "without a decimal column (skipped (Individual ID, Delta 13 C (o/oo))" in str(scaffold)
    assert all(n.status == "pass" for n in build.tests() if "stg_penguins_raw" in n.name or "stg_stocks" in n.name)


# --- relationships -------------------------------------------------------------------------------------
def test_foreign_keys_become_relationships_tests_warn_on_orphans(flights):
    ws, scaffold, build = flights
    rel = {(t.target, t.column): t for t in scaffold.project.tests if t.test == "relationships"}
    assert set(rel) == {("stg_flights", "origin"), ("stg_flights", "dest"), ("stg_flights", "carrier_code"),
                        ("fct_flights", "origin")}
    assert rel[("stg_flights", "origin")].kwargs == {"to": "ref('stg_airports')", "field": "iata"}
    assert rel[("fct_flights", "origin")].kwargs == {"to": "ref('dim_airports')", "field": "iata"}
    assert {k: t.severity for k, t in rel.items()} == {
        ("stg_flights", "origin"): "warn", ("fct_flights", "origin"): "warn",
        ("stg_flights", "dest"): "error", ("stg_flights", "carrier_code"): "error"}
    results = {n.name: n for n in build.tests()}
    warned = [results[t.name] for t in rel.values() if t.severity == "warn"]
    # the profile counted 3 raw orphans (' LAX' too); after trimming, ZZZ and QQQ remain
    assert [(n.status, n.failures) for n in warned] == [("warn", 2), ("warn", 2)]
    assert "severity warn: the profile found 3 orphan rows" in str(scaffold)


# --- marts -------------------------------------------------------------------------------------------
def test_fact_and_its_largest_parent_make_the_marts(flights):
    ws, scaffold, build = flights
    assert (scaffold.fact_table, scaffold.fct_model, scaffold.dim_model) == ("flights", "fct_flights", "dim_airports")
    assert {m: s.folder for m, s in scaffold.project.models.items() if s.folder == "marts"} == {
        "fct_flights": "marts", "dim_airports": "marts"}
    assert build["dim_airports"].rows == ws.row_count("airports")
    assert build["fct_flights"].rows == 8
    assert types(ws, "fct_flights")["departed_date"] == "DATE"
    text = str(scaffold)
    assert "dim_airports: the largest parent of 'flights' (3,376 rows) via flights.Origin -> airports.iata" in text
    assert "flights.Carrier Code -> carriers.code" in text.split("also linked, not joined: ")[1]
    assert scaffold.project.config_for("fct_flights")["materialized"] == "table"
    assert scaffold.project.config_for("stg_flights")["materialized"] == "view"
    assert len(scaffold.project.lint()) == 0


def test_fact_chosen_by_choose_focus_and_no_parent_means_only_the_fct(tmp_path):
    ws = wb.Workspace()
    load_flights(ws, tmp_path)
    scaffold = scaffold_project(ws, profile_dataset(ws))  # discovery finds no FK from flights today
    assert scaffold.fact_table == "flights" and scaffold.source == "flights"
    assert "fact table 'flights': the most rows" in str(scaffold)
    if not any(fk.from_table == "flights" for fk in profile_dataset(ws).foreign_keys):
        assert scaffold.dim_model is None and "no dim_" in str(scaffold)
    assert scaffold.project.build(ws).ok


def test_text_dates_arrival_fallback_no_key_and_a_parent_without_a_key(tmp_path):
    ws = wb.Workspace()
    ws.load(VEGA / "stocks.csv", name="stocks")
    ws.load(PENGUINS / "penguins.csv", name="penguins")
    ws.load(pd.DataFrame({"symbol": ["MSFT", "MSFT", "AMZN", "IBM", "GOOG", "AAPL"],
                          "listing": ["NASDAQ", "XETRA", "NASDAQ", "NYSE", "NASDAQ", "NASDAQ"]}), name="listings")
    ds = profile_dataset(ws)
    ds.foreign_keys.append(measured_fk(ws, "stocks", "symbol", "listings", "symbol"))
    scaffold = scaffold_project(ws, ds)
    text = str(scaffold)
    # no table has a native date, so the largest is the fact; its arrival time is the text date typed in staging
    assert scaffold.fact_table == "stocks" and "no table has a date or timestamp column" in text
    assert "fct_stocks: arrival time date, the first text date/timestamp typed in staging" in text
    assert "no dimension from stocks.symbol -> listings.symbol: listings.symbol is not a key" in text
    assert scaffold.dim_model is None and "no dim_" in text
    assert "stg_penguins: no key tests: the profile found no candidate key" in text
    assert not [t for t in scaffold.project.tests if t.target == "stg_penguins"]
    build = scaffold.project.build(ws)
    assert build.ok and build["fct_stocks"].rows == 560


def test_source_named_from_the_data_or_by_the_user_and_lists_profiled_tables(flights):
    ws, scaffold, _ = flights
    assert sorted(st.name for st in scaffold.project.sources.values()) == sorted(
        ["airports", "carriers", "flights", "penguins_raw", "stocks"])
    # profiled again after the build: the models built earlier are in the profile, but not sources
    again = scaffold_project(ws, flights_profile(ws), fact_table="flights", name="Air Travel")
    assert again.source == "air_travel" and again.project.name == "air_travel"
    assert sorted(st.name for st in again.project.sources.values()) == sorted(
        st.name for st in scaffold.project.sources.values())
    assert "leaves out dim_airports, fct_flights, stg_airports" in str(again)
    assert sorted(again.project.models) == sorted(scaffold.project.models)


def test_no_sample_names_anywhere(flights, tmp_path):
    _, scaffold, _ = flights
    scaffold.project.export_dbt(tmp_path / "out")
    text = "\n".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file()).lower()
    names = " ".join([scaffold.project.name, *scaffold.project.models, *scaffold.project.sources,
                      *(t.name for t in scaffold.project.tests)]).lower()
    for word in SAMPLE_WORDS:
        assert word not in names, word
        assert word not in text.replace("order by", ""), word


# --- safety ---------------------------------------------------------------------------------------------
def jinja_named() -> pd.DataFrame:
    """Column names holding Jinja: models must escape them (dbt renders model SQL and descriptions)."""
    return pd.DataFrame({"{{ 7 * 7 }}": ["a", "b"], "Name {% if %}": [1, 2]})


def test_jinja_in_a_column_name_is_escaped_not_rendered(tmp_path):
    ws = wb.Workspace()
    ws.load(jinja_named(), name="events")
    scaffold = scaffold_project(ws, profile_dataset(ws))
    assert scaffold.project.build(ws).ok
    assert ws.con.execute("SELECT col_7_7, name_if FROM stg_events ORDER BY 2").fetchall() == [("a", 1), ("b", 2)]
    scaffold.project.export_dbt(tmp_path / "out")
    again = TransformProject.from_dbt(tmp_path / "out")
    ws2 = wb.Workspace()
    ws2.load(jinja_named(), name="events")
    assert again.build(ws2).ok
    assert ws2.con.execute("SELECT col_7_7 FROM stg_events ORDER BY 1").fetchall() == [("a",), ("b",)]


def test_a_table_name_with_braces_is_refused():
    ws = wb.Workspace()
    ws.load(pd.DataFrame({"a": [1]}), name="x{{y}}")
    with pytest.raises(TransformError, match="braces"):
        scaffold_project(ws, profile_dataset(ws))


def test_export_round_trip_builds_the_same(flights, tmp_path):
    ws, scaffold, build = flights
    scaffold.project.export_dbt(tmp_path / "out")
    again = TransformProject.from_dbt(tmp_path / "out")
    fresh = wb.Workspace()
    load_flights(fresh, tmp_path, extras=True)
    ours = again.build(fresh)
    assert sorted((n.name, n.status, n.rows) for n in ours.nodes if n.kind != "test") == sorted(
        (n.name, n.status, n.rows) for n in build.nodes if n.kind != "test")
    assert sorted((n.status, n.failures) for n in ours.tests()) == sorted((n.status, n.failures) for n in build.tests())


# --- real dbt --------------------------------------------------------------------------------------------
@pytest.mark.interop
@pytest.mark.slow
def test_exported_scaffold_builds_in_dbt_with_the_same_rows_and_test_outcomes(tmp_path):
    db_file = tmp_path / "warehouse.duckdb"
    raw = wb.Workspace(str(db_file))  # the source tables, in schema main of a .duckdb file, as dbt reads them
    load_flights(raw, tmp_path, extras=True)
    raw.load(jinja_named(), name="events")
    proj = scaffold_project(raw, flights_profile(raw), fact_table="flights").project
    raw.close()
    out = tmp_path / "dbt_project"
    proj.export_dbt(out, duckdb_path=str(db_file))
    results = dbt_build(peer_python("dbt", DBT_REQUIREMENTS), out)
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    assert not [u for u, s in statuses.items() if s in ("error", "fail", "skipped")], statuses

    ws = wb.Workspace()
    load_flights(ws, tmp_path, extras=True)
    ws.load(jinja_named(), name="events")
    ours = proj.build(ws)
    assert ours.ok
    compare(ws, db_file, sorted(proj.models))
    dbt_tests = sorted((r["status"], r["failures"]) for r in results["results"] if r["unique_id"].startswith("test."))
    assert dbt_tests == sorted((n.status, n.failures) for n in ours.tests())
    assert len(results["results"]) == len(ours.nodes)
