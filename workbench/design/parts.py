"""The parts of a PipelineDesign: sources, architecture, orchestration, transforms, quality, CDC, operations.

Plain pydantic data (no behaviour beyond validation of one part); ``model.py`` assembles them and checks
the contradictions between parts.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workbench.orchestrators import Orchestrator

Architecture = Literal["batch", "micro-batch", "streaming", "hybrid"]
QualityLayer = Literal["source", "transform", "sink"]
GateMode = Literal["strict", "warn", "sample"]
BackfillScope = Literal["full", "affected_window", "incremental"]

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
#: ``{domain}.{entity}.{event_type}``, each part lower snake_case
TOPIC_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
#: ``{service}-{purpose}``, each part lower case (hyphens/underscores inside the purpose allowed)
CONSUMER_GROUP = re.compile(r"^[a-z][a-z0-9_]*-[a-z][a-z0-9_-]*$")
#: a secret reference resolved at run time (Kafka Connect config providers, env, a vault path)
SECRET_REF = re.compile(r"^\$\{(file|env|vault|secrets|directory):[^}]+\}$")
#: schedule presets that run at most once a day
DAILY_OR_SLOWER = {"@daily", "@midnight", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually", "@once"}
PRESET_CRON = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
               "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


# --- sources ----------------------------------------------------------------------------------
class SourceColumn(_Model):
    """One column of a source table."""

    name: str
    type: str = "string"
    nullable: bool = True
    pii: str | None = Field(None, description="PII category (email, name, phone, address...) or None")
    description: str = ""


class Source(_Model):
    """A source table (or stream) with its schema and volume."""

    name: str = Field(description="table name in the source system")
    schema_name: str = "public"
    system: str = Field("postgresql", description="postgresql, mysql, files, api, kafka...")
    database: str = "source_db"
    domain: str = Field("data", description="business domain, the first part of topic names")
    columns: list[SourceColumn] = Field(default_factory=list)
    primary_key: list[str] = Field(default_factory=list)
    update_column: str | None = Field(None, description="column that changes on every update (timestamp CDC)")
    timestamp_column: str | None = Field(None, description="event time column (partitioning, freshness)")
    row_count: int | None = Field(None, ge=0)
    daily_rows: int | None = Field(None, ge=0)
    avg_row_bytes: float | None = Field(None, ge=0)
    description: str = ""

    @property
    def entity(self) -> str:
        return self.name

    def column(self, name: str) -> SourceColumn | None:
        return next((c for c in self.columns if c.name == name), None)


# --- architecture -----------------------------------------------------------------------------
class DecisionReason(_Model):
    """One factor of the decision matrix: what the workload says and which architecture it favours."""

    factor: str
    value: str = ""
    favours: str = ""
    detail: str = ""


class WorkloadSummary(_Model):
    """The workload the decision was made for (rates per second, sizes in bytes, times in seconds)."""

    avg_events_per_sec: float | None = Field(None, ge=0)
    peak_events_per_sec: float | None = Field(None, ge=0)
    avg_event_bytes: float | None = Field(None, ge=0)
    latency_slo_seconds: float | None = Field(None, gt=0)
    daily_bytes: float | None = Field(None, ge=0)
    complexity: str | None = None
    pii: bool = False
    cross_region: bool = False


class Sizing(_Model):
    """Kafka sizing: partitions, consumers, replication, retention and storage."""

    partitions: int = Field(6, ge=1, le=10_000)
    consumers: int = Field(3, ge=1)
    replication_factor: int = Field(3, ge=1, le=7)
    retention_hours: float = Field(168.0, gt=0)
    storage_bytes: float | None = Field(None, ge=0)
    binding_constraint: str | None = None
    min_insync_replicas: int | None = Field(None, ge=1)
    notes: list[str] = Field(default_factory=list)


class SimulationSummary(_Model):
    """One candidate architecture simulated on the workload."""

    architecture: str
    latency_p50: float | None = None
    latency_p95: float | None = None
    latency_p99: float | None = None
    max_lag_events: float | None = None
    drain_seconds: float | None = None
    monthly_cost: float | None = None
    stable: bool = True
    notes: str = ""


class ArchitectureDecision(_Model):
    """The chosen architecture, the reasons, the sizing and the simulated alternatives."""

    architecture: Architecture = "batch"
    pattern: str = Field("medallion", description="kappa, lambda, medallion...")
    approach: Literal["ELT", "ETL"] = "ELT"
    stack: list[str] = Field(default_factory=lambda: ["airflow", "dbt", "duckdb"])
    reasons: list[DecisionReason] = Field(default_factory=list)
    tree_path: list[str] = Field(default_factory=list, description="the path taken through the decision tree")
    approach_reason: str = ""
    notes: list[str] = Field(default_factory=list)
    confirmations: list[str] = Field(default_factory=list, description="'confirm first' items for a person")
    workload: WorkloadSummary = Field(default_factory=WorkloadSummary)
    sizing: Sizing | None = None
    simulations: list[SimulationSummary] = Field(default_factory=list)


# --- orchestration ----------------------------------------------------------------------------
class Orchestration(_Model):
    """Who runs the pipeline, when, and how it retries."""

    model_config = ConfigDict(use_enum_values=True)  # validated against the enum, stored as its plain value

    tool: Orchestrator = Orchestrator.AIRFLOW.value
    pipeline_id: str = Field("data_pipeline", description="DAG id / job name (snake_case)")
    schedule: str | None = Field("@daily", description="cron or preset (@hourly, @daily...); None = continuous")
    start_date: date = date(2026, 1, 1)
    retries: int = Field(3, ge=0, le=20, description="design guide: 3")
    retry_delay_seconds: int = Field(300, ge=0, description="design guide: 5 minutes")
    timeout_seconds: int | None = Field(3600, gt=0)
    owner: str = "data-platform"
    tags: list[str] = Field(default_factory=lambda: ["pipeline-workbench"])

    @field_validator("pipeline_id")
    @classmethod
    def _snake(cls, v: str) -> str:
        if not SNAKE.match(v):
            raise ValueError(f"orchestration.pipeline_id {v!r} must be snake_case (letters, digits, underscores)")
        return v

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str | None) -> str | None:
        if v in (None, "", "@continuous"):
            return None if v in (None, "") else v
        if v.startswith("@"):
            if v not in PRESET_CRON and v not in DAILY_OR_SLOWER:
                raise ValueError(f"orchestration.schedule {v!r} is not a known preset ({', '.join(sorted(PRESET_CRON))})")
            return v
        if len(v.split()) != 5:
            raise ValueError(f"orchestration.schedule {v!r} is not a 5-field cron expression or a preset")
        return v

    @property
    def cron(self) -> str | None:
        """The schedule as a 5-field cron expression (None when continuous or ``@once``)."""
        if self.schedule in (None, "@continuous", "@once"):
            return None
        return PRESET_CRON.get(self.schedule, self.schedule)

    @property
    def runs_at_most_daily(self) -> bool:
        """True for a schedule that fires once a day or less often."""
        if self.schedule is None or self.schedule == "@continuous":
            return False
        if self.schedule in DAILY_OR_SLOWER:
            return True
        if self.schedule == "@hourly":
            return False
        minute, hour = self.cron.split()[:2]
        return all(re.fullmatch(r"\d+", f) for f in (minute, hour))


# --- transforms -------------------------------------------------------------------------------
class TransformTest(_Model):
    """A dbt generic test on a model (or one of its columns)."""

    test: str = Field(description="unique, not_null, accepted_values, relationships, accepted_range...")
    column: str | None = None
    kwargs: dict[str, Any] = Field(default_factory=dict)
    severity: Literal["error", "warn"] = "error"
    where: str | None = None
    target: str | None = Field(None, description="for tests on seeds or sources (``source:src.table``)")


class TransformSeed(_Model):
    """A small CSV seed (reference data) shipped with the dbt project."""

    name: str
    csv: str
    folder: str = ""
    column_types: dict[str, str] = Field(default_factory=dict)


class DesignSingularTest(_Model):
    """A ``tests/<name>.sql`` query whose rows are failures."""

    name: str
    sql: str
    severity: Literal["error", "warn"] = "error"


class TransformModel(_Model):
    """One dbt-style model (its SQL is dbt SQL: ``{{ ref() }}``, ``{{ source() }}``)."""

    name: str
    layer: Literal["staging", "intermediate", "marts", "report"] = "staging"
    materialized: Literal["view", "table", "incremental", "ephemeral"] = "view"
    folder: str = ""
    depends_on: list[str] = Field(default_factory=list, description="upstream models")
    sources: list[str] = Field(default_factory=list, description="source tables read directly")
    unique_key: list[str] = Field(default_factory=list)
    sql: str | None = None
    config: dict[str, Any] = Field(default_factory=dict, description="other dbt config (tags, incremental_strategy...)")
    description: str = ""
    columns: dict[str, str] = Field(default_factory=dict, description="documented columns: name -> description")
    column_types: dict[str, str] = Field(default_factory=dict, description="the built relation's columns: name -> type")
    tests: list[TransformTest] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not SNAKE.match(v):
            raise ValueError(f"transform model name {v!r} must be snake_case and stay inside the project folder")
        return v


class Transforms(_Model):
    """The transform layer: a dbt project's models (and where the prototype project lives)."""

    tool: Literal["dbt", "spark", "flink", "python"] = "dbt"
    project_name: str = "pipeline"
    source_name: str = Field("source", description="the dbt source the staging models read")
    source_schema: str = "main"
    project_dir: str | None = Field(None, description="the prototype dbt project the transform step built")
    build_schema: str = Field("main", description="schema the models build into")
    models: list[TransformModel] = Field(default_factory=list)
    seeds: list[TransformSeed] = Field(default_factory=list)
    singular_tests: list[DesignSingularTest] = Field(default_factory=list)
    extra_tests: list[TransformTest] = Field(default_factory=list, description="tests on seeds and sources")
    macros: dict[str, str] = Field(default_factory=dict, description="macros/<path> -> Jinja text")
    vars: dict[str, Any] = Field(default_factory=dict)
    folder_config: dict[str, Any] = Field(default_factory=dict, description="dbt_project.yml models: config tree")
    last_build: dict[str, Any] = Field(default_factory=dict, description="ok, nodes, failures of the last build")

    def model(self, name: str) -> TransformModel | None:
        return next((m for m in self.models if m.name == name), None)


