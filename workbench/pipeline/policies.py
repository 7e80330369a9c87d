"""The design guide's policies the pipeline floor applies while recording steps into a design.

PII by column name and profile type, the schedule that follows the architecture and latency SLO, freshness and
lag limits, the sink each mart becomes, the Kafka topics a streaming or log-based CDC design needs, and the layer a
dbt model sits in. Plain functions over the design's data: change a default here, not in a step or an exporter.
"""

from __future__ import annotations

import math
import re

from workbench.architecture.sizing import MB, SizingDefaults, consumer_parallelism, rule_of_thumb_partitions
from workbench.design.model import (
    ConsumerGroup,
    PipelineDesign,
    Sink,
    Sizing,
    Source,
    Topic,
    TransformModel,
    WorkloadSummary,
)

#: inferred profile types and column-name patterns that mark personal data
PII_TYPES = {"email": "email", "phone": "phone", "ip": "ip_address", "ipv4": "ip_address", "credit_card": "payment_card"}
PII_NAMES = [(re.compile(r"(^|_)(full_|first_|last_)?name$"), "name"), (re.compile(r"address"), "address"),
             (re.compile(r"phone"), "phone"), (re.compile(r"birth"), "birth_date"), (re.compile(r"email"), "email")]
#: dbt model name prefixes -> the design guide's layers (when the folder does not say)
LAYER_PREFIX = {"stg_": "staging", "int_": "intermediate", "dim_": "marts", "fct_": "marts", "rpt_": "report"}
#: topic event types that carry a table's latest state per key (log-compacted, kept forever)
STATE_EVENT_TYPES = ("state",)


def snake(text: str) -> str:
    """Lower snake_case of any text (topic and suite names)."""
    return re.sub(r"[^a-z0-9_]+", "_", str(text).lower()).strip("_") or "x"


def pii_category(name: str, inferred: str | None) -> str | None:
    """The PII category of a column from its inferred type, else its name (``*_id`` columns are keys, not PII)."""
    if inferred in PII_TYPES:
        return PII_TYPES[inferred]
    lowered = name.lower()
    if lowered.endswith("_id") or lowered in ("store_name", "product_name"):
        return None
    return next((cat for pattern, cat in PII_NAMES if pattern.search(lowered)), None)


def schedule_for(architecture: str, slo_seconds: float | None) -> str:
    """A schedule consistent with the architecture and the latency SLO."""
    if architecture in ("streaming", "hybrid"):
        return "@hourly"
    if slo_seconds is None or slo_seconds >= 86400:
        return "@daily"
    if slo_seconds >= 3600:
        return "@hourly"
    return "*/15 * * * *"


def align_operations(design: PipelineDesign) -> None:
    """Schedule, CDC method, freshness and limits that follow from the architecture (then the streaming plan)."""
    a = design.architecture
    slo = a.workload.latency_slo_seconds
    o = design.orchestration
    o.schedule = schedule_for(a.architecture, slo)
    if design.is_streaming:
        design.cdc.method = "log"  # sub-minute freshness needs the database log, not polling
        design.idempotency.strategy = "upsert" if design.idempotency.strategy == "none" else design.idempotency.strategy
        design.monitoring.freshness_max_delay_seconds = max(60.0, 12 * (slo or 60.0))
    else:
        design.monitoring.freshness_max_delay_seconds = {"@daily": 26 * 3600.0, "@hourly": 2 * 3600.0}.get(
            o.schedule, 1800.0)
    align_streaming(design)


def cleanup_policy(event_type: str, retention_hours: float) -> tuple[str, float | None]:
    """(cleanup.policy, retention hours) of a topic: state topics are compacted and kept (None = infinite), change
    and event topics are deleted after the retention (the replay window)."""
    return ("compact", None) if event_type in STATE_EVENT_TYPES else ("delete", retention_hours)


