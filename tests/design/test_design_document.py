"""The design document: English and Japanese, Markdown and standalone HTML with inline charts."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.design.export import document


def read(export, name: str) -> str:
    [p] = [p for p in export["document"] if Path(p).name == name]
    return Path(p).read_text(encoding="utf-8")


def test_both_languages_in_markdown_and_html(batch_export):
    names = sorted(Path(p).name for p in batch_export["document"])
    assert names == ["architecture_comparison.png", "design.html", "design.ja.html", "design.ja.md", "design.md",
                     "kafka_sizing.png", "quality_checks_per_layer.png"]
    en, ja = read(batch_export, "design.html"), read(batch_export, "design.ja.html")
    assert '<html lang="en">' in en and '<html lang="ja">' in ja
    assert "<h2>Architecture decision</h2>" in en and "<h2>アーキテクチャの決定</h2>" in ja
    assert "<h2>品質計画</h2>" in ja and "<h2>バックフィルとリプレイ</h2>" in ja and "<h2>未解決の質問</h2>" in ja


def test_document_explains_decisions_with_numbers(batch_design, batch_export):
    md = read(batch_export, "design.md")
    for heading in ("## Sources", "## Architecture decision", "### Reasons (decision matrix)", "## Workload and sizing",
                    "### Simulated alternatives", "## Data flow", "### Lineage", "## Quality plan",
                    "## CDC, idempotency and schema evolution", "## Backfill and replay", "## Monitoring and alerting",
                    "## PII handling", "## Risks", "## Open questions", "## Artifacts"):
        assert heading in md, heading
    assert "| public.orders | postgresql | 2,010 |" in md
    assert "| **batch** |" in md  # the chosen candidate is marked in the simulation table
    assert "```mermaid\n" in md and "flowchart LR" in md
    assert "late events arrive up to a day late" in md and "Which BI tool reads the marts?" in md
    assert "`airflow/dags/shop_pipeline.py`" in md  # artifacts listed
    assert "| source | `orders_suggested_source` | orders |" in md


def test_html_reads_offline_with_inline_png_charts(batch_export):
    html = read(batch_export, "design.html")
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 3 and all(src.startswith("data:image/png;base64,") for src in images)
    assert "<script" not in html and "http://" not in html.replace("http://json-schema.org", "")
    png = Path([p for p in batch_export["document"] if p.endswith("architecture_comparison.png")][0]).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_lint_warnings_appear_in_the_document(batch_design):
    batch_design.idempotency.strategy = "none"
    batch_design.sinks = [s.model_copy(update={"write_mode": "append"}) for s in batch_design.sinks]
    md = document.markdown(batch_design, "en")
    assert "| ⚠ no_idempotency | `idempotency.strategy` |" in md
    assert "冪等性の戦略がありません" in document.markdown(batch_design, "ja")


def test_text_from_the_design_is_escaped_in_html(batch_design):
    batch_design.risks[0].title = "<script>alert(1)</script> | pipes"
    html = document.html(batch_design, "en")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_streaming_document_lists_topics_and_lag_alerts(streaming_export):
    md = read(streaming_export, "design.md")
    assert "## Topics and consumer groups" in md and "`shop.orders.changed` | 29 | 3 | 168 h | delete" in md
    assert re.search(r"\| Consumer lag \| [\d,]+ events / 5 s \|", md)
