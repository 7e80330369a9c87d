"""The same suites on the same data in real Great Expectations 1.x (its own venv): same verdicts, same counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from peers import peer_python, run_peer

import workbench as wb

HERE = Path(__file__).resolve().parent
EMAIL = r"^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$"
GX_REQUIREMENTS = ["great_expectations>=1.3,<2", "pandas"]

#: table -> (timestamp columns GX should parse, expectations as (type, kwargs))
SUITES: dict[str, tuple[list[str], list[tuple[str, dict]]]] = {
    "orders": (["created_at", "updated_at"], [
        ("expect_table_row_count_to_be_between", {"min_value": 1000, "max_value": 3000}),
        ("expect_table_columns_to_match_set", {"column_set": ["order_id", "customer_id", "store_id", "status",
                                                              "created_at", "updated_at", "total_amount"]}),
        ("expect_table_column_count_to_equal", {"value": 7}),
        ("expect_column_values_to_not_be_null", {"column": "customer_id"}),
        ("expect_column_values_to_not_be_null", {"column": "customer_id", "mostly": 0.95}),
        ("expect_column_values_to_be_unique", {"column": "order_id"}),
        ("expect_column_values_to_be_between", {"column": "total_amount", "min_value": 0}),
        ("expect_column_values_to_be_between", {"column": "total_amount", "min_value": 0, "max_value": 500,
                                                "strict_min": True, "mostly": 0.9}),
        ("expect_column_values_to_be_between", {"column": "customer_id", "min_value": 1, "max_value": 500}),
        ("expect_column_values_to_be_between", {"column": "created_at", "max_value": "2026-11-01 00:00:00"}),
        ("expect_column_values_to_be_in_set", {"column": "status",
                                               "value_set": ["placed", "paid", "shipped", "delivered"]}),
        ("expect_column_values_to_not_be_in_set", {"column": "status", "value_set": ["cancelled"]}),
        ("expect_column_values_to_be_in_set", {"column": "store_id", "value_set": list(range(1, 13))}),
        ("expect_column_min_to_be_between", {"column": "total_amount", "min_value": 0}),
        ("expect_column_max_to_be_between", {"column": "total_amount", "max_value": 10_000}),
        ("expect_column_mean_to_be_between", {"column": "total_amount", "min_value": 100, "max_value": 200}),
        ("expect_column_median_to_be_between", {"column": "total_amount", "min_value": 0, "max_value": 50}),
        ("expect_column_stdev_to_be_between", {"column": "total_amount", "min_value": 1}),
        ("expect_column_sum_to_be_between", {"column": "total_amount", "min_value": 0}),
        ("expect_column_proportion_of_unique_values_to_be_between", {"column": "order_id", "min_value": 1.0}),
        ("expect_column_unique_value_count_to_be_between", {"column": "status", "min_value": 5, "max_value": 5}),
        ("expect_column_distinct_values_to_be_in_set", {"column": "status",
                                                        "value_set": ["placed", "paid", "shipped", "delivered"]}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["order_id", "status"]}),
        ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "updated_at", "column_B": "created_at",
                                                              "or_equal": True}),
        ("expect_column_values_to_be_of_type", {"column": "order_id", "type_": "int64"}),
    ]),
    "customers": ([], [
        ("expect_column_values_to_match_regex", {"column": "email", "regex": EMAIL}),
        ("expect_column_values_to_match_regex", {"column": "email", "regex": "@", "mostly": 0.99}),
        ("expect_column_values_to_not_match_regex", {"column": "email", "regex": r"\s"}),
        ("expect_column_value_lengths_to_be_between", {"column": "country", "min_value": 2, "max_value": 2}),
        ("expect_column_value_lengths_to_equal", {"column": "country", "value": 2}),
        ("expect_column_values_to_be_unique", {"column": "customer_id"}),
        ("expect_column_values_to_be_in_set", {"column": "segment", "value_set": ["consumer", "business"]}),
    ]),
    "payments": ([], [
        ("expect_column_values_to_be_between", {"column": "amount", "min_value": 0}),
        ("expect_column_values_to_be_unique", {"column": "order_id"}),
        ("expect_column_values_to_be_in_set", {"column": "method",
                                               "value_set": ["card", "paypal", "bank_transfer", "gift_card"]}),
        ("expect_multicolumn_sum_to_equal", {"column_list": ["payment_id", "order_id"], "sum_total": 100001}),
    ]),
}


@pytest.mark.interop
@pytest.mark.slow
def test_results_agree_with_great_expectations_1x(ws, sample_dir, tmp_path):
    py = peer_python("gx", GX_REQUIREMENTS)
    jobs, ours = [], {}
    for table, (dates, items) in SUITES.items():
        suite = wb.Suite(name=table, expectations=[{"type": t, "kwargs": k} for t, k in items])
        ours[table] = sorted(wb.validate(ws, table, suite, record_history=False).results, key=lambda r: r.position)
        jobs.append({"data": str(sample_dir / f"{table}.csv"), "dates": dates,
                     "suite": suite.to_gx_json(version="1"), "out": str(tmp_path / f"{table}.out.json")})
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    proc = run_peer(py, [str(py), str(HERE / "gx_runner.py"), str(tmp_path / "jobs.json")], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    compared = 0
    for table, (_, items) in SUITES.items():
        theirs = json.loads((tmp_path / f"{table}.out.json").read_text())["results"]
        assert len(theirs) == len(items)
        for mine, gx in zip(ours[table], theirs, strict=True):
            where = f"{table} #{mine.position} {mine.type} {mine.kwargs}"
            assert gx["exception"] is None, f"{where}: GX raised {gx['exception']}"
            assert mine.success == gx["success"], where
            if gx["unexpected_count"] is not None:
                assert mine.unexpected_count == gx["unexpected_count"], where
                assert mine.unexpected_percent == pytest.approx(gx["unexpected_percent"]), where
            if isinstance(gx["observed_value"], int | float) and not isinstance(gx["observed_value"], bool):
                assert mine.observed_value == pytest.approx(gx["observed_value"]), where
            compared += 1
    assert compared == sum(len(items) for _, items in SUITES.values())
