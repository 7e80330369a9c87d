"""Kafka topics sized per source: 10 × the topic's own peak MB/s (3..100), raised only for consumer parallelism."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.design.model import PipelineDesign, Sizing, Source, WorkloadSummary
from workbench.pipeline.policies import align_streaming, cleanup_policy, topic_partitions

#: the workload peaks at 2.5 × its mean; its sizing carries the 20,000 events/s peak on 29 consumers
WL = wb.Workload(peak_events_per_sec=20_000, avg_events_per_sec=8_000, avg_event_bytes=800, latency_slo_seconds=5)
WORKLOAD = WorkloadSummary(avg_events_per_sec=8_000, peak_events_per_sec=20_000, avg_event_bytes=800,
                           latency_slo_seconds=5)
SIZING = Sizing(partitions=29, consumers=29)


def source(daily_rows: int | None, row_bytes: float = 800.0, name: str = "orders") -> Source:
    return Source(name=name, domain="shop", primary_key=["id"], daily_rows=daily_rows, avg_row_bytes=row_bytes)


def test_a_twelve_row_reference_table_gets_the_minimum():
    stores = source(None, 33.3, "stores").model_copy(update={"row_count": 12})
    assert topic_partitions(stores, WORKLOAD, SIZING) == (3, "no daily volume recorded for stores → 3 (the minimum)")


@pytest.mark.parametrize(("daily_rows", "peak_mb", "expected"), [
    (1_000, 2.31e-05, 3),  # far below 0.3 MB/s: the minimum
    (43_200_000, 1.0, 10),  # 500 rows/s mean × 2.5 × 800 B
    (108_000_000, 2.5, 25),
    (1_728_000_000, 40.0, 100),  # 400 by the rule: the practical maximum
])
def test_ten_times_the_topics_own_peak_mb_per_sec_clamped_to_3_100(daily_rows, peak_mb, expected):
    partitions, why = topic_partitions(source(daily_rows), WORKLOAD, SIZING)
    assert partitions == expected
    assert why == f"10 × {peak_mb:.3g} MB/s peak ({daily_rows:,} rows/day × peak/mean 2.5) → {expected}"


def test_raised_above_the_rule_only_for_the_consumers_the_peak_needs():
    # the workload's own rate in 10-byte rows: 0.2 MB/s (the rule says 3), but 20,000 events/s need 29 consumers
    partitions, why = topic_partitions(source(8_000 * 86_400, row_bytes=10), WORKLOAD, SIZING)
    assert partitions == 29 == wb.size_kafka(WL).parallelism_partitions
    assert why.startswith("10 × 0.2 MB/s peak") and "→ 3, raised to 29: its peak 2e+04 events/s needs 29 consumers" in why


def test_state_topics_are_compacted_and_change_topics_deleted_after_the_replay_window():
    assert cleanup_policy("state", 168.0) == ("compact", None)
    assert cleanup_policy("changed", 168.0) == ("delete", 168.0)


def test_align_streaming_sizes_every_topic_from_its_own_source():
    d = PipelineDesign(sources=[source(None, 33.3, "stores"), source(108_000_000)])
    d.architecture.architecture = "streaming"
    d.architecture.workload, d.architecture.sizing = WORKLOAD, SIZING
    align_streaming(d)
    assert [(t.name, t.partitions, t.cleanup_policy, t.retention_hours) for t in d.streaming.topics] == [
        ("shop.stores.changed", 3, "delete", 168.0), ("shop.orders.changed", 25, "delete", 168.0)]
    assert all(t.reason.startswith("partitions: ") and "cleanup delete after 168 h" in t.reason
               for t in d.streaming.topics)
    [group] = d.streaming.consumer_groups
    assert group.consumers == d.resources.max_consumers == 25  # never more consumers than the busiest topic's partitions
