"""What every expectation handler shares: kwargs bases, the ``Expectation`` model, the registry, result helpers.

Each expectation type is one ``Expectation`` subclass in a family module of this package (``table``,
``column_map``, ``uniqueness``, ``aggregate``, ``distinct``, ``multicolumn``, ``cross``). The class *is* the
handler: it names its kwargs model, compiles its SQL (a row predicate or aggregate items), evaluates the scan
row into GX result fields, maps itself to and from a dbt test and knows its GX 0.x spelling. Defining a
subclass with a ``type`` registers it; the registry is the only list of types.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench.errors import ExpectationError, did_you_mean
from workbench.quality.compile import CompiledCheck, Params, RowCheck, TableInfo

if TYPE_CHECKING:
    import duckdb

    from workbench.workspace import Workspace

QualityLayer = Literal["source", "transform", "sink"]
Severity = Literal["critical", "warning", "info"]
#: a bound in a comparison: numbers, or ISO date/timestamp strings for temporal columns
Bound = int | float | str | None
Value = int | float | str | bool

#: report order (design guide): 1 uniqueness, 2 not null, 3 freshness, 4 volume, then schema and business rules
CATEGORY_RANK: dict[str, int] = {
    "uniqueness": 1,
    "not_null": 2,
    "freshness": 3,
    "volume": 4,
    "schema": 5,
    "business_rule": 6,
}
LAYERS: tuple[str, ...] = ("source", "transform", "sink")


# --- kwargs ------------------------------------------------------------------------------
class Kwargs(BaseModel):
    """Base of every kwargs model: unknown keys are errors (a typo must not silently pass)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class _Column(Kwargs):
    column: str = Field(min_length=1)


class _Mostly(Kwargs):
    mostly: float = Field(1.0, ge=0.0, le=1.0)


class _Range(Kwargs):
    min_value: Bound = None
    max_value: Bound = None
    strict_min: bool = False
    strict_max: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        lo, hi = self.min_value, self.max_value
        if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
            raise ValueError(f"min_value {lo} is greater than max_value {hi}")
        return self


class ColumnKwargs(_Column):
    pass


class ColumnMostlyKwargs(_Column, _Mostly):
    pass


class ColumnRangeKwargs(_Column, _Range):
    pass


class ColumnRangeMostlyKwargs(_Column, _Range, _Mostly):
    @model_validator(mode="after")
    def _one_bound(self) -> ColumnRangeMostlyKwargs:
        if self.min_value is None and self.max_value is None:
            raise ValueError("give min_value, max_value or both")
        return self


class ColumnSetKwargs(_Column, _Mostly):
    value_set: list[Value | None]


class ColumnDistinctSetKwargs(_Column):
    value_set: list[Value | None]


class ColumnLengthKwargs(_Column, _Range, _Mostly):
    pass


class ColumnLengthEqualKwargs(_Column, _Mostly):
    value: int = Field(ge=0)


class TableRangeKwargs(_Range):
    pass


class TableValueKwargs(Kwargs):
    value: int = Field(ge=0)


IgnoreAll = Literal["all_values_are_missing", "any_value_is_missing", "never"]
IgnorePair = Literal["both_values_are_missing", "either_value_is_missing", "neither"]


# --- expectations --------------------------------------------------------------------------
_REGISTRY: dict[str, type[Expectation]] = {}


