"""Scaffold a transform project from the profile when the user has no dbt project (the design guide's layers).

Rules (every choice comes back as a reason):

- one dbt source, named ``name`` or after the fact table, listing every profiled workspace table except those
  named like a model (``stg_``, ``dim_``...: models built earlier are not raw data);
- ``stg_<table>`` per source table (views in ``staging/``): columns renamed to snake_case (``Individual ID``
  -> ``individual_id``, ``DepartedAt`` -> ``departed_at``; a name taken twice gets ``_2``, an SQL keyword a
  trailing ``_``); text columns typed from the profile with ``try_cast`` (dates, timestamps, integers,
  decimals, booleans, uuids) or ``try_strptime`` with a format read off the values (``Jan 1 2000``), so a
  bad value becomes null instead of failing the build; text keys and codes (the key, either end of a foreign
  key, names like ``*_id``/``code``/``no``) are trimmed and stay text, so leading zeros survive;
- the table's key (its first candidate key without a decimal column) is tested ``not_null`` and ``unique``
  (composite: ``dbt_utils.unique_combination_of_columns``, exported as a local generic test);
- every single-column foreign key becomes a ``relationships`` test between staging models, ``severity: warn``
  when the profile found orphans, so the build documents them without failing;
- marts (tables in ``marts/``): ``dim_<parent>`` is the staging model of the fact's largest parent (by rows)
  through a foreign key onto a key of the parent (one row per key; the fact's first column linking to it); ``fct_<fact>`` is the fact's staging rows
  (orphans kept, flagged by a warn test) plus the arrival time's date. No such parent: only the fct.

Models hold identifiers only, never data values; identifiers are quoted and their braces escaped for Jinja.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from workbench.errors import TransformError
from workbench.profiling.focus import choose_focus
from workbench.profiling.models import ColumnProfile, DatasetProfile, ForeignKey, TableProfile
from workbench.profiling.types import TYPE_SHARE
from workbench.sqltypes import is_timestamp, normalize
from workbench.transform.lint import PREFIXES
from workbench.transform.project import TransformProject
from workbench.transform.spec import check_name
from workbench.workspace import Workspace, quote_ident

#: staged names that mark a key or code column (kept as trimmed text)
CODE_NAME = re.compile(r"(^|_)(id|key|code|no|number|uuid|sku)$")
#: inferred text type -> the type ``try_cast`` gives it
CASTS = {"date": "DATE", "timestamp": "TIMESTAMP", "integer": "BIGINT", "decimal": "DOUBLE", "boolean": "BOOLEAN",
         "uuid": "UUID"}
#: text date formats read with ``try_strptime``; two-digit years first, as ``%Y`` also reads ``07`` (year 7)
DATE_FORMATS = ("%m/%d/%y", "%d/%m/%y", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%b %d %Y", "%d %b %Y", "%b %d, %Y",
                "%B %d %Y", "%d %B %Y", "%B %d, %Y")
TIMESTAMP_FORMATS = ("%m/%d/%y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                     "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%b %d %Y %H:%M:%S")
FOLDERS = {"staging": {"+materialized": "view"}, "marts": {"+materialized": "table"}}


class ScaffoldResult(BaseModel):
    """The scaffolded project, its source and mart names, and the reason for every choice."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    project: TransformProject
    source: str
    fact_table: str
    fct_model: str
    dim_model: str | None = None
    reasons: list[str]

    def __str__(self) -> str:
        return "\n".join(self.reasons)


def snake_case(name: str) -> str:
    """``Individual ID`` -> ``individual_id``, ``DepartedAt`` -> ``departed_at``, ``2020`` -> ``col_2020``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower() or "column"
    return f"col_{text}" if text[0].isdigit() else text


def snake_names(names: list[str], keywords: frozenset[str] = frozenset()) -> dict[str, str]:
    """Original -> unique snake_case name; names already in snake_case keep it, keywords get a trailing ``_``."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for n in sorted(names, key=lambda n: snake_case(n) != n):
        base = snake_case(n)
        base = f"{base}_" if base in keywords else base
        name, i = base, 2
        while name in taken:
            name, i = f"{base}_{i}", i + 1
        taken.add(name)
        out[n] = name
    return {n: out[n] for n in names}


