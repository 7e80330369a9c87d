"""One handler per expectation type, grouped by family (the model is sqlglot's ``Generator.TRANSFORMS``).

A handler is the expectation's own pydantic class: its ``kwargs`` model, its SQL (``row_check`` for a row
predicate, ``compile`` for aggregate items), ``evaluate`` (scan row -> GX result fields), its dbt mapping
(``dbt_tests``, ``kwargs_from_dbt``, ``to_dbt``) and its GX 0.x spelling (``gx0_type``). Importing this
package defines every class, which registers it in :data:`REGISTRY`, the one list of types.

To add a type, define one subclass in the family module it belongs to; nothing else changes.
"""

from __future__ import annotations

from workbench.quality.handlers import aggregate, column_map, cross, distinct, multicolumn, table, uniqueness
from workbench.quality.handlers.base import _REGISTRY as REGISTRY
from workbench.quality.handlers.base import Expectation, MapExpectation

FAMILIES = (table, column_map, uniqueness, aggregate, distinct, multicolumn, cross)

__all__ = ["FAMILIES", "REGISTRY", "Expectation", "MapExpectation"]
