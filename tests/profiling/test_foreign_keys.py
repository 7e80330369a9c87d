"""Foreign keys over natural keys: exactly the true relationships, with their exact figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import vega_datasets

from workbench.profiling import profile_dataset
from workbench.profiling.suggest import suggest_expectation_dicts
from workbench.workspace import Workspace

CODES = [a + b + c for a, b, c in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZABCD", "KLMNOPQRSTUVWXYZABCDEFGHIJKLMN",
                                      "XYZXYZXYZXYZXYZXYZXYZXYZXYZXYZ", strict=True)]
REGISTRATIONS = [104_233 + 9_173 * i for i in range(12)]
CARRIERS = ["AA", "BB", "CC", "DD", "EE", "FF", "GG", "HH"]


def _flights() -> pd.DataFrame:
    """200 flights: 20 origins, 25 real destinations plus orphans QQQ (1 row) and ZZZ (2 rows), 11 aircraft."""
    dest = [CODES[(i * 7) % 25] for i in range(200)]
    dest[5], dest[50], dest[51] = "ZZZ", "ZZZ", "QQQ"
    return pd.DataFrame({
        "flight_id": range(1, 201),
        "carrier": [CARRIERS[i % 8] for i in range(200)],
        "origin": [CODES[i % 20] for i in range(200)],
        "dest": dest,
        "gate_no": [1 + i % 20 for i in range(200)],
        "plane": [REGISTRATIONS[i % 11] for i in range(200)],
    })


@pytest.fixture(scope="module")
def natural():
    ws = Workspace()
    ws.load(pd.DataFrame({"id": range(1, 31), "iata": CODES, "hub": [i % 3 == 0 for i in range(30)]}), name="airports")
    ws.load(pd.DataFrame({"code": CARRIERS, "founded": [1926 + 3 * i for i in range(8)]}), name="carriers")
    ws.load(pd.DataFrame({"registration": REGISTRATIONS, "seats": [150, 180] * 6}), name="aircraft")
    ws.load(_flights(), name="flights")
    # (country, region_code) identifies a region; region codes repeat across countries
    ws.load(pd.DataFrame({"country": ["US"] * 5 + ["CA"] * 5 + ["MX"] * 5,
                          "region_code": [f"{i:02d}" for i in range(1, 6)] * 3,
                          "area": [10, 10, 20, 20, 30] * 3}), name="regions")
    # 12 stations: 11 in known regions, one in ('MX', '09') that does not exist
    pairs = [("US", "01"), ("US", "02"), ("US", "03"), ("CA", "01"), ("CA", "04"), ("CA", "05"),
             ("MX", "02"), ("MX", "03"), ("US", "05"), ("CA", "02"), ("MX", "05"), ("MX", "09")]
    ws.load(pd.DataFrame({"station": [f"ST{i:03d}" for i in range(12)], "country": [p[0] for p in pairs],
                          "region_code": [p[1] for p in pairs], "elevation_m": [100 * i for i in range(12)]}),
            name="stations")
    yield ws, profile_dataset(ws)
    ws.close()


def _by_child(d):
    return {(f.from_table, tuple(f.from_columns)): f for f in d.foreign_keys}


def test_exactly_the_true_relationships(natural):
    _, d = natural
    assert {(k, f.to_table, tuple(f.to_columns)) for k, f in _by_child(d).items()} == {
        (("flights", ("carrier",)), "carriers", ("code",)),
        (("flights", ("origin",)), "airports", ("iata",)),
        (("flights", ("dest",)), "airports", ("iata",)),
        (("flights", ("plane",)), "aircraft", ("registration",)),
        (("stations", ("country", "region_code")), "regions", ("country", "region_code")),
    }


def test_figures_with_orphan_codes(natural):
    fks = _by_child(natural[1])
    dest = fks["flights", ("dest",)]
    assert (dest.coverage, dest.value_coverage, dest.orphan_count, dest.orphan_values, dest.orphan_sample) == \
        (0.985, 0.925926, 3, 2, ["QQQ", "ZZZ"])
    assert not dest.name_hint
    assert str(dest) == "flights(dest) -> airports(iata) coverage 98.50%, 3 orphan rows"
    origin = fks["flights", ("origin",)]
    assert (origin.coverage, origin.value_coverage, origin.orphan_count, origin.orphan_values, origin.orphan_sample) == \
        (1.0, 1.0, 0, 0, [])
    assert fks["flights", ("carrier",)].name_hint and fks["flights", ("carrier",)].coverage == 1.0
    plane = fks["flights", ("plane",)]
    assert (plane.coverage, plane.value_coverage, plane.orphan_count, plane.name_hint) == (1.0, 1.0, 0, False)


def test_composite_key(natural):
    fk = _by_child(natural[1])["stations", ("country", "region_code")]
    assert natural[1].profiles["regions"].candidate_keys == [["country", "region_code"]]
    assert (fk.coverage, fk.value_coverage, fk.orphan_count, fk.orphan_values, fk.orphan_sample) == \
        (0.916667, 0.916667, 1, 1, [["MX", "09"]])
    alert = natural[1].profiles["stations"].alerts_of("orphan_foreign_key", "country, region_code")[0]
    assert alert.message == "1 rows (8.33%) reference a regions(country, region_code) that does not exist"


def test_small_integer_codes_are_not_keys(natural):
    """``gate_no`` 1..20 lies inside ``airports.id`` 1..30 (a dense sequence): a coincidence, not a reference."""
    ws, d = natural
    assert ws.scalar("SELECT count(*) FROM flights WHERE gate_no NOT IN (SELECT id FROM airports)") == 0
    assert not [f for f in d.foreign_keys if "gate_no" in f.from_columns or "flight_id" in f.from_columns]


def test_orphans_become_alerts_and_work_is_counted(natural):
    _, d = natural
    alert = d.profiles["flights"].alerts_of("orphan_foreign_key", "dest")[0]
    assert alert.count == 3 and alert.share == 0.015
    assert d.fk_verify_queries >= len(d.foreign_keys) and d.fk_probe_queries <= 2 * len(d.profiles)
    assert d.fk_verify_queries <= d.fk_candidates


def test_suggested_inclusion_check(natural):
    _, d = natural
    dicts = suggest_expectation_dicts(d.profiles["flights"], d.foreign_keys)
    incl = {e["kwargs"]["column"]: e["kwargs"] for e in dicts if e["type"] == "expect_column_values_to_be_in_other_table"}
    assert incl["dest"] == {"column": "dest", "other_table_name": "airports", "other_column": "iata"}


@pytest.mark.parametrize(("parent_table", "key", "child_table", "col"), [
    ("airports", "iata", "routes", "origin"),
    ("t1", "k", "t2", "c"),
    ("dim_places", "place_code", "fact_trips", "col_17"),
    ("a", "x", "b", "iata"),
])
def test_names_need_not_agree(parent_table, key, child_table, col):
    with Workspace() as ws:
        ws.load(pd.DataFrame({key: CODES, "n": range(30)}), name=parent_table)
        ws.load(pd.DataFrame({col: [CODES[(i * 5) % 24] for i in range(100)] + ["ZZZ"], "v": range(101)}),
                name=child_table)
        d = profile_dataset(ws)
        assert [(f.from_table, f.from_columns, f.to_table, f.to_columns) for f in d.foreign_keys] == \
            [(child_table, [col], parent_table, [key])]
        fk = d.foreign_keys[0]
        assert (fk.orphan_count, fk.orphan_values, fk.orphan_sample, fk.value_coverage) == (1, 1, ["ZZZ"], 0.96)


def test_real_airports_as_parent():
    """vega_datasets' airports.csv (3,376 airports by ``iata``) referenced by a hand-written routes table."""
    path = Path(vega_datasets.__file__).parent / "_data" / "airports.csv"
    routes = pd.DataFrame({
        "src": ["ORD", "ATL", "LAX", "JFK", "SFO", "DFW", "DEN", "SEA", "BOS", "MIA", "ORD", "ATL", "PHX"],
        "dst": ["LAX", "JFK", "ORD", "SFO", "ATL", "DEN", "SEA", "BOS", "MIA", "DFW", "XXQ", "LAS", "MSP"],
    })
    with Workspace() as ws:
        ws.load(path, name="airports")
        ws.load(routes, name="routes")
        d = profile_dataset(ws)
        assert ["iata"] in d.profiles["airports"].candidate_keys
        fks = {f.from_columns[0]: f for f in d.foreign_keys}
        assert set(fks) == {"src", "dst"} and all(f.to_columns == ["iata"] for f in fks.values())
        assert (fks["src"].coverage, fks["src"].orphan_count) == (1.0, 0)
        dst = fks["dst"]
        assert (dst.coverage, dst.value_coverage, dst.orphan_count, dst.orphan_values, dst.orphan_sample) == \
            (0.923077, 0.923077, 1, 1, ["XXQ"])