def sql_keywords(ws: Workspace) -> frozenset[str]:
    """DuckDB's reserved and type/function keywords: unquoted column names (as dbt's tests write them) fail."""
    rows = ws.con.execute("SELECT keyword_name FROM duckdb_keywords() "
                          "WHERE keyword_category IN ('reserved', 'type_function')").fetchall()
    return frozenset(r[0] for r in rows)


def jinja_safe(text: str) -> str:
    """``text`` with every brace written as a Jinja expression, so a name holding ``{{ ... }}`` renders as itself."""
    return re.sub(r"[{}]", lambda m: "{{ '" + m.group() + "' }}", text)


@dataclass
class _Column:
    source: str
    name: str
    expr: str
    dtype: str
    why: str = ""


def _shares(c: ColumnProfile) -> str:
    return f"{c.inferred_share:.0%}" if c.inferred_share is not None else "most"


def _text_formats(ws: Workspace, table: str, cols: list[ColumnProfile]) -> dict[str, tuple[str, str]]:
    """Column -> (format, reason) for text columns whose values read as dates or timestamps with one format."""
    probe = [c for c in cols if c.count and c.inferred_type in ("text", "categorical")
             and any("9" in p.pattern for p in c.patterns[:1])]
    if not probe:
        return {}
    formats = DATE_FORMATS + TIMESTAMP_FORMATS
    items = [f"count(try_strptime(trim({quote_ident(c.name)}), '{f}'))" for c in probe for f in formats]
    row = ws.con.execute(f"SELECT {', '.join(items)} FROM {quote_ident(table)}").fetchone()
    out = {}
    for i, c in enumerate(probe):
        counts = row[i * len(formats):(i + 1) * len(formats)]
        best = max(range(len(formats)), key=lambda j: (counts[j], -j))
        if counts[best] >= TYPE_SHARE * c.count:
            same = formats[best].replace("%Y", "%y")
            ties = [f for f, n in zip(formats, counts, strict=True)
                    if n == counts[best] and f.replace("%Y", "%y") != same]
            why = (f"text read with try_strptime format {formats[best]} ({counts[best] / c.count:.0%} of values; "
                   "any other value becomes null)" + (f"; {', '.join(ties)} reads as many, the first listed wins"
                                                      if ties else ""))
            out[c.name] = (formats[best], why)
    return out


def _typed(q: str, dtype: str, c: ColumnProfile | None, code: bool, fmt: tuple[str, str] | None) -> tuple[str, str, str]:
    """(expression, staged type, reason) of a column: casts and trims only for text columns the profile typed."""
    if normalize(dtype) != "VARCHAR" or c is None:
        return q, dtype, ""
    if fmt:
        expr = f"try_strptime(trim({q}), '{fmt[0]}')"
        return (f"cast({expr} as DATE)", "DATE", fmt[1]) if fmt[0] in DATE_FORMATS else (expr, "TIMESTAMP", fmt[1])
    t = c.inferred_type
    zeros = t == "integer" and len(str(c.min)) > 1 and str(c.min).startswith("0")
    if t in ("date", "timestamp") or (t in CASTS and not code and not zeros):
        return (f"try_cast(trim({q}) as {CASTS[t]})", CASTS[t],
                f"try_cast to {CASTS[t]}: the profile reads {_shares(c)} of its text as {t}; any other value becomes null")
    if code:
        return f"trim({q})", dtype, "a key or code: trimmed, kept as text"
    if zeros:
        return f"trim({q})", dtype, "integer-like text with leading zeros: trimmed, kept as text"
    return q, dtype, ""


