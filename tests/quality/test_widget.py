"""The expectation builder widget drives the core: add from pickers and the kwargs form, run with a gate."""

from __future__ import annotations

from workbench.ui.quality import expectation_builder


def test_builder_adds_and_runs_an_expectation(ws):
    b = expectation_builder(ws, table="orders")
    assert "total_amount" in b.column.options
    b.type.value = "expect_column_values_to_be_between"
    assert {"min_value", "max_value", "mostly"} <= set(b.fields)
    b.column.value = "total_amount"
    b.fields["min_value"].value = "0"
    b.add_button.click()
    assert len(b.suite) == 1 and b.suite.expectations[0].kwargs.min_value == 0
    b.run_button.click()
    r = b.result.results[0]
    assert r.unexpected_count == 8 and "FAILED" in b.results_view.value


def test_builder_shows_bad_kwargs_without_adding(ws):
    b = expectation_builder(ws, table="orders")
    b.type.value = "expect_column_values_to_be_in_set"
    b.column.value = "status"
    b.fields["value_set"].value = "paid"  # a string, not a list
    b.add_button.click()
    assert len(b.suite) == 0 and "expect_column_values_to_be_in_set" in b.message.value


def test_builder_strict_gate_shows_the_failures(ws):
    b = expectation_builder(ws, table="orders")
    b.type.value = "expect_column_values_to_not_be_null"
    b.column.value = "customer_id"
    b.add_button.click()
    b.gate.value = "strict"
    b.run_button.click()
    assert "Quality gate failed" in b.message.value and b.result is not None and not b.result.success
    b.gate.value = "sample"
    b.fraction.value = 0.5
    b.run_button.click()
    assert b.result.sampled and "50% sample" in b.results_view.value