@pytest.mark.parametrize(("col", "parent"), [("airport", "airports"), ("x", "airports"), ("city_code", "cities")])
def test_one_parent_per_child_column(col, parent):
    """Names agree first, then coverage, then the smaller parent (``airports`` holds 30 codes, ``cities`` 40)."""
    with Workspace() as ws:
        ws.load(pd.DataFrame({"iata": CODES}), name="airports")
        ws.load(pd.DataFrame({"code": CODES + [f"Q{i}Q" for i in range(10)]}), name="cities")
        ws.load(pd.DataFrame({col: CODES[:20] * 3}), name="legs")
        d = profile_dataset(ws)
        assert [(f.from_columns, f.to_table) for f in d.foreign_keys if f.from_table == "legs"] == [([col], parent)]


def test_one_to_one_keeps_one_direction():
    """Two unique columns with the same values: the reference points into the table the key is named after."""
    with Workspace() as ws:
        ws.load(pd.DataFrame({"customer_id": range(1, 41), "name": [f"n{i}" for i in range(40)]}), name="customers")
        ws.load(pd.DataFrame({"customer_id": range(1, 41), "score": [i % 7 for i in range(40)]}),
                name="customer_details")
        d = profile_dataset(ws)
        assert [(f.from_table, f.to_table) for f in d.foreign_keys] == [("customer_details", "customers")]
