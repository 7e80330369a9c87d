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

dbt ``severity: warn`` becomes severity ``warning``; ``error`` (the default) becomes ``critical``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ExpectationError
from workbench.quality.expectations import Expectation
from workbench.quality.suite import Suite

_REF = re.compile(r"""^\s*(?:ref|source)\s*\((?:\s*['"][^'"]+['"]\s*,)?\s*['"]([^'"]+)['"]\s*\)\s*$""")
_EXPR_QUERY = re.compile(r"^SELECT \* FROM \{batch\} WHERE NOT \((?P<expr>.*)\)$", re.S)


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


def _other_table(to: str) -> str:
    m = _REF.match(str(to))
    return m.group(1) if m else str(to)


def dbt_test_to_expectation(test: Any, column: str | None, model: str) -> dict[str, Any]:
    """One dbt test (on ``column``, or model-level when None) as an expectation dict."""
    name, args = _split(test)
    short = name.split(".")[-1]
    base = {"severity": _severity(args), "meta": {"dbt_test": name}}
    if short in ("unique", "not_null", "accepted_values", "relationships", "accepted_range") and column is None:
        raise ExpectationError(f"dbt test {name!r} on model {model!r} needs a column.",
                               hint="Put it under the column's data_tests.")
    if short == "unique":
        return {**base, "type": "expect_column_values_to_be_unique", "kwargs": {"column": column}}
    if short == "not_null":
        return {**base, "type": "expect_column_values_to_not_be_null", "kwargs": {"column": column}}
    if short == "accepted_values":
        return {**base, "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": column, "value_set": list(args.get("values", []))}}
    if short == "relationships":
        return {**base, "type": "expect_column_values_to_be_in_other_table",
                "kwargs": {"column": column, "other_table_name": _other_table(args["to"]),
                           "other_column": args["field"]}}
    if short == "accepted_range":
        strict = args.get("inclusive", True) is False
        kwargs = {"column": column, **{k: args[k] for k in ("min_value", "max_value") if k in args}}
        if strict:
            kwargs.update(strict_min="min_value" in args, strict_max="max_value" in args)
        return {**base, "type": "expect_column_values_to_be_between", "kwargs": kwargs}
    if short == "unique_combination_of_columns":
        return {**base, "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": list(args["combination_of_columns"])}}
    if short == "expression_is_true":
        expr = args["expression"] if column is None else f"{column} {args['expression']}"
        return {**base, "type": "unexpected_rows_expectation",
                "kwargs": {"unexpected_rows_query": f"SELECT * FROM {{batch}} WHERE NOT ({expr})"}}
    raise ExpectationError(
        f"dbt test {name!r} on {model}{'.' + column if column else ''} has no expectation counterpart.",
        hint="Supported: unique, not_null, accepted_values, relationships, dbt_utils.accepted_range, "
             "dbt_utils.unique_combination_of_columns, dbt_utils.expression_is_true.",
    )


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
    k, t = e.kwargs, e.type
    config = {"config": {"severity": "warn"}} if e.severity != "critical" else {}
    if getattr(k, "mostly", 1.0) != 1.0:
        return None
    if t == "expect_column_values_to_be_unique":
        return k.column, {"unique": config} if config else "unique"
    if t == "expect_column_values_to_not_be_null":
        return k.column, {"not_null": config} if config else "not_null"
    if t == "expect_column_values_to_be_in_set":
        return k.column, {"accepted_values": {"values": list(k.value_set), **config}}
    if t == "expect_column_values_to_be_in_other_table":
        return k.column, {"relationships": {"to": f"ref('{k.other_table_name}')", "field": k.other_column, **config}}
    if t == "expect_column_values_to_be_between":
        if k.strict_min != k.strict_max and k.min_value is not None and k.max_value is not None:
            return None
        args = {n: getattr(k, n) for n in ("min_value", "max_value") if getattr(k, n) is not None}
        if k.strict_min or k.strict_max:
            args["inclusive"] = False
        return k.column, {"dbt_utils.accepted_range": {**args, **config}}
    if t == "expect_compound_columns_to_be_unique":
        return None, {"dbt_utils.unique_combination_of_columns": {"combination_of_columns": list(k.column_list),
                                                                   **config}}
    if t == "unexpected_rows_expectation":
        m = _EXPR_QUERY.match(k.unexpected_rows_query.strip())
        if m:
            return None, {"dbt_utils.expression_is_true": {"expression": m.group("expr"), **config}}
    return None


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
