"""Debezium PostgreSQL connector: ``debezium/<connector>.json`` (pgoutput, include list, unwrap, JSON converters).

Credentials are secret references resolved by Kafka Connect config providers (``${file:...}``,
``${env:...}``); the design refuses literal values, and this exporter checks again before writing.
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


def include_list(d: PipelineDesign) -> list[str]:
    return d.cdc.tables or [f"{s.schema_name}.{s.name}" for s in d.sources if s.system == "postgresql"]


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
    }
    for key in ("database.hostname", "database.user", "database.password"):
        if not SECRET_REF.match(config[key]):
            raise ExportError(f"Debezium {key} is not a secret reference.", hint="Use ${file:...} or ${env:...}.")
    return {"name": c.connector_name, "config": config}


def write(design: PipelineDesign, out: Output) -> None:
    out.json(f"debezium/{design.cdc.connector_name}.json", connector_config(design))
