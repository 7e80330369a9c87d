"""The design widget binds choices to design fields and exports with the button."""

from __future__ import annotations

import ipywidgets as w

from workbench.ui.design import design_panel, document_view


def _find(box, kind, description=None):
    for child in box.children:
        if isinstance(child, w.Box):
            found = _find(child, kind, description)
            if found is not None:
                return found
        elif isinstance(child, kind) and (description is None or child.description == description):
            return child
    return None


def test_choices_write_design_fields_and_targets_follow(batch_design, tmp_path):
    panel = design_panel(batch_design, tmp_path / "out")
    _find(panel, w.Dropdown, "Orchestrator").value = "dagster"
    _find(panel, w.ToggleButtons, "Quality gate").value = "warn"
    _find(panel, w.Dropdown, "Backfill").value = "full"
    assert batch_design.orchestration.tool == "dagster"
    assert batch_design.quality.gate == "warn" and batch_design.backfill.scope == "full"
    targets = _find(panel, w.SelectMultiple)
    assert "dagster" in targets.value and "airflow" not in targets.value


def test_export_button_writes_the_selected_targets(batch_design, tmp_path, capsys):
    out = tmp_path / "out"
    panel = design_panel(batch_design, out)
    _find(panel, w.SelectMultiple).value = ("mermaid", "playbook")
    _find(panel, w.Button).click()
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["backfill_playbook.md", "pipeline.mmd"]
    _find(panel, w.Button).click()  # a second click on a non-empty folder reports the error, no exception
    assert "error: Export folder" in capsys.readouterr().out  # (an Output widget prints here without a frontend)


def test_document_view_is_inline_html(batch_design):
    html = document_view(batch_design, "ja").data
    assert html.startswith('<div class="wb-design-document" lang="ja">') and "アーキテクチャの決定" in html