class Expectation(BaseModel):
    """One expectation: ``{"type", "kwargs", "meta", "layer", "severity"}``.

    ``Expectation(type=..., kwargs=...)`` returns the concrete model for that type.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    type: str
    kwargs: Kwargs
    meta: dict[str, Any] = Field(default_factory=dict)
    layer: QualityLayer | None = None
    severity: Severity = "critical"
    id: str | None = None
    description: str | None = None

    #: "uniqueness" | "not_null" | "freshness" | "volume" | "schema" | "business_rule"
    category: ClassVar[str] = "business_rule"
    #: how compile.py evaluates it: "table", "map", "unique", "aggregate", "distinct", "cross"
    kind: ClassVar[str] = "map"
    #: a workbench addition with no Great Expectations counterpart
    extension: ClassVar[bool] = False
    #: short verb phrase for labels
    phrase: ClassVar[str] = ""
    #: the Great Expectations 0.x spelling, when it differs from the 1.x ``type``
    gx0_type: ClassVar[str | None] = None
    #: dbt test names (package prefix stripped) that mean this expectation
    dbt_tests: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kw: Any) -> None:
        """A subclass whose ``type`` is a literal string is a handler: register it (the only list of types)."""
        super().__pydantic_init_subclass__(**kw)
        name = cls.model_fields["type"].default
        if isinstance(name, str):
            if name in _REGISTRY:
                raise TypeError(f"expectation type {name!r} is defined twice")
            _REGISTRY[name] = cls

    def __new__(cls, *args: Any, **data: Any):
        if cls is Expectation:
            cls = expectation_class(data.get("type"))
        return super().__new__(cls)

    @classmethod
    def parse(cls, obj: Any, *, position: int | None = None) -> Expectation:
        """Validate a dict (or model) into its concrete expectation, raising ExpectationError."""
        if isinstance(obj, Expectation):
            return obj
        if not isinstance(obj, dict):
            raise ExpectationError(f"An expectation must be a mapping, got {type(obj).__name__}.")
        where = f"Expectation #{position + 1}" if position is not None else "Expectation"
        klass = expectation_class(obj.get("type"), where=where)
        try:
            return klass.model_validate(obj)
        except ValidationError as exc:
            problems = describe_errors(exc)
            raise ExpectationError(
                f"{where} ({klass.model_fields['type'].default}) is invalid: {problems}.",
                hint=f"Expected kwargs: {', '.join(kwarg_names(klass))}.",
            ) from None

    @classmethod
    def model_validate(cls, obj: Any, **kw: Any) -> Expectation:  # type: ignore[override]
        if cls is Expectation:
            return Expectation.parse(obj)
        return super().model_validate(obj, **kw)

    # --- derived facts ------------------------------------------------------------------
    @property
    def column(self) -> str | None:
        return getattr(self.kwargs, "column", None)

    def columns(self) -> list[str]:
        """Columns of the validated table this expectation reads."""
        k = self.kwargs
        if hasattr(k, "column"):
            return [k.column]
        if hasattr(k, "column_A"):
            return [k.column_A, k.column_B]
        return []

    @property
    def mostly(self) -> float:
        return getattr(self.kwargs, "mostly", 1.0)

    @property
    def rank(self) -> int:
        return CATEGORY_RANK[self.category]

    @property
    def label(self) -> str:
        cols = self.columns()
        subject = ", ".join(cols) if cols else "table"
        return f"{subject}: {self.phrase or self.type.removeprefix('expect_').replace('_', ' ')}"

    def to_dict(self) -> dict[str, Any]:
        """The workbench JSON shape (kwargs as given, defaults left out)."""
        out: dict[str, Any] = {"type": self.type, "kwargs": self.kwargs.model_dump(exclude_unset=True)}
        out["meta"] = dict(self.meta)
        out["layer"] = self.layer
        out["severity"] = self.severity
        if self.id:
            out["id"] = self.id
        if self.description:
            out["description"] = self.description
        return out


    # --- the handler: SQL, evaluation, dbt ---------------------------------------------------
    def precheck(self, con: duckdb.DuckDBPyConnection, position: int) -> None:
        """Refuse kwargs the engine cannot run before the scan (default: nothing to check)."""

    def check_references(self, ws: Workspace, table: str, where: str) -> None:
        """Tables and columns beyond :meth:`columns` that must exist (default: none)."""

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        """Add this expectation's SQL items to ``c`` (default: none; answered from the catalog)."""

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        """Result fields (``success``, ``observed_value``...) from the scan ``row`` (keys ``e<position>_*``)."""
        raise ExpectationError(f"{self.type} has no evaluator.")  # pragma: no cover - every handler has one

    @classmethod
    def kwargs_from_dbt(cls, column: str | None, args: dict[str, Any]) -> dict[str, Any]:
        """The kwargs for a dbt test in :attr:`dbt_tests` (default: just the column)."""
        return {"column": column}

    def to_dbt(self) -> tuple[str | None, str, dict[str, Any]] | None:
        """(column or None for model-level, dbt test name, its arguments), or None when dbt has no such test."""
        return None


class MapExpectation(Expectation):
    """A row-level check: one ``count(*) FILTER`` pair in the shared scan, then GX's ``mostly`` rule."""

    kind: ClassVar[str] = "map"

    def row_check(self, t: TableInfo, p: Params) -> RowCheck:  # pragma: no cover - every map handler has one
        raise ExpectationError(f"{self.type} is not a row-level expectation.")

    def compile(self, c: CompiledCheck, t: TableInfo, p: Params, full_relation: str) -> None:
        rc = c.row_check = self.row_check(t, p)
        n = f"e{c.position}"
        c.items[f"{n}_considered"] = rc.considered_count(t)
        c.items[f"{n}_unexpected"] = self.unexpected_count(rc, t)
        c.sample_where = f"({rc.considered}) AND ({rc.unexpected})"

    def unexpected_count(self, rc: RowCheck, t: TableInfo) -> str:
        """The SQL counting unexpected rows (an aggregate FILTER in the shared scan)."""
        return f"count(*) FILTER (WHERE {rc.unexpected_rows(t)})"

    def evaluate(self, run: Any, c: CompiledCheck, row: dict[str, Any]) -> dict[str, Any]:
        n = f"e{c.position}"
        return map_fields(run.rows, int(row[f"{n}_considered"]), int(row[f"{n}_unexpected"]), self.mostly,
                          c.row_check.count_all)


