"""Test-harness helpers shared by the suites that start real servers or run exported pipelines."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

import workbench as wb


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (servers a test starts listen on loopback only)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_tool(message: str, what: str) -> None:
    """Skip when a Debian tool is absent locally; fail under CI, whose ``.ci/run`` installs it."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} and CI must run {what}.")
    pytest.skip(message + ".")


def warehouse_checksums(home: Path) -> dict[str, str]:
    """Order-independent checksum of every table in an exported pipeline's warehouse (its check history aside)."""
    ws = wb.Workspace(home / "warehouse.duckdb")
    try:
        return {t: wb.table_checksum(ws, t) for t in ws.tables() if t != "_pipeline_checks"}
    finally:
        ws.close()