def _stage(ws: Workspace, table: str, p: TableProfile, codes: set[str], keywords: frozenset[str]) -> list[_Column]:
    schema = ws.schema(table)
    names = snake_names(list(schema), keywords)
    formats = _text_formats(ws, table, [p.columns[c] for c in schema if c in p.columns
                                        and normalize(schema[c]) == "VARCHAR"])
    out = []
    for col, dtype in schema.items():
        q = jinja_safe(quote_ident(col))
        code = col in codes or bool(CODE_NAME.search(names[col]))
        expr, staged, why = _typed(q, dtype, p.columns.get(col), code, formats.get(col))
        out.append(_Column(col, names[col], expr, staged, why))
    return out


def _stage_sql(source: str, table: str, cols: list[_Column]) -> str:
    lines = [c.name if c.expr == quote_ident(c.name) else f"{c.expr} as {c.name}" for c in cols]
    return ("select\n    " + ",\n    ".join(lines) + f"\nfrom {{{{ source('{source}', '{table}') }}}}\n")


def _choose_key(p: TableProfile) -> tuple[list[str] | None, str]:
    """The first candidate key without a decimal column (measurements do not identify rows), with the reason."""
    skipped = []
    for key in p.candidate_keys:
        if any(p.columns[k].inferred_type == "decimal" for k in key):
            skipped.append("(" + ", ".join(key) + ")")
            continue
        why = "its first candidate key" if not skipped else (
            f"its first candidate key without a decimal column (skipped {', '.join(skipped)})")
        return key, why
    if skipped:
        return None, f"no key tests: every candidate key holds a decimal column ({', '.join(skipped)})"
    return None, "no key tests: the profile found no candidate key (no unique, non-null column or pair)"


def _key_tests(proj: TransformProject, model: str, key: list[str]) -> None:
    for c in key:
        proj.add_test("not_null", model, c)
    if len(key) == 1:
        proj.add_test("unique", model, key[0])
    else:
        proj.add_test("dbt_utils.unique_combination_of_columns", model, combination_of_columns=key)


def _orphans(fk: ForeignKey) -> bool:
    return fk.orphan_count > 0 or fk.coverage < 1


def _fk_text(fk: ForeignKey) -> str:
    return f"{fk.from_table}.{fk.from_columns[0]} -> {fk.to_table}.{fk.to_columns[0]}"


