"""The simulation calibrated by the real job: the exported stream job's measured rate becomes the consumer rate."""

from __future__ import annotations

import pytest

import workbench as wb

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.interop]


def test_the_measured_rate_of_the_exported_job_drives_the_simulation(spark_python, exported_job, sample_dir):
    ws = wb.open_workspace(None, sample_dir)
    rate = wb.measure_stream_job(ws, "order_events", exported_job.parent, python=spark_python, batch_events=1000,
                                 arrival="seq")
    ws.close()
    assert (rate.events, rate.batches) == (6434, 7)
    assert rate.seconds > rate.jvm_seconds > 0 and rate.events_per_second_per_core == rate.events_per_second / 2
    assumed = wb.Workload(peak_events_per_sec=2000, avg_event_bytes=500, latency_slo_seconds=60)
    measured = assumed.model_copy(update={"consumer_events_per_sec": rate.events_per_second_per_core})
    sim = {w.consumer_events_per_sec: wb.simulate(w, "streaming") for w in (assumed, measured)}
    assert all(s.latency_p99 > 0 for s in sim.values())
    # a slower consumer than assumed needs more of them (or lags): the simulation tells the two apart
    if rate.events_per_second_per_core < assumed.consumer_events_per_sec:
        assert sim[rate.events_per_second_per_core].latency_p99 >= sim[1000.0].latency_p99


def test_a_python_without_spark_is_one_clear_error(exported_job, sample_dir, tmp_path):
    import sys

    ws = wb.open_workspace(None, sample_dir)
    with pytest.raises(wb.StreamingError, match="cannot start Spark"):
        wb.measure_stream_job(ws, "order_events", exported_job.parent, python=sys.executable, batch_events=5000)
    ws.close()
