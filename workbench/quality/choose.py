"""Which quality suites the step runs on the user's data: their GX files, the bundled example, or suggestions.

``quality_suites(ws, dataset)`` -> :class:`SuiteChoice` with the suites, the table each validates and why:

1. ``suites_dir`` given: every ``*.json`` in it, read as a Great Expectations suite (0.x or 1.x); the table
   is the suite's ``meta.table``, else the workspace table its name starts with;
2. else the example suites of the sample shop (``workbench/examples/shop_quality``), when every table and
   column they check is in the data;
3. else suggested from the profile, in layers: ``<table>.source`` (schema, at least one row, volume against
   the validation history, freshness of the fact table's arrival column) and ``<table>.transform`` (keys,
   not null, ranges, sets, patterns, relationships: ``suggest_expectations`` without its source checks).

Suggested thresholds hold for any batch window cut from the data: no minimum row count above one and a
freshness tolerance of the longest gap between arrival days plus a day. A suggested check fails on the
data it came from only when it flags a defect the profile found (a duplicated key, orphans, negative
amounts, malformed values, rows dated after the snapshot).

Suite files may name GX suite parameters (``{"$PARAMETER": "reference_time"}``): they are bound to the
snapshot the step validates at.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from workbench.datapackage import read_data_package
from workbench.errors import ExpectationError, TableNotFoundError
from workbench.profiling.alerts import AMOUNT_NAME
from workbench.profiling.focus import FocusChoice, choose_focus
from workbench.profiling.profile import reference_naive
from workbench.profiling.suggest import suggest_expectation_dicts
from workbench.quality.gx import load_json
from workbench.quality.suite import Suite
from workbench.workspace import quote_ident

if TYPE_CHECKING:
    from workbench.profiling.models import DatasetProfile, TableProfile
    from workbench.quality.validate import ValidationResult
    from workbench.workspace import Workspace

EXAMPLE_DIR = Path(__file__).resolve().parents[1] / "examples" / "shop_quality"
#: suggested transform suites leave these to the source suite
SOURCE_TYPES = frozenset({"expect_column_max_to_be_fresh", "expect_table_row_count_to_be_between"})
#: a day with fewer rows than this share of the median day is sparse (e.g. a few clock-skewed rows)
SPARSE_DAY_SHARE = 0.25
DAY = 86_400


class Snapshot(BaseModel):
    """The moment the data is validated at, with the arrival facts the suggested source checks use."""

    time: str | None
    reason: str
    #: the longest run between consecutive regular arrival days (1 = every day has rows)
    longest_gap_days: int = 1

    def __str__(self) -> str:
        return self.reason


class SuiteChoice(BaseModel):
    """The suites the quality step runs, the table each validates, where they came from and why."""

    suites: list[Suite]
    tables: dict[str, str]
    source: Literal["files", "example", "suggested"]
    reason: str
    fact_table: str
    reference_time: str | None

    def __str__(self) -> str:
        return self.reason

    @staticmethod
    def layer_of(suite: Suite) -> str:
        """The suite's layer, else its first expectation's; a GX suite without layers counts as transform."""
        return suite.layer or next((e.layer for e in suite.expectations if e.layer), "transform")

    def suites_of(self, layer: str) -> list[Suite]:
        return [s for s in self.suites if self.layer_of(s) == layer]

    def gate_suite(self) -> Suite:
        """The suite the gate runs: the fact table's transform suite, else its first suite, else the first."""
        on_fact = [s for s in self.suites if self.tables[s.name] == self.fact_table]
        return next((s for s in on_fact if self.layer_of(s) == "transform"), on_fact[0] if on_fact else self.suites[0])

    def key_columns(self, table: str) -> list[str]:
        """The columns that identify a row of ``table``: a suite's ``meta.key_columns`` or its first unique check."""
        suites = [s for s in self.suites if self.tables[s.name] == table]
        for s in suites:
            if s.meta.get("key_columns"):
                return list(s.meta["key_columns"])
        for s in suites:
            for e in s.expectations:
                if e.kind == "unique":
                    return e.columns() or list(getattr(e.kwargs, "column_list", []))
        return []


