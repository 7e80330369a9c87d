"""Column kinds from DuckDB types, and type inference for text columns (numbers, dates, emails... stored as text).

Text inference runs as one grouped query: every value is reduced to its *shape* (``CPX-1629`` ->
``AAA-9999``) in SQL, and each shape group counts how many of its values cast to each candidate type.
The shapes double as the column's dominant patterns.
"""

from __future__ import annotations

import re

from workbench.sqltypes import INTEGER_TYPES, TIME_TYPES, normalize, type_family

#: semantic text types: name -> RE2 pattern (full match); the email regex is the design guide's
REGEXES: dict[str, str] = {
    "email": r"^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$",
    "url": r"^(https?|ftp)://[^\s/$.?#][^\s]*$",
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}
BOOLEAN_WORDS = ("true", "false", "t", "f", "yes", "no", "y", "n")

#: text type -> SQL predicate on ``v`` (a VARCHAR); order matters: the first type reaching TYPE_SHARE wins
TEXT_TESTS: dict[str, str] = {
    "boolean": "lower(trim(v)) IN (" + ", ".join(f"'{w}'" for w in BOOLEAN_WORDS) + ")",
    "integer": r"regexp_full_match(v, '\s*[-+]?[0-9]{1,18}\s*')",
    "decimal": "TRY_CAST(v AS DOUBLE) IS NOT NULL AND NOT regexp_matches(v, '(?i)(nan|inf)')",
    "date": "TRY_CAST(v AS DATE) IS NOT NULL AND NOT contains(v, ':')",
    "timestamp": "TRY_CAST(v AS TIMESTAMP) IS NOT NULL AND contains(v, ':')",
    "uuid": f"regexp_full_match(v, '{REGEXES['uuid']}')",
    "email": f"regexp_full_match(v, '{REGEXES['email']}')",
    "url": f"regexp_full_match(v, '{REGEXES['url']}')",
}
#: a text column is typed when at least this share of its non-null values pass the type's test
TYPE_SHARE = 0.8
#: shapes are computed on the first characters only, so free text cannot explode the pattern groups
PATTERN_CHARS = 40
#: categorical: at most this many distinct values, and at most CATEGORICAL_RATIO of the non-null count
CATEGORICAL_MAX = 100
CATEGORICAL_RATIO = 0.5



def kind_of(dtype: str) -> str:
    """numeric | string | temporal | boolean | nested | other, from a DuckDB type name (TIME is ``other``)."""
    family = type_family(dtype)
    if family in ("integer", "float", "decimal"):
        return "numeric"
    if family == "temporal":
        return "temporal" if normalize(dtype) not in TIME_TYPES else "other"
    return family


def native_type(dtype: str) -> str:
    """The inferred_type of a non-text column, from its DuckDB type."""
    t = dtype.upper()
    k = kind_of(t)
    if k == "nested":
        if t.endswith("]"):
            return "list"
        return "map" if t.startswith("MAP") else "struct" if t.startswith("STRUCT") else "union"
    if k == "numeric":
        return "integer" if t in INTEGER_TYPES else "decimal"
    if k == "temporal":
        return "date" if t == "DATE" else "timestamp"
    return {"BOOLEAN": "boolean", "UUID": "uuid", "BLOB": "binary", "TIME": "time", "INTERVAL": "interval"}.get(t, t.lower())


def is_float(dtype: str) -> bool:
    return type_family(dtype) == "float"


_UPPER, _LOWER, _DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789"


def shape_sql(expr: str) -> str:
    """SQL turning a VARCHAR expression into its shape: A-Z -> A, a-z -> a, 0-9 -> 9 (first PATTERN_CHARS)."""
    return (f"translate(left({expr}, {PATTERN_CHARS}), '{_UPPER}{_LOWER}{_DIGITS}', "
            f"'{'A' * 26}{'a' * 26}{'9' * 10}')")


def infer_text_type(counts: dict[str, int], non_null: int, distinct: int | None) -> tuple[str, float | None]:
    """Pick the text type from per-type match counts: ``(type, share)``; else categorical or text."""
    if non_null == 0:
        return "null", None
    for name in TEXT_TESTS:
        share = counts.get(name, 0) / non_null
        if share >= TYPE_SHARE:
            if name == "boolean" and distinct is not None and distinct > 2:
                continue
            return name, share
    if distinct is not None and distinct <= CATEGORICAL_MAX and distinct <= max(2, CATEGORICAL_RATIO * non_null):
        return "categorical", None
    return "text", None


def collapse(shape: str) -> str:
    """``aaaa.aaa9@aaaa.aaa`` -> ``a.a9@a.a``: runs of one class shrink to one symbol."""
    return re.sub(r"(A|a|9)\1+", r"\1", shape)


def pattern_regex(shape: str, *, collapsed: bool = False) -> str:
    """An anchored regex matching the values of a shape (``AAA-9999`` -> ``^[A-Z]{3}-[0-9]{4}$``)."""
    out = []
    for m in re.finditer(r"A+|a+|9+|.", shape, flags=re.S):
        tok = m.group(0)
        cls = {"A": "[A-Z]", "a": "[a-z]", "9": "[0-9]"}.get(tok[0])
        if cls:
            out.append(f"{cls}+" if collapsed else (cls if len(tok) == 1 else f"{cls}{{{len(tok)}}}"))
        else:
            out.append(re.escape(tok))
    return "^" + "".join(out) + "$"
