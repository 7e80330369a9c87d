"""Run a suite against a workspace table: one scan, GX-shaped results, then the gate.

    v = validate(ws, "orders", suite, gate="warn")
    v.success, v.results[0].unexpected_count, print(v.summary())

Results are ordered for reading: by layer (source, transform, sink), then the design guide's
priority (uniqueness, not null, freshness, volume, schema, business rules); ``position`` keeps the
suite order.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb
from pydantic import BaseModel, Field

from workbench.errors import ColumnNotFoundError, ExpectationError, TableNotFoundError, did_you_mean
from workbench.quality import compile as cp
from workbench.quality import history
from workbench.quality.expectations import LAYERS, Expectation
from workbench.quality.gate import Gate, apply_gate
from workbench.quality.suite import Suite
from workbench.workspace import Workspace, quote_ident

PARTIAL = 20


class ExpectationResult(BaseModel):
    """One expectation's outcome, with Great Expectations' result fields."""

    type: str
    kwargs: dict[str, Any]
    success: bool
    position: int
    label: str
    layer: str | None = None
    severity: str = "critical"
    category: str = "business_rule"
    element_count: int | None = None
    missing_count: int | None = None
    missing_percent: float | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    unexpected_percent_total: float | None = None
    unexpected_percent_nonmissing: float | None = None
    partial_unexpected_list: list[Any] = Field(default_factory=list)
    partial_unexpected_counts: list[dict[str, Any]] = Field(default_factory=list)
    #: up to 20 unexpected rows with the key columns and the checked columns
    failing_rows: list[dict[str, Any]] = Field(default_factory=list)
    observed_value: Any = None
    details: dict[str, Any] = Field(default_factory=dict)

    def brief(self) -> str:
        """One line: counts for row checks, the observed value otherwise."""
        if self.unexpected_count is not None and self.observed_value is None:
            pct = f" ({self.unexpected_percent:.2f}%)" if self.unexpected_percent is not None else ""
            sample = f", e.g. {self.partial_unexpected_list[:3]}" if self.unexpected_count else ""
            return f"{self.unexpected_count} unexpected{pct}{sample}"
        if self.unexpected_count:
            return f"observed {_short(self.observed_value)}; {self.unexpected_count} unexpected"
        return f"observed {_short(self.observed_value)}"

    def to_gx(self) -> dict[str, Any]:
        """The GX validation-result shape: success, expectation_config, result."""
        result = {k: v for k, v in self.model_dump().items() if k in GX_RESULT_KEYS and v is not None}
        return {"success": self.success, "expectation_config": {"type": self.type, "kwargs": self.kwargs},
                "result": result}


GX_RESULT_KEYS = ("element_count", "missing_count", "missing_percent", "unexpected_count", "unexpected_percent",
                  "unexpected_percent_total", "unexpected_percent_nonmissing", "partial_unexpected_list",
                  "partial_unexpected_counts", "observed_value", "details")


class ValidationResult(BaseModel):
    """A suite run on one table. ``success`` is False when a critical expectation failed."""

    success: bool
    results: list[ExpectationResult]
    suite_name: str
    table: str
    gate: str = "warn"
    #: rows the row-level checks read (the sample size when sampled)
    row_count: int
    table_row_count: int
    sampled: bool = False
    sample_fraction: float | None = None
    sample_seed: int | None = None
    key_columns: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    run_at: str = ""
    seconds: float = 0.0
    queries: int = 0

    @property
    def failures(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success]

    @property
    def statistics(self) -> dict[str, Any]:
        n, ok = len(self.results), sum(r.success for r in self.results)
        return {"evaluated_expectations": n, "successful_expectations": ok, "unsuccessful_expectations": n - ok,
                "success_percent": 100.0 * ok / n if n else None}

    def result_for(self, type: str, column: str | None = None) -> ExpectationResult:
        """The first result of ``type`` (on ``column``)."""
        for r in self.results:
            if r.type == type and (column is None or r.kwargs.get("column") == column):
                return r
        raise KeyError(f"no {type} result{f' on {column!r}' if column else ''}")

    def summary(self) -> str:
        head = "PASSED" if self.success else "FAILED"
        sample = (f"; checked a {self.sample_fraction:.0%} sample: {self.row_count:,} rows, seed {self.sample_seed}"
                  if self.sampled else "")
        s = self.statistics
        lines = [f"{head}: suite {self.suite_name!r} on table {self.table!r} ({self.table_row_count:,} rows{sample}); "
                 f"{s['successful_expectations']}/{s['evaluated_expectations']} expectations passed, gate {self.gate}"]
        for r in self.results:
            mark = "ok  " if r.success else "FAIL"
            lines.append(f"  {mark} [{r.layer or '-'}] {r.severity:8} {r.label}: {r.brief()}")
        return "\n".join(lines)

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    def __repr__(self) -> str:
        return self.summary()

    def to_gx(self) -> dict[str, Any]:
        """The GX suite-validation-result shape."""
        return {"success": self.success, "statistics": self.statistics,
                "results": [r.to_gx() for r in self.results],
                "meta": {"expectation_suite_name": self.suite_name, "active_batch_definition": self.table,
                         "run_at": self.run_at, "sampled": self.sampled}}

    def chart(self):
        from workbench.quality.render import summary_chart

        return summary_chart(self)

    def _repr_html_(self) -> str:
        from workbench.quality.render import result_html

        return result_html(self)


# --- entry point -------------------------------------------------------------------------------
def validate(
    ws: Workspace,
    table: str,
    suite: Suite | dict[str, Any],
    gate: str | Gate | None = "warn",
    *,
    fraction: float | None = None,
    seed: int | None = None,
    key_columns: list[str] | None = None,
    record_history: bool = True,
) -> ValidationResult:
    """Validate ``table`` against ``suite``; ``gate`` is "strict" (raise QualityGateError), "warn" or "sample"."""
    started = time.perf_counter()
    suite = suite if isinstance(suite, Suite) else Suite.model_validate(suite)
    g = Gate.of(gate, fraction=fraction, seed=seed)
    ws.require_table(table)
    schema = ws.schema(table)
    _check_references(ws, table, schema, suite)
    keys = _key_columns(table, schema, suite, key_columns)
    run = _Run(ws, table, schema, suite, g, keys)
    try:
        results = run.execute()
    finally:
        run.cleanup()
    ordered = sorted(results, key=lambda r: (_layer_rank(r.layer), _rank(r), r.position))
    crit_ok = all(r.success for r in results if r.severity == "critical")
    v = ValidationResult(
        success=crit_ok, results=ordered, suite_name=suite.name, table=table, gate=g.mode,
        row_count=run.rows, table_row_count=run.table_rows, sampled=g.sampled,
        sample_fraction=g.fraction if g.sampled else None, sample_seed=g.seed if g.sampled else None,
        key_columns=keys, run_at=run.run_at, queries=run.queries,
    )
    if record_history and not g.sampled:
        if not history.record(ws, table, suite.name, run.table_rows, v.success):
            v.warnings.append("validation history not recorded (read-only workspace)")
    v.seconds = time.perf_counter() - started
    return apply_gate(v, g)


def _layer_rank(layer: str | None) -> int:
    return LAYERS.index(layer) if layer in LAYERS else len(LAYERS)


def _rank(r: ExpectationResult) -> int:
    from workbench.quality.expectations import CATEGORY_RANK

    return CATEGORY_RANK[r.category]


def _check_references(ws: Workspace, table: str, schema: dict[str, str], suite: Suite) -> None:
    """Every named column and other table exists; else an error listing what does."""
    cols = list(schema)
    tables = ws.tables()
    for i, e in enumerate(suite.expectations):
        where = f"Expectation #{i + 1} ({e.type})"
        if e.kind != "table":  # schema checks report a missing column as a failure, not an error
            for c in e.columns():
                if c not in schema and not (e.type == "expect_table_to_reconcile_with_source"):
                    raise ColumnNotFoundError(
                        f"{where} names column {c!r}, which is not in table {table!r} (columns: {', '.join(cols)}).",
                        hint=did_you_mean(c, cols) or "Check the column name.",
                    )
        other = getattr(e.kwargs, "other_table_name", None) or getattr(e.kwargs, "source_table", None)
        if other is not None and other not in tables:
            raise TableNotFoundError(
                f"{where} names table {other!r}, which is not in the workspace (tables: {', '.join(tables)}).",
                hint=did_you_mean(other, tables) or "Load it first with ws.load(...).",
            )
        if e.type == "expect_column_values_to_be_in_other_table":
            other_cols = ws.columns(e.kwargs.other_table_name)
            if e.kwargs.other_column not in other_cols:
                raise ColumnNotFoundError(
                    f"{where} names column {e.kwargs.other_column!r}, which is not in table "
                    f"{e.kwargs.other_table_name!r} (columns: {', '.join(other_cols)}).",
                    hint=did_you_mean(e.kwargs.other_column, other_cols) or "Check the column name.",
                )
        if e.type == "expect_table_to_reconcile_with_source":
            k = e.kwargs
            pairs = k.sum_columns.items() if isinstance(k.sum_columns, dict) else [(c, c) for c in k.sum_columns]
            src_cols = ws.columns(k.source_table)
            for tgt, src in pairs:
                for name, pool, tname in ((tgt, cols, table), (src, src_cols, k.source_table)):
                    if name not in pool:
                        raise ColumnNotFoundError(
                            f"{where} names column {name!r}, which is not in table {tname!r} "
                            f"(columns: {', '.join(pool)}).", hint=did_you_mean(name, pool) or "Check the name.")


def _key_columns(table: str, schema: dict[str, str], suite: Suite, given: list[str] | None) -> list[str]:
    """Columns that identify a failing row: given, the suite's ``meta.key_columns``, or its unique check."""
    keys = given if given is not None else suite.meta.get("key_columns")
    if keys is None:
        for e in suite.expectations:
            if e.kind == "unique":
                keys = e.columns()
                break
    keys = list(keys or [])
    for k in keys:
        if k not in schema:
            raise ColumnNotFoundError(f"Key column {k!r} is not in table {table!r} (columns: {', '.join(schema)}).",
                                      hint=did_you_mean(k, list(schema)))
    return keys


