"""Every profile figure on the sample data equals the exact SQL that defines it."""

from __future__ import annotations

import math

import pytest

from workbench.workspace import quote_ident

TABLES = ["customers", "order_items", "orders", "payments", "stores", "order_events"]


def sql1(ws, sql, params=None):
    return ws.con.execute(sql, params or []).fetchone()


def close(a, b, rel=1e-9):
    return a is None and b is None or math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-9)


@pytest.mark.parametrize("table", TABLES)
def test_counts_match_sql(sample_ws, dataset, table):
    p = dataset.profiles[table]
    t = quote_ident(table)
    assert p.row_count == sql1(sample_ws, f"SELECT count(*) FROM {t}")[0]
    for name, c in p.columns.items():
        q = quote_ident(name)
        nn = sql1(sample_ws, f"SELECT count({q}) FROM {t}")[0]
        assert (c.count, c.null_count) == (nn, p.row_count - nn), name
        if c.kind != "nested":
            assert c.distinct_count == sql1(sample_ws, f"SELECT count(DISTINCT {q}) FROM {t}")[0], name
            assert not c.distinct_approximate


@pytest.mark.parametrize("table", TABLES)
def test_numeric_stats_match_sql(sample_ws, dataset, table):
    t = quote_ident(table)
    for name, c in dataset.profiles[table].columns.items():
        if c.kind != "numeric":
            continue
        q = quote_ident(name)
        mn, mx, avg, sd, q1, q2, q3, z, neg = sql1(
            sample_ws,
            f"SELECT min({q}), max({q}), avg({q}), stddev_samp({q}), quantile_cont({q}, 0.25), "
            f"quantile_cont({q}, 0.5), quantile_cont({q}, 0.75), count_if({q} = 0), count_if({q} < 0) FROM {t}",
        )
        assert (c.min, c.max) == (mn, mx)
        assert close(c.mean, avg) and close(c.std, sd)
        assert close(c.quantiles[0.25], q1) and close(c.quantiles[0.5], q2) and close(c.quantiles[0.75], q3)
        assert (c.zero_count, c.negative_count) == (z, neg)


@pytest.mark.parametrize("table", TABLES)
def test_top_values_and_lengths_match_sql(sample_ws, dataset, table):
    t = quote_ident(table)
    for name, c in dataset.profiles[table].columns.items():
        q = quote_ident(name)
        if c.kind == "string":
            lmin, lmax, lavg = sql1(sample_ws, f"SELECT min(length({q})), max(length({q})), avg(length({q})) FROM {t}")
            assert (c.length.min, c.length.max) == (lmin, lmax) and close(c.length.mean, lavg)
        if c.kind in ("nested",) or not c.top_values:
            continue
        rows = sample_ws.con.execute(
            f"SELECT count(*) AS n FROM {t} WHERE {q} IS NOT NULL GROUP BY {q} ORDER BY n DESC LIMIT ?",
            [len(c.top_values)]).fetchall()
        assert [k for _, k in c.top_values] == [r[0] for r in rows], name
        v, k = c.top_values[0]
        assert k == sql1(sample_ws, f"SELECT count(*) FROM {t} WHERE {q} = CAST(? AS {c.dtype})", [str(v)])[0]


def test_orders_pinned(dataset):
    o = dataset.profiles["orders"]
    assert o.row_count == 2010 and o.duplicate_row_count == 10 and o.candidate_keys == []
    assert o.columns["order_id"].duplicate_value_rows == 10
    status = o.columns["status"]
    assert status.inferred_type == "categorical" and status.distinct_count == 5
    assert sum(k for _, k in status.top_values) == 2010
    assert o.columns["created_at"].inferred_type == "timestamp"
    assert o.columns["total_amount"].inferred_type == "decimal"
    assert sum(b.count for b in o.columns["total_amount"].histogram) == 2010
    assert o.avg_row_bytes > 40


def test_candidate_keys(dataset):
    assert dataset.profiles["customers"].candidate_keys == [["customer_id"], ["email"]]
    assert dataset.profiles["order_items"].candidate_keys == [["order_item_id"]]
    assert ["payment_id"] in dataset.profiles["payments"].candidate_keys


