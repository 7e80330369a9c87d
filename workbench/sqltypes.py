"""DuckDB type names and their families: the one place that knows which types are integers, floats, times...

Ground floor: imports nothing from the workbench but its errors, so every step (profiling, quality, cdc...)
can share these sets instead of spelling its own copy. Type names are DuckDB's own, as
``str(duckdb.sql(...).types[i])`` prints them (``HUGEINT``, ``DECIMAL(12,2)``, ``TIMESTAMP WITH TIME ZONE``);
:func:`normalize` also folds common spellings (``int8``, ``real``, ``varchar(20)``, ``timestamptz``) into them.
"""

from __future__ import annotations

import re

#: signed integers, narrowest first (each reads every type to its left)
SIGNED_INTEGER_TYPES: tuple[str, ...] = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
#: unsigned integers, narrowest first
UNSIGNED_INTEGER_TYPES: tuple[str, ...] = ("UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")
INTEGER_TYPES: frozenset[str] = frozenset(SIGNED_INTEGER_TYPES + UNSIGNED_INTEGER_TYPES)
#: binary floating point, narrowest first (``REAL`` is DuckDB's alias of ``FLOAT``)
FLOAT_LADDER: tuple[str, ...] = ("FLOAT", "DOUBLE")
FLOAT_TYPES: frozenset[str] = frozenset(FLOAT_LADDER + ("REAL",))
#: ``DECIMAL`` alone or ``DECIMAL(p,s)``
DECIMAL_PREFIX = "DECIMAL"
TIMESTAMP_TYPES: frozenset[str] = frozenset({"TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS",
                                             "TIMESTAMP_S"})
TIME_TYPES: frozenset[str] = frozenset({"TIME", "TIME WITH TIME ZONE"})
TEMPORAL_TYPES: frozenset[str] = frozenset({"DATE"}) | TIMESTAMP_TYPES | TIME_TYPES
STRING_TYPES: frozenset[str] = frozenset({"VARCHAR", "TEXT", "STRING"})
BOOLEAN_TYPES: frozenset[str] = frozenset({"BOOLEAN"})

#: other spellings of DuckDB types -> the name DuckDB prints
ALIASES: dict[str, str] = {
    "INT": "INTEGER", "INT4": "INTEGER", "INT8": "BIGINT", "LONG": "BIGINT", "INT2": "SMALLINT", "INT1": "TINYINT",
    "SHORT": "SMALLINT", "INT128": "HUGEINT", "REAL": "FLOAT", "FLOAT4": "FLOAT", "FLOAT8": "DOUBLE",
    "NUMERIC": "DECIMAL", "STRING": "VARCHAR", "TEXT": "VARCHAR", "CHAR": "VARCHAR", "BPCHAR": "VARCHAR",
    "BOOL": "BOOLEAN", "LOGICAL": "BOOLEAN", "DATETIME": "TIMESTAMP", "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE",
    "TIMETZ": "TIME WITH TIME ZONE",
}

#: bytes a value of a fixed-width type takes in memory (strings, blobs and nested types are variable)
FIXED_WIDTH: dict[str, int] = {
    "BOOLEAN": 1, "TINYINT": 1, "UTINYINT": 1, "SMALLINT": 2, "USMALLINT": 2, "INTEGER": 4, "UINTEGER": 4,
    "BIGINT": 8, "UBIGINT": 8, "HUGEINT": 16, "UHUGEINT": 16, "FLOAT": 4, "DOUBLE": 8, "DATE": 4, "TIME": 8,
    "UUID": 16, "INTERVAL": 16,
}

_SIZED = re.compile(r"^(VARCHAR|CHAR|BPCHAR|TEXT|STRING)\s*\(\s*\d+\s*\)$")
_DECIMAL = re.compile(r"^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$")


def normalize(dtype: str) -> str:
    """The upper-case DuckDB name of ``dtype``: aliases folded, ``VARCHAR(n)`` -> ``VARCHAR``, ``DECIMAL(p, s)``
    -> ``DECIMAL(p,s)``."""
    t = " ".join(str(dtype).strip().upper().split())
    if _SIZED.match(t):
        return "VARCHAR"
    m = _DECIMAL.match(t)
    if m:
        return f"DECIMAL({m.group(1)},{m.group(2) or 0})"
    return ALIASES.get(t, t)


def is_nested(dtype: str) -> bool:
    """LIST/ARRAY (``INTEGER[]``, ``INTEGER[3]``), STRUCT, MAP or UNION."""
    t = str(dtype).strip().upper()
    return t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION"))


def is_decimal(dtype: str) -> bool:
    return normalize(dtype).startswith(DECIMAL_PREFIX)


def is_timestamp(dtype: str) -> bool:
    return normalize(dtype).startswith("TIMESTAMP")


def type_family(duckdb_type: str) -> str:
    """integer | float | decimal | boolean | temporal | string | nested | other, from a DuckDB type name.

    Unsigned integers are ``integer``; DATE, TIME and every TIMESTAMP flavour are ``temporal``; ENUMs are ``string``.
    """
    if is_nested(duckdb_type):
        return "nested"
    t = normalize(duckdb_type)
    if t in INTEGER_TYPES:
        return "integer"
    if t in FLOAT_TYPES:
        return "float"
    if t.startswith(DECIMAL_PREFIX):
        return "decimal"
    if t in BOOLEAN_TYPES:
        return "boolean"
    if t in TEMPORAL_TYPES or t.startswith("TIMESTAMP"):
        return "temporal"
    if t in STRING_TYPES or t.startswith("ENUM"):
        return "string"
    return "other"


def is_numeric(dtype: str) -> bool:
    return type_family(dtype) in ("integer", "float", "decimal")


def byte_width(dtype: str) -> int:
    """Bytes per value of a fixed-width type (DECIMAL: 8 up to 18 digits, else 16; TIMESTAMPs: 8); 8 otherwise."""
    t = normalize(dtype)
    if t.startswith(DECIMAL_PREFIX):
        m = _DECIMAL.match(t)
        digits = int(m.group(1)) if m else 18
        return 8 if digits <= 18 else 16
    if t.startswith("TIMESTAMP"):
        return 8
    return FIXED_WIDTH.get(t, 8)
