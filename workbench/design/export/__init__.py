"""Exporters: one module per target, one registry (``TARGETS``), one ``export()`` that writes atomically.

``export(design, "out/")`` writes every target that applies to the design (``targets=None``) or the
named ones, into a staging folder first; only when every target succeeded does it move the files
into ``out/``. A non-empty ``out/`` is refused unless ``overwrite=True``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.design.export import (
    airflow,
    dagster,
    dbt,
    dbt_cloud,
    debezium,
    design_file,
    document,
    event_schema,
    gx,
    handoff,
    kafka,
    mermaid,
    pipeline_pkg,
    playbook,
    prefect,
    stream,
)
from workbench.design.export.base import Output
from workbench.errors import ExportError, did_you_mean
from workbench.orchestrators import Orchestrator

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign


@dataclass(frozen=True)
class Target:
    """One export target: what it writes, and when it applies to a design (for ``targets=None``)."""

    name: str
    description: str
    write: Callable[..., None]
    applies: Callable[[PipelineDesign], bool]
    #: written last, given the other targets' files (the document and handoffs list the artifacts)
    lists_artifacts: bool = False


def _always(d: PipelineDesign) -> bool:
    return True


#: the registry, in export order
TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("design", "the design YAML and its JSON Schema", design_file.write, _always),
    Target("mermaid", "Mermaid flowchart: sources → ingestion → processing → storage → serving", mermaid.write, _always),
    Target("airflow", "Airflow 3 DAG file", airflow.write, lambda d: d.orchestration.tool == Orchestrator.AIRFLOW),
    Target("dagster", "Dagster definitions module (assets, asset checks)", dagster.write,
           lambda d: d.orchestration.tool == Orchestrator.DAGSTER),
    Target("prefect", "Prefect 3 flow (a task per step) and prefect.yaml deployment", prefect.write,
           lambda d: d.orchestration.tool == Orchestrator.PREFECT),
    Target("dbt_cloud", "dbt Cloud job (API v2 payload) and its create script", dbt_cloud.write,
           lambda d: d.orchestration.tool == Orchestrator.DBT_CLOUD),
    Target("dbt", "dbt project (dbt-duckdb profile)", dbt.write,
           lambda d: d.transforms.tool == "dbt" and bool(d.transforms.models)),
    Target("kafka", "Kafka topics YAML and kafka-topics.sh", kafka.write, lambda d: bool(d.streaming.topics)),
    Target("debezium", "Debezium PostgreSQL connector JSON", debezium.write, lambda d: d.cdc.method == "log"),
    Target("event_schema", "event envelope JSON Schemas (draft-07)", event_schema.write,
           lambda d: bool(d.sources) and (d.is_streaming or d.cdc.method == "log" or bool(d.streaming.topics))),
    Target("gx", "Great Expectations suites per layer", gx.write, lambda d: bool(d.quality.suites)),
    Target("stream", "Spark Structured Streaming job (windows, watermark) and its config", stream.write,
           lambda d: d.streaming.job is not None and d.is_streaming),
    Target("pipeline", "the runnable pipeline package (extract, load, gate, publish) and its README", pipeline_pkg.write,
           lambda d: bool(d.sources)),
    Target("playbook", "backfill playbook (Markdown)", playbook.write, _always),
    Target("handoff", "STREAM_TO_CANVAS and summary handoffs", handoff.write, _always, lists_artifacts=True),
    Target("document", "design document, Markdown and HTML, English and Japanese", document.write, _always,
           lists_artifacts=True),
)}


def resolve_targets(design: PipelineDesign, targets: list[str] | str | None) -> list[str]:
    """The targets to write, in registry order; unknown names are an error that suggests the nearest."""
    if targets is None:
        return [n for n, t in TARGETS.items() if t.applies(design)]
    wanted = [targets] if isinstance(targets, str) else list(targets)
    for name in wanted:
        if name not in TARGETS:
            raise ExportError(f"Unknown export target {name!r}. {did_you_mean(name, TARGETS)}".strip(),
                              hint=f"Targets: {', '.join(TARGETS)}.")
    return [n for n in TARGETS if n in wanted]


def export(design: PipelineDesign, out_dir: str | os.PathLike, targets: list[str] | str | None = None,
           overwrite: bool = False, clean: bool = False) -> dict[str, list[str]]:
    """Write the targets into ``out_dir`` -> ``{target: [paths]}`` (all or nothing).

    ``overwrite=True`` replaces the files this export writes and keeps the others; ``clean=True``
    (with ``overwrite``) swaps in a folder holding only this export, so no stale artifact survives.
    """
    design = design.check()
    names = resolve_targets(design, targets)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExportError(f"Export folder {str(out)!r} is a file.", hint="Pass a folder path.")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ExportError(f"Export folder {str(out)!r} is not empty.",
                          hint="Choose an empty folder, or pass overwrite=True (CLI: --overwrite) to replace the "
                               "files this export writes.")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    written: dict[str, list[str]] = {}
    try:
        ordered = [n for n in names if not TARGETS[n].lists_artifacts] + [n for n in names if TARGETS[n].lists_artifacts]
        for name in ordered:
            o = Output(staging, name)
            if TARGETS[name].lists_artifacts:
                TARGETS[name].write(design, o, artifacts=dict(written))
            else:
                TARGETS[name].write(design, o)
            written[name] = [p.relative_to(staging).as_posix() for p in o.files]
        _move_into_place(staging, out, clean=clean)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {n: [str(out / rel) for rel in written[n]] for n in names}


def _move_into_place(staging: Path, out: Path, clean: bool = False) -> None:
    if out.exists() and (clean or not any(out.iterdir())):
        old = out.with_name(f".{out.name}.replaced-{os.getpid()}")
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
        return
    if not out.exists():
        os.replace(staging, out)
        return
    for src in sorted(p for p in staging.rglob("*") if p.is_file()):
        dest = out / src.relative_to(staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)


__all__ = ["TARGETS", "Target", "export", "resolve_targets"]