# --- quality ----------------------------------------------------------------------------------
class DesignExpectation(_Model):
    """One expectation in Great Expectations' 1.x shape (``type`` + ``kwargs``)."""

    type: str
    kwargs: dict[str, Any] = Field(default_factory=dict)
    severity: Literal["critical", "warning", "info"] = "critical"
    meta: dict[str, Any] = Field(default_factory=dict)


class QualitySuite(_Model):
    """The expectations one layer runs on one table."""

    name: str
    layer: QualityLayer
    table: str
    expectations: list[DesignExpectation] = Field(default_factory=list)
    last_result: Literal["passed", "failed"] | None = None
    failed_expectations: int | None = Field(None, ge=0)


class QualityPlan(_Model):
    """Quality suites per layer and the gate mode between pipeline steps."""

    gate: GateMode = "strict"
    sample_fraction: float | None = Field(None, gt=0, le=1)
    suites: list[QualitySuite] = Field(default_factory=list)

    def layers(self) -> dict[str, list[QualitySuite]]:
        out: dict[str, list[QualitySuite]] = {"source": [], "transform": [], "sink": []}
        for s in self.suites:
            out[s.layer].append(s)
        return out


# --- CDC, idempotency, schema evolution --------------------------------------------------------
class CDCPlan(_Model):
    """How changes leave the source: timestamp, trigger or log-based (Debezium) capture."""

    method: Literal["none", "timestamp", "trigger", "log", "snapshot"] = "timestamp"
    connector_name: str = "source-postgres-cdc"
    topic_prefix: str = "data"
    slot_name: str = "workbench_slot"
    publication_name: str = "workbench_publication"
    tables: list[str] = Field(default_factory=list, description="schema.table include list")
    change_events: dict[str, str] = Field(
        default_factory=dict, description="table -> the source holding its change events (log CDC's landed topic)")
    hostname_secret: str = "${file:/secrets/postgres.properties:hostname}"
    user_secret: str = "${file:/secrets/postgres.properties:user}"
    password_secret: str = "${file:/secrets/postgres.properties:password}"
    port: int = Field(5432, ge=1, le=65535)
    evidence: dict[str, Any] = Field(default_factory=dict, description="counts and checksums the CDC step measured")

    @field_validator("hostname_secret", "user_secret", "password_secret")
    @classmethod
    def _secret(cls, v: str, info) -> str:
        if not SECRET_REF.match(v):
            raise ValueError(
                f"cdc.{info.field_name} must be a secret reference such as '${{file:/secrets/db.properties:password}}' "
                "or '${env:DB_PASSWORD}', never a literal value"
            )
        return v


