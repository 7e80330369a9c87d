"""Schema changes classified under Confluent's BACKWARD / FORWARD / FULL rules; the planted change found."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.cdc import infer_event_schemas, schema_compatibility, table_schema

BASE = {"properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "note": {"type": ["string", "null"]}},
        "required": ["id", "name"]}

#: (new JSON Schema properties/required, expected change kind, backward, forward)
CASES = [
    ({"email": {"type": ["string", "null"]}}, [], "optional_field_added", True, True),
    ({"email": {"type": "string"}}, ["email"], "required_field_added", False, True),
    ({"email": {"type": "string", "default": ""}}, ["email"], "optional_field_added", True, True),
]


@pytest.mark.parametrize(("extra", "required", "kind", "backward", "forward"), CASES)
def test_added_fields(extra, required, kind, backward, forward):
    new = {"properties": {**BASE["properties"], **extra}, "required": BASE["required"] + required}
    c = schema_compatibility(BASE, new)
    assert [(x.kind, x.field) for x in c.changes] == [(kind, "email")]
    assert (c.backward, c.forward, c.full) == (backward, forward, backward and forward)


@pytest.mark.parametrize(("old", "new", "kind", "level"), [
    ({"a": "INTEGER", "b": "VARCHAR"}, {"a": "INTEGER"}, "optional_field_removed", "FULL"),
    ({"a": "INTEGER"}, {"a": "BIGINT"}, "type_widened", "BACKWARD"),
    ({"a": "DOUBLE"}, {"a": "FLOAT"}, "type_narrowed", "FORWARD"),
    ({"a": "INTEGER"}, {"a": "DOUBLE"}, "type_widened", "BACKWARD"),
    ({"a": "DECIMAL(10,2)"}, {"a": "DECIMAL(12,2)"}, "type_widened", "BACKWARD"),
    ({"a": "VARCHAR"}, {"a": "INTEGER"}, "type_changed", "NONE"),
    ({"customer_name": "VARCHAR", "x": "INTEGER"}, {"customer_full_name": "VARCHAR", "x": "INTEGER"}, "renamed", "NONE"),
])
def test_table_schema_changes(old, new, kind, level):
    c = schema_compatibility(old, new)
    assert [x.kind for x in c.changes] == [kind]
    assert c.level == level
    assert c.changes[0].hint


def test_removing_a_required_field_is_backward_only():
    new = {"properties": {"id": {"type": "integer"}, "note": {"type": ["string", "null"]}}, "required": ["id"]}
    c = schema_compatibility(BASE, new)
    assert [(x.kind, x.field) for x in c.changes] == [("required_field_removed", "name")]
    assert c.level == "BACKWARD" and c.upgrade_order.startswith("upgrade consumers first")


def test_explicit_renames_and_not_null_columns(empty_ws):
    empty_ws.con.execute("CREATE TABLE v1 (id BIGINT NOT NULL, qty INTEGER)")
    empty_ws.con.execute("CREATE TABLE v2 (id BIGINT NOT NULL, quantity INTEGER, sku VARCHAR NOT NULL)")
    c = schema_compatibility(table_schema(empty_ws, "v1"), table_schema(empty_ws, "v2"), renames={"qty": "quantity"})
    assert sorted((x.kind, x.field) for x in c.changes) == [("renamed", "qty"), ("required_field_added", "sku")]
    assert not c.backward and not c.forward


def test_the_planted_channel_field_is_found_and_classified(ews, manifest):
    versions = infer_event_schemas(ews, "order_events", key="order_id")
    assert len(versions) == 2
    v1, v2 = versions
    assert v2.from_ts_ms == manifest["schema_change_from_ts_ms"]
    assert "channel" not in v1.row_schema.fields and not v2.row_schema.fields["channel"].required
    assert v1.events + v2.events == ews.con.execute("SELECT count(*) FROM order_events WHERE after IS NOT NULL"
                                                    ).fetchone()[0]
    c = wb.schema_compatibility(v1.row_schema, v2.row_schema)
    assert [(x.kind, x.field, x.new) for x in c.changes] == [("optional_field_added", "channel", "VARCHAR")]
    assert (c.backward, c.forward, c.full) == (True, True, True)
    # the same verdict from the event JSON Schemas (draft-07) of both versions
    js = wb.schema_compatibility(v1.row_schema.to_json_schema(), v2.row_schema.to_json_schema())
    assert [(x.kind, x.field) for x in js.changes] == [("optional_field_added", "channel")] and js.full
