"""Backfill a day-partitioned table: plan, run partition by partition (each atomic), verify, playbook.

:func:`plan_backfill` picks the partitions of a date range, counts the rows the source query yields
for each (one scan) and estimates the duration from a measured throughput (it times the largest
partition's query). :func:`run_backfill` backs the range up, then per partition — in one transaction
— deletes the partition, inserts the source rows, checks the count and the quality checks, and rolls
the partition back if a check fails. :func:`backfill_playbook` writes the runbook in Markdown
(reason, scope, pre-checks, Airflow 3 steps, verification, rollback) for the design export.
"""

from __future__ import annotations

import html
import time
import uuid
from datetime import date, timedelta
from typing import Literal

import duckdb
from pydantic import BaseModel, Field

from workbench.cdc.apply import STATE_SCHEMA
from workbench.errors import WorkbenchError
from workbench.workspace import Workspace, quote_ident

BackfillReason = Literal["schema_change", "bug_fix", "logic_change", "new_source"]


class ReasonProfile(BaseModel):
    label: str
    strategy: str
    scope: Literal["full", "window", "incremental"]
    typical_time: str
    risk: str


#: the design guide's backfill table: reason -> strategy, scope, typical time and risk
REASONS: dict[str, ReasonProfile] = {
    "schema_change": ReasonProfile(label="schema change only", strategy="reprocess all", scope="full",
                                   typical_time="hours", risk="low"),
    "bug_fix": ReasonProfile(label="recent bug fix", strategy="reprocess the affected window", scope="window",
                             typical_time="minutes to hours", risk="low"),
    "logic_change": ReasonProfile(label="logic change", strategy="full historical reprocess", scope="full",
                                  typical_time="hours to days", risk="medium"),
    "new_source": ReasonProfile(label="new source added", strategy="incremental from the start", scope="incremental",
                                typical_time="days", risk="low"),
}


class PartitionPlan(BaseModel):
    partition: date
    current_rows: int
    estimated_rows: int


class BackfillPlan(BaseModel):
    """What a backfill will touch and roughly how long it takes."""

    target: str
    source_sql: str
    partition_column: str
    start: date
    end: date
    reason: BackfillReason
    dag_id: str
    partitions: list[PartitionPlan]
    estimated_rows: int
    throughput_rows_per_s: float = Field(description="measured on the largest partition's source query")
    estimated_seconds: float
    history_start: date | None = None
    history_end: date | None = None
    warnings: list[str] = Field(default_factory=list)

    @property
    def profile(self) -> ReasonProfile:
        return REASONS[self.reason]

    def summary(self) -> str:
        lines = [
            f"backfill {self.target} {self.start} .. {self.end} ({self.profile.label}: {self.profile.strategy}, "
            f"risk {self.profile.risk})",
            f"  {len(self.partitions)} partitions, ~{self.estimated_rows:,} rows, "
            f"~{self.estimated_seconds:.2f} s at {self.throughput_rows_per_s:,.0f} rows/s",
        ]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"


class PartitionResult(BaseModel):
    partition: date
    rows_before: int
    rows_after: int
    expected_rows: int
    seconds: float
    failed_checks: dict[str, int] = Field(default_factory=dict)
    status: Literal["replaced", "rolled_back", "skipped"]