class IdempotencyPlan(_Model):
    """Why a re-run cannot duplicate or corrupt data."""

    strategy: Literal["none", "upsert", "delete_insert", "dedup_at_source", "transactional"] = "upsert"
    key_fields: list[str] = Field(default_factory=lambda: ["source", "entity_type", "entity_id", "event_type", "timestamp"])
    dedup_window_hours: float = Field(168.0, gt=0)
    prefer_log_position: bool = True
    notes: str = ""


class SchemaEvolutionPlan(_Model):
    """How schema changes are versioned and checked."""

    compatibility: Literal["BACKWARD", "FORWARD", "FULL", "NONE"] | None = "BACKWARD"
    registry: str | None = "schema registry (JSON Schema)"
    plan: str = "Add optional fields only; breaking changes get a new major version and a migration."
    detected_changes: list[str] = Field(default_factory=list)


# --- sinks, streaming ---------------------------------------------------------------------------
class Sink(_Model):
    """Where the pipeline writes and how (an upsert or merge needs a key to be idempotent)."""

    name: str
    system: str = "duckdb"
    table: str
    write_mode: Literal["append", "upsert", "merge", "overwrite", "delete_insert"] = "upsert"
    key: list[str] = Field(default_factory=list)
    serving: list[str] = Field(default_factory=list, description="who reads it: dashboards, APIs, ML...")


