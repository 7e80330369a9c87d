"""The step-2 widget binds its controls to recommend/compare and updates live."""

from __future__ import annotations

import time

import workbench as wb
from workbench.ui.architecture import architecture_simulator


def classes(widget) -> set[str]:
    found = set(widget._dom_classes)
    for child in getattr(widget, "children", ()):
        found |= classes(child)
    return found


def test_widget_exposes_stable_classes_and_starts_from_the_workload():
    w = architecture_simulator(wb.Workload(peak_events_per_sec=50, avg_event_bytes=500, latency_slo_seconds=3_600))
    assert {"wb-architecture-simulator", "wb-arch-rate", "wb-arch-slo", "wb-arch-bytes", "wb-arch-choice",
            "wb-arch-orchestrator", "wb-arch-recommendation", "wb-arch-comparison"} <= classes(w)
    assert w.rate.value == 50 and w.recommendation.architecture == "batch"
    assert "Recommendation: <b>batch</b>" in w.recommendation_html.value
    assert w.comparison_html.value.count("<tr>") == 5  # header + four architectures


def test_controls_update_recommendation_and_comparison_live():
    w = architecture_simulator(wb.Workload(peak_events_per_sec=50, avg_event_bytes=500, latency_slo_seconds=3_600))
    start = time.perf_counter()
    w.slo.value = 5
    assert time.perf_counter() - start < 3
    assert w.recommendation.architecture == "streaming" and "Kafka only" in w.recommendation_html.value
    w.rate.value = 50_000
    assert "Kafka + Flink/Spark streaming" in w.recommendation_html.value
    assert w.workload.peak_events_per_sec == 50_000
    w.choice.value = "hybrid"
    assert w.recommendation.architecture == "hybrid" and w.comparison.recommended == "hybrid"
    assert "hybrid ★" in w.comparison_html.value
    w.orchestrator.value = "Dagster"
    assert "Dagster" in w.recommendation.stack


def test_static_view_for_reports_holds_recommendation_and_table():
    from workbench.ui.architecture import static_view

    w = wb.Workload(peak_events_per_sec=50, avg_event_bytes=500, latency_slo_seconds=3_600)
    html = static_view(wb.recommend(w), wb.compare(w)).data
    assert "wb-recommendation" in html and "wb-arch-comparison-table" in html and "batch ★" in html
