"""The expectation catalogue: one pydantic model per type, one discriminated union on ``type``.

Types and kwargs follow Great Expectations 1.x (snake-case ``type``), so a GX suite reads as-is::

    >>> Expectation(type="expect_column_values_to_not_be_null", kwargs={"column": "order_id"}).label
    'order_id: not null'

Workbench additions that GX lacks (foreign-key inclusion, freshness, volume anomaly, reconciliation)
use GX-style names and are flagged ``extension = True``. Each expectation carries a ``layer``
(source / transform / sink), a ``severity`` (critical / warning / info) and a ``category`` that
orders reports by the design guide's priority: uniqueness, not null, freshness, volume, then the rest.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from workbench.errors import ExpectationError, did_you_mean

Layer = Literal["source", "transform", "sink"]
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


class ColumnRegexKwargs(_Column, _Mostly):
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {v!r}: {exc}") from exc
        return v


class ColumnLengthKwargs(_Column, _Range, _Mostly):
    pass


class ColumnLengthEqualKwargs(_Column, _Mostly):
    value: int = Field(ge=0)


class ColumnTypeKwargs(_Column):
    type_: str


class ColumnTypeListKwargs(_Column):
    type_list: list[str]


class ColumnExistKwargs(_Column):
    column_index: int | None = None


class TableRangeKwargs(_Range):
    pass


class TableValueKwargs(Kwargs):
    value: int = Field(ge=0)


class OtherTableKwargs(Kwargs):
    other_table_name: str = Field(min_length=1)


class ColumnSetMatchKwargs(Kwargs):
    column_set: list[str]
    exact_match: bool = True


class ColumnListKwargs(Kwargs):
    column_list: list[str]


IgnoreAll = Literal["all_values_are_missing", "any_value_is_missing", "never"]
IgnorePair = Literal["both_values_are_missing", "either_value_is_missing", "neither"]


class CompoundUniqueKwargs(_Mostly):
    column_list: list[str] = Field(min_length=1)
    ignore_row_if: IgnoreAll = "all_values_are_missing"


class PairKwargs(_Mostly):
    column_A: str = Field(min_length=1)
    column_B: str = Field(min_length=1)
    ignore_row_if: IgnorePair = "both_values_are_missing"


class PairGreaterKwargs(PairKwargs):
    or_equal: bool = False


class MulticolumnSumKwargs(_Mostly):
    column_list: list[str] = Field(min_length=1)
    sum_total: int | float
    ignore_row_if: IgnoreAll = "all_values_are_missing"


class ForeignKeyKwargs(_Column, _Mostly):
    other_table_name: str = Field(min_length=1)
    other_column: str = Field(min_length=1)


class FreshnessKwargs(_Column):
    max_age_seconds: float = Field(gt=0)
    #: ISO timestamp the age is measured from (default: now, UTC)
    reference_time: str | None = None
    #: rows later than reference_time are unexpected unless this is true (clock skew is a defect)
    allow_future: bool = False

    @field_validator("reference_time")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        if v is not None:
            from datetime import datetime

            try:
                datetime.fromisoformat(v)
            except ValueError as exc:
                raise ValueError(f"reference_time {v!r} is not an ISO timestamp") from exc
        return v


class VolumeAnomalyKwargs(Kwargs):
    #: how many earlier validations of the table to compare against
    window: int = Field(10, ge=1)
    #: fewer earlier runs than this: pass, saying the history is too short
    min_history: int = Field(3, ge=1)
    #: fail when |row_count - mean| / stdev exceeds this (None: no z-score test)
    max_z_score: float | None = Field(3.0, gt=0)
    #: fail when |row_count - mean| / mean exceeds this (None: no relative test)
    max_relative_change: float | None = Field(None, ge=0)


class ReconcileKwargs(Kwargs):
    source_table: str = Field(min_length=1)
    #: allowed |target - source| / source for the row count (0: exact)
    count_tolerance: float = Field(0.0, ge=0)
    #: columns whose sums must agree: a list (same name in both) or {target_column: source_column}
    sum_columns: list[str] | dict[str, str] = Field(default_factory=list)
    #: allowed relative difference of each sum
    sum_tolerance: float = Field(0.0, ge=0)


class UnexpectedRowsKwargs(Kwargs):
    #: a SELECT returning the unexpected rows; ``{batch}`` stands for the validated table
    unexpected_rows_query: str = Field(min_length=1)


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
    layer: Layer | None = None
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
        if isinstance(k, CompoundUniqueKwargs | MulticolumnSumKwargs):
            return list(k.column_list)
        if isinstance(k, ReconcileKwargs):
            return list(k.sum_columns) if k.sum_columns else []
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


def _define(
    type_name: str, kwargs: type[Kwargs], *, kind: str, category: str = "business_rule", phrase: str = "",
    extension: bool = False,
) -> type[Expectation]:
    """Create and register one expectation model (the catalogue below is one explicit table)."""
    class_name = "".join(p.capitalize() for p in type_name.split("_"))
    klass = type(
        class_name,
        (Expectation,),
        {
            "__annotations__": {"type": Literal[type_name], "kwargs": kwargs},  # type: ignore[valid-type]
            "type": type_name,
            "category": category,
            "kind": kind,
            "phrase": phrase,
            "extension": extension,
            "__module__": __name__,
            "__doc__": f"``{type_name}``: {phrase or type_name}.",
        },
    )
    _REGISTRY[type_name] = klass
    return klass


# (type, kwargs model, kind, category, phrase, extension) -- the whole catalogue, one table
CATALOGUE: tuple[tuple[str, type[Kwargs], str, str, str, bool], ...] = (
    # table
    ("expect_table_row_count_to_be_between", TableRangeKwargs, "table", "volume", "row count between", False),
    ("expect_table_row_count_to_equal", TableValueKwargs, "table", "volume", "row count equals", False),
    ("expect_table_row_count_to_equal_other_table", OtherTableKwargs, "cross", "volume",
     "row count equals other table", False),
    ("expect_table_columns_to_match_set", ColumnSetMatchKwargs, "table", "schema", "columns match set", False),
    ("expect_table_columns_to_match_ordered_list", ColumnListKwargs, "table", "schema",
     "columns match ordered list", False),
    ("expect_table_column_count_to_equal", TableValueKwargs, "table", "schema", "column count equals", False),
    ("expect_table_column_count_to_be_between", TableRangeKwargs, "table", "schema", "column count between", False),
    ("expect_column_to_exist", ColumnExistKwargs, "table", "schema", "exists", False),
    # column map (row level, one scan)
    ("expect_column_values_to_not_be_null", ColumnMostlyKwargs, "map", "not_null", "not null", False),
    ("expect_column_values_to_be_null", ColumnMostlyKwargs, "map", "business_rule", "null", False),
    ("expect_column_values_to_be_unique", ColumnMostlyKwargs, "unique", "uniqueness", "unique", False),
    ("expect_column_values_to_be_between", ColumnRangeMostlyKwargs, "map", "business_rule", "between", False),
    ("expect_column_values_to_be_in_set", ColumnSetKwargs, "map", "business_rule", "in set", False),
    ("expect_column_values_to_not_be_in_set", ColumnSetKwargs, "map", "business_rule", "not in set", False),
    ("expect_column_values_to_match_regex", ColumnRegexKwargs, "map", "business_rule", "matches regex", False),
    ("expect_column_values_to_not_match_regex", ColumnRegexKwargs, "map", "business_rule",
     "does not match regex", False),
    ("expect_column_value_lengths_to_be_between", ColumnLengthKwargs, "map", "business_rule",
     "length between", False),
    ("expect_column_value_lengths_to_equal", ColumnLengthEqualKwargs, "map", "business_rule", "length equals", False),
    ("expect_column_values_to_be_of_type", ColumnTypeKwargs, "table", "schema", "of type", False),
    ("expect_column_values_to_be_in_type_list", ColumnTypeListKwargs, "table", "schema", "type in list", False),
    # column aggregates
    ("expect_column_min_to_be_between", ColumnRangeKwargs, "aggregate", "business_rule", "min between", False),
    ("expect_column_max_to_be_between", ColumnRangeKwargs, "aggregate", "business_rule", "max between", False),
    ("expect_column_mean_to_be_between", ColumnRangeKwargs, "aggregate", "business_rule", "mean between", False),
    ("expect_column_median_to_be_between", ColumnRangeKwargs, "aggregate", "business_rule", "median between", False),
    ("expect_column_stdev_to_be_between", ColumnRangeKwargs, "aggregate", "business_rule", "stdev between", False),
    ("expect_column_sum_to_be_between", ColumnRangeKwargs, "aggregate", "business_rule", "sum between", False),
    ("expect_column_proportion_of_unique_values_to_be_between", ColumnRangeKwargs, "aggregate", "uniqueness",
     "proportion unique between", False),
    ("expect_column_unique_value_count_to_be_between", ColumnRangeKwargs, "aggregate", "uniqueness",
     "distinct count between", False),
    ("expect_column_distinct_values_to_be_in_set", ColumnDistinctSetKwargs, "distinct", "business_rule",
     "distinct values in set", False),
    ("expect_column_distinct_values_to_contain_set", ColumnDistinctSetKwargs, "distinct", "business_rule",
     "distinct values contain set", False),
    ("expect_column_distinct_values_to_equal_set", ColumnDistinctSetKwargs, "distinct", "business_rule",
     "distinct values equal set", False),
    # multi-column
    ("expect_compound_columns_to_be_unique", CompoundUniqueKwargs, "unique", "uniqueness", "unique together", False),
    ("expect_column_pair_values_a_to_be_greater_than_b", PairGreaterKwargs, "map", "business_rule",
     "A greater than B", False),
    ("expect_column_pair_values_to_be_equal", PairKwargs, "map", "business_rule", "A equals B", False),
    ("expect_multicolumn_sum_to_equal", MulticolumnSumKwargs, "map", "business_rule", "sum equals", False),
    # workbench additions
    ("expect_column_values_to_be_in_other_table", ForeignKeyKwargs, "cross", "business_rule",
     "in other table (foreign key)", True),
    ("expect_column_max_to_be_fresh", FreshnessKwargs, "aggregate", "freshness", "fresh", True),
    ("expect_table_row_count_to_not_be_anomalous", VolumeAnomalyKwargs, "cross", "volume",
     "row count within history", True),
    ("expect_table_to_reconcile_with_source", ReconcileKwargs, "cross", "volume", "reconciles with source", True),
    # Great Expectations 1.x custom SQL
    ("unexpected_rows_expectation", UnexpectedRowsKwargs, "cross", "business_rule", "custom SQL finds no rows",
     False),
)

_CLASSES = tuple(
    _define(t, kw, kind=kind, category=cat, phrase=phrase, extension=ext) for t, kw, kind, cat, phrase, ext in CATALOGUE
)
globals().update({c.__name__: c for c in _CLASSES})

#: the discriminated union: annotate fields with it (``list[AnyExpectation]``)
AnyExpectation = Annotated[Union[_CLASSES], Field(discriminator="type")]  # noqa: UP007

SUPPORTED_TYPES: tuple[str, ...] = tuple(sorted(_REGISTRY))


def catalogue() -> list[dict[str, Any]]:
    """One row per supported type: type, kind, category, extension, kwargs (for docs and the widget)."""
    return [
        {
            "type": t,
            "category": k.category,
            "kind": k.kind,
            "extension": k.extension,
            "kwargs": kwarg_names(k),
            "required": [n for n, f in k.model_fields["kwargs"].annotation.model_fields.items() if f.is_required()],
        }
        for t, k in sorted(_REGISTRY.items())
    ]