def topic_partitions(src: Source, w: WorkloadSummary, s: Sizing) -> tuple[int, str]:
    """Partitions of ``src``'s topic and why: 10 × its own peak MB/s (3..100), raised only to the consumers its peak
    needs at the rate each consumer of the architecture's sizing carries (workload peak / sized consumers).

    The peak is the source's mean rate (``daily_rows`` / 86,400 s) × the workload's peak-to-mean ratio.
    """
    ratio = w.peak_events_per_sec / w.avg_events_per_sec if w.peak_events_per_sec and w.avg_events_per_sec else 1.0
    peak = (src.daily_rows or 0) / 86_400 * ratio
    mb = peak * (src.avg_row_bytes or w.avg_event_bytes or 0) / MB
    rule = rule_of_thumb_partitions(mb)
    why = (f"10 × {mb:.3g} MB/s peak ({src.daily_rows:,} rows/day × peak/mean {ratio:.3g}) → {rule}"
           if src.daily_rows else f"no daily volume recorded for {src.name} → {rule} (the minimum)")
    if not w.peak_events_per_sec:
        return rule, why
    d = SizingDefaults()
    capacity = w.peak_events_per_sec / (s.consumers * d.target_consumer_utilization)  # events/s one consumer takes
    needed = consumer_parallelism(peak, capacity, d)
    if needed <= rule:
        return rule, why
    over = f" (above the practical maximum of {d.max_partitions}: split the topic)" if needed > d.max_partitions else ""
    return needed, (f"{why}, raised to {needed}: its peak {peak:.3g} events/s needs {needed} consumers of "
                    f"{capacity:.3g} events/s at {d.target_consumer_utilization:.0%} utilisation{over}")


def align_streaming(design: PipelineDesign) -> None:
    """Topics, consumer group, lag alerts and the CDC include list: present exactly when changes flow through
    Kafka (a streaming architecture, or log-based CDC); each topic sized from its own source's peak."""
    a = design.architecture
    m = design.monitoring
    if not (design.is_streaming or design.cdc.method == "log") or not design.sources:
        design.streaming.topics, design.streaming.consumer_groups = [], []
        m.consumer_lag_max_seconds = m.consumer_lag_max_events = None
        design.cdc.tables = []
        return
    s = a.sizing or Sizing()
    topics = []
    for src in design.sources:
        partitions, why = topic_partitions(src, a.workload, s)
        policy, retention = cleanup_policy("changed", s.retention_hours)
        topics.append(Topic(
            name=f"{snake(src.domain)}.{snake(src.name)}.changed", partitions=partitions,
            replication_factor=s.replication_factor, retention_hours=retention, cleanup_policy=policy,
            key=list(src.primary_key), source_table=src.name,
            reason=f"partitions: {why}; cleanup {policy} after {retention:g} h: a change topic keeps its replay window"))
    design.streaming.topics = topics
    consumers = min(s.consumers, max(t.partitions for t in topics))
    design.streaming.consumer_groups = [ConsumerGroup(name="warehouse-loader", topics=[t.name for t in topics],
                                                      consumers=consumers)]
    design.resources.max_consumers = consumers
    slo = a.workload.latency_slo_seconds or 3600.0
    peak = a.workload.peak_events_per_sec
    m.consumer_lag_max_seconds = max(slo, 1.0)
    m.consumer_lag_max_events = int(math.ceil(peak * slo)) if peak else None
    design.cdc.tables = [f"{src.schema_name}.{src.name}" for src in design.sources]


def model_layer(name: str, folder: str) -> str:
    """The layer of a dbt model: its top folder when it names a layer, else its name prefix."""
    head = folder.split("/")[0] if folder else ""
    if head in ("staging", "intermediate", "marts"):
        return head
    if head in ("reports", "report"):
        return "report"
    return next((layer for prefix, layer in LAYER_PREFIX.items() if name.startswith(prefix)), "intermediate")


def sink_for(m: TransformModel) -> Sink:
    """The warehouse sink a mart becomes: merged on its key (unique + not_null tests) or overwritten."""
    key = list(m.unique_key)
    if not key:
        uniques = {t.column for t in m.tests if t.test == "unique" and t.column}
        not_null = {t.column for t in m.tests if t.test == "not_null" and t.column}
        key = sorted(uniques & not_null)[:1]
    return Sink(name=m.name, table=m.name, system="warehouse", write_mode="merge" if key else "overwrite", key=key,
                serving=["BI dashboards"] if m.layer == "report" or m.name.startswith(("fct_", "rpt_"))
                else ["analytics"])
