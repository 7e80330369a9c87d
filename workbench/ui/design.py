"""Step 5 widget: the design questions as choices (orchestrator, gate, backfill scope, language) and an export button.

Every control writes one design field; the button calls ``design.export``. No logic lives here.
"""

from __future__ import annotations

import os
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as w
from IPython.display import HTML

from workbench.design.export import TARGETS, resolve_targets
from workbench.errors import WorkbenchError
from workbench.orchestrators import Orchestrator

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign

#: what each orchestrator is best at, shown beside its name
STRENGTHS = {Orchestrator.AIRFLOW: "general", Orchestrator.DAGSTER: "software-defined assets",
             Orchestrator.PREFECT: "dynamic, cloud-native", Orchestrator.DBT_CLOUD: "SQL-centric ELT"}
ORCHESTRATORS = [(f"{o.label} ({STRENGTHS[o]})", o.value) for o in Orchestrator]
GATES = [("strict: stop on failure", "strict"), ("warn: log and continue", "warn"), ("sample: check a sample", "sample")]
SCOPES = [("full history", "full"), ("affected window only", "affected_window"), ("incremental", "incremental")]
LANGS = [("English", "en"), ("日本語", "ja")]


def design_panel(design: PipelineDesign, out_dir: str | os.PathLike) -> w.VBox:
    """Controls bound to ``design`` and an Export button writing into ``out_dir``."""
    orchestrator = w.Dropdown(options=ORCHESTRATORS, value=design.orchestration.tool, description="Orchestrator")
    gate = w.ToggleButtons(options=GATES, value=design.quality.gate, description="Quality gate")
    scope = w.Dropdown(options=SCOPES, value=design.backfill.scope, description="Backfill")
    lang = w.ToggleButtons(options=LANGS, value="en", description="Document")
    targets = w.SelectMultiple(options=list(TARGETS), value=resolve_targets(design, None), rows=len(TARGETS),
                               description="Targets")
    overwrite = w.Checkbox(value=False, description="overwrite a non-empty folder")
    button = w.Button(description="Export", button_style="primary", icon="download")
    status = w.HTML(value=_status(design))
    result = w.Output()

    def sync(_=None) -> None:
        design.orchestration.tool = orchestrator.value
        design.quality.gate = gate.value
        design.backfill.scope = scope.value
        targets.value = tuple(resolve_targets(design, None))
        status.value = _status(design)

    def export(_=None) -> None:
        result.clear_output()
        with result:
            try:
                files = design.export(out_dir, targets=list(targets.value), overwrite=overwrite.value)
            except WorkbenchError as exc:
                print(f"error: {exc}")
                return
            for target, paths in files.items():
                print(f"{target}: {len(paths)} file(s), e.g. {paths[0]}")
            doc = [p for p in files.get("document", []) if p.endswith("design.ja.html" if lang.value == "ja"
                                                                       else "design.html")]
            if doc:
                print(f"open the design document: {doc[0]}")

    for control in (orchestrator, gate, scope):
        control.observe(sync, names="value")
    button.on_click(export)
    return w.VBox([orchestrator, gate, scope, lang, targets, w.HBox([button, overwrite]), status, result])


def _status(design: PipelineDesign) -> str:
    findings = design.lint()
    items = "".join(f"<li>{escape(f.rule)}: {escape(f.message)}</li>" for f in findings)
    return f"<pre>{escape(design.summary())}</pre>" + (f"<ul>{items}</ul>" if items else "")


def document_view(design: PipelineDesign, lang: str = "en") -> HTML:
    """The design document inline (the static view a report shows)."""
    from workbench.design.export.document import html_fragment

    return HTML(html_fragment(design, lang))
