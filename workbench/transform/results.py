"""Build results: one NodeResult per seed, model and test, gathered in a BuildResult."""

from __future__ import annotations

import html
from typing import Any, Literal

from pydantic import BaseModel, Field

Kind = Literal["seed", "model", "test"]
#: seeds and models: success | error | skipped; tests: pass | warn | fail | error | skipped
Status = Literal["success", "error", "skipped", "pass", "warn", "fail"]
_BAD = {"error", "fail"}


class NodeResult(BaseModel):
    """What happened to one node: status, rows written (or failing rows for a test), time and message."""

    name: str
    kind: Kind
    status: Status
    rows: int | None = None
    seconds: float = 0.0
    message: str = ""
    materialized: str | None = None
    relation: str | None = None
    failures: int | None = None
    severity: str | None = None
    attached_to: list[str] = Field(default_factory=list)
    sample_columns: list[str] = Field(default_factory=list)
    sample_rows: list[list[Any]] = Field(default_factory=list)
    compiled_sql: str = ""

    @property
    def ok(self) -> bool:
        return self.status not in _BAD

    def sample(self):
        """The failing-row sample of a test as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.sample_rows, columns=self.sample_columns)

    def line(self) -> str:
        rows = ""
        if self.kind == "test" and self.failures:
            rows = f" {self.failures} failing"
        elif self.rows is not None:
            rows = f" {self.rows:,} rows"
        what = self.materialized or self.kind
        text = f"{self.status.upper():<8} {self.kind:<5} {self.name} [{what}{rows}] in {self.seconds:.3f}s"
        return text + (f"\n         {self.message}" if self.message else "")


class BuildResult(BaseModel):
    """The outcome of ``proj.build(ws)``: ``ok`` is False when any model errored or any error-severity test failed."""

    ok: bool
    nodes: list[NodeResult]
    seconds: float = 0.0

    def __getitem__(self, name: str) -> NodeResult:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def by_kind(self, kind: str) -> list[NodeResult]:
        return [n for n in self.nodes if n.kind == kind]

    def counts(self) -> dict[str, int]:
        """Number of nodes per status, e.g. ``{'success': 8, 'pass': 18, 'warn': 3}``."""
        out: dict[str, int] = {}
        for n in self.nodes:
            out[n.status] = out.get(n.status, 0) + 1
        return dict(sorted(out.items()))

    def tests(self, model: str | None = None) -> list[NodeResult]:
        return [n for n in self.nodes if n.kind == "test" and (model is None or model in n.attached_to)]

    def summary(self) -> str:
        """Plain text, one line per node and a totals line (what ``workbench build`` prints)."""
        lines = [n.line() for n in self.nodes]
        totals = ", ".join(f"{v} {k}" for k, v in self.counts().items())
        lines.append(f"{'OK' if self.ok else 'FAILED'}: {len(self.nodes)} nodes in {self.seconds:.2f}s ({totals})")
        return "\n".join(lines)

    def to_frame(self):
        import pandas as pd

        cols = ["name", "kind", "status", "rows", "failures", "seconds", "message"]
        return pd.DataFrame([{c: getattr(n, c) for c in cols} for n in self.nodes], columns=cols)

    def __repr__(self) -> str:
        return f"BuildResult(ok={self.ok}, {self.counts()})"

    def _repr_html_(self) -> str:
        colour = {"success": "#2e7d32", "pass": "#2e7d32", "warn": "#ef6c00", "fail": "#c62828",
                  "error": "#c62828", "skipped": "#757575"}
        rows = "".join(
            f"<tr><td>{html.escape(n.name)}</td><td>{n.kind}</td>"
            f"<td style='color:{colour[n.status]};font-weight:bold'>{n.status}</td>"
            f"<td>{'' if n.rows is None else f'{n.rows:,}'}</td>"
            f"<td>{'' if n.failures is None else n.failures}</td><td>{n.seconds:.3f}</td>"
            f"<td>{html.escape(n.message)}</td></tr>"
            for n in self.nodes
        )
        head = "".join(f"<th>{h}</th>" for h in ("node", "kind", "status", "rows", "failures", "seconds", "message"))
        return (f"<div><b>{'OK' if self.ok else 'FAILED'}</b> — {html.escape(str(self.counts()))} "
                f"in {self.seconds:.2f}s<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")