def test_time_profile_matches_sql(sample_ws, dataset):
    c = dataset.profiles["orders"].columns["created_at"]
    tp = c.time
    lo, hi, fut = sql1(sample_ws, "SELECT min(created_at), max(created_at), "
                       "count_if(created_at > TIMESTAMP '2026-11-01 00:00:00') FROM orders")
    assert (tp.min_ts, tp.max_ts, tp.future_count) == (lo.isoformat(), hi.isoformat(), fut)
    assert tp.span_seconds == (hi - lo).total_seconds()
    assert tp.freshness_seconds == -(hi.timestamp() - 1793491200)  # 2026-11-01T00:00:00Z
    days = dict(sample_ws.con.execute("SELECT strftime(created_at, '%Y-%m-%d'), count(*) FROM orders GROUP BY 1").fetchall())
    assert tp.rows_per_day == dict(sorted(days.items()))
    hours = dict(sample_ws.con.execute("SELECT hour(created_at), count(*) FROM orders GROUP BY 1").fetchall())
    assert tp.rows_per_hour == dict(sorted(hours.items()))
    peak = sql1(sample_ws, "SELECT max(n) FROM (SELECT count(*) n FROM orders GROUP BY date_trunc('minute', created_at))")[0]
    assert tp.peak_events_per_sec == peak / 60
    assert tp.mean_events_per_sec == pytest.approx(2010 / tp.span_seconds)


def test_epoch_millis_read_as_time(dataset):
    tp = dataset.profiles["order_events"].columns["ts_ms"].time
    assert tp is not None and tp.source == "epoch_ms" and tp.min_ts.startswith("2026-10-01")


def test_foreign_keys_match_sql(sample_ws, dataset):
    found = {(f.from_table, f.from_columns[0], f.to_table, f.to_columns[0]): f for f in dataset.foreign_keys}
    assert set(found) == {
        ("order_items", "order_id", "orders", "order_id"),
        ("orders", "customer_id", "customers", "customer_id"),
        ("orders", "store_id", "stores", "store_id"),
        ("payments", "order_id", "orders", "order_id"),
    }
    for (child, col, parent, key), fk in found.items():
        n, orphans = sql1(sample_ws, f"SELECT count({col}), count_if({col} IS NOT NULL AND {col} NOT IN "
                          f"(SELECT {key} FROM {parent})) FROM {child}")
        assert fk.orphan_count == orphans and fk.coverage == pytest.approx((n - orphans) / n, abs=1e-6)


def alert(dataset, table, kind, column=None):
    hits = [a for a in dataset.profiles[table].alerts if a.kind == kind and a.column == column]
    assert hits, f"no {kind} alert on {table}.{column}"
    return hits[0]


def test_every_planted_defect_is_an_alert(dataset, manifest):
    d = manifest["defects"]
    assert alert(dataset, "customers", "malformed_pattern", "email").count == d["customers_malformed_email"]
    assert alert(dataset, "orders", "nulls", "customer_id").count == d["orders_null_customer_id"]
    assert alert(dataset, "orders", "orphan_foreign_key", "customer_id").count == d["orders_orphan_customer_id"]
    assert alert(dataset, "orders", "negative_amounts", "total_amount").count == d["orders_negative_total_amount"]
    assert alert(dataset, "orders", "future_timestamps", "created_at").count == d["orders_future_created_at"]
    assert alert(dataset, "orders", "duplicate_values", "order_id").count == d["orders_duplicate_order_id_rows"]
    assert alert(dataset, "orders", "duplicate_rows").count == d["orders_duplicate_order_id_rows"]
    assert alert(dataset, "payments", "negative_amounts", "amount").count == d["payments_negative_amount"]
    assert alert(dataset, "payments", "orphan_foreign_key", "order_id").count == d["payments_orphan_order_id"]
    assert alert(dataset, "order_events", "duplicate_values", "event_id").count == d["events_duplicate"]
    assert alert(dataset, "order_events", "nulls", "op").count == d["events_missing_op"]
    assert {a.kind for a in dataset.alerts} >= {"unique", "imbalanced", "skewed", "not_profiled"}


def test_clean_tables_have_no_warnings(dataset):
    assert [str(a) for a in dataset.profiles["stores"].alerts if a.severity != "info"] == []
    assert [str(a) for a in dataset.profiles["order_items"].alerts if a.severity != "info"] == []


def test_nested_columns_are_reported(dataset):
    after = dataset.profiles["order_events"].columns["after"]
    assert after.kind == "nested" and after.inferred_type == "struct" and "nested" in after.note
    assert after.null_count == 61


def test_email_type_and_patterns(dataset):
    email = dataset.profiles["customers"].columns["email"]
    assert email.inferred_type == "email" and email.inferred_share == pytest.approx(490 / 500)
    sku = dataset.profiles["order_items"].columns["product_sku"]
    assert sku.patterns[0].pattern == "AAA-9999" and sku.patterns[0].coverage == 1.0


def test_summary_and_html(dataset):
    o = dataset.profiles["orders"]
    assert "orders: 2,010 rows x 7 columns" in o.summary()
    html = dataset._repr_html_()
    assert "<table>" in html and "orphan" in html and "payments" in html
    assert "total_amount" in o.columns["total_amount"]._repr_html_()
    assert o.to_frame().shape == (7, 11)
    again = type(o).model_validate_json(o.model_dump_json())
    assert again.columns["status"].top_values == o.columns["status"].top_values
