"""Numeric inputs that would divide by zero or overflow are refused with the field named (issue 18, group 4)."""

from __future__ import annotations

import math

import pytest

import workbench as wb
from workbench.architecture.sizing import SizingDefaults


def _wl(**kw) -> wb.Workload:
    return wb.Workload(**{"peak_events_per_sec": 5000, "avg_event_bytes": 500, "latency_slo_seconds": 60, **kw})


@pytest.mark.parametrize("field", ["producer_mb_per_sec_per_partition", "consumer_mb_per_sec_per_partition"])
@pytest.mark.parametrize("value", [0.0, -1.0, math.inf, math.nan])
def test_a_partition_rate_that_is_not_positive_and_finite_names_the_field(field, value):
    with pytest.raises(wb.WorkloadError, match=f"SizingDefaults.{field} must be a positive"):
        wb.size_kafka(_wl(), SizingDefaults(**{field: value}))


def test_a_consumer_rate_too_small_for_the_peak_says_so_instead_of_overflowing():
    with pytest.raises(wb.WorkloadError, match="is too small for a peak of 5000 events/s"):
        wb.size_kafka(_wl(consumer_events_per_sec=1e-320))
    assert wb.size_kafka(_wl(consumer_events_per_sec=10)).consumers == math.ceil(5000 / (10 * 0.7))