class _Run:
    """One validation run: the scan, the follow-up sample queries, the evaluation."""

    def __init__(self, ws: Workspace, table: str, schema: dict[str, str], suite: Suite, gate: Gate,
                 keys: list[str]) -> None:
        self.ws, self.table, self.schema, self.suite, self.gate, self.keys = ws, table, schema, suite, gate, keys
        self.queries = 0
        self.sample_table: str | None = None
        self.run_at = datetime.now(UTC).isoformat(timespec="seconds")
        relation = quote_ident(table)
        if gate.sampled:
            self.sample_table = f"__wb_sample_{uuid.uuid4().hex[:12]}"
            pct = float(gate.fraction * 100)
            ws.con.execute(  # the percentage and seed are validated numbers (Gate), not user text
                f"CREATE TEMP TABLE {quote_ident(self.sample_table)} AS SELECT * FROM {relation} "
                f"USING SAMPLE {pct!r}% (bernoulli, {int(gate.seed)})"
            )
            relation = quote_ident(self.sample_table)
        self.full = quote_ident(table)
        self.info = cp.TableInfo(table, relation, schema)
        self.rows = 0
        self.table_rows = 0

    def cleanup(self) -> None:
        if self.sample_table:
            self.ws.con.execute(f"DROP TABLE IF EXISTS {quote_ident(self.sample_table)}")

    def _query(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        self.queries += 1
        return self.ws.con.execute(sql, params or [])

    # --- the scan --------------------------------------------------------------------------
    def execute(self) -> list[ExpectationResult]:
        p = cp.Params()
        compiled: list[cp.Compiled] = []
        items: dict[str, str] = {}
        refs: dict[int, datetime] = {}
        for i, e in enumerate(self.suite.expectations):
            self._precheck(i, e)
            c = cp.compile_expectation(i, e, self.info, p, self.full)
            if e.type == "expect_column_max_to_be_fresh":
                refs[i] = _reference(e.kwargs.reference_time)
                pred = cp.future_rows(e, self.info, p, _bindable(refs[i], self.schema[e.kwargs.column]))
                c.items[f"e{i}_future"] = f"count(*) FILTER (WHERE {pred})"
                c.sample_where = pred
            compiled.append(c)
            items.update(c.items)
        if self.gate.sampled:
            items["__table_rows"] = f"(SELECT count(*) FROM {self.full})"
        alias: dict[str, str] = {}  # identical SQL items (e.g. a column's non-missing count) are computed once
        first: dict[str, str] = {}
        for key, item in items.items():
            alias[key] = first.setdefault(item, key)
        sql = cp.scan_sql(self.info, {key: item for item, key in first.items()})
        try:
            cur = self._query(*cp.renumber(sql, p.values))
            names = [d[0] for d in cur.description]
            row = dict(zip(names, cur.fetchone(), strict=True))
        except duckdb.Error as exc:
            raise self._diagnose(compiled, exc) from None
        row.update({key: row[a] for key, a in alias.items()})
        self.rows = int(row["__rows"])
        self.table_rows = int(row.get("__table_rows", self.rows))
        results = []
        for c in compiled:
            r = self._evaluate(c, row, refs.get(c.position), p)
            if not r.success or (r.unexpected_count or 0) > 0:
                self._samples(c, r, p)
            results.append(r)
        return results

    def _precheck(self, i: int, e: Expectation) -> None:
        """Regexes must compile in DuckDB's engine (RE2), not only in Python's."""
        regex = getattr(e.kwargs, "regex", None)
        if regex is not None:
            try:
                self.ws.con.execute("SELECT regexp_matches('', $1)", [regex])
            except duckdb.Error as exc:
                raise ExpectationError(
                    f"Expectation #{i + 1} ({e.type}) on column {e.column!r}: invalid regex {regex!r}: "
                    f"{str(exc).splitlines()[0]}",
                    hint="DuckDB uses RE2 syntax: no look-arounds or back-references.") from None

    def _diagnose(self, compiled: list[cp.Compiled], exc: duckdb.Error) -> ExpectationError:
        """The scan failed: find the expectation that breaks it and name it."""
        for c in compiled:
            if not c.items:
                continue
            p = cp.Params()
            single = cp.compile_expectation(c.position, c.expectation, self.info, p, self.full)
            try:
                self.ws.con.execute(cp.scan_sql(self.info, single.items), p.values).fetchone()
            except duckdb.Error as inner:
                e = c.expectation
                return ExpectationError(
                    f"Expectation #{c.position + 1} ({e.type}) on table {self.table!r} could not run: "
                    f"{str(inner).splitlines()[0]}",
                    hint=f"Check its kwargs against the column types ({_types(self.schema, e.columns())}).")
        return ExpectationError(f"Validation of table {self.table!r} failed: {str(exc).splitlines()[0]}")

    # --- evaluation --------------------------------------------------------------------------
    def _base(self, c: cp.Compiled) -> dict[str, Any]:
        e = c.expectation
        return {"type": e.type, "kwargs": e.kwargs.model_dump(exclude_unset=True), "position": c.position,
                "label": e.label, "layer": self.suite.layer_of(e), "severity": e.severity, "category": e.category}

    def _evaluate(self, c: cp.Compiled, row: dict[str, Any], ref: datetime | None, p: cp.Params) -> ExpectationResult:
        e, k, n = c.expectation, c.expectation.kwargs, f"e{c.position}"
        out = self._base(c)
        if c.row_check is not None:
            if e.kind == "unique":
                dups = row[f"{n}_dups"]
                unexpected = int(dups["rows"])
                out["details"] = {"duplicated_values": int(dups["groups"]),
                                  "surplus_rows": unexpected - int(dups["groups"])}
                if dups.get("keys"):  # sample the rows of a few duplicated values, not a second group-by
                    col = c.row_check.columns[0]
                    c.sample_where = f"list_contains({p(dups['keys'])}, {self.info.col(col)})"
            else:
                unexpected = int(row[f"{n}_unexpected"])
            out.update(_map_fields(self.rows, int(row[f"{n}_considered"]), unexpected, e.mostly,
                                   c.row_check.count_all))
            return ExpectationResult(**out)
        if e.type == "unexpected_rows_expectation":
            return self._custom_sql(c, out)
        if e.type in cp.AGGREGATES:
            value = _plain(row[f"{n}_value"])
            return ExpectationResult(**out, observed_value=value, success=_between(value, k))
        if e.type == "expect_column_proportion_of_unique_values_to_be_between":
            considered = int(row[f"{n}_considered"])
            value = int(row[f"{n}_distinct"]) / considered if considered else None
            return ExpectationResult(**out, observed_value=value, success=_between(value, k))
        if e.kind == "distinct":
            return ExpectationResult(**out, **_distinct(e.type, row[f"{n}_values"] or [], k.value_set))
        if e.type == "expect_column_max_to_be_fresh":
            return ExpectationResult(**out, **_freshness(row[f"{n}_max"], int(row[f"{n}_future"]), ref, k,
                                                         self.rows))
        if e.type == "expect_table_row_count_to_equal_other_table":
            other = int(row[f"{n}_other"])
            return ExpectationResult(**out, observed_value={"self": self.table_rows, "other": other},
                                     success=self.table_rows == other)
        if e.type == "expect_table_to_reconcile_with_source":
            return ExpectationResult(**out, **_reconcile(row, n, k))
        if e.type == "expect_table_row_count_to_not_be_anomalous":
            ok, observed = history.judge(self.table_rows, history.previous_counts(self.ws, self.table, k.window), k)
            return ExpectationResult(**out, observed_value=observed, success=ok)
        return ExpectationResult(**out, **_table_check(e, self.schema, self.table_rows))

    def _custom_sql(self, c: cp.Compiled, out: dict[str, Any]) -> ExpectationResult:
        e = c.expectation
        import sqlglot  # only custom SQL needs a parser; keep the import off the common path
        from sqlglot import exp

        query = e.kwargs.unexpected_rows_query.replace("{batch}", self.info.relation)
        try:
            parsed = sqlglot.parse(query, read="duckdb")
        except sqlglot.errors.ParseError as exc:
            raise ExpectationError(f"Expectation #{c.position + 1} ({e.type}): the query does not parse: "
                                   f"{str(exc).splitlines()[0]}", hint="Write one SELECT; use {batch} for the table.") from None
        if len(parsed) != 1 or not isinstance(parsed[0], exp.Query):
            raise ExpectationError(f"Expectation #{c.position + 1} ({e.type}): the query must be one SELECT "
                                   "returning the unexpected rows.", hint="Use {batch} for the validated table.")
        try:
            count = int(self._query(f"SELECT count(*) FROM ({query}) AS __q").fetchone()[0])
            cur = self._query(f"SELECT * FROM ({query}) AS __q LIMIT {PARTIAL}")
        except duckdb.Error as exc:
            raise ExpectationError(f"Expectation #{c.position + 1} ({e.type}): the query failed: "
                                   f"{str(exc).splitlines()[0]}", hint="Run it by hand with ws.query(...).") from None
        cols = [d[0] for d in cur.description]
        rows = [{k: _plain(v) for k, v in zip(cols, r, strict=True)} for r in cur.fetchall()]
        return ExpectationResult(**out, success=count == 0, unexpected_count=count, observed_value=count,
                                 partial_unexpected_list=rows, failing_rows=rows,
                                 details={"unexpected_rows_query": e.kwargs.unexpected_rows_query})

    def _samples(self, c: cp.Compiled, r: ExpectationResult, p: cp.Params) -> None:
        """Fetch the first unexpected rows (insertion order) with the key columns."""
        if c.sample_where is None or not r.unexpected_count:
            return
        rc = c.row_check
        checked = rc.columns if rc else [c.expectation.kwargs.column]
        cols = list(dict.fromkeys([*self.keys, *checked]))
        cur = self._query(*cp.renumber(cp.sample_sql(self.info, c.sample_where, cols, PARTIAL), p.values))
        rows = [{k: _plain(v) for k, v in zip(cols, row, strict=True)} for row in cur.fetchall()]
        r.failing_rows = rows
        if len(checked) == 1:
            values = [row[checked[0]] for row in rows]
        else:
            values = [{col: row[col] for col in checked} for row in rows]
        r.partial_unexpected_list = values
        r.partial_unexpected_counts = _value_counts(values)


# --- pure helpers ------------------------------------------------------------------------------
def _map_fields(element: int, considered: int, unexpected: int, mostly: float, count_all: bool) -> dict[str, Any]:
    """GX's map-expectation result fields and ``mostly`` success rule."""
    if count_all:  # not-null: every row is considered; GX reports no missing_count
        pct = 100.0 * unexpected / element if element else None
        ok = element == 0 or (element - unexpected) / element >= mostly
        return {"success": ok, "element_count": element, "unexpected_count": unexpected,
                "unexpected_percent": pct, "unexpected_percent_total": pct}
    missing = element - considered
    ok = element == 0 or considered == 0 or (considered - unexpected) / considered >= mostly
    return {
        "success": bool(ok), "element_count": element, "missing_count": missing,
        "missing_percent": 100.0 * missing / element if element else None,
        "unexpected_count": unexpected,
        "unexpected_percent": 100.0 * unexpected / considered if considered else None,
        "unexpected_percent_total": 100.0 * unexpected / element if element else None,
        "unexpected_percent_nonmissing": 100.0 * unexpected / considered if considered else None,
    }


def _value_counts(values: list[Any]) -> list[dict[str, Any]]:
    """GX's partial_unexpected_counts: counts of the partial list, most frequent first."""
    hashable = [tuple(v.values()) if isinstance(v, dict) else v for v in values]
    counts = Counter(hashable).most_common()
    counts.sort(key=lambda kv: (-kv[1], str(kv[0])))
    return [{"value": list(v) if isinstance(v, tuple) else v, "count": n} for v, n in counts]


def _plain(v: Any) -> Any:
    """DuckDB values as JSON-friendly Python (Decimal -> float, dates and times -> ISO strings)."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime | date):
        return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _coerce_bound(bound: Any, value: Any) -> Any:
    if isinstance(bound, str) and isinstance(value, str):
        try:
            return datetime.fromisoformat(bound), datetime.fromisoformat(value)
        except ValueError:
            return bound, value
    return bound, value


def _between(value: Any, k: Any) -> bool:
    """GX aggregate rule: a missing observed value fails; otherwise compare with the (strict) bounds."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    ok = True
    if k.min_value is not None:
        lo, v = _coerce_bound(k.min_value, value)
        ok &= v > lo if k.strict_min else v >= lo
    if k.max_value is not None:
        hi, v = _coerce_bound(k.max_value, value)
        ok &= v < hi if k.strict_max else v <= hi
    return bool(ok)


def _distinct(type_name: str, values: list[Any], value_set: list[Any]) -> dict[str, Any]:
    """GX 1.x distinct-set results: unexpected_count = distinct values outside the set, missing_count = set
    values absent from the column (``observed_value`` keeps the full sorted distinct list)."""
    observed = sorted((_plain(v) for v in values), key=str)
    have, want = set(observed), {v for v in value_set if v is not None}
    extra, missing = sorted(have - want, key=str), sorted(want - have, key=str)
    out: dict[str, Any] = {"observed_value": observed}
    if not type_name.endswith("to_contain_set"):
        out.update(unexpected_count=len(extra), partial_unexpected_list=extra)
    if not type_name.endswith("to_be_in_set"):
        out.update(missing_count=len(missing), details={"partial_missing_list": missing})
    out["success"] = not out.get("unexpected_count") and not out.get("missing_count")
    return out


def _reference(iso: str | None) -> datetime:
    """The freshness reference as naive UTC (now when not given)."""
    ref = datetime.fromisoformat(iso) if iso else datetime.now(UTC)
    return ref.astimezone(UTC).replace(tzinfo=None) if ref.tzinfo else ref


def _bindable(ref: datetime, dtype: str) -> datetime:
    return ref.replace(tzinfo=UTC) if "TIME ZONE" in dtype.upper() else ref


def _freshness(latest: Any, future: int, ref: datetime, k: Any, rows: int) -> dict[str, Any]:
    if latest is None:
        return {"success": False, "observed_value": None, "unexpected_count": 0, "element_count": rows,
                "details": {"note": "no timestamps to judge"}}
    if isinstance(latest, str):
        latest = datetime.fromisoformat(latest)
    if isinstance(latest, date) and not isinstance(latest, datetime):
        latest = datetime(latest.year, latest.month, latest.day)
    if latest.tzinfo:
        latest = latest.astimezone(UTC).replace(tzinfo=None)
    age = (ref - latest).total_seconds()
    ok = age <= k.max_age_seconds and (k.allow_future or future == 0)
    observed = {"max": latest.isoformat(sep=" "), "reference_time": ref.isoformat(sep=" "), "age_seconds": age,
                "future_rows": future}
    return {"success": bool(ok), "observed_value": observed, "unexpected_count": future, "element_count": rows}


def _reconcile(row: dict[str, Any], n: str, k: Any) -> dict[str, Any]:
    src, tgt = int(row[f"{n}_source_count"]), int(row[f"{n}_target_count"])
    count_diff = abs(tgt - src) / src if src else (0.0 if tgt == 0 else math.inf)
    observed: dict[str, Any] = {"source_count": src, "target_count": tgt, "count_relative_diff": count_diff}
    ok = count_diff <= k.count_tolerance
    pairs = k.sum_columns.items() if isinstance(k.sum_columns, dict) else [(c, c) for c in k.sum_columns]
    sums = {}
    for i, (target_col, source_col) in enumerate(pairs):
        t_sum, s_sum = _plain(row[f"{n}_tsum{i}"]) or 0, _plain(row[f"{n}_ssum{i}"]) or 0
        diff = abs(t_sum - s_sum) / abs(s_sum) if s_sum else (0.0 if t_sum == 0 else math.inf)
        sums[target_col] = {"source_column": source_col, "target": t_sum, "source": s_sum, "relative_diff": diff}
        ok &= diff <= k.sum_tolerance
    observed["sums"] = sums
    return {"success": bool(ok), "observed_value": observed}


TYPE_FAMILIES: dict[str, tuple[str, ...]] = {
    "integer": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                "UBIGINT", "UHUGEINT"),
    "float": ("FLOAT", "DOUBLE", "DECIMAL"),
    "string": ("VARCHAR",),
    "boolean": ("BOOLEAN",),
    "timestamp": ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"),
    "date": ("DATE",),
}
#: pandas / numpy / Python / SQL spellings -> family
TYPE_ALIASES: dict[str, str] = {
    **{a: "integer" for a in ("int", "integer", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                              "uint64", "long", "bigint", "smallint", "tinyint")},
    **{a: "float" for a in ("float", "float16", "float32", "float64", "double", "real", "decimal", "numeric")},
    **{a: "string" for a in ("str", "string", "object", "unicode", "varchar", "text", "char")},
    **{a: "boolean" for a in ("bool", "boolean")},
    **{a: "timestamp" for a in ("datetime", "datetime64", "datetime64[ns]", "datetime64[us]", "datetime64[ms]",
                                "timestamp", "datetime64[ns, utc]", "datetime64[us, utc]")},
    "date": "date",
}