def arrival_snapshot(ws: Workspace, focus: FocusChoice) -> Snapshot:
    """The newest arrival of the fact table on its last regular day (rows on sparse later days are skew)."""
    if not focus.timestamp_column:
        return Snapshot(time=None, reason=f"snapshot: now ({focus.table!r} has no arrival-time column)")
    t, col = quote_ident(focus.table), quote_ident(focus.timestamp_column)
    ts = f"CAST({col} AS TIMESTAMP)"
    latest, later, gap = ws.con.execute(
        f"WITH d AS (SELECT CAST({ts} AS DATE) AS day, count(*) AS n, max({ts}) AS latest FROM {t} "
        f"WHERE {col} IS NOT NULL GROUP BY 1), "
        "r AS (SELECT max(day) AS last FROM d WHERE n >= (SELECT median(n) * $share FROM d)), "
        "g AS (SELECT day - lag(day) OVER (ORDER BY day) AS gap FROM d WHERE day <= (SELECT last FROM r)) "
        "SELECT (SELECT latest FROM d WHERE day = (SELECT last FROM r)), "
        "(SELECT coalesce(sum(n), 0) FROM d WHERE day > (SELECT last FROM r)), (SELECT coalesce(max(gap), 1) FROM g)",
        {"share": SPARSE_DAY_SHARE}).fetchone()
    where = f"{focus.table}.{focus.timestamp_column}"
    if latest is None:
        return Snapshot(time=None, reason=f"snapshot: now ({where} holds no dates)")
    why = f"snapshot {latest.isoformat()}: the newest arrival in {where}"
    if later:
        why += (f" on its last regular day; {later:,} rows dated after it fall on sparse days (fewer than "
                f"{SPARSE_DAY_SHARE:.0%} of the median day's rows) and count as dated in the future")
    return Snapshot(time=latest.isoformat(), reason=why, longest_gap_days=int(gap))


def quality_snapshot(ws: Workspace, focus: FocusChoice, *, snapshot_at: datetime | str | None = None,
                     data_dir: str | Path | None = None) -> Snapshot:
    """The moment the step validates at: ``snapshot_at``, else the extract time ``data_dir`` declares
    (``read_data_package``), else the newest arrival (``arrival_snapshot``)."""
    arrival = arrival_snapshot(ws, focus)
    declared = read_data_package(data_dir)
    if snapshot_at or declared.extracted_at:
        ref = reference_naive(snapshot_at or declared.extracted_at).isoformat()
        why = "given" if snapshot_at else f"the extract time {declared.file} declares"
        return arrival.model_copy(update={"time": ref, "reason": f"snapshot {ref}: {why}"})
    return arrival


def quality_suites(ws: Workspace, dataset: DatasetProfile, *, suites_dir: str | Path | None = None,
                   snapshot: Snapshot | None = None, focus: FocusChoice | None = None) -> SuiteChoice:
    """The suites for the profiled tables of ``dataset`` by the rule in the module docstring.

    ``snapshot`` (default: ``arrival_snapshot`` of the fact table) binds freshness and the ``reference_time``
    suite parameter; ``focus`` defaults to ``choose_focus`` over the profiled tables.
    """
    tables = list(dataset.profiles)
    focus = focus or choose_focus(ws, tables)
    snap = snapshot or arrival_snapshot(ws, focus)
    params = {"reference_time": snap.time}
    base = dict(fact_table=focus.table, reference_time=snap.time)
    if suites_dir:
        suites, found = _read_suites(sorted(Path(suites_dir).glob("*.json")), params, ws, suites_dir)
        return SuiteChoice(suites=suites, tables=found, source="files", **base,
                           reason=f"suites: {len(suites)} read from {str(suites_dir)!r}; {snap}")
    files = sorted(EXAMPLE_DIR.glob("*.json"))
    missing = [t for f in files if (t := load_json(f)["meta"]["table"]) not in tables]
    if not missing:
        example, example_tables = _read_suites(files, params, ws, EXAMPLE_DIR)
        missing = [m for s in example for m in _missing(ws, s, example_tables[s.name], tables)]
    if not missing:
        return SuiteChoice(suites=example, tables=example_tables, source="example", **base,
                           reason=f"suites: the bundled example suites (every table and column they check is in your data); {snap}")
    suites = [s for t in tables for s in suggested_suites(dataset.profiles[t], dataset, focus, snap)]
    lacks = len(dict.fromkeys(missing))
    return SuiteChoice(suites=suites, tables={s.name: s.meta["table"] for s in suites}, source="suggested", **base,
                       reason=f"suites: suggested from the profile of {len(tables)} tables (no suites_dir given, and "
                              f"your data lack {lacks} of the tables and columns the bundled example suites check: "
                              f"they were written for the sample); {snap}")


