"""Run a suite against a workspace table: one scan, GX-shaped results, then the gate.

    v = validate(ws, "orders", suite, gate="warn")
    v.success, v.results[0].unexpected_count, print(v.summary())

Results are ordered for reading: by layer (source, transform, sink), then the design guide's
priority (uniqueness, not null, freshness, volume, schema, business rules); ``position`` keeps the
suite order.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import duckdb
from pydantic import BaseModel, Field

from workbench.errors import ColumnNotFoundError, ExpectationError, TableNotFoundError, did_you_mean
from workbench.quality import compile as cp
from workbench.quality import history
from workbench.quality.expectations import CATEGORY_RANK, LAYERS
from workbench.quality.gate import Gate, apply_gate
from workbench.quality.handlers.base import plain, value_counts
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
        from workbench.quality.html import summary_chart

        return summary_chart(self)

    def _repr_html_(self) -> str:
        from workbench.quality.html import result_html

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
    return CATEGORY_RANK[r.category]


def _check_references(ws: Workspace, table: str, schema: dict[str, str], suite: Suite) -> None:
    """Every named column and other table exists; else an error listing what does."""
    cols = list(schema)
    tables = ws.tables()
    for i, e in enumerate(suite.expectations):
        where = f"Expectation #{i + 1} ({e.type})"
        if e.kind != "table":  # schema checks report a missing column as a failure, not an error
            for c in e.columns():
                if c not in schema:
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
        e.check_references(ws, table, where)


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

    def query(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        self.queries += 1
        return self.ws.con.execute(sql, params or [])

    # --- the scan --------------------------------------------------------------------------
    def execute(self) -> list[ExpectationResult]:
        p = self.p = cp.Params()
        compiled: list[cp.CompiledCheck] = []
        items: dict[str, str] = {}
        for i, e in enumerate(self.suite.expectations):
            e.precheck(self.ws.con, i)
            c = cp.compile_expectation(i, e, self.info, p, self.full)
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
            cur = self.query(*cp.renumber(sql, p.values))
            names = [d[0] for d in cur.description]
            row = dict(zip(names, cur.fetchone(), strict=True))
        except duckdb.Error as exc:
            raise self._diagnose(compiled, exc) from None
        row.update({key: row[a] for key, a in alias.items()})
        self.rows = int(row["__rows"])
        self.table_rows = int(row.get("__table_rows", self.rows))
        results = []
        for c in compiled:
            r = self._evaluate(c, row)
            if not r.success or (r.unexpected_count or 0) > 0:
                self._samples(c, r, p)
            results.append(r)
        return results

    def _diagnose(self, compiled: list[cp.CompiledCheck], exc: duckdb.Error) -> ExpectationError:
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
    def _base(self, c: cp.CompiledCheck) -> dict[str, Any]:
        e = c.expectation
        return {"type": e.type, "kwargs": e.kwargs.model_dump(exclude_unset=True), "position": c.position,
                "label": e.label, "layer": self.suite.layer_of(e), "severity": e.severity, "category": e.category}

    def _evaluate(self, c: cp.CompiledCheck, row: dict[str, Any]) -> ExpectationResult:
        return ExpectationResult(**self._base(c), **c.expectation.evaluate(self, c, row))

    def _samples(self, c: cp.CompiledCheck, r: ExpectationResult, p: cp.Params) -> None:
        """Fetch the first unexpected rows (insertion order) with the key columns."""
        if c.sample_where is None or not r.unexpected_count:
            return
        rc = c.row_check
        checked = rc.columns if rc else [c.expectation.kwargs.column]
        cols = list(dict.fromkeys([*self.keys, *checked]))
        cur = self.query(*cp.renumber(cp.sample_sql(self.info, c.sample_where, cols, PARTIAL), p.values))
        rows = [{k: plain(v) for k, v in zip(cols, row, strict=True)} for row in cur.fetchall()]
        r.failing_rows = rows
        if len(checked) == 1:
            values = [row[checked[0]] for row in rows]
        else:
            values = [{col: row[col] for col in checked} for row in rows]
        r.partial_unexpected_list = values
        r.partial_unexpected_counts = value_counts(values)


# --- helpers -------------------------------------------------------------------------------------
def _types(schema: dict[str, str], cols: list[str]) -> str:
    return ", ".join(f"{c} {schema.get(c, '?')}" for c in cols) or "no columns"


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."
