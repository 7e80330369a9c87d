"""The data flow of a design as nodes and edges, in five stages: sources → ingestion → processing → storage → serving.

One graph feeds both the Mermaid flowchart and the ``STREAM_TO_CANVAS_HANDOFF``, so the two never disagree.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign

Stage = Literal["sources", "ingestion", "processing", "storage", "serving"]
STAGES: tuple[Stage, ...] = ("sources", "ingestion", "processing", "storage", "serving")
#: stage -> the canvas handoff's node type
CANVAS_TYPE = {"sources": "source", "ingestion": "streaming", "processing": "processing", "storage": "sink",
               "serving": "sink"}
LAYER_LABEL = {"staging": "dbt staging", "intermediate": "dbt intermediate", "marts": "dbt marts",
               "report": "dbt reports"}


class FlowNode(BaseModel):
    id: str
    label: str
    stage: Stage
    type: str = Field(description="source | streaming | processing | sink (canvas handoff)")


class FlowEdge(BaseModel):
    source: str
    target: str
    label: str = ""


class FlowGraph(BaseModel):
    nodes: list[FlowNode]
    edges: list[FlowEdge]

    def stage(self, stage: Stage) -> list[FlowNode]:
        return [n for n in self.nodes if n.stage == stage]


def node_id(*parts: str) -> str:
    """A Mermaid-safe identifier: lower snake_case letters and digits."""
    raw = "_".join(parts)
    return re.sub(r"[^a-z0-9_]+", "_", raw.lower()).strip("_") or "node"


def build_flow(d: PipelineDesign) -> FlowGraph:
    """Nodes and edges for the design, stage by stage."""
    nodes: list[FlowNode] = []
    edges: list[FlowEdge] = []

    def add(stage: Stage, nid: str, label: str, kind: str | None = None) -> str:
        nodes.append(FlowNode(id=nid, label=label, stage=stage, type=kind or CANVAS_TYPE[stage]))
        return nid

    sources = [add("sources", node_id("src", s.name), f"{s.name} ({s.system})") for s in d.sources]
    if not sources:
        sources = [add("sources", "src_data", "source data")]

    # ingestion
    ingest: list[str] = []
    if d.cdc.method == "log":
        ingest.append(add("ingestion", "ingest_cdc", f"Debezium CDC ({d.cdc.connector_name})", "processing"))
    elif d.cdc.method in ("timestamp", "trigger"):
        label = "incremental extract (updated_at)" if d.cdc.method == "timestamp" else "trigger-based capture"
        ingest.append(add("ingestion", "ingest_extract", label, "processing"))
    else:
        ingest.append(add("ingestion", "ingest_extract", "full extract", "processing"))
    if d.streaming.topics:
        names = ", ".join(t.name for t in d.streaming.topics[:3]) + (" ..." if len(d.streaming.topics) > 3 else "")
        ingest.append(add("ingestion", "kafka_topics", f"Kafka: {names}", "streaming"))
    for s in sources:
        edges.append(FlowEdge(source=s, target=ingest[0]))
    for a, b in zip(ingest, ingest[1:], strict=False):
        edges.append(FlowEdge(source=a, target=b, label="events"))

    # processing
    processing: list[str] = []
    stream_engine = next((t for t in d.architecture.stack if t.lower() in ("flink", "spark", "spark streaming",
                                                                          "kafka streams")), None)
    if d.is_streaming and stream_engine:
        processing.append(add("processing", "stream_processor", f"{stream_engine} stream processing"))
    layers = [layer for layer in LAYER_LABEL if any(m.layer == layer for m in d.transforms.models)]
    for layer in layers:
        names = [m.name for m in d.transforms.models if m.layer == layer]
        shown = ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")
        processing.append(add("processing", node_id("dbt", layer), f"{LAYER_LABEL[layer]}: {shown}"))
    if not processing:
        processing.append(add("processing", "transform", f"{d.transforms.tool} transforms"))
    gate = f"quality gate ({d.quality.gate})"
    edges.append(FlowEdge(source=ingest[-1], target=processing[0], label=gate))
    for a, b in zip(processing, processing[1:], strict=False):
        edges.append(FlowEdge(source=a, target=b))

    # storage
    storage = [add("storage", node_id("sink", s.name), f"{s.table} ({s.system}, {s.write_mode})") for s in d.sinks]
    if not storage:
        storage = [add("storage", "sink_warehouse", "warehouse")]
    for s in storage:
        edges.append(FlowEdge(source=processing[-1], target=s, label=gate))

    # serving
    served: dict[str, str] = {}
    for sink, sid in zip(d.sinks or [None], storage, strict=False):
        for consumer in (sink.serving if sink else []) or ["BI dashboards"]:
            cid = served.get(consumer) or add("serving", node_id("serve", consumer), consumer)
            served[consumer] = cid
            edges.append(FlowEdge(source=sid, target=cid))
    return FlowGraph(nodes=nodes, edges=edges)