class Topic(_Model):
    """A Kafka topic named ``{domain}.{entity}.{event_type}``."""

    name: str
    partitions: int = Field(ge=1, le=10_000)
    replication_factor: int = Field(3, ge=1, le=7)
    retention_hours: float | None = Field(168.0, gt=0, description="None = infinite (compacted state topics)")
    cleanup_policy: Literal["delete", "compact", "compact,delete"] = "delete"
    key: list[str] = Field(default_factory=list)
    source_table: str | None = None
    reason: str = Field("", description="why these partitions and this cleanup policy")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not TOPIC_NAME.match(v):
            raise ValueError(
                f"topic name {v!r} must follow {{domain}}.{{entity}}.{{event_type}} in lower snake_case, "
                "e.g. 'orders.order.created'"
            )
        return v


class ConsumerGroup(_Model):
    """A consumer group named ``{service}-{purpose}``."""

    name: str
    topics: list[str]
    consumers: int = Field(1, ge=1)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not CONSUMER_GROUP.match(v):
            raise ValueError(f"consumer group {v!r} must follow {{service}}-{{purpose}}, e.g. 'analytics-aggregator'")
        return v


class StreamLookup(_Model):
    """A stream-table join: each event enriched with a warehouse table's row (a left join; the columns
    arrive as ``dim_<column>``)."""

    dimension: str = Field(description="the warehouse table (the batch pipeline loads it)")
    on: str = Field(description="the event field holding the key")
    dimension_key: str
    columns: list[str] = Field(default_factory=list)
    on_type: str = Field("STRING", description="Spark SQL type of the event's key field")


class StreamJob(_Model):
    """The event-time processing a stream job runs: windowed counts per key over one event stream, as
    chosen in the streaming lab (``07_streaming``) and exported as a Spark Structured Streaming job."""

    events: str = Field(description="the event stream (a source of the design; its Kafka topic in production)")
    event_time: str = Field(description="the event-time field (a timestamp, or epoch milliseconds)")
    event_time_epoch_ms: bool = Field(False, description="the event time is epoch milliseconds")
    keys: list[str] = Field(default_factory=list, description="grouping keys ([] = one global window)")
    field_types: dict[str, str] = Field(default_factory=dict, description="Spark SQL type of every field read")
    window: Literal["tumbling", "sliding", "session"] = "tumbling"
    window_seconds: float = Field(3600, gt=0, description="window size, or the session gap")
    slide_seconds: float | None = Field(None, gt=0)
    watermark_delay_seconds: float = Field(600, ge=0)
    output_mode: Literal["append", "update"] = "append"
    late_policy: Literal["drop", "dead_letter", "update"] = "drop"
    late_tolerance: float = Field(0.01, ge=0, le=1, description="share of events the watermark may drop; the "
                                                                "nightly reconciliation fails above it")
    batch_events: int = Field(500, ge=1, description="events per micro-batch in the lab (maxOffsetsPerTrigger)")
    trigger_seconds: float = Field(60, gt=0, description="processing-time trigger in production")
    fail_on_data_loss: bool = Field(True, description="stop when Kafka offsets expired before they were read")
    sink_table: str = Field("stream_windows", description="warehouse table the job merges each micro-batch into")
    lookup: StreamLookup | None = None
    evidence: dict[str, Any] = Field(default_factory=dict, description="the lab's figures: late events, rows, ...")


