"""Test-harness helpers shared by the suites that start real servers or run exported pipelines."""

from __future__ import annotations

import http.server
import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A JSON webhook on 127.0.0.1 for the test's duration: (its URL, the bodies POSTed to it so far)."""
    received: list[dict] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/alert", received
    finally:
        server.shutdown()
        server.server_close()
