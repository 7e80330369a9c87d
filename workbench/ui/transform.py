"""Step 3 widgets: a transform studio (pick a model, edit its SQL, Run) and a ``%%model`` cell magic.

Controls only call the core: ``TransformProject.edit_model``, ``build(select=...)`` and ``preview``.
Descriptions are stable ("Model", "SQL", "Run") so browser tests can find and click them.
"""

from __future__ import annotations

import html
import shlex
from typing import Any

import ipywidgets as widgets

from workbench.errors import WorkbenchError


class Mermaid:
    """Mermaid text that JupyterLab renders as a diagram (``text/vnd.mermaid``), with the text as fallback."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/vnd.mermaid": self.text, "text/plain": self.text}


def _result_html(proj: Any, ws: Any, model: str) -> str:
    r = proj.build(ws, select=model)
    parts = [r._repr_html_()]
    try:
        parts.append(proj.preview(model, limit=10)._repr_html_())
    except WorkbenchError as exc:
        parts.append(f"<pre>{html.escape(str(exc))}</pre>")
    return "".join(parts)


def transform_studio(proj: Any, ws: Any, model: str | None = None) -> widgets.VBox:
    """Model picker, SQL editor and a Run button that rebuilds the model and shows its rows and tests."""
    names = sorted(proj.models)
    picker = widgets.Dropdown(options=names, value=model or (names[0] if names else None), description="Model")
    editor = widgets.Textarea(description="SQL", layout=widgets.Layout(width="95%", height="220px"))
    run = widgets.Button(description="Run", button_style="primary", tooltip="Rebuild the selected model and run its tests")
    run.add_class("wb-transform-run")
    status = widgets.HTML(value="")
    out = widgets.HTML(value="")

    def load(_: Any = None) -> None:
        if picker.value:
            editor.value = proj.models[picker.value].sql
            status.value = f"<code>{html.escape(proj.models[picker.value].path)}</code>"

    def on_run(_: Any) -> None:
        name = picker.value
        run.disabled = True
        status.value = f"building <b>{html.escape(name)}</b>…"
        try:
            proj.edit_model(name, editor.value)
            out.value = _result_html(proj, ws, name)
            status.value = f"built <b>{html.escape(name)}</b>"
        except WorkbenchError as exc:
            status.value = "error"
            out.value = f"<pre style='color:#c62828'>{html.escape(str(exc))}</pre>"
        finally:
            run.disabled = False

    picker.observe(load, names="value")
    run.on_click(on_run)
    load()
    box = widgets.VBox([widgets.HBox([picker, run]), editor, status, out])
    box.add_class("wb-transform-studio")
    return box


def register_model_magic(proj: Any, ws: Any) -> None:
    """Register ``%%model NAME [--folder F] [key=value ...]``: the cell is the model's SQL; it is built at once."""
    from IPython import get_ipython
    from IPython.display import HTML, display

    def model(line: str, cell: str) -> None:
        args = shlex.split(line)
        if not args:
            raise WorkbenchError("Usage: %%model NAME [--folder staging] [materialized=table ...]")
        name, rest = args[0], args[1:]
        folder, config = None, {}
        while rest:
            item = rest.pop(0)
            if item == "--folder" and rest:
                folder = rest.pop(0)
            elif "=" in item:
                key, value = item.split("=", 1)
                config[key] = value
        old = proj.models.get(name)
        proj.add_model(name, cell, folder=folder if folder is not None else (old.folder if old else ""),
                       **({**old.config, **config} if old else config))
        display(HTML(_result_html(proj, ws, name)))

    ip = get_ipython()
    if ip is None:
        raise WorkbenchError("%%model needs an IPython kernel (Jupyter).")
    ip.register_magic_function(model, magic_kind="cell", magic_name="model")
