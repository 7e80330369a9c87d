"""Pipeline Workbench: design a data pipeline with real data in hand.

The public API (see CONTRACT.md) is re-exported here. Names resolve lazily, so ``import workbench``
stays fast and a notebook only pays for the steps it uses.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it (one explicit table; the steps never import this file)
_EXPORTS: dict[str, str] = {
    # workspace and errors
    "Workspace": "workbench.workspace",
    "quote_ident": "workbench.workspace",
    "WorkbenchError": "workbench.errors",
    "DataSourceError": "workbench.errors",
    "TableExistsError": "workbench.errors",
    "TableNotFoundError": "workbench.errors",
    "ColumnNotFoundError": "workbench.errors",
    "WorkloadError": "workbench.errors",
    "TransformError": "workbench.errors",
    "ExpectationError": "workbench.errors",
    "QualityGateError": "workbench.errors",
    "ChangeEventError": "workbench.errors",
    "DesignError": "workbench.errors",
    "ExportError": "workbench.errors",
    "ReportError": "workbench.errors",
    "open_workspace": "workbench.session",
    "source_tables": "workbench.session",
    "read_data_package": "workbench.datapackage",
    "DataPackage": "workbench.datapackage",
    "workspace_summary": "workbench.session",
    "generate_sample_data": "workbench.sample_data",
    # 1. profile
    "profile": "workbench.profiling",
    "profile_dataset": "workbench.profiling",
    "suggest_expectations": "workbench.profiling",
    "choose_focus": "workbench.profiling",
    "FocusChoice": "workbench.profiling",
    "TableProfile": "workbench.profiling",
    "ColumnProfile": "workbench.profiling",
    "DatasetProfile": "workbench.profiling",
    "ForeignKey": "workbench.profiling",
    "Alert": "workbench.profiling",
    # 2. architecture
    "replay_windows": "workbench.streaming",
    "WindowReplay": "workbench.streaming",
    "WindowSpec": "workbench.streaming",
    "profile_lateness": "workbench.streaming",
    "LatenessProfile": "workbench.streaming",
    "watermark_tradeoff": "workbench.streaming",
    "split_stream": "workbench.streaming",
    "enrich_stream": "workbench.streaming",
    "measure_stream_job": "workbench.streaming",
    "StreamRate": "workbench.streaming",
    "StreamJoin": "workbench.streaming",
    "StreamingError": "workbench.errors",
    "Workload": "workbench.architecture",
    "recommend": "workbench.architecture",
    "Recommendation": "workbench.architecture",
    "size_kafka": "workbench.architecture",
    "size_kinesis": "workbench.architecture",
    "KafkaSizing": "workbench.architecture",
    "simulate_queue": "workbench.architecture",
    "simulate": "workbench.architecture",
    "compare": "workbench.architecture",
    "SimulationResult": "workbench.architecture",
    "SimulationSettings": "workbench.architecture",
    "Comparison": "workbench.architecture",
    "KinesisSizing": "workbench.architecture",
    # 3. transform
    "TransformProject": "workbench.transform",
    "BuildResult": "workbench.transform",
    "scaffold_project": "workbench.transform.scaffold",
    "ScaffoldResult": "workbench.transform.scaffold",
    "choose_transform_project": "workbench.transform.choose",
    "TransformChoice": "workbench.transform.choose",
    "lineage_target": "workbench.transform.choose",
    "daily_report_model": "workbench.transform.choose",
    # 4. quality
    "Suite": "workbench.quality",
    "validate": "workbench.quality",
    "ValidationResult": "workbench.quality",
    "Expectation": "workbench.quality",
    "ExpectationResult": "workbench.quality",
    "Gate": "workbench.quality",
    "quality_suites": "workbench.quality.choose",
    "quality_snapshot": "workbench.quality.choose",
    "arrival_snapshot": "workbench.quality.choose",
    "sink_suite": "workbench.quality.choose",
    "planted_defects": "workbench.quality.choose",
    "SuiteChoice": "workbench.quality.choose",
    "Snapshot": "workbench.quality.choose",
    # CDC
    "apply_changes": "workbench.cdc",
    "choose_cdc": "workbench.cdc",
    "CdcChoice": "workbench.cdc",
    "incremental_extract": "workbench.cdc",
    "IncrementalExtract": "workbench.cdc",
    "simulate_snapshots": "workbench.cdc",
    "SimulatedSnapshots": "workbench.cdc",
    "rerun_plan": "workbench.cdc",
    "RerunPlan": "workbench.cdc",
    "is_change_stream": "workbench.cdc",
    "table_checksum": "workbench.cdc",
    "schema_compatibility": "workbench.cdc",
    "ApplyResult": "workbench.cdc",
    "Compatibility": "workbench.cdc",
    "KeySpec": "workbench.cdc",
    "read_change_events": "workbench.cdc",
    "diff_snapshots": "workbench.cdc",
    "reset_target": "workbench.cdc",
    "audit_idempotency": "workbench.cdc",
    "simulate_delivery": "workbench.cdc",
    "plan_backfill": "workbench.cdc",
    "run_backfill": "workbench.cdc",
    "rollback_backfill": "workbench.cdc",
    "backfill_playbook": "workbench.cdc",
    "infer_event_schemas": "workbench.cdc",
    "table_schema": "workbench.cdc",
    # 5. design, and the pipeline floor that records each step into it
    "PipelineDesign": "workbench.design",
    "record_profile": "workbench.pipeline",
    "record_architecture": "workbench.pipeline",
    "record_transforms": "workbench.pipeline",
    "record_quality": "workbench.pipeline",
    "record_cdc": "workbench.pipeline",
    "record_streaming": "workbench.pipeline",
    "choose_stream": "workbench.pipeline",
    "StreamChoice": "workbench.pipeline",
    "record_choices": "workbench.pipeline",
    "complete_design": "workbench.pipeline",
    "dataset_names": "workbench.pipeline",
    "name_design": "workbench.pipeline",
    "DesignNames": "workbench.pipeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