class BackfillRun(BaseModel):
    """The outcome of :func:`run_backfill`: per-partition results and where the backup is."""

    plan: BackfillPlan
    partitions: list[PartitionResult]
    ok: bool
    rows_written: int
    seconds: float
    backup_table: str | None = Field(description="name of the backup table in the _wb_cdc schema")

    @property
    def throughput_rows_per_s(self) -> float:
        return self.rows_written / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        done = sum(p.status == "replaced" for p in self.partitions)
        lines = [f"backfill {self.plan.target}: {'OK' if self.ok else 'FAILED'} — {done}/{len(self.plan.partitions)} "
                 f"partitions replaced, {self.rows_written:,} rows in {self.seconds:.2f} s"]
        for p in self.partitions:
            if p.status != "replaced":
                lines.append(f"  {p.partition}: {p.status} {p.failed_checks}")
        if self.backup_table:
            lines.append(f"  backup: {STATE_SCHEMA}.{self.backup_table}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _as_date(d: date | str) -> date:
    return d if isinstance(d, date) else date.fromisoformat(str(d))


def plan_backfill(ws: Workspace, target: str, source_sql: str, partition_column: str, start: date | str,
                  end: date | str, reason: BackfillReason, *, dag_id: str | None = None,
                  throughput_rows_per_s: float | None = None) -> BackfillPlan:
    """Plan a backfill of ``target``'s daily partitions ``start``..``end`` from ``source_sql`` (a SELECT).

    ``source_sql`` must yield the target's columns (by name), ``partition_column`` included.
    """
    if reason not in REASONS:
        raise WorkbenchError(f"Unknown backfill reason {reason!r}.", hint=f"Choose one of {', '.join(REASONS)}.")
    ws.require_column(target, partition_column)
    start, end = _as_date(start), _as_date(end)
    if end < start:
        raise WorkbenchError(f"Backfill range ends ({end}) before it starts ({start}).", hint="Swap start and end.")
    src_cols = _source_columns(ws, source_sql)
    missing = [c for c in ws.columns(target) if c not in src_cols]
    if missing or partition_column not in src_cols:
        raise WorkbenchError(
            f"The backfill source query does not yield target {target!r}'s column(s) {missing or [partition_column]}.",
            hint=f"Select every target column by name: {', '.join(ws.columns(target))}.",
        )
    p = quote_ident(partition_column)
    src = _source(source_sql)
    est = dict(ws.con.execute(
        f"SELECT CAST({p} AS DATE), count(*) FROM {src} WHERE CAST({p} AS DATE) BETWEEN ? AND ? GROUP BY ALL",
        [start, end]).fetchall())
    cur = dict(ws.con.execute(
        f"SELECT CAST({p} AS DATE), count(*) FROM {quote_ident(target)} WHERE CAST({p} AS DATE) BETWEEN ? AND ? "
        "GROUP BY ALL", [start, end]).fetchall())
    hist = ws.con.execute(f"SELECT min(CAST({p} AS DATE)), max(CAST({p} AS DATE)) FROM {src}").fetchone()
    parts = [PartitionPlan(partition=d, current_rows=cur.get(d, 0), estimated_rows=est.get(d, 0))
             for d in _days(start, end)]
    total = sum(x.estimated_rows for x in parts)
    if throughput_rows_per_s is None:
        throughput_rows_per_s = _measure(ws, src, p, max(parts, key=lambda x: x.estimated_rows))
    warnings = []
    profile = REASONS[reason]
    if profile.scope == "full" and hist[0] is not None and (start > hist[0] or end < hist[1]):
        warnings.append(f"a {profile.label} usually needs a {profile.strategy}; the range covers {start}..{end} "
                        f"but the source holds {hist[0]}..{hist[1]}")
    empty = [x.partition for x in parts if x.estimated_rows == 0]
    if empty:
        warnings.append(f"{len(empty)} partition(s) would be emptied (the source has no rows for them): "
                        + ", ".join(str(d) for d in empty[:5]))
    return BackfillPlan(
        target=target, source_sql=source_sql, partition_column=partition_column, start=start, end=end, reason=reason,
        dag_id=dag_id or target, partitions=parts, estimated_rows=total,
        throughput_rows_per_s=throughput_rows_per_s, estimated_seconds=total / throughput_rows_per_s,
        history_start=hist[0], history_end=hist[1], warnings=warnings,
    )


def _source(source_sql: str) -> str:
    return f"({source_sql.strip().rstrip(';')}) AS __wb_backfill_source"


def _source_columns(ws: Workspace, source_sql: str) -> list[str]:
    try:
        return list(ws.con.sql(f"SELECT * FROM {_source(source_sql)} LIMIT 0").columns)
    except duckdb.Error as exc:
        raise WorkbenchError(f"The backfill source query fails: {str(exc).splitlines()[0]}",
                             hint="Run it on its own in ws.query(...) and fix it first.") from exc


def _measure(ws: Workspace, src: str, p: str, part: PartitionPlan) -> float:
    """Rows per second of the source query on one partition, materialised into a temp table."""
    tmp = quote_ident(f"__wb_measure_{uuid.uuid4().hex[:12]}")
    t0 = time.perf_counter()
    ws.con.execute(f"CREATE TEMP TABLE {tmp} AS SELECT * FROM {src} WHERE CAST({p} AS DATE) = ?", [part.partition])
    seconds = time.perf_counter() - t0
    ws.con.execute(f"DROP TABLE {tmp}")
    return max(part.estimated_rows, 1) / max(seconds, 1e-6)


def run_backfill(ws: Workspace, plan: BackfillPlan, *, checks: dict[str, str] | None = None,
                 backup: bool = True) -> BackfillRun:
    """Replace each planned partition in its own transaction; stop at the first partition that fails a check.

    ``checks`` maps a name to a SQL condition that marks a *bad* row (e.g. ``{"negative_revenue":
    "revenue < 0"}``); a partition passes when its row count equals the source's and no row is bad.
    """
    t, p, src = quote_ident(plan.target), quote_ident(plan.partition_column), _source(plan.source_sql)
    con = ws.con
    backup_table = None
    if backup:
        backup_table = f"{plan.target}__backup_{uuid.uuid4().hex[:8]}"
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(STATE_SCHEMA)}")
        con.execute(f"CREATE TABLE {_backup_ref(backup_table)} AS SELECT * FROM {t} "
                    f"WHERE CAST({p} AS DATE) BETWEEN ? AND ?", [plan.start, plan.end])
    results: list[PartitionResult] = []
    started = time.perf_counter()
    ok = True
    for part in plan.partitions:
        d = part.partition
        if not ok:
            results.append(PartitionResult(partition=d, rows_before=part.current_rows, rows_after=part.current_rows,
                                           expected_rows=part.estimated_rows, seconds=0.0, status="skipped"))
            continue
        t0 = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        try:
            before = con.execute(f"DELETE FROM {t} WHERE CAST({p} AS DATE) = ?", [d]).fetchone()[0]
            con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM {src} WHERE CAST({p} AS DATE) = ?", [d])
            expected = con.execute(f"SELECT count(*) FROM {src} WHERE CAST({p} AS DATE) = ?", [d]).fetchone()[0]
            after = con.execute(f"SELECT count(*) FROM {t} WHERE CAST({p} AS DATE) = ?", [d]).fetchone()[0]
            failed = {} if after == expected else {"row_count_matches_source": abs(after - expected)}
            for name, bad in (checks or {}).items():
                n = con.execute(f"SELECT count(*) FROM {t} WHERE CAST({p} AS DATE) = ? AND ({bad})", [d]).fetchone()[0]
                if n:
                    failed[name] = int(n)
            if failed:
                con.execute("ROLLBACK")
                ok = False
                status, after = "rolled_back", before
            else:
                con.execute("COMMIT")
                status = "replaced"
        except Exception:
            con.execute("ROLLBACK")
            raise
        results.append(PartitionResult(partition=d, rows_before=before, rows_after=after, expected_rows=expected,
                                       seconds=time.perf_counter() - t0, failed_checks=failed, status=status))
    written = sum(r.rows_after for r in results if r.status == "replaced")
    return BackfillRun(plan=plan, partitions=results, ok=ok, rows_written=written,
                       seconds=time.perf_counter() - started, backup_table=backup_table)


