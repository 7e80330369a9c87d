"""The quality gate: strict (stop the pipeline), warn (log and continue), sample (check part of the data).

    >>> Gate.of("sample").fraction
    0.1
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from workbench.errors import ExpectationError, QualityGateError

if TYPE_CHECKING:
    from workbench.quality.validate import ValidationResult

log = logging.getLogger("workbench.quality")
log.addHandler(logging.NullHandler())  # a library logs; the application decides where it goes
GATE_MODES = ("strict", "warn", "sample")


class Gate(BaseModel):
    """How a validation reacts to failures, and whether it reads the whole table."""

    mode: Literal["strict", "warn", "sample"] = "warn"
    #: sample mode: the fraction of rows checked (Bernoulli sample, deterministic for a seed)
    fraction: float = Field(0.1, gt=0.0, le=1.0)
    seed: int = Field(0, ge=0)
    #: sample mode: raise like strict when a critical expectation fails on the sample
    strict: bool = False

    @classmethod
    def of(cls, gate: str | Gate | None, *, fraction: float | None = None, seed: int | None = None) -> Gate:
        if isinstance(gate, Gate):
            base = gate
        elif gate is None:
            base = cls()
        elif isinstance(gate, str) and gate in GATE_MODES:
            base = cls(mode=gate)
        else:
            raise ExpectationError(f"Unknown gate {gate!r}.", hint=f"Use one of {', '.join(GATE_MODES)}.")
        update = {k: v for k, v in (("fraction", fraction), ("seed", seed)) if v is not None}
        return cls.model_validate({**base.model_dump(), **update}) if update else base

    @property
    def sampled(self) -> bool:
        return self.mode == "sample" and self.fraction < 1.0

    @property
    def raises(self) -> bool:
        return self.mode == "strict" or (self.mode == "sample" and self.strict)


def apply_gate(result: ValidationResult, gate: Gate) -> ValidationResult:
    """Record failures as warnings; raise QualityGateError for a strict gate with critical failures."""
    for r in result.failures:
        result.warnings.append(f"[{r.severity}] {r.label} ({r.type}): {r.brief()}")
    for w in result.warnings:
        log.warning("%s: %s", result.table, w)
    if gate.raises and not result.success:
        failures = [r for r in result.failures if r.severity == "critical"]
        lines = "\n".join(f"  - {r.label} ({r.type}): {r.brief()}" for r in failures)
        exc = QualityGateError(
            f"Quality gate failed for table {result.table!r} (suite {result.suite_name!r}): "
            f"{len(failures)} critical expectation(s) failed:\n{lines}\n",
            failures=failures,
            hint="Fix the data or the expectations; use gate='warn' to continue anyway.",
        )
        exc.result = result  # type: ignore[attr-defined]
        raise exc
    return result
