"""At-least-once delivery (duplicates, reordering, crash + redelivery) ends where exactly-once ends."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.cdc import apply_rowwise, exactly_once, plan_delivery
from workbench.cdc.delivery import rows_to_table
from workbench.workspace import Workspace


@given(n=st.integers(0, 300), rate=st.floats(0, 1), window=st.integers(0, 40), batch=st.integers(1, 80),
       fail=st.one_of(st.none(), st.floats(0, 0.99)), seed=st.integers(0, 2**16))
def test_every_event_is_delivered_at_least_once(n, rate, window, batch, fail, seed):
    plan = plan_delivery(n, duplicate_rate=rate, reorder_window=window, batch_size=batch, failure_at=fail, seed=seed)
    delivered = [i for b in plan.batches for i in b]
    assert set(delivered) == set(range(n))
    assert plan.deliveries >= n + plan.duplicates
    assert all(len(b) <= batch for b in plan.batches)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), rate=st.sampled_from([0.0, 0.1, 0.5]), window=st.integers(0, 30),
       batch=st.integers(15, 60), fail=st.one_of(st.none(), st.floats(0, 0.95)),
       failing=st.lists(st.integers(0, 10), max_size=4))
def test_any_interleaving_gives_the_exactly_once_checksum(make_stream, seed, rate, window, batch, fail, failing):
    events = make_stream(n_keys=8, n_events=60, seed=seed)
    with Workspace() as ws:
        wb.read_change_events(ws, events, "things_events")
        r = wb.simulate_delivery(ws, "things_events", "id", target="things", duplicate_rate=rate,
                                 reorder_window=window, batch_size=batch, failure_at=fail,
                                 failure_batches=failing or None, seed=seed)
        assert r.match, r.summary()
        t = r.totals()
        assert t["events_in"] == r.plan.deliveries == t["applied"] + t["duplicates"] + t["stale"] + t["dead_lettered"]
        # and equal to one plain apply of the log, in order
        wb.apply_changes(ws, "straight", "things_events", key="id")
        assert wb.table_checksum(ws, "straight") == r.checksum


def test_the_sample_stream_survives_duplicates_reorders_and_crashes(ews):
    straight = wb.apply_changes(ews, "orders_replica", "order_events", key="order_id")
    r = wb.simulate_delivery(ews, "order_events", "order_id", target="delivered", duplicate_rate=0.1,
                             reorder_window=50, batch_size=2500, failure_at=0.5, seed=7)
    assert r.match
    assert r.checksum == wb.table_checksum(ews, "orders_replica")
    assert r.plan.crashes == len(r.plan.batches) // 2 == 3  # every batch crashed half-way and was redelivered
    assert straight.reconciles and all(a.reconciles for a in r.applies)


def test_row_by_row_reference_on_the_sample(empty_ws, sample_events):
    """The reference itself: exactly-once over the log equals the in-arrival-order row-by-row apply."""
    arrival = apply_rowwise(sample_events, "order_id", entity_type="orders")
    logged = exactly_once(sample_events, "order_id", entity_type="orders")
    assert arrival.rows == logged.rows
    assert logged.duplicates == logged.stale == 0
    assert (arrival.duplicates, arrival.dead_lettered) == (31, 12)
    empty_ws.con.execute("CREATE TABLE shape (order_id BIGINT, status VARCHAR)")
    rows_to_table(empty_ws, "ref", arrival.rows.values(), like="shape")
    assert empty_ws.row_count("ref") == 1939


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), window=st.integers(0, 30), batch=st.integers(15, 60),
       fail=st.one_of(st.none(), st.floats(0, 0.95)))
def test_without_a_log_position_ordering_by_ts_ms_is_just_as_safe(make_stream, seed, window, batch, fail):
    events = make_stream(n_keys=8, n_events=60, seed=seed)
    for e in events:
        del e["source"]["lsn"]
    spec = wb.KeySpec(time="ms")  # changes 700 ms apart: keying by the second would merge some of them
    with Workspace() as ws:
        wb.read_change_events(ws, events, "things_events")
        r = wb.simulate_delivery(ws, "things_events", "id", target="things", duplicate_rate=0.2,
                                 reorder_window=window, batch_size=batch, failure_at=fail, seed=seed, key_spec=spec)
        assert r.match and r.applies[0].position == "ts_ms"