def ignore_rows(t: TableInfo, cols: list[str], rule: str) -> str:
    """The considered-rows predicate for multi-column checks (GX ``ignore_row_if``)."""
    missing = [t.missing(c) for c in cols]
    if rule in ("all_values_are_missing", "both_values_are_missing"):
        return f"NOT ({' AND '.join(missing)})"
    if rule in ("any_value_is_missing", "either_value_is_missing"):
        return f"NOT ({' OR '.join(missing)})"
    return "TRUE"


def range_predicate(expr: str, k: Any, bind: Any) -> str:
    """``expr`` within [min_value, max_value] (strict bounds when asked); ``bind`` turns a bound into SQL."""
    parts = []
    if k.min_value is not None:
        parts.append(f"{expr} {'>' if k.strict_min else '>='} {bind(k.min_value)}")
    if k.max_value is not None:
        parts.append(f"{expr} {'<' if k.strict_max else '<='} {bind(k.max_value)}")
    return " AND ".join(parts) or "TRUE"


def dbt_config(e: Expectation) -> dict[str, Any]:
    """dbt ``config`` for a non-critical expectation (dbt ``warn``), else nothing."""
    return {"config": {"severity": "warn"}} if e.severity != "critical" else {}


def describe_errors(exc: ValidationError) -> str:
    """Pydantic errors as one line per field; union alternatives folded into 'expected int, float or str'."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        if len(loc) > 1 and loc[-1] in _UNION_TAGS:
            loc = loc[:-1]
        groups.setdefault(".".join(loc), []).append(err)
    parts = []
    for where, errs in groups.items():
        if len(errs) > 1:
            tags = [str(e["loc"][-1]) for e in errs]
            got = errs[0].get("input")
            parts.append(f"{where}: expected {', '.join(tags[:-1])} or {tags[-1]}, got {type(got).__name__} {got!r}")
        else:
            parts.append(f"{where}: {errs[0]['msg']}")
    return "; ".join(parts)


_UNION_TAGS = frozenset({"int", "float", "str", "bool", "none", "list[str]", "dict[str,str]"})


def expectation_class(type_name: Any, *, where: str = "Expectation") -> type[Expectation]:
    """The model class for a type name, or an ExpectationError listing the supported types."""
    if isinstance(type_name, str) and type_name in _REGISTRY:
        return _REGISTRY[type_name]
    supported = sorted(_REGISTRY)
    shown = repr(type_name) if type_name is not None else "missing"
    raise ExpectationError(
        f"{where}: type {shown} is not supported. Supported types: {', '.join(supported)}.",
        hint=did_you_mean(str(type_name or ""), supported) or "Use one of the types listed.",
    )


def kwarg_names(klass: type[Expectation]) -> list[str]:
    """The kwargs a type accepts, required ones first."""
    fields = klass.model_fields["kwargs"].annotation.model_fields
    return [n for n, f in fields.items() if f.is_required()] + [n for n, f in fields.items() if not f.is_required()]




# --- result helpers (pure) ----------------------------------------------------------------------
def map_fields(element: int, considered: int, unexpected: int, mostly: float, count_all: bool) -> dict[str, Any]:
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


def value_counts(values: list[Any]) -> list[dict[str, Any]]:
    """GX's partial_unexpected_counts: counts of the partial list, most frequent first."""
    hashable = [tuple(v.values()) if isinstance(v, dict) else v for v in values]
    counts = Counter(hashable).most_common()
    counts.sort(key=lambda kv: (-kv[1], str(kv[0])))
    return [{"value": list(v) if isinstance(v, tuple) else v, "count": n} for v, n in counts]


def plain(v: Any) -> Any:
    """DuckDB values as JSON-friendly Python (Decimal -> float, dates and times -> ISO strings)."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime | date):
        return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def _coerce_bound(bound: Any, value: Any) -> Any:
    if isinstance(bound, str) and isinstance(value, str):
        try:
            return datetime.fromisoformat(bound), datetime.fromisoformat(value)
        except ValueError:
            return bound, value
    return bound, value


def between(value: Any, k: Any) -> bool:
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
