"""CDC, idempotency, replay and backfill: prove the pipeline is safely re-runnable.

``apply_changes`` applies Debezium-style change events set-based in DuckDB; ``table_checksum`` and
``audit_idempotency`` prove re-runs change nothing; ``simulate_delivery`` shows at-least-once
delivery ends where exactly-once does; ``plan_backfill`` / ``run_backfill`` / ``backfill_playbook``
reprocess day partitions safely; ``schema_compatibility`` classifies schema changes. ``choose_cdc`` picks
log-based, timestamp-based (``incremental_extract``) or snapshot-diff CDC (``simulate_snapshots`` +
``diff_snapshots``) from the data; ``rerun_plan`` derives the audit and backfill of any fact table.
"""

from __future__ import annotations

from workbench.cdc.apply import ApplyResult, apply_changes, reset_target
from workbench.cdc.audit import AuditResult, TableDiff, audit_idempotency, diff_tables, table_checksum
from workbench.cdc.backfill import (
    REASONS,
    BackfillPlan,
    BackfillRun,
    backfill_playbook,
    plan_backfill,
    rollback_backfill,
    run_backfill,
)
from workbench.cdc.choose import CdcChoice, choose_cdc, is_change_stream
from workbench.cdc.delivery import (
    DeliveryPlan,
    DeliveryResult,
    apply_rowwise,
    exactly_once,
    plan_delivery,
    simulate_delivery,
)
from workbench.cdc.events import diff_snapshots, read_change_events
from workbench.cdc.evolution import (
    Compatibility,
    Schema,
    SchemaChange,
    SchemaField,
    SchemaVersion,
    infer_event_schemas,
    schema_compatibility,
    table_schema,
)
from workbench.cdc.extract import (
    IncrementalExtract,
    SimulatedSnapshots,
    incremental_extract,
    simulate_snapshots,
)
from workbench.cdc.keys import KeySpec, idempotency_key
from workbench.cdc.rerun import RerunPlan, rerun_plan

__all__ = [
    "REASONS", "ApplyResult", "AuditResult", "BackfillPlan", "BackfillRun", "CdcChoice", "Compatibility",
    "DeliveryPlan", "DeliveryResult", "IncrementalExtract", "KeySpec", "RerunPlan", "Schema", "SchemaChange",
    "SchemaField", "SchemaVersion", "SimulatedSnapshots", "TableDiff", "apply_changes", "apply_rowwise",
    "audit_idempotency", "backfill_playbook", "choose_cdc", "diff_snapshots", "diff_tables", "exactly_once",
    "idempotency_key", "incremental_extract", "infer_event_schemas", "is_change_stream", "plan_backfill",
    "plan_delivery", "read_change_events", "rerun_plan", "reset_target", "rollback_backfill", "run_backfill",
    "schema_compatibility", "simulate_delivery", "simulate_snapshots", "table_checksum", "table_schema",
]
