"""The design document in Markdown and HTML, English and Japanese: ``design.md``, ``design.html``,
``design.ja.md``, ``design.ja.html`` and ``charts/*.png`` (vl-convert, offline).

The Markdown is rendered from one sandboxed template with the language's words; the HTML is that
Markdown converted (text escaped) inside a standalone page with ``lang`` set and the charts inlined
as data URIs, so it reads offline.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.design.export.base import Output, human_bytes, render
from workbench.design.export.debezium import include_list
from workbench.design.export.i18n import LANGS, STRINGS
from workbench.design.export.mermaid import flowchart
from workbench.design.plan import build_plan, local_run_commands

if TYPE_CHECKING:
    import altair as alt

    from workbench.design.model import PipelineDesign


def seconds(v: float | None) -> str:
    if v is None:
        return "-"
    if v < 1:
        return f"{v * 1000:.0f} ms"
    if v < 120:
        return f"{v:.3g} s"
    if v < 7200:
        return f"{v / 60:.3g} min"
    if v < 172800:
        return f"{v / 3600:.3g} h"
    return f"{v / 86400:.3g} d"


def design_charts(d: PipelineDesign) -> dict[str, alt.Chart]:
    """The document's charts (data from the design only): simulated latency and cost, checks per layer, sizing."""
    import altair as alt
    import pandas as pd

    charts: dict[str, alt.Chart] = {}
    sims = [s for s in d.architecture.simulations if s.latency_p99 is not None]
    if sims:
        df = pd.DataFrame([{"architecture": s.architecture, "latency p99 (s)": max(s.latency_p99, 1e-3),
                            "monthly cost (USD)": s.monthly_cost or 0.0,
                            "chosen": "chosen" if s.architecture == d.architecture.architecture else "alternative"}
                           for s in sims])
        color = alt.Color("chosen:N", scale=alt.Scale(domain=["chosen", "alternative"], range=["#3b6ea5", "#bcccdc"]),
                          legend=None)
        # a dot plot: bars have no zero baseline on a log scale
        latency = alt.Chart(df, title="Latency p99 by architecture (log scale)").mark_point(
            filled=True, size=160, opacity=1).encode(
            x=alt.X("latency p99 (s):Q", scale=alt.Scale(type="log")), y=alt.Y("architecture:N", sort=None), color=color)
        cost = alt.Chart(df, title="Monthly cost by architecture").mark_bar().encode(
            x="monthly cost (USD):Q", y=alt.Y("architecture:N", sort=None), color=color)
        charts["architecture_comparison"] = alt.hconcat(latency.properties(width=300, height=140),
                                                        cost.properties(width=300, height=140))
    rows = [{"layer": layer, "expectations": sum(len(s.expectations) for s in suites)}
            for layer, suites in d.quality.layers().items()]
    charts["quality_checks_per_layer"] = alt.Chart(pd.DataFrame(rows), title="Quality checks per layer").mark_bar(
        color="#3b6ea5").encode(x=alt.X("layer:N", sort=["source", "transform", "sink"]), y="expectations:Q",
                                tooltip=["layer", "expectations"]).properties(width=300, height=160)
    if d.architecture.sizing:
        s = d.architecture.sizing
        df = pd.DataFrame([{"resource": "partitions", "count": s.partitions}, {"resource": "consumers", "count": s.consumers},
                           {"resource": "replicas", "count": s.replication_factor}])
        charts["kafka_sizing"] = alt.Chart(df, title=f"Kafka sizing (binding: {s.binding_constraint or '-'})").mark_bar(
            color="#486581").encode(x="count:Q", y=alt.Y("resource:N", sort=None)).properties(width=300, height=100)
    return charts


def _pii_rows(d: PipelineDesign) -> list[dict[str, Any]]:
    rows = {(f.table, f.column): f.model_dump() for f in d.pii.fields}
    for s in d.sources:
        for c in s.columns:
            if c.pii and (s.name, c.name) not in rows:
                rows[(s.name, c.name)] = {"table": s.name, "column": c.name, "category": c.pii, "handling": None}
    return list(rows.values())


def markdown(d: PipelineDesign, lang: str = "en", charts: dict[str, str] | None = None,
             artifacts: dict[str, list[str]] | None = None) -> str:
    """The design document as Markdown in ``lang`` (``en`` or ``ja``); ``charts`` maps a name to an image path."""
    if lang not in STRINGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    m = d.monitoring
    lag = " / ".join(x for x in (f"{m.consumer_lag_max_events:,} events" if m.consumer_lag_max_events is not None else "",
                                 seconds(m.consumer_lag_max_seconds) if m.consumer_lag_max_seconds else "") if x) or "-"
    return render("design.md.j2", d=d, t=STRINGS[lang], lang=lang, findings=d.lint(), charts=charts or {},
                  mermaid=flowchart(d), steps=build_plan(d), cdc_tables=include_list(d), pii_rows=_pii_rows(d),
                  artifacts=artifacts or {}, lag=lag, seconds=seconds, bytes=human_bytes,
                  run_commands=local_run_commands(d),
                  pct=lambda v: "-" if v is None else f"{v:.0%}")


def _body(d: PipelineDesign, lang: str, charts: dict[str, str], images: dict[str, bytes],
          artifacts: dict[str, list[str]] | None) -> str:
    """The Markdown document as HTML (text escaped), with ``images`` inlined as data URIs."""
    import mistune

    body = mistune.create_markdown(escape=True, plugins=["table"])(markdown(d, lang, charts, artifacts))
    for path, data in images.items():
        body = body.replace(f'src="{path}"', 'src="data:image/png;base64,' + base64.b64encode(data).decode("ascii") + '"')
    return body


def html(d: PipelineDesign, lang: str = "en", charts: dict[str, str] | None = None,
         images: dict[str, bytes] | None = None, artifacts: dict[str, list[str]] | None = None) -> str:
    """A standalone HTML page of the document (``<html lang=...>``); ``images`` are inlined as data URIs."""
    title = f"{STRINGS[lang]['doc_title']}: {d.title}"
    return render("design.html.j2", lang=lang, title=title, body=_body(d, lang, charts or {}, images or {}, artifacts))


def html_fragment(d: PipelineDesign, lang: str = "en") -> str:
    """The document as one ``<div lang=...>`` (scoped style, charts inline) for a notebook or the report."""
    import vl_convert as vlc

    images = {f"charts/{name}.png": vlc.vegalite_to_png(chart.to_json(), scale=1.5)
              for name, chart in design_charts(d).items()}
    charts = {Path(rel).stem: rel for rel in images}
    style = ("<style>.wb-design-document table{border-collapse:collapse;margin:.6rem 0}"
             ".wb-design-document th,.wb-design-document td{border:1px solid #d9e2ec;padding:.25rem .5rem}"
             ".wb-design-document th{background:#f0f4f8}.wb-design-document img{max-width:100%}</style>")
    return f'<div class="wb-design-document" lang="{lang}">{style}{_body(d, lang, charts, images, None)}</div>'


def write(design: PipelineDesign, out: Output, artifacts: dict[str, list[str]] | None = None) -> None:
    from workbench.charts import save_chart

    images = {}
    for name, chart in design_charts(design).items():
        rel = f"charts/{name}.png"
        images[rel] = save_chart(chart, out.path(rel), scale=1.5).read_bytes()
    charts = {Path(rel).stem: rel for rel in images}
    for lang in LANGS:
        suffix = "" if lang == "en" else f".{lang}"
        out.text(f"design{suffix}.md", markdown(design, lang, charts, artifacts))
        out.text(f"design{suffix}.html", html(design, lang, charts, images, artifacts))