def suggested_suites(p: TableProfile, dataset: DatasetProfile, focus: FocusChoice, snap: Snapshot) -> list[Suite]:
    """``<table>.source`` and ``<table>.transform`` for one profiled table (thresholds hold for a batch window)."""
    src: list[dict[str, Any]] = [_e("expect_table_columns_to_match_set", "critical", "the columns profiled",
                                    column_set=list(p.columns))]
    if p.row_count:
        src.append(_e("expect_table_row_count_to_be_between", "warning",
                      "a batch window holds at least one row; no upper bound (volume is judged by history)",
                      min_value=1))
    src.append(_e("expect_table_row_count_to_not_be_anomalous", "warning",
                  "row count against earlier validations of this table", min_history=3))
    notes = "thresholds hold for any batch window of the data"
    if p.table == focus.table and focus.timestamp_column and snap.time:
        age = (snap.longest_gap_days + 1) * DAY
        src.append(_e("expect_column_max_to_be_fresh", "warning",
                      f"the longest gap between arrival days ({snap.longest_gap_days} d) plus a day",
                      column=focus.timestamp_column, max_age_seconds=age, reference_time=snap.time))
        notes += (f"; freshness is measured from the snapshot {snap.time}: in the pipeline leave reference_time "
                  "out to measure from the run time")
    transform = [{**e, "layer": "transform"} for e in suggest_expectation_dicts(p, dataset.foreign_keys)
                 if e["type"] not in SOURCE_TYPES]
    keys = next((e["kwargs"].get("column_list") or [e["kwargs"]["column"]] for e in transform
                 if e["type"] in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")), [])
    src += [_e("expect_column_values_to_not_be_null", "critical", "the key arrives with every row (a source contract)",
               column=k) for k in keys]
    meta = {"table": p.table, "source": "workbench.profile", "notes": notes, **({"key_columns": keys} if keys else {})}
    out = [Suite(name=f"{p.table}.source", layer="source", meta=meta, expectations=src)]
    if transform:
        out.append(Suite(name=f"{p.table}.transform", layer="transform", meta=meta, expectations=transform))
    return out


def sink_suite(p: TableProfile, key: list[str], sink_table: str) -> Suite:
    """``<table>.sink`` for a load of ``p.table`` into ``sink_table``: key unique, counts and amounts reconcile,
    no negative amounts (a business rule, warning)."""
    amounts = [c.name for c in p.columns.values() if c.kind == "numeric" and AMOUNT_NAME.search(c.name)]
    exps: list[dict[str, Any]] = []
    if len(key) == 1:
        exps.append({"type": "expect_column_values_to_be_unique", "kwargs": {"column": key[0]}})
    elif key:
        exps.append({"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": key}})
    exps.append({"type": "expect_table_to_reconcile_with_source", "kwargs": {
        "source_table": p.table, "count_tolerance": 0.01, "sum_columns": amounts, "sum_tolerance": 0.01}})
    if amounts:
        shown = ", ".join(quote_ident(c) for c in [*key, *amounts])
        negative = " OR ".join(f"{quote_ident(c)} < 0" for c in amounts)
        exps.append({"type": "unexpected_rows_expectation", "severity": "warning", "kwargs": {
            "unexpected_rows_query": f"SELECT {shown} FROM {{batch}} WHERE {negative}"}})
    return Suite(name=f"{p.table}.sink", layer="sink", meta={"table": sink_table}, expectations=exps)


# --- helpers --------------------------------------------------------------------------------------------
def _e(type_: str, severity: str, reason: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "severity": severity, "meta": {"reason": reason}}


def bind_parameters(value: Any, params: dict[str, Any], where: str) -> Any:
    """``value`` with every GX suite parameter ``{"$PARAMETER": name}`` replaced by ``params[name]``."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            name = value["$PARAMETER"]
            if params.get(name) is None:
                raise ExpectationError(f"{where} uses suite parameter {name!r}, which has no value here.",
                                       hint=f"Parameters available: {', '.join(k for k, v in params.items() if v)}"
                                            " (set snapshot_at to give reference_time a value).")
            return params[name]
        return {k: bind_parameters(v, params, where) for k, v in value.items()}
    if isinstance(value, list):
        return [bind_parameters(v, params, where) for v in value]
    return value


def _read_suites(files: list[Path], params: dict[str, Any], ws: Workspace,
                 folder: str | Path) -> tuple[list[Suite], dict[str, str]]:
    """Suites from GX JSON files, parameters bound, each with the workspace table it validates."""
    if not files:
        raise ExpectationError(f"Suite folder {str(folder)!r} holds no .json suite files.",
                               hint="Export your suites from Great Expectations as JSON into that folder.")
    suites, tables = [], {}
    for f in files:
        suite = Suite.from_gx_json(bind_parameters(load_json(f), params, f"Suite file {f.name!r}"))
        tables[suite.name] = _table_of(suite, ws, f)
        suites.append(suite)
    return suites, tables


def _table_of(suite: Suite, ws: Workspace, path: Path) -> str:
    """``meta.table``, else the longest workspace table that the suite name starts with (then . or _)."""
    named = suite.meta.get("table")
    if named:
        return named
    present = ws.tables()
    prefixes = [t for t in present if re.match(rf"{re.escape(t)}($|[._])", suite.name)]
    if not prefixes:
        example = present[0] if present else "orders"
        raise TableNotFoundError(
            f"Suite {suite.name!r} ({path.name}) does not say which table it validates.",
            hint=f'Add the table to the suite\'s meta, e.g. "meta": {{"table": "{example}"}}, or name the suite '
                 f"after its table (tables: {', '.join(present)}).")
    return max(prefixes, key=len)


def _missing(ws: Workspace, suite: Suite, table: str, tables: list[str]) -> list[str]:
    """What ``suite`` checks that the data lacks: a column of its table, or another table it names."""
    cols = set(ws.columns(table))
    out = [f"{table}.{c}" for e in suite.expectations for c in e.columns() if c not in cols]
    others = (getattr(e.kwargs, "other_table_name", None) for e in suite.expectations)
    return out + [o for o in others if o and o not in tables]


def planted_defects(manifest: dict | None, results: dict[str, ValidationResult]) -> list[tuple[str, int, int | None]]:
    """(defect, planted, caught) for every defect a data folder's manifest declares with the check that catches it
    (``defect_checks``, in its order, counted in ``defects``); caught is None when that check was not run."""
    out: list[tuple[str, int, int | None]] = []
    defects = (manifest or {}).get("defects") or {}
    for defect, check in ((manifest or {}).get("defect_checks") or {}).items():
        if defect not in defects:
            continue
        planted = defects[defect]
        result = results.get(check["suite"])
        try:
            r = result.result_for(check["type"], check.get("column")) if result is not None else None
        except KeyError:
            r = None
        figure = check.get("figure", "unexpected_count")
        caught = None if r is None else (r.unexpected_count if figure == "unexpected_count" else r.details[figure])
        out.append((defect, int(planted), caught))
    return out
