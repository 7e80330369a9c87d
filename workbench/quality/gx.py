"""Great Expectations suite JSON, both shapes, read and written.

0.x: ``{"expectation_suite_name", "expectations": [{"expectation_type", "kwargs", "meta"}], ...}``
1.x: ``{"name", "id", "expectations": [{"type", "kwargs", "meta", "id"}], ...}``

Workbench-only fields (layer, severity) travel in each expectation's ``meta["workbench"]`` so GX
keeps them untouched and a round trip restores them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from workbench.errors import ExpectationError
from workbench.quality.expectations import Expectation, expectation_class
from workbench.quality.handlers import REGISTRY
from workbench.quality.jsonio import write_json  # noqa: F401 - re-exported (gx.write_json)
from workbench.quality.suite import Suite

#: GX kwargs that only steer GX's own output or parsing; they carry no meaning here
IGNORED_KWARGS = frozenset({
    "result_format", "include_config", "catch_exceptions", "batch_id", "parse_strings_as_datetimes",
    "allow_cross_type_comparisons", "output_strftime_format", "auto", "profiler_config",
})
#: GX kwargs that change meaning and are not supported: refuse rather than silently ignore
UNSUPPORTED_KWARGS = frozenset({"row_condition", "condition_parser"})
#: 0.x spellings that 1.x renamed (0.x name -> 1.x name), from the handlers' ``gx0_type``
RENAMED_0_TO_1 = {k.gx0_type: t for t, k in REGISTRY.items() if k.gx0_type}
RENAMED_1_TO_0 = {v: k for k, v in RENAMED_0_TO_1.items()}
GX_VERSION = {"0": "0.18.21", "1": "1.3.0"}
WB_META = "workbench"


def load_json(source: str | os.PathLike | dict[str, Any]) -> dict[str, Any]:
    """A dict from a dict, a JSON file path or JSON text; errors name the file."""
    if isinstance(source, dict):
        return source
    text = os.fspath(source)
    if isinstance(source, str) and text.lstrip().startswith("{"):
        origin, body = "the JSON text", text
    else:
        path = Path(text)
        if not path.exists():
            raise ExpectationError(f"Suite file {text!r} does not exist (working directory: {os.getcwd()}).",
                                   hint="Check the path to the Great Expectations suite JSON.")
        origin, body = repr(text), path.read_text(encoding="utf-8")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ExpectationError(f"Suite {origin} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
                               hint="Export the suite again from Great Expectations.") from None
    if not isinstance(data, dict):
        raise ExpectationError(f"Suite {origin} must be a JSON object, not {type(data).__name__}.")
    return data


def detect_version(data: dict[str, Any]) -> str:
    """'0' for the 0.x shape, '1' for the 1.x shape (or the workbench shape, which matches it)."""
    if "expectation_suite_name" in data:
        return "0"
    if any(isinstance(e, dict) and "expectation_type" in e for e in data.get("expectations", [])):
        return "0"
    return "1"


def expectation_from_gx(item: Any, position: int) -> Expectation:
    """One GX expectation dict (either shape) -> our model."""
    if not isinstance(item, dict):
        raise ExpectationError(f"Expectation #{position + 1} must be an object, got {type(item).__name__}.")
    type_name = item.get("type", item.get("expectation_type"))
    type_name = RENAMED_0_TO_1.get(type_name, type_name)
    expectation_class(type_name, where=f"Expectation #{position + 1}")
    kwargs = dict(item.get("kwargs") or {})
    bad = sorted(UNSUPPORTED_KWARGS & {k for k, v in kwargs.items() if v not in (None, "")})
    if bad:
        raise ExpectationError(
            f"Expectation #{position + 1} ({type_name}) uses {', '.join(bad)}, which the workbench does not support.",
            hint="Validate a filtered table instead (create a view with the condition and validate it).",
        )
    kwargs = {k: v for k, v in kwargs.items() if k not in IGNORED_KWARGS | UNSUPPORTED_KWARGS}
    meta = dict(item.get("meta") or {})
    wb = meta.pop(WB_META, {}) if isinstance(meta.get(WB_META), dict) else {}
    if item.get("notes"):
        meta.setdefault("notes", item["notes"])
    body: dict[str, Any] = {"type": type_name, "kwargs": kwargs, "meta": meta}
    for key in ("layer", "severity"):
        value = item.get(key, wb.get(key))
        if isinstance(value, str):
            value = value.lower()
        if value is not None:
            body[key] = value
    for key in ("id", "description"):
        if item.get(key):
            body[key] = item[key]
    return Expectation.parse(body, position=position)


def suite_from_gx(source: str | os.PathLike | dict[str, Any]) -> Suite:
    """A Suite from a GX 0.x or 1.x suite (dict, path or JSON text)."""
    data = load_json(source)
    items = data.get("expectations")
    if not isinstance(items, list):
        raise ExpectationError("A suite needs an 'expectations' list.",
                               hint="Is this a Great Expectations expectation suite JSON?")
    name = data.get("name") or data.get("expectation_suite_name") or "suite"
    meta = dict(data.get("meta") or {})
    meta.pop("great_expectations_version", None)
    wb = meta.pop(WB_META, {}) if isinstance(meta.get(WB_META), dict) else {}
    layer = data.get("layer", wb.get("layer"))
    expectations = [expectation_from_gx(item, i) for i, item in enumerate(items)]
    return Suite(name=name, expectations=expectations, meta=meta, layer=layer)


def suite_to_gx(suite: Suite, *, version: str = "1", extensions: str = "keep") -> dict[str, Any]:
    """The suite in GX JSON shape 1.x (``version="1"``) or 0.x (``"0"``)."""
    version = str(version).split(".")[0]
    if version not in ("0", "1"):
        raise ExpectationError(f"Unknown Great Expectations suite version {version!r}.", hint='Use "1" or "0".')
    if extensions not in ("keep", "drop"):
        raise ExpectationError(f"extensions must be 'keep' or 'drop', not {extensions!r}.")
    meta = {**suite.meta, "great_expectations_version": suite.meta.get("great_expectations_version",
                                                                       GX_VERSION[version])}
    if suite.layer:
        meta[WB_META] = {"layer": suite.layer}
    out_items = []
    for e in suite.expectations:
        if e.extension and extensions == "drop":
            continue
        item_meta = dict(e.meta)
        item_meta[WB_META] = {"layer": e.layer, "severity": e.severity}
        kwargs = e.kwargs.model_dump(exclude_unset=True)
        if version == "1":
            item: dict[str, Any] = {"type": e.type, "kwargs": kwargs, "meta": item_meta}
            if e.id:
                item["id"] = e.id
            if e.description:
                item["description"] = e.description
        else:
            item = {"expectation_type": RENAMED_1_TO_0.get(e.type, e.type), "kwargs": kwargs, "meta": item_meta}
            if e.id:
                item["id"] = e.id
        out_items.append(item)
    if version == "1":
        return {"name": suite.name, "expectations": out_items, "meta": meta, "notes": None}
    return {"expectation_suite_name": suite.name, "expectations": out_items, "meta": meta,
            "data_asset_type": None, "ge_cloud_id": None}
