"""The design guide's policies the pipeline floor applies while recording steps into a design.

PII by column name and profile type, the schedule that follows the architecture and latency SLO, freshness and
lag limits, the sink each mart becomes, the Kafka topics a streaming or log-based CDC design needs, and the layer a
dbt model sits in. Plain functions over the design's data: change a default here, not in a step or an exporter.
"""

from __future__ import annotations

import math
import re

from workbench.design.model import ConsumerGroup, PipelineDesign, Sink, Sizing, Topic, TransformModel

#: inferred profile types and column-name patterns that mark personal data
PII_TYPES = {"email": "email", "phone": "phone", "ip": "ip_address", "ipv4": "ip_address", "credit_card": "payment_card"}
PII_NAMES = [(re.compile(r"(^|_)(full_|first_|last_)?name$"), "name"), (re.compile(r"address"), "address"),
             (re.compile(r"phone"), "phone"), (re.compile(r"birth"), "birth_date"), (re.compile(r"email"), "email")]
#: dbt model name prefixes -> the design guide's layers (when the folder does not say)
LAYER_PREFIX = {"stg_": "staging", "int_": "intermediate", "dim_": "marts", "fct_": "marts", "rpt_": "report"}


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


def align_streaming(design: PipelineDesign) -> None:
    """Topics, consumer group, lag alerts and the CDC include list: present exactly when changes flow through
    Kafka (a streaming architecture, or log-based CDC), sized from the architecture's Kafka sizing."""
    a = design.architecture
    m = design.monitoring
    if not (design.is_streaming or design.cdc.method == "log") or not design.sources:
        design.streaming.topics, design.streaming.consumer_groups = [], []
        m.consumer_lag_max_seconds = m.consumer_lag_max_events = None
        design.cdc.tables = []
        return
    s = a.sizing or Sizing()
    design.streaming.topics = [
        Topic(name=f"{snake(src.domain)}.{snake(src.name)}.changed", partitions=s.partitions,
              replication_factor=s.replication_factor, retention_hours=s.retention_hours, cleanup_policy="delete",
              key=list(src.primary_key), source_table=src.name)
        for src in design.sources]
    names = [t.name for t in design.streaming.topics]
    consumers = min(s.consumers, s.partitions)
    design.streaming.consumer_groups = [ConsumerGroup(name="warehouse-loader", topics=names, consumers=consumers)]
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
