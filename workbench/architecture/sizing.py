"""Kafka and Kinesis sizing from a workload, every default carrying its source.

Partitions follow the throughput rule ceil(max(T/p, T/c)) (target T, per-partition producer
throughput p, consumer throughput c), raised to the consumer parallelism the processing rate needs
and to the design guide's minimum; the guide's rule of thumb (10 × peak MB/s, 3..100) is shown beside.
"""

from __future__ import annotations

import math
from html import escape

from pydantic import BaseModel

from workbench.architecture.format import fmt_bytes, fmt_rate
from workbench.architecture.workload import Workload
from workbench.errors import WorkloadError

MB = 1e6
CONFLUENT_PARTITIONS = ("Confluent, 'How to choose the number of topics/partitions in a Kafka cluster?' (J. Rao): "
                        "'one can produce at 10s of MB/sec on just a single partition' — the low end is used; "
                        "https://www.confluent.io/blog/how-choose-number-topics-partitions-kafka-cluster/")
CLOUDERA_PARTITIONS = ("Cloudera Runtime docs, 'Kafka performance tuning: sizing the number of partitions' "
                       "(a consumer processing 50 MB/s per partition in its worked example); "
                       "https://docs.cloudera.com/runtime/7.2.10/kafka-performance-tuning/topics/"
                       "kafka-tune-sizing-partition-number.html")
DESIGN_GUIDE = "design guide, Kafka section"
KINESIS_QUOTAS = ("AWS, 'Amazon Kinesis Data Streams quotas and limits' (per shard: 1 MB/s or 1,000 records/s in, "
                  "2 MB/s out shared by consumers); https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html")
ASSUMPTION = "workbench default (an assumption: change it to your measurement)"


class Assumption(BaseModel):
    """One default a sizing used, with its value and where it comes from."""

    name: str
    value: float
    unit: str
    source: str


class SizingDefaults(BaseModel):
    """The knobs sizing uses; every one is a default the user can change."""

    producer_mb_per_sec_per_partition: float = 10.0
    consumer_mb_per_sec_per_partition: float = 50.0
    target_consumer_utilization: float = 0.7
    target_disk_fill: float = 0.7
    min_partitions: int = 3
    max_partitions: int = 100

    def assumptions(self) -> list[Assumption]:
        return [
            Assumption(name="producer throughput per partition", value=self.producer_mb_per_sec_per_partition,
                       unit="MB/s", source=CONFLUENT_PARTITIONS),
            Assumption(name="consumer throughput per partition", value=self.consumer_mb_per_sec_per_partition,
                       unit="MB/s", source=CLOUDERA_PARTITIONS),
            Assumption(name="target consumer utilisation", value=self.target_consumer_utilization, unit="fraction",
                       source=ASSUMPTION + "; p99 wait climbs steeply past ~0.7 (see the utilisation-vs-p99 chart)"),
            Assumption(name="target disk fill", value=self.target_disk_fill, unit="fraction", source=ASSUMPTION),
            Assumption(name="minimum partitions", value=self.min_partitions, unit="partitions", source=DESIGN_GUIDE),
            Assumption(name="practical maximum partitions per topic", value=self.max_partitions, unit="partitions",
                       source=DESIGN_GUIDE),
        ]


