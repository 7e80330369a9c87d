"""Step 4 -- quality: layered expectations compiled to DuckDB, a gate, and Great Expectations / dbt formats.

``wb.validate(ws, "orders", suite, gate="warn")`` runs a suite in as few scans as possible and
returns a ValidationResult shaped like Great Expectations' results.
"""

from __future__ import annotations

from workbench.quality.expectations import (
    CATALOGUE,
    SUPPORTED_TYPES,
    AnyExpectation,
    Expectation,
    catalogue,
    expectation_class,
)
from workbench.quality.gate import Gate
from workbench.quality.suite import Suite
from workbench.quality.validate import ExpectationResult, ValidationResult, validate

__all__ = [
    "CATALOGUE",
    "SUPPORTED_TYPES",
    "AnyExpectation",
    "Expectation",
    "ExpectationResult",
    "Gate",
    "Suite",
    "ValidationResult",
    "catalogue",
    "expectation_class",
    "validate",
]
