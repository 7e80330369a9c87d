"""Naming and layering lint from the design guide's dbt layers — warnings, never errors.

Rules: every model name carries a layer prefix (``stg_``, ``int_``, ``dim_``, ``fct_``, ``rpt_``)
that agrees with its folder; a staging model reads exactly one source table and no models (1:1
with sources); every source table has a staging model; marts and reports never read raw sources.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

PREFIXES = {"stg_": "staging", "int_": "intermediate", "dim_": "marts", "fct_": "marts", "rpt_": "marts"}
FOLDER_HINTS = {"staging": "stg_", "intermediate": "int_", "marts": "dim_/fct_/rpt_"}


class LintWarning(BaseModel):
    """One finding: the rule, the model (or source) it is about, and what to change."""

    rule: str
    node: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.node}: {self.message}"


class LintReport(BaseModel):
    warnings: list[LintWarning]

    def __len__(self) -> int:
        return len(self.warnings)

    def __iter__(self):  # type: ignore[override]
        return iter(self.warnings)

    def by_rule(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for w in self.warnings:
            out[w.rule] = out.get(w.rule, 0) + 1
        return dict(sorted(out.items()))

    def summary(self) -> str:
        return "\n".join(str(w) for w in self.warnings) or "no lint warnings"

    def _repr_html_(self) -> str:
        import html

        rows = "".join(f"<tr><td>{w.rule}</td><td>{html.escape(w.node)}</td><td>{html.escape(w.message)}</td></tr>"
                       for w in self.warnings)
        return f"<table><tr><th>rule</th><th>node</th><th>warning</th></tr>{rows}</table>" if rows else "no lint warnings"


def _layer(name: str) -> str | None:
    for prefix, layer in PREFIXES.items():
        if name.startswith(prefix):
            return layer
    return None


def lint(proj: Any) -> LintReport:
    """Check the project's model names and layering; returns warnings (an empty report when clean)."""
    out: list[LintWarning] = []
    staged: set[str] = set()
    for name, model in sorted(proj.models.items()):
        parsed = proj.parse(name)
        layer = _layer(name)
        top = model.folder.split("/")[0] if model.folder else ""
        if layer is None:
            out.append(LintWarning(rule="prefix", node=name, message=(
                "name has no layer prefix (stg_, int_, dim_, fct_, rpt_)"
                + (f"; models in {top}/ start with {FOLDER_HINTS[top]}" if top in FOLDER_HINTS else ""))))
        elif top in FOLDER_HINTS and top != layer:
            out.append(LintWarning(rule="folder", node=name, message=(
                f"a {layer} model ({name[:4]}) sits in {top}/; move it to models/{layer}/")))
        if layer == "staging":
            staged.update(parsed.sources)
            if len(parsed.sources) != 1 or parsed.refs:
                what = ", ".join([*(s.removeprefix("source:") for s in parsed.sources), *parsed.refs]) or "nothing"
                out.append(LintWarning(rule="staging-1to1", node=name, message=(
                    f"staging models read exactly one source table and no models; this one reads {what}")))
        elif parsed.sources:
            srcs = ", ".join(s.removeprefix("source:") for s in parsed.sources)
            rule = "marts-read-sources" if layer in ("marts",) else "reads-raw-source"
            out.append(LintWarning(rule=rule, node=name, message=(
                f"reads raw source {srcs} directly; ref() its staging model instead")))
    for key in sorted(proj.sources):
        if key not in staged:
            out.append(LintWarning(rule="unstaged-source", node=key, message=(
                "no staging model reads this source table; add stg_<table> (1:1) before using it")))
    return LintReport(warnings=out)