class KafkaSizing(BaseModel):
    """Partitions, consumers, replication, retention and storage for one topic, with the binding constraint."""

    partitions: int
    consumers: int
    replication_factor: int
    retention_hours: float
    storage_bytes: float
    binding_constraint: str
    peak_mb_per_sec: float
    throughput_partitions: int
    producer_partitions: int
    consumer_partitions: int
    parallelism_partitions: int
    rule_of_thumb_partitions: int
    consumer_utilization: float
    compacted_state_topics: str
    assumptions: list[Assumption]
    warnings: list[str] = []

    def summary(self) -> str:
        lines = [
            f"partitions {self.partitions} (binding: {self.binding_constraint}); rule of thumb "
            f"10 × {self.peak_mb_per_sec:.3g} MB/s → {self.rule_of_thumb_partitions}",
            f"  throughput rule ceil(max(T/p, T/c)) = max({self.producer_partitions}, {self.consumer_partitions}) "
            f"= {self.throughput_partitions}; consumer parallelism {self.parallelism_partitions}",
            f"consumers {self.consumers} (utilisation at peak {self.consumer_utilization:.0%}); replication factor "
            f"{self.replication_factor}; retention {self.retention_hours:g} h; storage {fmt_bytes(self.storage_bytes)}",
            f"state topics: {self.compacted_state_topics}",
            "defaults:",
            *[f"  {a.name} = {a.value:g} {a.unit} — {a.source}" for a in self.assumptions],
            *[f"warning: {w}" for w in self.warnings],
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre class='wb-kafka-sizing'>{escape(self.summary())}</pre>"


class KinesisSizing(BaseModel):
    """Kinesis Data Streams shards: the most of the write-bytes, write-records and read-bytes limits."""

    shards: int
    binding_constraint: str
    shards_for_write_bytes: int
    shards_for_write_records: int
    shards_for_read_bytes: int
    source: str = KINESIS_QUOTAS
    warnings: list[str] = []

    def summary(self) -> str:
        return (f"{self.shards} shards (binding: {self.binding_constraint}); write bytes {self.shards_for_write_bytes}, "
                f"write records {self.shards_for_write_records}, read bytes {self.shards_for_read_bytes}\n"
                f"source: {self.source}" + "".join(f"\nwarning: {w}" for w in self.warnings))

    def _repr_html_(self) -> str:
        return f"<pre class='wb-kinesis-sizing'>{escape(self.summary())}</pre>"


REPLICATION = {"production": 3, "staging": 2, "development": 1}


def rule_of_thumb_partitions(peak_mb_per_sec: float, d: SizingDefaults | None = None) -> int:
    """The design guide's rule of thumb: 10 × the peak MB/s, at least the minimum, at most the practical maximum."""
    d = d or SizingDefaults()
    return min(max(math.ceil(10 * peak_mb_per_sec), d.min_partitions), d.max_partitions)


def consumer_parallelism(peak_events_per_sec: float, consumer_events_per_sec: float,
                         d: SizingDefaults | None = None) -> int:
    """Consumers (hence partitions) the peak needs at the target utilisation of each consumer."""
    d = d or SizingDefaults()
    needed = peak_events_per_sec / (consumer_events_per_sec * d.target_consumer_utilization) \
        if consumer_events_per_sec > 0 else math.inf
    if not math.isfinite(needed):
        raise WorkloadError(f"consumer_events_per_sec {consumer_events_per_sec:g} is too small for a peak of "
                            f"{peak_events_per_sec:g} events/s: the consumers it needs are not a finite number.",
                            hint="Give the events/s one consumer instance really processes (measure it, e.g. "
                                 "wb.measure_stream_job).")
    return max(1, math.ceil(needed))


def size_kafka(wl: Workload, defaults: SizingDefaults | None = None) -> KafkaSizing:
    """Size one Kafka topic for ``wl`` at its peak rate (bursts are absorbed as lag; see ``simulate``)."""
    d = defaults or SizingDefaults()
    if not 0 < d.target_consumer_utilization < 1 or not 0 < d.target_disk_fill <= 1:
        raise WorkloadError("target_consumer_utilization must be in (0, 1) and target_disk_fill in (0, 1].")
    for field in ("producer_mb_per_sec_per_partition", "consumer_mb_per_sec_per_partition"):
        value = getattr(d, field)
        if not (math.isfinite(value) and value > 0):
            raise WorkloadError(f"SizingDefaults.{field} must be a positive number of MB/s (got {value!r}).",
                                hint="Use the throughput one partition sustains, e.g. 10 MB/s for producers.")
    t = wl.peak_bytes_per_sec / MB
    producer = math.ceil(t / d.producer_mb_per_sec_per_partition)
    consumer = math.ceil(t / d.consumer_mb_per_sec_per_partition)
    throughput = max(producer, consumer)
    parallelism = consumer_parallelism(wl.peak_events_per_sec, wl.consumer_events_per_sec, d)
    candidates = {
        "producer throughput per partition": producer,
        "consumer throughput per partition": consumer,
        "consumer parallelism (processing rate)": parallelism,
        f"minimum partitions ({d.min_partitions})": d.min_partitions,
    }
    binding = max(candidates, key=lambda k: candidates[k])
    base = candidates[binding]
    consumers = parallelism
    partitions = math.ceil(base / consumers) * consumers  # every consumer owns the same number of partitions
    rule = rule_of_thumb_partitions(t, d)
    rf = REPLICATION[wl.environment]
    retention = wl.retention_hours
    storage = float(wl.avg_events_per_sec) * wl.avg_event_bytes * retention * 3600 * rf / d.target_disk_fill
    warnings = []
    if partitions > d.max_partitions:
        warnings.append(f"{partitions} partitions exceeds the practical maximum of {d.max_partitions} per topic: "
                        "split the stream over several topics or confirm the cluster's limits.")
    if wl.avg_event_bytes > 1_048_588:
        warnings.append(f"events of {fmt_bytes(wl.avg_event_bytes)} exceed Kafka's default message.max.bytes "
                        "(1,048,588 bytes): store payloads elsewhere and send references, or raise the limit.")
    if wl.daily_growth > 0:
        later = wl.grown(365)
        warnings.append(f"at {wl.daily_growth:.2%}/day growth the peak reaches {fmt_rate(later.peak_events_per_sec)} "
                        f"in a year: size for that ({size_kafka(later.model_copy(update={'daily_growth': 0}), d).partitions} "
                        "partitions) if adding partitions later would break key ordering.")
    return KafkaSizing(
        partitions=partitions, consumers=consumers, replication_factor=rf, retention_hours=retention,
        storage_bytes=storage, binding_constraint=binding, peak_mb_per_sec=t, throughput_partitions=throughput,
        producer_partitions=producer, consumer_partitions=consumer, parallelism_partitions=parallelism,
        rule_of_thumb_partitions=rule,
        consumer_utilization=wl.peak_events_per_sec / (consumers * wl.consumer_events_per_sec),
        compacted_state_topics="log-compacted (retention infinite, latest value per key) for entity state; "
                               f"event topics keep {retention:g} h" + (" (the replay requirement)" if wl.replay_required else ""),
        assumptions=[*d.assumptions(),
                     Assumption(name="replication factor", value=rf, unit=wl.environment, source=DESIGN_GUIDE),
                     Assumption(name="retention", value=retention, unit="hours",
                                source=DESIGN_GUIDE + " (production 7 days, or the replay requirement)")],
        warnings=warnings,
    )


def size_kinesis(wl: Workload) -> KinesisSizing:
    """Kinesis shards for the peak: write 1 MB/s or 1,000 records/s, read 2 MB/s (shared) per shard."""
    write_bytes = math.ceil(wl.peak_bytes_per_sec / MB)
    write_records = math.ceil(wl.peak_events_per_sec / 1_000)
    read_bytes = math.ceil(wl.peak_bytes_per_sec * wl.consumer_fanout / (2 * MB))
    options = {"write bytes (1 MB/s per shard)": write_bytes, "write records (1,000/s per shard)": write_records,
               f"read bytes (2 MB/s per shard shared by {wl.consumer_fanout} consumer(s))": read_bytes}
    binding = max(options, key=lambda k: options[k])
    warnings = []
    if wl.avg_event_bytes > 1_048_576:
        warnings.append("Kinesis records are at most 1 MiB: store payloads elsewhere and send references.")
    if wl.consumer_fanout > 2:
        warnings.append("with more than 2 consumers, enhanced fan-out (2 MB/s per consumer per shard) avoids "
                        "sharing the read limit.")
    return KinesisSizing(shards=max(1, options[binding]), binding_constraint=binding, shards_for_write_bytes=write_bytes,
                         shards_for_write_records=write_records, shards_for_read_bytes=read_bytes, warnings=warnings)
