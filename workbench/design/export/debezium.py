"""Debezium PostgreSQL connector: ``debezium/<connector>.json`` (pgoutput, include list, unwrap, JSON converters,
PII masking) and ``debezium/register.sh``, which registers it.

Credentials are secret references resolved by Kafka Connect config providers (``${file:...}``,
``${env:...}``); the design refuses literal values, and this exporter checks again before writing.
PII columns are protected at capture: ``hash`` → ``column.mask.hash.v2.SHA-256.with.salt.<salt>`` (v2 hashes the
value's text, v1 its Java serialisation), ``mask`` → ``column.mask.with.<N>.chars``, ``drop`` → ``column.exclude.list``. The salt is part of a property *name*, which
config providers do not resolve, so the JSON holds the placeholder ``${<salt env var>}`` and ``register.sh``
substitutes the environment variable when it registers the connector: the salt is never written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workbench.design.export.base import Output
from workbench.design.parts import SECRET_REF
from workbench.errors import ExportError

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign

JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter"
REGISTER = """#!/usr/bin/env bash
# Register (or update) the Debezium connector {name}; the PII salt comes from ${salt} here and is never stored.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${{KAFKA_CONNECT_URL:?set KAFKA_CONNECT_URL to the Kafka Connect REST address}}"
if grep -qF '${{{salt}}}' "$here/{name}.json"; then : "${{{salt}:?set {salt} to the PII hash salt (a secret)}}"; fi
python3 - "$here/{name}.json" <<'PY' | curl -fsS -X PUT -H 'Content-Type: application/json' --data @- \\
  "$KAFKA_CONNECT_URL/connectors/{name}/config"
import json, os, sys
placeholder = "${{{salt}}}"
config = json.load(open(sys.argv[1]))["config"]
print(json.dumps({{k.replace(placeholder, os.environ["{salt}"]) if placeholder in k else k: v for k, v in config.items()}}))
PY
"""


def include_list(d: PipelineDesign) -> list[str]:
    return d.cdc.tables or [f"{s.schema_name}.{s.name}" for s in d.sources if s.system == "postgresql"]


def pii_config(d: PipelineDesign) -> dict[str, str]:
    """The masking properties for the design's hashed, masked and dropped PII columns (``schema.table.column``)."""
    schemas = {s.name: s.schema_name for s in d.sources}
    by_property: dict[str, list[str]] = {}
    properties = {"hash": f"column.mask.hash.v2.SHA-256.with.salt.${{{d.pii.salt_env_var}}}",
                  "mask": f"column.mask.with.{d.pii.mask_chars}.chars", "drop": "column.exclude.list"}
    for f in d.pii.fields:
        if f.handling in properties:
            by_property.setdefault(properties[f.handling], []).append(
                f"{schemas.get(f.table, 'public')}.{f.table}.{f.column}")
    return {k: ",".join(v) for k, v in by_property.items()}


def connector_config(d: PipelineDesign) -> dict:
    """The connector as Kafka Connect's REST API takes it (``{"name": ..., "config": {...}}``)."""
    c = d.cdc
    tables = include_list(d)
    database = d.sources[0].database if d.sources else "postgres"
    prefix = re.escape(c.topic_prefix)
    config = {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        "plugin.name": "pgoutput",
        "database.hostname": c.hostname_secret,
        "database.port": str(c.port),
        "database.user": c.user_secret,
        "database.password": c.password_secret,
        "database.dbname": database,
        "topic.prefix": c.topic_prefix,
        "slot.name": c.slot_name,
        "publication.name": c.publication_name,
        "publication.autocreate.mode": "filtered",
        "table.include.list": ",".join(tables),
        "snapshot.mode": "initial",
        "tombstones.on.delete": "true",
        "transforms": "unwrap,route",
        "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
        "transforms.unwrap.drop.tombstones": "false",
        "transforms.unwrap.delete.handling.mode": "rewrite",
        "transforms.unwrap.add.fields": "op,source.ts_ms,source.lsn",
        # <prefix>.<schema>.<table> -> <domain>.<table>.changed, the {domain}.{entity}.{event_type} convention
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": f"{prefix}\\.[^.]+\\.([^.]+)",
        "transforms.route.replacement": f"{c.topic_prefix}.$1.changed",
        "key.converter": JSON_CONVERTER,
        "key.converter.schemas.enable": "false",
        "value.converter": JSON_CONVERTER,
        "value.converter.schemas.enable": "false",
        **pii_config(d),
    }
    for key in ("database.hostname", "database.user", "database.password"):
        if not SECRET_REF.match(config[key]):
            raise ExportError(f"Debezium {key} is not a secret reference.", hint="Use ${file:...} or ${env:...}.")
    return {"name": c.connector_name, "config": config}


def write(design: PipelineDesign, out: Output) -> None:
    name = design.cdc.connector_name
    out.json(f"debezium/{name}.json", connector_config(design))
    out.text("debezium/register.sh", REGISTER.format(name=name, salt=design.pii.salt_env_var)).chmod(0o755)
