"""A throwaway PostgreSQL cluster: real ``initdb`` / ``pg_ctl`` on 127.0.0.1, a free port, trust auth.

The cluster lives in a temporary folder (under ``runuser -u postgres`` when the tests run as root, since
initdb refuses root), listens on loopback only with its socket in that folder, and is stopped
(``pg_ctl stop -m fast``) and deleted at the end of the session. Without the binaries the tests skip, or
fail under CI (``.ci/run`` installs ``postgresql``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import free_port, missing_tool

#: Debian's PostgreSQL binaries (not on PATH); newer majors and PATH are the fallbacks
DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "postgres"
START_TIMEOUT = 60


def _tool(name: str) -> str | None:
    candidates = [DEBIAN_BIN, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / name).is_file():
            return str(folder / name)
    return shutil.which(name)


def postgres_tools_or_skip() -> dict[str, str]:
    """``initdb``, ``pg_ctl`` and ``createdb``; skip when absent, fail under CI."""
    tools = {name: _tool(name) for name in ("initdb", "pg_ctl", "createdb")}
    missing = sorted(name for name, path in tools.items() if path is None)
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if not missing and as_root and shutil.which("runuser") is None:
        missing = ["runuser (util-linux), to run initdb as the postgres user"]
    if not missing and as_root:
        try:
            import pwd

            pwd.getpwnam(SUPERUSER)
        except KeyError:
            missing = [f"the {SUPERUSER!r} system user (initdb refuses root)"]
    if not missing:
        return tools
    message = f"PostgreSQL is not installed (missing {', '.join(missing)}; apt-get install postgresql)"
    missing_tool(message, "the PostgreSQL tests")


@dataclass
class Postgres:
    """A running cluster: its port, its tools and its log."""

    port: int
    tools: dict[str, str]
    log: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def createdb(self, name: str) -> str:
        """Create the database ``name``; returns its URL."""
        subprocess.run([self.tools["createdb"], "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name],
                       check=True, capture_output=True, text=True, timeout=60)
        return self.url(name)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster for the session (one per xdist worker)."""
    tools = postgres_tools_or_skip()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", SUPERUSER, "--"] if as_root else []
    root = Path(tempfile.mkdtemp(prefix="wb-pg-"))
    if as_root:
        shutil.chown(root, user=SUPERUSER)
    data, log, port = root / "data", root / "postgres.log", free_port()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=START_TIMEOUT)

    try:
        done = run(tools["initdb"], "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync",
                   "--no-instructions")
        assert done.returncode == 0, f"initdb failed: {done.stdout}{done.stderr}"
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -k {root} -c fsync=off"
        done = run(tools["pg_ctl"], "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT), "-o", options,
                   "start")
        assert done.returncode == 0, f"pg_ctl start failed: {done.stdout}{done.stderr}\n" + (
            log.read_text() if log.exists() else "")
        try:
            yield Postgres(port=port, tools=tools, log=log)
        finally:
            run(tools["pg_ctl"], "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