class StreamingPlan(_Model):
    """Topics, consumer groups, the event envelope and the stream job."""

    topics: list[Topic] = Field(default_factory=list)
    consumer_groups: list[ConsumerGroup] = Field(default_factory=list)
    event_schema_version: int = Field(1, ge=1)
    job: StreamJob | None = None


# --- operations -------------------------------------------------------------------------------
class BackfillPolicy(_Model):
    """How history is reprocessed and events replayed."""

    scope: BackfillScope = "affected_window"
    reason: Literal["schema_change", "bug_fix", "logic_change", "new_source"] = "bug_fix"
    partition_column: str | None = None
    start: date | None = None
    end: date | None = None
    estimated_rows: int | None = Field(None, ge=0)
    estimated_seconds: float | None = Field(None, ge=0)
    replay_window_hours: float | None = Field(168.0, gt=0, description="how far back events can be replayed")
    playbook_markdown: str | None = Field(None, description="the CDC step's playbook, used as is when present")

    @model_validator(mode="after")
    def _range(self) -> BackfillPolicy:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"backfill.end {self.end} is before backfill.start {self.start}")
        return self


class Monitoring(_Model):
    """Freshness, volume, failure and consumer-lag alerting."""

    enabled: bool = True
    freshness_max_delay_seconds: float | None = Field(26 * 3600, gt=0)
    volume_change_tolerance: float | None = Field(0.5, gt=0, description="alert when rows change by more than this fraction")
    min_rows_per_run: int | None = Field(None, ge=0)
    alert_on_failure: bool = True
    consumer_lag_max_events: int | None = Field(None, ge=0)
    consumer_lag_max_seconds: float | None = Field(None, gt=0)
    channels: list[str] = Field(default_factory=lambda: ["email:data-platform@example.com"])


class PIIField(_Model):
    """A personal-data column and how it is protected."""

    table: str
    column: str
    category: str = "personal"
    handling: Literal["mask", "hash", "tokenize", "encrypt", "drop", "keep"] | None = None


class PIIPlan(_Model):
    """PII columns, how each is protected, and the knobs the protections use (never the secret itself)."""

    fields: list[PIIField] = Field(default_factory=list)
    retention: str | None = None
    notes: str = ""
    salt_env_var: str = Field("PII_SALT", pattern=r"^[A-Z_][A-Z0-9_]*$",
                              description="environment variable holding the salt of hashed columns (a secret)")
    mask_chars: int = Field(8, ge=1, le=64, description="a masked value becomes this many '*'")


class Resources(_Model):
    """Limits that keep compute bounded (lint warns when none is set)."""

    max_parallel_tasks: int | None = Field(8, ge=1)
    max_consumers: int | None = Field(None, ge=1)
    memory_limit_gb: float | None = Field(None, gt=0)
    monthly_budget: float | None = Field(None, gt=0)
    autoscale: bool = False
    autoscale_max: int | None = Field(None, ge=1)


class LineageEdge(_Model):
    upstream: str
    downstream: str
    columns: list[str] = Field(default_factory=list)


class Risk(_Model):
    title: str
    severity: Literal["high", "medium", "low"] = "medium"
    mitigation: str = ""


class DesignChoice(_Model):
    """A choice the workbench made for the user from the data (an explicit parameter would have won), and why."""

    step: str = Field(description="the step that chose: profile, architecture, transform, quality, cdc, export")
    choice: str
    reason: str = ""


class OpenQuestion(_Model):
    question: str
    blocking: bool = False
    owner: str | None = None