def scaffold_project(ws: Workspace, dataset: DatasetProfile, *, fact_table: str | None = None,
                     timestamp_column: str | None = None, name: str | None = None) -> ScaffoldResult:
    """A staging -> marts project over the profiled raw tables, typed and tested from ``dataset``; see the module."""
    tables = [ws.require_table(t) for t in dataset.profiles if not t.startswith(tuple(PREFIXES))]
    if not tables:
        raise TransformError("The profile has no raw tables to scaffold a transform project from.",
                             hint="Load your files and profile them: profile_dataset(ws).")
    for t in tables:
        if re.search(r"[{}]", t):
            raise TransformError(f"Table {t!r} has braces in its name; dbt renders source names as Jinja.",
                                 hint=f'Rename it: ws.con.execute(\'ALTER TABLE "{t}" RENAME TO new_name\').')
    reasons: list[str] = []
    focus = choose_focus(ws, tables, table=fact_table, timestamp_column=timestamp_column)
    if focus.table not in tables:
        raise TransformError(f"Fact table {focus.table!r} is not a raw table of the profile.",
                             hint=f"Pick one of {', '.join(tables)}, or profile it: profile_dataset(ws).")
    fact = focus.table
    table_names = snake_names(tables)
    source = check_name(snake_case(name) if name else table_names[fact], "source")
    reasons.append(f"source {source}: " + ("named by you" if name else f"named after the fact table {fact!r}")
                   + f"; lists every profiled table ({', '.join(tables)})")
    left_out = [t for t in ws.tables() if t not in tables]
    if left_out:
        reasons.append(f"source {source}: leaves out {', '.join(left_out)}: not in the profile, or named like a "
                       "model (stg_, int_, dim_, fct_, rpt_), such as models built earlier")
    proj = TransformProject(source)
    proj.folder_config = {k: dict(v) for k, v in FOLDERS.items()}
    proj.add_source(source, {table_names[t]: t for t in tables})

    fks, codes = [], {t: set() for t in tables}
    for fk in dataset.foreign_keys:
        if fk.from_table not in codes or fk.to_table not in codes:
            continue
        if len(fk.from_columns) != 1:
            reasons.append(f"no relationships test for {fk}: a relationships test takes one column")
            continue
        fks.append(fk)
        codes[fk.from_table].add(fk.from_columns[0])
        codes[fk.to_table].add(fk.to_columns[0])

    keywords = sql_keywords(ws)
    staged: dict[str, dict[str, _Column]] = {}
    keys: dict[str, list[str]] = {}
    for t in tables:
        model = f"stg_{table_names[t]}"
        p = dataset.profiles[t]
        key, key_why = _choose_key(p)
        cols = _stage(ws, t, p, codes[t] | set(key or []), keywords)
        staged[t] = {c.source: c for c in cols}
        docs = {c.name: jinja_safe("; ".join([*([f"renamed from {c.source!r}"] if c.source != c.name else []),
                                               *([c.why] if c.why else [])])) for c in cols}
        proj.add_model(model, _stage_sql(source, table_names[t], cols), folder="staging", columns=docs,
                       description=jinja_safe(f"Source table {t!r}, renamed to snake_case and typed from the profile."))
        renamed = [f"{c.source!r} -> {c.name}" for c in cols if c.source != c.name]
        reasons.append(f"{model}: 1:1 staging view of {t!r}; "
                       + (f"renamed {', '.join(renamed)}" if renamed else "column names already snake_case"))
        reasons += [f"{model}.{c.name}: {c.why}" for c in cols if c.why]
        if key:
            keys[t] = [staged[t][k].name for k in key]
            _key_tests(proj, model, keys[t])
            reasons.append(f"{model}: key ({', '.join(keys[t])}) tested not_null and "
                           f"{'unique' if len(key) == 1 else 'unique_combination_of_columns'}: {key_why}")
        else:
            reasons.append(f"{model}: {key_why}")

    for fk in fks:
        child, parent = staged[fk.from_table][fk.from_columns[0]], staged[fk.to_table][fk.to_columns[0]]
        severity = "warn" if _orphans(fk) else "error"
        proj.add_test("relationships", f"stg_{table_names[fk.from_table]}", child.name, severity=severity,
                      to=f"ref('stg_{table_names[fk.to_table]}')", field=parent.name)
        reasons.append(f"relationships stg_{table_names[fk.from_table]}.{child.name} -> "
                       f"stg_{table_names[fk.to_table]}.{parent.name}: foreign key {_fk_text(fk)}; " + (
                           f"severity warn: the profile found {fk.orphan_count:,} orphan rows (coverage "
                           f"{fk.coverage:.2%}), so the build documents them without failing" if severity == "warn"
                           else "severity error: every child value has a parent"))

    reasons.append(focus.reason)
    fct_model, dim_model = _add_marts(proj, dataset, focus.timestamp_column, fact, [f for f in fks if f.from_table == fact],
                                      staged, keys, table_names, reasons)
    return ScaffoldResult(project=proj, source=source, fact_table=fact, fct_model=fct_model, dim_model=dim_model,
                          reasons=reasons)


