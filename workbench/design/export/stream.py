"""The stream job of a design whose streaming lab chose windows: a PySpark Structured Streaming job
(``stream/stream_job.py``, plain Python, no import of ``workbench``) and its ``stream/config.json``."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from workbench.design.export.base import Output

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign

#: what the job needs where it runs (its own venv or cluster image)
REQUIREMENTS = ["pyspark>=4.0,<5", "duckdb>=1.1", "pyarrow>=15"]


def stream_config(d: PipelineDesign) -> dict[str, Any]:
    """The job's settings: the design's stream job plus the Kafka topic its events arrive on."""
    job = d.streaming.job
    topic = next((t.name for t in d.streaming.topics if t.source_table == job.events), None)
    return {**job.model_dump(mode="json", exclude={"evidence"}), "topic": topic}


def write(design: PipelineDesign, out: Output) -> None:
    folder = resources.files("workbench.design") / "templates" / "stream"
    out.text("stream/stream_job.py", (folder / "stream_job.py.j2").read_text(encoding="utf-8"))
    out.json("stream/config.json", stream_config(design))
    out.text("stream/requirements.txt", "\n".join(REQUIREMENTS) + "\n")
