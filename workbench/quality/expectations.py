"""The expectation catalogue: one pydantic model per type, one discriminated union on ``type``.

Types and kwargs follow Great Expectations 1.x (snake-case ``type``), so a GX suite reads as-is::

    >>> Expectation(type="expect_column_values_to_not_be_null", kwargs={"column": "order_id"}).label
    'order_id: not null'

Workbench additions that GX lacks (foreign-key inclusion, freshness, volume anomaly, reconciliation)
use GX-style names and are flagged ``extension = True``. Each expectation carries a ``layer``
(source / transform / sink), a ``severity`` (critical / warning / info) and a ``category`` that
orders reports by the design guide's priority: uniqueness, not null, freshness, volume, then the rest.

The models themselves are the handlers in :mod:`workbench.quality.handlers` (one class per type, by
family); this module is their public face.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field

from workbench.quality.handlers import REGISTRY
from workbench.quality.handlers.base import (
    CATEGORY_RANK,
    LAYERS,
    Bound,
    Expectation,
    Kwargs,
    QualityLayer,
    Severity,
    Value,
    describe_errors,
    expectation_class,
    kwarg_names,
)

#: the discriminated union: annotate fields with it (``list[AnyExpectation]``)
AnyExpectation = Annotated[Union[tuple(REGISTRY.values())], Field(discriminator="type")]  # noqa: UP007

SUPPORTED_TYPES: tuple[str, ...] = tuple(sorted(REGISTRY))

#: (type, kwargs model, kind, category, phrase, extension) per type, read off the handlers
CATALOGUE: tuple[tuple[str, type[Kwargs], str, str, str, bool], ...] = tuple(
    (t, k.model_fields["kwargs"].annotation, k.kind, k.category, k.phrase, k.extension) for t, k in REGISTRY.items()
)


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
        for t, k in sorted(REGISTRY.items())
    ]


__all__ = [
    "CATALOGUE", "CATEGORY_RANK", "LAYERS", "SUPPORTED_TYPES", "AnyExpectation", "Bound", "Expectation", "QualityLayer",
    "Severity", "Value", "catalogue", "describe_errors", "expectation_class", "kwarg_names",
]
