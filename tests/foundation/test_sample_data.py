"""The sample-data generator: deterministic bytes, and planted defects counted exactly."""

from __future__ import annotations

import json

import pytest

import workbench as wb
from workbench.sample_data import DEFECT_QUERIES, SampleManifest, generate_sample_data, render_readme

FILES = ["customers.csv", "stores.csv", "orders.csv", "order_items.csv", "payments.csv", "order_events.ndjson",
         "manifest.json", "README.md"]


def test_same_seed_same_bytes(tmp_path):
    a = generate_sample_data(tmp_path / "a", seed=7)
    b = generate_sample_data(tmp_path / "b", seed=7)
    assert a == b
    for f in FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_other_seed_other_data(tmp_path):
    generate_sample_data(tmp_path / "a", seed=1)
    generate_sample_data(tmp_path / "b", seed=2)
    assert (tmp_path / "a" / "orders.csv").read_bytes() != (tmp_path / "b" / "orders.csv").read_bytes()


def test_committed_sample_is_what_the_generator_writes(tmp_path, sample_dir):
    manifest = SampleManifest.model_validate_json((sample_dir / "manifest.json").read_text())
    generate_sample_data(tmp_path, scale=manifest.scale, seed=manifest.seed)
    for f in FILES:
        assert (tmp_path / f).read_bytes() == (sample_dir / f).read_bytes(), f"{f} is stale: run workbench sample-data"


@pytest.mark.parametrize("defect", sorted(DEFECT_QUERIES))
def test_planted_defect_counts_match_sql(ws, manifest, defect):
    _, sql = DEFECT_QUERIES[defect]
    assert manifest["defects"][defect] > 0
    assert ws.con.execute(sql).fetchone()[0] == manifest["defects"][defect]


def test_row_counts_match_manifest(ws, manifest):
    for table, rows in manifest["rows"].items():
        assert ws.row_count(table) == rows


def test_readme_documents_every_defect_count(sample_dir, manifest):
    text = (sample_dir / "README.md").read_text()
    assert text == render_readme(SampleManifest.model_validate(manifest))
    for defect, count in manifest["defects"].items():
        assert f"| `{defect}` | {count:,} |" in text


def test_schema_change_is_part_way_through_the_stream(ws, manifest):
    first, last, with_channel = ws.con.execute(
        "SELECT min(ts_ms), max(ts_ms), min(ts_ms) FILTER (WHERE after.channel IS NOT NULL) FROM order_events"
    ).fetchone()
    assert first < manifest["schema_change_from_ts_ms"] == with_channel < last


def test_scales_up_with_parquet(tmp_path):
    m = generate_sample_data(tmp_path, scale=20, fmt="parquet", events=False)
    assert m.rows["orders"] == 40_000 + m.defects["orders_duplicate_order_id_rows"]
    ws = wb.Workspace()
    ws.load(tmp_path / "orders.parquet")
    assert ws.row_count("orders") == m.rows["orders"]
    assert json.loads((tmp_path / "manifest.json").read_text())["scale"] == 20
