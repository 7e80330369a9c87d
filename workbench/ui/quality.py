"""Step 4 widget: build expectations from pickers and a kwargs form, run them, see results, pick the gate.

``expectation_builder(ws)`` returns an :class:`ExpectationBuilder`; display ``builder.widget``. The
buttons keep stable descriptions ("Add expectation", "Run suite", "Clear suite") for browser tests.
All checking and running is the core's (``Expectation.parse``, ``validate``); this module only binds.
"""

from __future__ import annotations

import html
import json
from typing import Any

import ipywidgets as w

from workbench.errors import WorkbenchError
from workbench.quality.expectations import SUPPORTED_TYPES, expectation_class, kwarg_names
from workbench.quality.gate import Gate
from workbench.quality.suite import Suite
from workbench.quality.validate import ValidationResult, validate
from workbench.workspace import Workspace

#: kwargs filled from the pickers rather than typed
PICKED = ("column",)


def _parse_value(text: str) -> Any:
    """Form text -> value: JSON when it parses (numbers, lists, true/false, null), else the raw string."""
    text = text.strip()
    if text == "":
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


class ExpectationBuilder:
    """The widget and its state: a suite under construction and the last validation."""

    def __init__(self, ws: Workspace, table: str | None = None, suite: Suite | None = None) -> None:
        self.ws = ws
        tables = ws.tables()
        self.suite = suite or Suite(name="builder")
        self.result: ValidationResult | None = None
        self.table = w.Dropdown(options=tables, value=table or (tables[0] if tables else None), description="Table")
        self.column = w.Dropdown(options=[], description="Column")
        self.type = w.Dropdown(options=list(SUPPORTED_TYPES), value="expect_column_values_to_not_be_null",
                               description="Type", layout=w.Layout(width="520px"))
        self.layer = w.Dropdown(options=["source", "transform", "sink"], value="transform", description="Layer")
        self.severity = w.Dropdown(options=["critical", "warning", "info"], value="critical", description="Severity")
        self.gate = w.ToggleButtons(options=["warn", "strict", "sample"], value="warn", description="Gate")
        self.fraction = w.FloatSlider(value=0.1, min=0.01, max=1.0, step=0.01, description="Sample")
        self.form = w.VBox()
        self.fields: dict[str, w.Text] = {}
        self.add_button = w.Button(description="Add expectation", button_style="primary")
        self.run_button = w.Button(description="Run suite", button_style="success")
        self.clear_button = w.Button(description="Clear suite")
        self.message = w.HTML()
        self.suite_view = w.HTML()
        self.results_view = w.HTML()
        self.table.observe(lambda _: self._refresh_columns(), names="value")
        self.type.observe(lambda _: self._refresh_form(), names="value")
        self.add_button.on_click(lambda _: self.add())
        self.run_button.on_click(lambda _: self.run())
        self.clear_button.on_click(lambda _: self.clear())
        self._refresh_columns()
        self._refresh_form()
        self._show_suite()
        self.widget = w.VBox([
            w.HBox([self.table, self.column]), self.type, self.form, w.HBox([self.layer, self.severity]),
            w.HBox([self.add_button, self.clear_button]), self.suite_view,
            w.HBox([self.gate, self.fraction]), self.run_button, self.message, self.results_view,
        ])

    # --- bindings ----------------------------------------------------------------------------
    def _refresh_columns(self) -> None:
        self.column.options = self.ws.columns(self.table.value) if self.table.value else []

    def _refresh_form(self) -> None:
        klass = expectation_class(self.type.value)
        names = [n for n in kwarg_names(klass) if n not in PICKED]
        required = set(klass.model_fields["kwargs"].annotation.model_fields)
        self.fields = {n: w.Text(description=n, placeholder="JSON value, e.g. 0 or [\"a\", \"b\"]",
                                 style={"description_width": "120px"}) for n in names if n in required}
        self.form.children = list(self.fields.values())

    def expectation_dict(self) -> dict[str, Any]:
        """The expectation the form describes (not yet validated)."""
        klass = expectation_class(self.type.value)
        kwargs: dict[str, Any] = {}
        if "column" in kwarg_names(klass) and self.column.value is not None:
            kwargs["column"] = self.column.value
        for name, field in self.fields.items():
            value = _parse_value(field.value)
            if value is not None:
                kwargs[name] = value
        return {"type": self.type.value, "kwargs": kwargs, "layer": self.layer.value, "severity": self.severity.value}

    def add(self) -> bool:
        """Add the form's expectation to the suite; an invalid one shows the error instead."""
        try:
            self.suite.add(self.expectation_dict())
        except WorkbenchError as exc:
            self._say(str(exc), error=True)
            return False
        self._say(f"added {self.suite.expectations[-1].label}")
        self._show_suite()
        return True

    def clear(self) -> None:
        self.suite = Suite(name=self.suite.name)
        self.result = None
        self.results_view.value = ""
        self._show_suite()

    def run(self) -> ValidationResult | None:
        """Validate the chosen table with the suite and the chosen gate; show results or the gate's error."""
        gate = Gate(mode=self.gate.value, fraction=self.fraction.value)
        try:
            self.result = validate(self.ws, self.table.value, self.suite, gate=gate)
        except WorkbenchError as exc:
            self.result = getattr(exc, "result", None)
            self._say(str(exc), error=True)
        else:
            self._say("passed" if self.result.success else "failed: see the table below", error=not self.result.success)
        self.results_view.value = self.result._repr_html_() if self.result else ""
        return self.result

    def _show_suite(self) -> None:
        self.suite_view.value = self.suite._repr_html_()

    def _say(self, text: str, error: bool = False) -> None:
        color = "#cf222e" if error else "#1a7f37"
        self.message.value = f"<pre style='color:{color};white-space:pre-wrap'>{html.escape(text)}</pre>"


def expectation_builder(ws: Workspace, table: str | None = None, suite: Suite | None = None) -> ExpectationBuilder:
    """An expectation builder bound to ``ws``; display ``.widget`` (or use ``show(b.widget, static)``)."""
    return ExpectationBuilder(ws, table, suite)
