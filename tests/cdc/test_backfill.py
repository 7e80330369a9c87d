"""Backfill: plan from real counts, replace partitions atomically, stop and roll back on a failed check."""

from __future__ import annotations

from datetime import date

import pytest

import workbench as wb
from workbench.cdc import REASONS, backfill_playbook, plan_backfill, rollback_backfill, run_backfill
from workbench.errors import WorkbenchError

#: the daily table as first built: counts every exported row, so re-exported duplicates count twice (the bug)
BUGGY = ("SELECT CAST(created_at AS DATE) AS order_date, store_id, count(*) AS orders, "
         "sum(total_amount) AS revenue FROM orders GROUP BY ALL")
#: the fix: one row per order_id
FIXED = ("SELECT CAST(created_at AS DATE) AS order_date, store_id, count(*) AS orders, "
         "sum(total_amount) AS revenue FROM (SELECT DISTINCT * FROM orders) GROUP BY ALL")


@pytest.fixture
def daily(ws):
    ws.con.execute(f"CREATE TABLE daily_orders AS {BUGGY}")
    return ws


def test_plan_counts_partitions_and_rows_in_duckdb(daily):
    plan = plan_backfill(daily, "daily_orders", FIXED, "order_date", "2026-10-10", "2026-10-16", "bug_fix",
                         throughput_rows_per_s=100.0)
    assert [p.partition for p in plan.partitions] == [date(2026, 10, d) for d in range(10, 17)]
    expected = daily.con.execute(f"SELECT count(*) FROM ({FIXED}) WHERE order_date BETWEEN '2026-10-10' AND "
                                 "'2026-10-16'").fetchone()[0]
    assert plan.estimated_rows == expected == sum(p.estimated_rows for p in plan.partitions)
    assert plan.estimated_seconds == pytest.approx(expected / 100.0)
    assert plan.history_start == date(2026, 10, 1)
    measured = plan_backfill(daily, "daily_orders", FIXED, "order_date", "2026-10-10", "2026-10-16", "bug_fix")
    assert measured.throughput_rows_per_s > 0


def test_full_reprocess_reasons_warn_about_a_partial_range(daily):
    plan = plan_backfill(daily, "daily_orders", FIXED, "order_date", "2026-10-10", "2026-10-16", "logic_change",
                         throughput_rows_per_s=1e6)
    assert any("full historical reprocess" in w for w in plan.warnings)
    assert REASONS["logic_change"].risk == "medium"


def test_run_replaces_only_the_planned_partitions(daily):
    outside = "SELECT * FROM daily_orders WHERE order_date NOT BETWEEN '2026-10-10' AND '2026-10-16'"
    daily.con.execute(f"CREATE TABLE outside_before AS {outside}")
    plan = plan_backfill(daily, "daily_orders", FIXED, "order_date", "2026-10-10", "2026-10-16", "bug_fix",
                         throughput_rows_per_s=1e6)
    run = run_backfill(daily, plan, checks={"no_orders": "orders <= 0"})
    assert run.ok and all(p.status == "replaced" for p in run.partitions)
    assert all(p.rows_after == p.expected_rows for p in run.partitions)
    fixed_window = daily.con.execute(
        f"SELECT sum(orders) FROM ({FIXED}) WHERE order_date BETWEEN '2026-10-10' AND '2026-10-16'").fetchone()[0]
    assert daily.con.execute("SELECT sum(orders) FROM daily_orders WHERE order_date BETWEEN '2026-10-10' AND "
                             "'2026-10-16'").fetchone()[0] == fixed_window
    daily.con.execute(f"CREATE TABLE outside_after AS {outside}")
    assert wb.table_checksum(daily, "outside_before") == wb.table_checksum(daily, "outside_after")
    again = run_backfill(daily, plan, backup=False)  # a backfill is itself re-runnable
    assert again.ok and again.rows_written == run.rows_written


def test_a_failed_check_rolls_back_that_partition_and_stops(daily):
    before = wb.table_checksum(daily, "daily_orders")
    plan = plan_backfill(daily, "daily_orders", FIXED, "order_date", "2026-10-01", "2026-10-31", "bug_fix",
                         throughput_rows_per_s=1e6)
    low_day = daily.con.execute(
        f"SELECT min(order_date) FROM ({FIXED}) WHERE revenue < 100").fetchone()[0]
    run = run_backfill(daily, plan, checks={"low_revenue": "revenue < 100"})
    assert not run.ok
    statuses = {p.partition: p.status for p in run.partitions}
    assert statuses[low_day] == "rolled_back"
    assert all(s == "replaced" for d, s in statuses.items() if d < low_day)
    assert all(s == "skipped" for d, s in statuses.items() if d > low_day)
    restored = rollback_backfill(daily, run)
    assert restored == sum(p.current_rows for p in plan.partitions)
    assert wb.table_checksum(daily, "daily_orders") == before


def test_playbook_has_every_section_and_the_airflow_3_command(daily):
    plan = plan_backfill(daily, "daily_orders", FIXED, "order_date", "2026-10-10", "2026-10-16", "bug_fix",
                         dag_id="orders_daily", throughput_rows_per_s=1e6)
    run = run_backfill(daily, plan)
    md = backfill_playbook(plan, run)
    for heading in ("## Reason", "## Scope", "## Pre-checks", "## Steps", "## Verification", "## Rollback",
                    "## Post-checks"):
        assert heading in md
    assert ("airflow backfill create --dag-id orders_daily --from-date 2026-10-10 --to-date 2026-10-16 "
            "--reprocess-behavior completed") in md
    assert "Recent bug fix" in md and f"| estimated rows | {plan.estimated_rows:,} |" in md
    assert "| 2026-10-10 |" in md and run.backup_table in md


def test_bad_backfill_inputs_say_what_to_fix(daily):
    with pytest.raises(WorkbenchError, match="Unknown backfill reason"):
        plan_backfill(daily, "daily_orders", FIXED, "order_date", "2026-10-10", "2026-10-16", "oops")
    with pytest.raises(WorkbenchError, match="ends"):
        plan_backfill(daily, "daily_orders", FIXED, "order_date", "2026-10-16", "2026-10-10", "bug_fix")
    with pytest.raises(WorkbenchError, match="does not yield"):
        plan_backfill(daily, "daily_orders", "SELECT 1 AS order_date", "order_date", "2026-10-10", "2026-10-16",
                      "bug_fix")
