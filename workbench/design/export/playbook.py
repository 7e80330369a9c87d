"""The backfill playbook: ``backfill_playbook.md`` (the CDC step's playbook when recorded, else from the design)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.design.export.base import Output, render

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign

#: the design guide's backfill table: reason -> (strategy, typical time, risk)
STRATEGIES = {
    "schema_change": ("reprocess all", "hours", "low"),
    "bug_fix": ("reprocess the affected window", "minutes to hours", "low"),
    "logic_change": ("full historical reprocess", "hours to days", "medium"),
    "new_source": ("incremental from the start", "days", "low"),
}
SCOPES = {"full": "full history", "affected_window": "affected window only", "incremental": "incremental"}


def backfill_command(d: PipelineDesign) -> str:
    """The orchestrator's backfill command for the policy's date range."""
    start = d.backfill.start.isoformat() if d.backfill.start else "YYYY-MM-DD"
    end = d.backfill.end.isoformat() if d.backfill.end else "YYYY-MM-DD"
    pid = d.orchestration.pipeline_id
    if d.orchestration.tool == "dagster":
        return f"dagster job backfill -j {pid} --from {start} --to {end}   # or launch it from the Dagster UI"
    return f"airflow backfill create --dag-id {pid} --from-date {start} --to-date {end} --reprocess-behavior completed"


def playbook(d: PipelineDesign) -> str:
    if d.backfill.playbook_markdown:
        return d.backfill.playbook_markdown
    strategy, duration, risk = STRATEGIES[d.backfill.reason]
    return render("playbook.md.j2", d=d, b=d.backfill, strategy=strategy, duration=duration, risk=risk,
                  scope=SCOPES[d.backfill.scope], command=backfill_command(d))


def write(design: PipelineDesign, out: Output) -> None:
    out.text("backfill_playbook.md", playbook(design))
