"""The transform studio widget drives the core: edit SQL, press Run, see rows and tests."""

from __future__ import annotations

import workbench as wb
from workbench.transform import TransformProject
from workbench.ui.transform import Mermaid, transform_studio


def find(box, cls):
    stack = [box]
    while stack:
        w = stack.pop()
        if isinstance(w, cls):
            yield w
        stack.extend(getattr(w, "children", ()))


def test_studio_run_rebuilds_the_selected_model_with_the_edited_sql():
    import ipywidgets as widgets

    ws = wb.Workspace()
    proj = TransformProject("ui")
    proj.add_model("stg_numbers", "select range as n from range(5)", materialized="table", tests={"n": ["unique"]})
    box = transform_studio(proj, ws)
    editor = next(find(box, widgets.Textarea))
    run = next(b for b in find(box, widgets.Button) if b.description == "Run")
    assert editor.description == "SQL" and editor.value == "select range as n from range(5)"
    editor.value = "select range as n from range(7)"
    run.click()
    assert ws.con.execute("SELECT count(*) FROM main.stg_numbers").fetchone()[0] == 7
    out = box.children[-1].value
    assert "unique_stg_numbers_n" in out and "pass" in out and "<b>stg_numbers</b>" in out
    editor.value = "select x from nowhere"
    run.click()
    assert "Catalog Error" in box.children[-1].value and "models/stg_numbers.sql" in box.children[-1].value


def test_mermaid_view_offers_the_mermaid_mime_type():
    bundle = Mermaid("flowchart LR\n  a --> b")._repr_mimebundle_()
    assert bundle["text/vnd.mermaid"].startswith("flowchart LR")