def _backup_ref(name: str) -> str:
    return f"{quote_ident(STATE_SCHEMA)}.{quote_ident(name)}"


def rollback_backfill(ws: Workspace, run: BackfillRun) -> int:
    """Restore the backfilled range from the run's backup, atomically; returns the rows restored."""
    if not run.backup_table:
        raise WorkbenchError("This backfill ran without a backup; there is nothing to restore from.",
                             hint="Run with backup=True, or restore from the warehouse's own backup.")
    plan = run.plan
    t, p = quote_ident(plan.target), quote_ident(plan.partition_column)
    ws.con.execute("BEGIN TRANSACTION")
    try:
        ws.con.execute(f"DELETE FROM {t} WHERE CAST({p} AS DATE) BETWEEN ? AND ?", [plan.start, plan.end])
        n = ws.con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM {_backup_ref(run.backup_table)}").fetchone()[0]
        ws.con.execute("COMMIT")
    except Exception:
        ws.con.execute("ROLLBACK")
        raise
    return int(n)


def backfill_playbook(plan: BackfillPlan, run: BackfillRun | None = None) -> str:
    """The backfill runbook in Markdown: reason, scope, pre-checks, steps, verification, rollback, post-checks."""
    prof = plan.profile
    reprocess = "completed" if prof.scope != "incremental" else "none"
    minutes = plan.estimated_seconds / 60
    lines = [
        f"# Backfill playbook: `{plan.target}`",
        "",
        "## Reason",
        f"{prof.label.capitalize()} — strategy: **{prof.strategy}** (typical time {prof.typical_time}, "
        f"risk {prof.risk}).",
        "",
        "## Scope",
        "| | |",
        "|---|---|",
        f"| table | `{plan.target}` partitioned by day on `{plan.partition_column}` |",
        f"| start | {plan.start} |",
        f"| end | {plan.end} |",
        f"| partitions | {len(plan.partitions)} |",
        f"| estimated rows | {plan.estimated_rows:,} |",
        f"| estimated duration | {plan.estimated_seconds:,.1f} s ({minutes:,.1f} min) at "
        f"{plan.throughput_rows_per_s:,.0f} rows/s (measured) |",
    ]
    if plan.history_start:
        lines.append(f"| source history | {plan.history_start} .. {plan.history_end} |")
    lines += [f"\n> Warning: {w}" for w in plan.warnings]
    lines += [
        "",
        "## Pre-checks",
        f"- [ ] Production DAG `{plan.dag_id}` paused",
        f"- [ ] Downstream consumers of `{plan.target}` notified of the window {plan.start} .. {plan.end}",
        f"- [ ] Target backed up: `CREATE TABLE {plan.target}__backup AS SELECT * FROM {plan.target} "
        f"WHERE {plan.partition_column} BETWEEN '{plan.start}' AND '{plan.end}'`",
        "- [ ] Alerts adjusted (volume and freshness alerts expect the backfill's load)",
        "",
        "## Steps",
        f"1. Pause the pipeline: `airflow dags pause {plan.dag_id}`",
        f"2. Clear the target partitions {plan.start} .. {plan.end} (each run replaces its own day atomically: "
        "DELETE the partition and INSERT it in one transaction)",
        "3. Run the backfill (Airflow 3):",
        "   ```bash",
        f"   airflow backfill create --dag-id {plan.dag_id} --from-date {plan.start} --to-date {plan.end} "
        f"--reprocess-behavior {reprocess} --max-active-runs 1",
        "   ```",
        "   (add `--dry-run` first to list the runs it will create)",
        "4. Verify counts per partition against the source (see Verification)",
        "5. Run the quality checks on the backfilled partitions",
        f"6. Resume: `airflow dags unpause {plan.dag_id}`",
        "",
        "## Verification",
        f"- Row count per partition equals the source's count for that day (expected total {plan.estimated_rows:,})",
        "- Quality checks pass on every backfilled partition; checksums of untouched partitions unchanged",
    ]
    if run is not None:
        lines += ["", "| partition | rows before | rows after | expected | status |", "|---|---|---|---|---|"]
        lines += [f"| {r.partition} | {r.rows_before:,} | {r.rows_after:,} | {r.expected_rows:,} | {r.status} |"
                  for r in run.partitions]
        lines.append(f"\nResult: **{'OK' if run.ok else 'FAILED'}** — {run.rows_written:,} rows in {run.seconds:.2f} s.")
    backup = f"`{STATE_SCHEMA}.{run.backup_table}`" if run is not None and run.backup_table else "the backup taken in the pre-checks"
    lines += [
        "",
        "## Rollback",
        f"- Restore the range from {backup}: delete {plan.start} .. {plan.end} from `{plan.target}` and re-insert "
        "the backup in one transaction",
        "- Resume from the checkpoint: partitions already replaced and verified stay; re-run the backfill from the "
        "first failed partition",
        f"- Unpause `{plan.dag_id}` only after the restore is verified",
        "",
        "## Post-checks",
        "- [ ] Quality verified on the backfilled range",
        "- [ ] Downstream consumers notified that the window is final",
        "- [ ] Runbook updated with the measured duration and anything that surprised us",
        "",
    ]
    return "\n".join(lines)