def type_matches(expected: str, dtype: str) -> bool:
    """Does DuckDB type ``dtype`` satisfy a GX ``type_`` given in DuckDB, pandas or Python spelling?"""
    actual = dtype.upper()
    base = actual.split("(")[0]
    want = expected.strip()
    if want.upper() in (actual, base):
        return True
    family = TYPE_ALIASES.get(want.lower())
    return family is not None and base in TYPE_FAMILIES[family]


def _table_check(e: Expectation, schema: dict[str, str], rows: int) -> dict[str, Any]:
    """Checks answered from the catalog and the row count (no scan)."""
    k, t = e.kwargs, e.type
    cols = list(schema)
    if t == "expect_table_row_count_to_be_between":
        return {"success": _between(rows, k), "observed_value": rows}
    if t == "expect_table_row_count_to_equal":
        return {"success": rows == k.value, "observed_value": rows}
    if t == "expect_table_column_count_to_equal":
        return {"success": len(cols) == k.value, "observed_value": len(cols)}
    if t == "expect_table_column_count_to_be_between":
        return {"success": _between(len(cols), k), "observed_value": len(cols)}
    if t == "expect_table_columns_to_match_ordered_list":
        return {"success": cols == list(k.column_list), "observed_value": cols}
    if t == "expect_table_columns_to_match_set":
        have, want = set(cols), set(k.column_set)
        ok = have == want if k.exact_match else want <= have
        return {"success": ok, "observed_value": cols,
                "details": {"mismatched": {"unexpected": sorted(have - want), "missing": sorted(want - have)}}}
    if t == "expect_column_to_exist":
        ok = k.column in schema and (k.column_index is None or cols.index(k.column) == k.column_index)
        return {"success": ok, "observed_value": cols,
                "details": {} if k.column in schema else {"did_you_mean": did_you_mean(k.column, cols)}}
    dtype = schema.get(k.column)
    if dtype is None:
        return {"success": False, "observed_value": None,
                "details": {"note": f"column {k.column!r} does not exist", "did_you_mean": did_you_mean(k.column, cols)}}
    if t == "expect_column_values_to_be_of_type":
        return {"success": type_matches(k.type_, dtype), "observed_value": dtype}
    if t == "expect_column_values_to_be_in_type_list":
        return {"success": any(type_matches(x, dtype) for x in k.type_list), "observed_value": dtype}
    raise ExpectationError(f"{t} has no evaluator.")  # pragma: no cover - catalogue guard


def _types(schema: dict[str, str], cols: list[str]) -> str:
    return ", ".join(f"{c} {schema.get(c, '?')}" for c in cols) or "no columns"


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."
