"""Kafka and Kinesis sizing: the throughput rule, parallelism, rule of thumb, storage and the binding constraint."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb


def wl(**kw) -> wb.Workload:
    base = {"peak_events_per_sec": 2_000, "avg_event_bytes": 800, "latency_slo_seconds": 5}
    return wb.Workload(**{**base, **kw})


def test_producer_throughput_binds_for_a_large_stream():
    # T = 100,000 events/s × 1,000 B = 100 MB/s: T/p = 100/10 = 10, T/c = 100/50 = 2
    k = wb.size_kafka(wl(peak_events_per_sec=100_000, avg_event_bytes=1_000, consumer_events_per_sec=1e6))
    assert (k.producer_partitions, k.consumer_partitions, k.throughput_partitions) == (10, 2, 10)
    assert k.binding_constraint == "producer throughput per partition"
    assert k.partitions == 10 and k.consumers == 1
    assert k.rule_of_thumb_partitions == 100  # 10 × 100 MB/s = 1000, capped at the practical maximum


def test_consumer_parallelism_binds_when_processing_is_slow():
    # 10,000 events/s at 1,000 events/s per consumer and 70% target utilisation: ceil(14.29) = 15
    k = wb.size_kafka(wl(peak_events_per_sec=10_000, consumer_events_per_sec=1_000))
    assert k.parallelism_partitions == 15 == k.consumers == k.partitions
    assert k.binding_constraint == "consumer parallelism (processing rate)"
    assert k.consumer_utilization == pytest.approx(10_000 / 15_000)
    assert k.consumers <= k.partitions


def test_minimum_partitions_and_partitions_are_a_multiple_of_consumers():
    small = wb.size_kafka(wl(peak_events_per_sec=10))
    assert small.partitions == 3 and small.consumers == 1 and small.binding_constraint == "minimum partitions (3)"
    k = wb.size_kafka(wl(peak_events_per_sec=1_500, consumer_events_per_sec=1_000))  # 3 consumers
    assert k.partitions % k.consumers == 0


@pytest.mark.parametrize("env, rf", [("production", 3), ("staging", 2), ("development", 1)])
def test_replication_retention_and_storage(env, rf):
    w = wl(avg_events_per_sec=1_000, environment=env, retention_hours=48)
    k = wb.size_kafka(w)
    assert k.replication_factor == rf and k.retention_hours == 48
    assert k.storage_bytes == pytest.approx(1_000 * 800 * 48 * 3600 * rf / 0.7)


def test_every_default_cites_a_source_and_over_100_partitions_warns():
    k = wb.size_kafka(wl(peak_events_per_sec=200_000, consumer_events_per_sec=1_000))
    assert any("confluent.io" in a.source for a in k.assumptions)
    assert all(a.source for a in k.assumptions)
    assert k.partitions > 100 and any("practical maximum of 100" in w for w in k.warnings)
    assert "rule of thumb" in k.summary() and "confluent.io" in k.summary()


def test_kinesis_shards_take_the_binding_limit():
    # 5,000 events/s × 1,000 B = 5 MB/s in: 5 shards for bytes, 5 for records; 3 consumers read 15 MB/s: 8 shards
    k = wb.size_kinesis(wl(peak_events_per_sec=5_000, avg_event_bytes=1_000, consumer_fanout=3))
    assert (k.shards_for_write_bytes, k.shards_for_write_records, k.shards_for_read_bytes) == (5, 5, 8)
    assert k.shards == 8 and k.binding_constraint.startswith("read bytes")
    many_small = wb.size_kinesis(wl(peak_events_per_sec=5_000, avg_event_bytes=50))
    assert many_small.shards == 5 and many_small.binding_constraint.startswith("write records")
    assert "docs.aws.amazon.com" in k.source


@settings(max_examples=150, deadline=None)
@given(peak=st.floats(0.01, 5e6), size=st.floats(1, 1e6), rate=st.floats(1, 1e6),
       env=st.sampled_from(["production", "staging", "development"]))
def test_sizing_invariants(peak, size, rate, env):
    w = wl(peak_events_per_sec=peak, avg_event_bytes=size, consumer_events_per_sec=rate, environment=env)
    k = wb.size_kafka(w)
    assert 1 <= k.consumers <= k.partitions and k.partitions % k.consumers == 0
    assert k.partitions >= max(3, k.throughput_partitions, k.parallelism_partitions)
    assert 3 <= k.rule_of_thumb_partitions <= 100
    assert k.consumer_utilization <= 0.7 + 1e-9  # the target utilisation is never exceeded at peak
    assert k.storage_bytes > 0
    s = wb.size_kinesis(w)
    assert s.shards * 1_000 >= peak and s.shards * 1e6 >= peak * size
