"""workbench.sqltypes: families of the type names DuckDB itself prints."""

from __future__ import annotations

import duckdb
import pytest

from workbench import sqltypes
from workbench.sqltypes import byte_width, normalize, type_family


def duck_type(expr: str) -> str:
    return str(duckdb.sql(f"SELECT {expr}").types[0])


@pytest.mark.parametrize(("expr", "family"), [
    ("1::TINYINT", "integer"), ("1::SMALLINT", "integer"), ("1::INTEGER", "integer"), ("1::BIGINT", "integer"),
    ("1::HUGEINT", "integer"), ("1::UTINYINT", "integer"), ("1::UBIGINT", "integer"), ("1::UHUGEINT", "integer"),
    ("1::REAL", "float"), ("1::FLOAT", "float"), ("1::DOUBLE", "float"),
    ("1::DECIMAL(12,2)", "decimal"), ("1::DECIMAL(38,10)", "decimal"), ("1.5", "decimal"),
    ("true", "boolean"),
    ("DATE '2024-01-01'", "temporal"), ("TIME '12:00:00'", "temporal"), ("TIMESTAMP '2024-01-01'", "temporal"),
    ("TIMESTAMPTZ '2024-01-01 00:00:00+00'", "temporal"), ("TIMESTAMP '2024-01-01'::TIMESTAMP_NS", "temporal"),
    ("TIMESTAMP '2024-01-01'::TIMESTAMP_MS", "temporal"), ("TIMESTAMP '2024-01-01'::TIMESTAMP_S", "temporal"),
    ("'a'", "string"), ("'a'::TEXT", "string"), ("'a'::VARCHAR(10)", "string"),
    ("'x'::ENUM('x', 'y')", "string"),
    ("[1, 2]", "nested"), ("{'a': 1}", "nested"), ("MAP {'k': 1}", "nested"),
    ("'a'::BLOB", "other"), ("uuid()", "other"), ("INTERVAL 1 DAY", "other"),
])
def test_family_of_real_duckdb_types(expr: str, family: str) -> None:
    assert type_family(duck_type(expr)) == family


def test_duckdb_spells_the_names_the_sets_hold() -> None:
    assert duck_type("1::HUGEINT") in sqltypes.INTEGER_TYPES
    assert duck_type("1::DECIMAL(12,2)") == "DECIMAL(12,2)"
    assert duck_type("TIMESTAMPTZ '2024-01-01 00:00:00+00'") in sqltypes.TIMESTAMP_TYPES
    for t in sqltypes.INTEGER_TYPES | sqltypes.FLOAT_TYPES | sqltypes.TEMPORAL_TYPES | sqltypes.STRING_TYPES:
        assert normalize(duck_type(f"NULL::{t}")) == normalize(t)


@pytest.mark.parametrize(("spelling", "family"), [
    ("int8", "integer"), ("int", "integer"), ("real", "float"), ("numeric(10, 2)", "decimal"),
    ("varchar(20)", "string"), ("timestamptz", "temporal"), ("bool", "boolean"), ("GEOMETRY", "other"),
])
def test_family_of_other_spellings(spelling: str, family: str) -> None:
    assert type_family(spelling) == family


def test_byte_widths() -> None:
    assert byte_width(duck_type("1::HUGEINT")) == 16
    assert byte_width(duck_type("1::INTEGER")) == 4
    assert byte_width(duck_type("1::DECIMAL(12,2)")) == 8
    assert byte_width(duck_type("1::DECIMAL(38,2)")) == 16
    assert byte_width(duck_type("TIMESTAMPTZ '2024-01-01 00:00:00+00'")) == 8
    assert byte_width("VARCHAR") == 8
