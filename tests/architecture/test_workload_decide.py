"""Workload validation and the design guide's decision tree, matrix, pattern, ETL/ELT and warnings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.errors import WorkloadError


def wl(**kw) -> wb.Workload:
    base = {"peak_events_per_sec": 2_000, "avg_event_bytes": 800, "latency_slo_seconds": 5}
    return wb.Workload(**{**base, **kw})


@pytest.mark.parametrize("bad, fragment", [
    ({"peak_events_per_sec": 0}, "peak_events_per_sec must be a positive"),
    ({"peak_events_per_sec": -10}, "peak_events_per_sec must be a positive"),
    ({"peak_events_per_sec": float("inf")}, "peak_events_per_sec must be a positive finite"),
    ({"avg_event_bytes": 0}, "avg_event_bytes must be a positive"),
    ({"avg_event_bytes": 5e12}, "avg_event_bytes=5e\\+12 bytes is absurd"),
    ({"peak_events_per_sec": 1e12}, "is absurd"),
    ({"latency_slo_seconds": -1}, "latency_slo_seconds"),
    ({"avg_events_per_sec": 5_000}, "exceeds peak_events_per_sec"),
    ({"burst_factor": 0.5}, "burst_factor"),
    ({"consumer_events_per_sec": 0}, "consumer_events_per_sec"),
    ({"rate_timeline": [{"t_seconds": 10, "events_per_sec": 1}, {"t_seconds": 5, "events_per_sec": 1}]}, "increase"),
])
def test_impossible_workloads_raise_workload_error_naming_the_field(bad, fragment):
    with pytest.raises(WorkloadError, match=fragment) as exc:
        wl(**bad)
    assert "Workload(" in str(exc.value)  # the hint shows a valid call


def test_every_bad_field_is_listed_at_once():
    with pytest.raises(WorkloadError) as exc:
        wb.Workload(peak_events_per_sec=0, avg_event_bytes=-1, latency_slo_seconds=0)
    msg = str(exc.value)
    assert all(f in msg for f in ("peak_events_per_sec", "avg_event_bytes", "latency_slo_seconds"))


def test_derived_volumes():
    w = wl(avg_events_per_sec=1_000)
    assert w.bytes_per_day == 1_000 * 800 * 86_400
    assert w.peak_bytes_per_sec == 1_600_000
    assert wl().avg_events_per_sec == 2_000  # defaults to the peak
    assert wl(daily_growth=0.01).grown(10).peak_events_per_sec == pytest.approx(2_000 * 1.01**10)


@pytest.mark.parametrize("kw, architecture, stack_has, path_end", [
    ({"latency_slo_seconds": 5, "peak_events_per_sec": 50_000}, "streaming", "Flink (or Spark Structured Streaming)",
     "Kafka + Flink/Spark streaming"),
    ({"latency_slo_seconds": 5, "peak_events_per_sec": 2_000}, "streaming", "Kafka", "Kafka only"),
    ({"latency_slo_seconds": 3_600, "complexity": "complex"}, "batch", "Spark", "batch on Spark"),
    ({"latency_slo_seconds": 3_600, "complexity": "joins"}, "batch", "Airflow", "simple batch (Airflow)"),
    # the thresholds are strict: exactly 60 s is not "< 1 minute", exactly 10,000/s is not "> 10,000"
    ({"latency_slo_seconds": 60}, "batch", "Airflow", "simple batch (Airflow)"),
    ({"latency_slo_seconds": 59.9, "peak_events_per_sec": 10_000}, "streaming", "Kafka", "Kafka only"),
])
def test_decision_tree_leaves(kw, architecture, stack_has, path_end):
    rec = wb.recommend(wl(**kw))
    assert rec.architecture == architecture == rec.tree_architecture
    assert stack_has in rec.stack
    assert rec.tree_path[-1] == path_end
    assert [f.factor for f in rec.factors] == ["latency requirement", "data volume", "processing complexity",
                                                "cost sensitivity", "replay requirement"]
    assert len(rec.reasons) >= 5


def test_patterns_kappa_lambda_medallion_and_etl_elt():
    assert wb.recommend(wl()).pattern.startswith("Kappa")
    legacy = wb.recommend(wl(legacy_batch_layer=True))
    assert legacy.architecture == "hybrid" and legacy.pattern.startswith("Lambda")
    lake = wb.recommend(wl(latency_slo_seconds=86_400, destination="lake"))
    assert lake.pattern.startswith("Medallion") and lake.processing == "ELT" and "dbt" in lake.stack
    db = wb.recommend(wl(latency_slo_seconds=86_400, destination="database"))
    assert db.processing == "ETL" and "dbt" not in db.stack


def test_confirm_first_warnings():
    quiet = wb.recommend(wl(latency_slo_seconds=86_400, peak_events_per_sec=100))
    assert quiet.confirm_first == []
    loud = wb.recommend(wl(peak_events_per_sec=20_000, avg_event_bytes=1_000, pii=True, cross_region=True))
    text = " ".join(loud.confirm_first)
    assert "over 1 TB/day" in text  # 20,000 × 1 kB × 86,400 s = 1.73 TB/day
    assert "under 1 minute" in text and "PII" in text and "crosses regions" in text


def test_user_preference_is_kept_and_the_disagreement_reported():
    rec = wb.recommend(wl(latency_slo_seconds=86_400), preference="streaming", orchestrator="Dagster")
    assert rec.architecture == "streaming" and rec.tree_architecture == "batch"
    assert any("you chose streaming" in n for n in rec.notes)
    batch = wb.recommend(wl(latency_slo_seconds=86_400), orchestrator="Dagster")
    assert "Dagster" in batch.stack and "Airflow" not in batch.stack
    assert "Recommendation: batch" in batch.summary() and "wb-recommendation" in batch._repr_html_()


@settings(max_examples=150, deadline=None)
@given(slo=st.floats(0.01, 1e6), peak=st.floats(0.01, 1e7), complexity=st.sampled_from(["simple", "joins", "complex"]))
def test_tree_invariants(slo, peak, complexity):
    rec = wb.recommend(wl(latency_slo_seconds=slo, peak_events_per_sec=peak, complexity=complexity))
    assert rec.architecture == ("streaming" if slo < 60 else "batch")
    assert ("Flink (or Spark Structured Streaming)" in rec.stack) == (slo < 60 and peak > 10_000)
    assert ("Spark" in rec.stack) == (slo >= 60 and complexity == "complex")
    assert any("under 1 minute" in w for w in rec.confirm_first) == (slo < 60)
