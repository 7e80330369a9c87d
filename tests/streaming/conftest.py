"""The streaming lab against real Spark: the exported job, its Spark venv, a warm Spark session."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import workbench as wb

SPARK_REQUIREMENTS = ["pyspark>=4.0,<5", "duckdb>=1.1", "pyarrow>=15"]


@pytest.fixture(scope="session")
def spark_python() -> Path:
    from peers import peer_python

    return peer_python("spark", SPARK_REQUIREMENTS)


class SparkRunner:
    """One SparkSession (``spark_server.py``) running the exported job's query over folders of files."""

    def __init__(self, python: Path, stream_dir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        self.proc = subprocess.Popen([str(python), str(Path(__file__).with_name("spark_server.py")), str(stream_dir)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=env)

    def run(self, cfg: dict, input_dir: Path, warehouse: Path, checkpoint: Path) -> None:
        self.proc.stdin.write(json.dumps({"cfg": cfg, "input_dir": str(input_dir), "warehouse": str(warehouse),
                                          "checkpoint": str(checkpoint)}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline() or '{"ok": false, "error": "spark_server died"}')
        assert answer["ok"], answer["error"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=120)


@pytest.fixture(scope="session")
def exported_job(tmp_path_factory, sample_dir) -> Path:
    """The stream job of the sample's streaming design, exported as a user would (lab -> design -> export)."""
    ws = wb.open_workspace(None, sample_dir)
    lab = wb.replay_windows(ws, "order_events", event_time="ts_ms", keys=["op"], arrival="seq", batch_events=200)
    design = wb.PipelineDesign()
    wb.record_streaming(design, lab)
    out = tmp_path_factory.mktemp("stream_export")
    design.export(out, targets=["stream"])
    ws.close()
    return out / "stream"


@pytest.fixture(scope="module")  # one JVM per module that needs it, stopped when that module is done
def spark(spark_python, exported_job):
    runner = SparkRunner(spark_python, exported_job)
    yield runner
    runner.close()
