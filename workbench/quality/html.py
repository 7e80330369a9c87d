"""Rendering: HTML tables for JupyterLab, an Altair summary chart, JSON export.

Pure functions of a Suite / ValidationResult; nothing here runs SQL.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

from workbench.quality.jsonio import write_json

if TYPE_CHECKING:
    from workbench.quality.suite import Suite
    from workbench.quality.validate import ValidationResult

_STYLE = ("<style>.wbq td,.wbq th{padding:2px 8px;text-align:left;vertical-align:top;font-size:12px}"
          ".wbq .ok{color:#1a7f37}.wbq .fail{color:#cf222e;font-weight:bold}.wbq .warn{color:#9a6700}</style>")


def _e(v: Any) -> str:
    return html.escape(str(v))


def suite_html(suite: Suite) -> str:
    rows = "".join(
        f"<tr><td>{i + 1}</td><td>{_e(suite.layer_of(e) or '')}</td><td>{_e(e.severity)}</td>"
        f"<td><code>{_e(e.type)}</code></td><td>{_e(e.kwargs.model_dump(exclude_unset=True))}</td></tr>"
        for i, e in enumerate(suite.expectations)
    )
    return (f"{_STYLE}<div class='wbq'><b>Suite {_e(suite.name)}</b> ({len(suite)} expectations)"
            f"<table><tr><th>#</th><th>layer</th><th>severity</th><th>type</th><th>kwargs</th></tr>{rows}</table></div>")


def result_rows(v: ValidationResult) -> pd.DataFrame:
    """One row per expectation (report order): status, layer, severity, counts, observed value."""
    return pd.DataFrame([
        {"status": "pass" if r.success else "FAIL", "layer": r.layer or "", "severity": r.severity,
         "category": r.category, "expectation": r.label, "type": r.type, "unexpected_count": r.unexpected_count,
         "unexpected_percent": r.unexpected_percent, "observed_value": r.observed_value}
        for r in v.results
    ])


def result_html(v: ValidationResult) -> str:
    """Pass/fail table with unexpected samples (the first values and the failing rows' keys)."""
    head = "PASSED" if v.success else "FAILED"
    cls = "ok" if v.success else "fail"
    sample = (f" — a {v.sample_fraction:.0%} sample ({v.row_count:,} of {v.table_row_count:,} rows, "
              f"seed {v.sample_seed})") if v.sampled else ""
    body = []
    for r in v.results:
        status = "<span class='ok'>pass</span>" if r.success else (
            "<span class='fail'>FAIL</span>" if r.severity == "critical" else "<span class='warn'>fail</span>")
        pct = f"{r.unexpected_percent:.2f}%" if r.unexpected_percent is not None else ""
        count = "" if r.unexpected_count is None else f"{r.unexpected_count:,}"
        observed = "" if r.observed_value is None else _e(_clip(r.observed_value))
        samples = _e(_clip(r.partial_unexpected_list[:5])) if r.partial_unexpected_list else ""
        keys = ""
        if r.failing_rows and v.key_columns:
            keys = _e(_clip([{k: row.get(k) for k in v.key_columns} for row in r.failing_rows[:5]]))
        body.append(f"<tr><td>{status}</td><td>{_e(r.layer or '')}</td><td>{_e(r.severity)}</td>"
                    f"<td>{_e(r.label)}</td><td>{count}</td><td>{pct}</td><td>{observed}</td>"
                    f"<td>{samples}</td><td>{keys}</td></tr>")
    stats = v.statistics
    return (f"{_STYLE}<div class='wbq'><b class='{cls}'>{head}</b> suite <b>{_e(v.suite_name)}</b> on "
            f"<b>{_e(v.table)}</b> ({v.table_row_count:,} rows{_e(sample)}), gate <b>{_e(v.gate)}</b>: "
            f"{stats['successful_expectations']}/{stats['evaluated_expectations']} passed"
            "<table><tr><th>status</th><th>layer</th><th>severity</th><th>expectation</th><th>unexpected</th>"
            "<th>%</th><th>observed</th><th>unexpected values</th><th>failing rows (keys)</th></tr>"
            f"{''.join(body)}</table></div>")


def summary_chart(v: ValidationResult) -> alt.Chart:
    """Unexpected share per expectation, coloured pass/fail, grouped by layer (report order)."""
    df = result_rows(v)
    df["unexpected_percent"] = df["unexpected_percent"].fillna(0.0)
    df["order"] = range(len(df))
    return (
        alt.Chart(df, title=f"{v.table}: {v.suite_name}")
        .mark_bar()
        .encode(
            y=alt.Y("expectation:N", sort=alt.EncodingSortField("order"), title=None),
            x=alt.X("unexpected_percent:Q", title="unexpected %"),
            color=alt.Color("status:N", scale=alt.Scale(domain=["pass", "FAIL"], range=["#2da44e", "#cf222e"])),
            row=alt.Row("layer:N", title=None),
            tooltip=["expectation", "type", "layer", "severity", "unexpected_count", "unexpected_percent"],
        )
        .resolve_scale(y="independent")
        .properties(width=420)
    )


def save_json(v: ValidationResult, path: str | os.PathLike, *, overwrite: bool = False, gx: bool = False) -> Path:
    """Write the result (workbench shape, or GX's with ``gx=True``) as JSON, atomically."""
    return write_json(v.to_gx() if gx else v.model_dump(mode="json"), path, overwrite=overwrite)


def _clip(v: Any, n: int = 120) -> str:
    text = str(v)
    return text if len(text) <= n else text[: n - 3] + "..."
