"""Calibrate the simulation with the real stream job: run the exported Spark job over a stream split into files
and measure its processing rate, the consumer rate a ``Workload`` of the streaming design can use."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel, Field

from workbench.errors import StreamingError
from workbench.streaming.files import split_stream
from workbench.workspace import Workspace, quote_ident

#: what ``spark.master`` the measurement runs on, and so the cores the rate is divided by
MASTER_CORES = 2


class StreamRate(BaseModel):
    """The exported job's measured processing rate on this machine."""

    events: int
    batches: int
    seconds: float = Field(description="the job's whole run")
    jvm_seconds: float = Field(description="starting and stopping a SparkSession alone, measured before")
    cores: int = MASTER_CORES
    events_per_second: float = Field(description="events / (seconds - jvm_seconds)")
    events_per_second_per_core: float = Field(description="the consumer rate of one core: Workload("
                                                          "consumer_events_per_sec=...)")

    def summary(self) -> str:
        return (f"{self.events:,} events in {self.batches} batches: {self.seconds:.1f} s ({self.jvm_seconds:.1f} s "
                f"JVM start), {self.events_per_second:,.0f} events/s, {self.events_per_second_per_core:,.0f} per core")


def measure_stream_job(ws: Workspace, events: str, artifacts: str | os.PathLike, *, python: str | os.PathLike,
                       batch_events: int = 500, arrival: str | None = None, timeout: float = 1800) -> StreamRate:
    """Run ``artifacts/stream/stream_job.py`` with ``python`` (a venv with pyspark, duckdb, pyarrow) over
    ``events`` split into files of ``batch_events``, in a scratch copy of the artifacts, and time it."""
    job = Path(artifacts) / "stream" / "stream_job.py"
    if not job.is_file():
        raise StreamingError(f"No stream job at {job}.", hint="Export a streaming design first (targets=['stream']).")
    with tempfile.TemporaryDirectory(prefix="wb-stream-rate-") as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(Path(artifacts) / "stream", home / "stream")
        files = split_stream(ws, events, Path(tmp) / "files", batch_events=batch_events, arrival=arrival)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env.update(PIPELINE_HOME=str(home), STREAM_INPUT_DIR=str(Path(tmp) / "files"), SPARK_LOG_LEVEL="ERROR",
                   PYSPARK_SUBMIT_ARGS=f"--master local[{MASTER_CORES}] pyspark-shell")
        t0 = time.perf_counter()
        warm = subprocess.run([str(python), "-c", "from pyspark.sql import SparkSession; "
                               "SparkSession.builder.getOrCreate().stop()"], env=env, capture_output=True, text=True,
                              timeout=timeout)
        jvm = time.perf_counter() - t0
        if warm.returncode:
            raise StreamingError(f"{python} cannot start Spark: {warm.stderr.strip().splitlines()[-1:]}",
                                 hint="Point python= at a venv with pyspark>=4 (and Java 17 on the PATH).")
        t0 = time.perf_counter()
        done = subprocess.run([str(python), "stream/stream_job.py"], cwd=home, env=env, capture_output=True,
                              text=True, timeout=timeout)
        seconds = time.perf_counter() - t0
        if done.returncode:
            raise StreamingError(f"The stream job failed: {done.stderr.strip()[-1500:]}")
    n = ws.con.execute(f"SELECT count(*) FROM {quote_ident(events)}").fetchall()[0][0]
    rate = n / max(seconds - jvm, 1e-9)
    return StreamRate(events=n, batches=len(files), seconds=seconds, jvm_seconds=jvm, events_per_second=rate,
                      events_per_second_per_core=rate / MASTER_CORES)
