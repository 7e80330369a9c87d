"""CDC, idempotency, replay and backfill: prove the pipeline is safely re-runnable.

``apply_changes`` applies Debezium-style change events set-based in DuckDB; ``table_checksum`` and
``audit_idempotency`` prove re-runs change nothing; ``simulate_delivery`` shows at-least-once
delivery ends where exactly-once does; ``plan_backfill`` / ``run_backfill`` / ``backfill_playbook``
reprocess day partitions safely; ``schema_compatibility`` classifies schema changes.
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
from workbench.cdc.keys import KeySpec, idempotency_key

__all__ = [
    "REASONS", "ApplyResult", "AuditResult", "BackfillPlan", "BackfillRun", "Compatibility", "DeliveryPlan",
    "DeliveryResult", "KeySpec", "Schema", "SchemaChange", "SchemaField", "SchemaVersion", "TableDiff",
    "apply_changes", "apply_rowwise", "audit_idempotency", "backfill_playbook", "diff_snapshots", "diff_tables",
    "exactly_once", "idempotency_key", "infer_event_schemas", "plan_backfill", "plan_delivery",
    "read_change_events", "reset_target", "rollback_backfill", "run_backfill", "schema_compatibility",
    "simulate_delivery", "table_checksum", "table_schema",
]
