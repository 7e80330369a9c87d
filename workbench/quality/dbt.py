"""dbt schema tests <-> expectations, both ways.

| dbt test | expectation |
|---|---|
| ``unique`` | ``expect_column_values_to_be_unique`` |
| ``not_null`` | ``expect_column_values_to_not_be_null`` |
| ``accepted_values`` | ``expect_column_values_to_be_in_set`` |
| ``relationships`` | ``expect_column_values_to_be_in_other_table`` |
| ``dbt_utils.accepted_range`` | ``expect_column_values_to_be_between`` (``inclusive: false`` -> strict) |
| ``dbt_utils.unique_combination_of_columns`` | ``expect_compound_columns_to_be_unique`` |
| ``dbt_utils.expression_is_true`` | ``unexpected_rows_expectation`` (rows where the expression is not true) |

Each mapping lives with its expectation's handler (``dbt_tests``, ``kwargs_from_dbt``, ``to_dbt``);
:func:`expectation_for_dbt_test` is the one lookup, for this module and for pipeline code.
dbt ``severity: warn`` becomes severity ``warning``; ``error`` (the default) becomes ``critical``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ExpectationError
from workbench.quality.expectations import Expectation
from workbench.quality.handlers import REGISTRY
from workbench.quality.suite import Suite


def _load(schema: str | os.PathLike | dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema, dict):
        return schema
    text = os.fspath(schema)
    if "\n" not in text and Path(text).exists():
        text = Path(text).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ExpectationError("A dbt schema file must be a YAML mapping with a 'models' list.")
    return data


def _split(test: Any) -> tuple[str, dict[str, Any]]:
    """A dbt test entry -> (name, arguments incl. config)."""
    if isinstance(test, str):
        return test, {}
    if isinstance(test, dict) and len(test) == 1:
        name, body = next(iter(test.items()))
        body = dict(body or {})
        args = {**body.pop("arguments", {}), **body}
        return name, args
    raise ExpectationError(f"Unreadable dbt test entry {test!r}.", hint="Use 'unique' or {test_name: {args}}.")


def _severity(args: dict[str, Any]) -> str:
    config = args.get("config") or {}
    level = str(config.get("severity", args.get("severity", "error"))).lower()
    return "warning" if level == "warn" else "critical"


def _handler_for(short: str) -> type[Expectation] | None:
    """The expectation class whose ``dbt_tests`` name this test (package prefix already stripped)."""
    for klass in REGISTRY.values():
        if short in klass.dbt_tests:
            return klass
    return None


def expectation_for_dbt_test(test_name: str, column: str | None, kwargs: dict[str, Any]) -> tuple[str, dict] | None:
    """The expectation (type, kwargs) a dbt test means, or None when it has none.

    ``test_name`` may carry a package prefix (``dbt_utils.accepted_range``); ``kwargs`` are the test's
    arguments (``values``, ``min_value``, ``to``/``field``...). Column tests without a column give None.
    """
    klass = _handler_for(test_name.split(".")[-1])
    if klass is None or (_needs_column(klass) and column is None):
        return None
    return klass.model_fields["type"].default, klass.kwargs_from_dbt(column, dict(kwargs or {}))


def _needs_column(klass: type[Expectation]) -> bool:
    return "column" in klass.model_fields["kwargs"].annotation.model_fields


def dbt_test_to_expectation(test: Any, column: str | None, model: str) -> dict[str, Any]:
    """One dbt test (on ``column``, or model-level when None) as an expectation dict."""
    name, args = _split(test)
    klass = _handler_for(name.split(".")[-1])
    if klass is None:
        supported = sorted(t for k in REGISTRY.values() for t in k.dbt_tests)
        raise ExpectationError(
            f"dbt test {name!r} on {model}{'.' + column if column else ''} has no expectation counterpart.",
            hint=f"Supported: {', '.join(supported)} (dbt_utils tests with or without the prefix).",
        )
    if _needs_column(klass) and column is None:
        raise ExpectationError(f"dbt test {name!r} on model {model!r} needs a column.",
                               hint="Put it under the column's data_tests.")
    type_name, kwargs = expectation_for_dbt_test(name, column, args)
    return {"severity": _severity(args), "meta": {"dbt_test": name}, "type": type_name, "kwargs": kwargs}


def suite_from_dbt(schema: str | os.PathLike | dict[str, Any], model: str) -> Suite:
    """The tests of ``model`` in a dbt schema file as a Suite (layer ``transform``)."""
    data = _load(schema)
    models = {m.get("name"): m for m in data.get("models") or [] if isinstance(m, dict)}
    if model not in models:
        raise ExpectationError(f"Model {model!r} is not in the dbt schema (models: {', '.join(map(str, models))}).")
    m = models[model]
    items = [dbt_test_to_expectation(t, None, model) for t in m.get("data_tests", m.get("tests")) or []]
    for col in m.get("columns") or []:
        for t in col.get("data_tests", col.get("tests")) or []:
            items.append(dbt_test_to_expectation(t, col["name"], model))
    return Suite(name=model, expectations=items, layer="transform")


def expectation_to_test(e: Expectation) -> tuple[str | None, Any] | None:
    """(column or None for model-level, dbt test entry), or None when dbt has no such test."""
    if getattr(e.kwargs, "mostly", 1.0) != 1.0:
        return None
    mapped = e.to_dbt()
    if mapped is None:
        return None
    column, name, args = mapped
    return column, {name: args} if args else name


def suite_to_dbt(suite: Suite, model: str | None = None) -> dict[str, Any]:
    """A dbt ``schema.yml`` dict for ``model``; expectations dbt cannot express are listed in its meta."""
    name = model or suite.name
    columns: dict[str, list[Any]] = {}
    model_tests: list[Any] = []
    unmapped: list[str] = []
    for e in suite.expectations:
        mapped = expectation_to_test(e)
        if mapped is None:
            unmapped.append(f"{e.type}: {e.label}")
            continue
        column, test = mapped
        (columns.setdefault(column, []) if column else model_tests).append(test)
    body: dict[str, Any] = {"name": name}
    if model_tests:
        body["data_tests"] = model_tests
    if columns:
        body["columns"] = [{"name": c, "data_tests": tests} for c, tests in columns.items()]
    if unmapped:
        body["meta"] = {"workbench_unmapped_expectations": unmapped}
    return {"version": 2, "models": [body]}
