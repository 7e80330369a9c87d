"""Suite: a named, ordered list of expectations, with an optional default layer.

    >>> s = Suite.model_validate({"name": "orders.suggested", "expectations": [
    ...     {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "order_id"},
    ...      "layer": "source", "severity": "critical", "meta": {}}]})
    >>> s.expectations[0].label
    'order_id: not null'
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SerializeAsAny, field_validator

from workbench.quality.expectations import Expectation, QualityLayer


class Suite(BaseModel):
    """Expectations for one table (GX calls it an expectation suite)."""

    name: str
    #: concrete models of the ``AnyExpectation`` union; the validator below dispatches on ``type`` so
    #: only the types a suite uses get their validators built (imports stay fast)
    expectations: list[SerializeAsAny[Expectation]] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)
    #: the layer of expectations that do not state their own
    layer: QualityLayer | None = None

    @field_validator("expectations", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [Expectation.parse(e, position=i) for i, e in enumerate(value)]

    # --- building -------------------------------------------------------------------------
    def add(self, expectation: Expectation | dict[str, Any] | str, **kwargs: Any) -> Suite:
        """Append an expectation (a model, a dict, or a type name plus kwargs) and return the suite."""
        if isinstance(expectation, str):
            meta = {k: kwargs.pop(k) for k in ("layer", "severity", "meta") if k in kwargs}
            expectation = {"type": expectation, "kwargs": kwargs, **meta}
        self.expectations.append(Expectation.parse(expectation, position=len(self.expectations)))
        return self

    def layer_of(self, expectation: Expectation) -> str | None:
        """The expectation's own layer, else the suite's."""
        return expectation.layer or self.layer

    def for_layer(self, layer: str) -> Suite:
        """A suite with only the expectations of ``layer``."""
        return Suite(
            name=f"{self.name}.{layer}",
            expectations=[e for e in self.expectations if self.layer_of(e) == layer],
            meta=dict(self.meta),
            layer=layer,  # type: ignore[arg-type]
        )

    def __add__(self, other: Suite) -> Suite:
        """Concatenate two suites; each expectation keeps its effective layer."""
        items = [e.model_copy(update={"layer": self.layer_of(e)}) for e in self.expectations]
        items += [e.model_copy(update={"layer": other.layer_of(e)}) for e in other.expectations]
        return Suite(name=self.name, expectations=items, meta={**other.meta, **self.meta})

    def __len__(self) -> int:
        return len(self.expectations)

    # --- Great Expectations and dbt ----------------------------------------------------------
    @classmethod
    def from_gx_json(cls, source: str | os.PathLike | dict[str, Any]) -> Suite:
        """Read a Great Expectations suite (0.x or 1.x shape) from a path, JSON text or dict."""
        from workbench.quality.gx import suite_from_gx

        return suite_from_gx(source)

    def to_gx_json(self, version: str = "1", *, extensions: str = "keep") -> dict[str, Any]:
        """The suite as a GX 1.x (``version="1"``) or 0.x (``"0"``) JSON dict.

        ``extensions="drop"`` leaves out workbench-only types GX cannot run.
        """
        from workbench.quality.gx import suite_to_gx

        return suite_to_gx(self, version=version, extensions=extensions)

    def save_gx_json(self, path: str | os.PathLike, version: str = "1", *, overwrite: bool = False) -> Path:
        """Write the GX JSON to ``path`` atomically (refuses to overwrite unless asked)."""
        from workbench.quality.jsonio import write_json

        return write_json(self.to_gx_json(version), path, overwrite=overwrite)

    @classmethod
    def from_dbt(cls, schema: str | os.PathLike | dict[str, Any], model: str) -> Suite:
        """Expectations from the tests of ``model`` in a dbt ``schema.yml`` (path, YAML text or dict)."""
        from workbench.quality.dbt import suite_from_dbt

        return suite_from_dbt(schema, model)

    def to_dbt(self, model: str | None = None) -> dict[str, Any]:
        """A dbt ``schema.yml`` dict testing ``model`` (default: the suite name) with these expectations."""
        from workbench.quality.dbt import suite_to_dbt

        return suite_to_dbt(self, model)

    # --- display ---------------------------------------------------------------------------
    def to_json(self, indent: int | None = 2) -> str:
        """The workbench JSON shape (``Suite.model_validate(json.loads(...))`` reads it back)."""
        body = {"name": self.name, "layer": self.layer, "meta": self.meta,
                "expectations": [e.to_dict() for e in self.expectations]}
        return json.dumps(body, indent=indent, default=str)

    def summary(self) -> str:
        lines = [f"Suite {self.name!r}: {len(self.expectations)} expectations"]
        for e in self.expectations:
            lines.append(f"  [{self.layer_of(e) or '-':9}] {e.severity:8} {e.label}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Suite(name={self.name!r}, expectations={len(self.expectations)}, layer={self.layer!r})"

    def _repr_html_(self) -> str:
        from workbench.quality.html import suite_html

        return suite_html(self)
