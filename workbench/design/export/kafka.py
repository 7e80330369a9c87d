"""Kafka topics and consumer groups: ``kafka/topics.yaml`` and an idempotent ``kafka/kafka-topics.sh``."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from workbench.design.export.base import Output, render

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign, Topic


def topic_config(t: Topic) -> dict[str, str]:
    """Broker-side topic configuration (``retention.ms`` -1 = infinite for compacted state topics)."""
    retention = -1 if t.retention_hours is None else int(t.retention_hours * 3600 * 1000)
    cfg = {"cleanup.policy": t.cleanup_policy, "retention.ms": str(retention)}
    if t.replication_factor >= 3:
        cfg["min.insync.replicas"] = str(t.replication_factor - 1)
    return cfg


def topics_document(d: PipelineDesign) -> dict:
    return {
        "topics": [
            {"name": t.name, "partitions": t.partitions, "replication_factor": t.replication_factor,
             "key": t.key, "source_table": t.source_table, "config": topic_config(t)}
            for t in d.streaming.topics
        ],
        "consumer_groups": [g.model_dump() for g in d.streaming.consumer_groups],
    }


def script(d: PipelineDesign) -> str:
    """A bash script creating every topic with ``--if-not-exists`` (safe to re-run)."""
    commands = []
    for t in d.streaming.topics:
        args = ["--create", "--if-not-exists", "--topic", t.name, "--partitions", str(t.partitions),
                "--replication-factor", str(t.replication_factor)]
        for k, v in topic_config(t).items():
            args += ["--config", f"{k}={v}"]
        commands.append(" ".join(shlex.quote(a) for a in args))
    return render("kafka_topics.sh.j2", design=d, commands=commands, groups=d.streaming.consumer_groups)


def write(design: PipelineDesign, out: Output) -> None:
    out.yaml("kafka/topics.yaml", topics_document(design))
    p = out.text("kafka/kafka-topics.sh", script(design))
    p.chmod(0o755)