def _add_marts(proj: TransformProject, dataset: DatasetProfile, timestamp_column: str | None, fact: str,
               links: list[ForeignKey], staged: dict[str, dict[str, _Column]], keys: dict[str, list[str]],
               table_names: dict[str, str], reasons: list[str]) -> tuple[str, str | None]:
    """``dim_<parent>`` (when the fact has a keyed parent) and ``fct_<fact>`` with their tests; their names."""
    link, why = _choose_parent(dataset, fact, links, reasons)
    fct_model = f"fct_{table_names[fact]}"
    dim_model = f"dim_{table_names[link.to_table]}" if link else None
    reasons.append(f"{dim_model or fct_model}: {why}")
    if link:
        dim_key = staged[link.to_table][link.to_columns[0]].name
        proj.add_model(dim_model, f"select *\nfrom {{{{ ref('stg_{table_names[link.to_table]}') }}}}\n",
                       folder="marts", description=jinja_safe(f"One row per {dim_key} of {link.to_table!r}."))
        _key_tests(proj, dim_model, [dim_key])
    ts = _arrival(timestamp_column, list(staged[fact].values()), reasons, fct_model)
    extra = ""
    if ts and ts.dtype != "DATE":
        names = snake_names([*(c.name for c in staged[fact].values()), ts.name.removesuffix("_at") + "_date"])
        day = list(names.values())[-1]
        extra = f",\n    cast({quote_ident(ts.name)} as date) as {day}"
        reasons.append(f"{fct_model}.{day}: the date of the arrival time {ts.name}, for daily grouping")
    proj.add_model(fct_model, f"select\n    *{extra}\nfrom {{{{ ref('stg_{table_names[fact]}') }}}}\n",
                   folder="marts", description=jinja_safe(f"One row per row of {fact!r} (orphans kept)."))
    if fact in keys:
        _key_tests(proj, fct_model, keys[fact])
    joined = ""
    if link:
        child = staged[fact][link.from_columns[0]].name
        proj.add_test("relationships", fct_model, child, severity="warn" if _orphans(link) else "error",
                      to=f"ref('{dim_model}')", field=dim_key)
        joined = f"; its {child} is the key of {dim_model} (orphans kept, flagged by the relationships test)"
    reasons.append(f"{fct_model}: every row of stg_{table_names[fact]}{joined}")
    return fct_model, dim_model


def _choose_parent(dataset: DatasetProfile, fact: str, links: list[ForeignKey],
                   reasons: list[str]) -> tuple[ForeignKey | None, str]:
    """The foreign key from the fact onto its largest parent (by rows; the fact's first such column) among those
    onto a parent's key, and why."""
    keyed = []
    for fk in links:
        parent = dataset.profiles.get(fk.to_table)
        if fk.to_table == fact or parent is None:
            continue
        if fk.to_columns not in parent.candidate_keys:
            reasons.append(f"no dimension from {_fk_text(fk)}: {fk.to_table}.{fk.to_columns[0]} is not a key of "
                           f"{fk.to_table!r} (a dimension has one row per key)")
            continue
        keyed.append(fk)
    if not keyed:
        return None, f"only the fact model: {fact!r} has no foreign key onto a key of another table, so no dim_"
    order = list(dataset.profiles[fact].columns)
    best = max(keyed, key=lambda fk: (dataset.profiles[fk.to_table].row_count, -order.index(fk.from_columns[0])))
    others = [_fk_text(fk) for fk in keyed if fk is not best]
    return best, (f"the largest parent of {fact!r} ({dataset.profiles[best.to_table].row_count:,} rows) via "
                  f"{_fk_text(best)}" + (f"; also linked, not joined: {', '.join(others)}" if others else ""))


def _arrival(column: str | None, cols: list[_Column], reasons: list[str], fct: str) -> _Column | None:
    """The fact's staged arrival-time column: the focus choice, else its first text date/timestamp cast here."""
    if column:
        return next(c for c in cols if c.source == column)
    typed = [c for c in cols if c.why and (c.dtype == "DATE" or is_timestamp(c.dtype))]
    if typed:
        reasons.append(f"{fct}: arrival time {typed[0].name}, the first text date/timestamp typed in staging")
        return typed[0]
    return None
