"""SCHEMA_TO_STREAM_HANDOFF seeds a design; bad handoffs name the missing key."""

from __future__ import annotations

import pytest

from workbench.design import design_from_schema_handoff
from workbench.errors import DesignError

HANDOFF = """
SCHEMA_TO_STREAM_HANDOFF:
  source_models:
    - {table: orders, schema: public, columns: [id, customer_id, total, created_at, updated_at],
       primary_key: id, update_column: updated_at}
  destination_requirements:
    - {model: fct_orders, grain: order_id, dimensions: [customer, product, time], measures: [revenue, quantity]}
  data_volume: {daily_rows: 100000, retention: "3 years"}
"""


def test_handoff_seeds_sources_models_sinks_and_volume(tmp_path):
    path = tmp_path / "handoff.yaml"
    path.write_text(HANDOFF)
    d = design_from_schema_handoff(path, name="orders_pipeline")
    [src] = d.sources
    assert (src.name, src.schema_name, src.primary_key, src.update_column) == ("orders", "public", ["id"], "updated_at")
    assert [c.name for c in src.columns] == ["id", "customer_id", "total", "created_at", "updated_at"]
    assert src.daily_rows == 100_000 and d.data_retention == "3 years"
    assert d.architecture.workload.avg_events_per_sec == pytest.approx(100_000 / 86_400)
    assert [(m.name, m.layer) for m in d.transforms.models] == [("stg_orders", "staging"), ("fct_orders", "marts")]
    assert d.transforms.model("fct_orders").depends_on == ["stg_orders"]
    [sink] = d.sinks
    assert (sink.table, sink.write_mode, sink.key) == ("fct_orders", "merge", ["order_id"])
    assert d.cdc.method == "timestamp"
    assert design_from_schema_handoff(HANDOFF) == design_from_schema_handoff(path)  # text works too


@pytest.mark.parametrize("text, message", [
    ("data_volume: {daily_rows: 1}", "source_models must be a non-empty list"),
    ("source_models: [{schema: public}]", r"source_models\[0\].table is missing"),
    ("source_models: [{table: t}]\ndestination_requirements: [{grain: id}]", r"destination_requirements\[0\].model"),
    ("- just\n- a list", "must be a mapping"),
])
def test_bad_handoffs_name_the_key(text, message):
    with pytest.raises(DesignError, match=message):
        design_from_schema_handoff(text + "\n")
