"""Fixtures for the CDC tests: the sample change stream as dicts and a small synthetic stream factory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_events() -> list[dict]:
    """The committed sample change stream, parsed line by line (arrival order)."""
    path = ROOT / "sample_data" / "order_events.ndjson"
    return [json.loads(line) for line in path.read_text().splitlines()]


def synthetic_stream(n_keys: int = 12, n_events: int = 120, seed: int = 0) -> list[dict]:
    """A clean Debezium stream in log order: creates, updates, deletes and re-creates over ``n_keys`` ids."""
    import random

    rnd = random.Random(seed)
    rows: dict[int, dict] = {}
    out = []
    for lsn in range(n_events):
        k = rnd.randrange(n_keys)
        ts = 1_790_000_000_000 + lsn * 700  # two changes can share a second: the lsn keeps them apart
        if k not in rows:
            op, before, after = "c", None, {"id": k, "v": rnd.randrange(100), "name": f"n{k}"}
        elif rnd.random() < 0.2:
            op, before, after = "d", rows[k], None
        else:
            op, before, after = "u", rows[k], dict(rows[k], v=rnd.randrange(100))
        if op == "d":
            rows.pop(k)
        else:
            rows[k] = after
        out.append({"event_id": f"e{lsn}", "seq": lsn, "op": op, "ts_ms": ts,
                    "source": {"name": "db", "table": "things", "ts_ms": ts, "lsn": 1000 + lsn},
                    "before": before, "after": after})
    return out


@pytest.fixture(scope="session")
def make_stream():
    """The :func:`synthetic_stream` factory."""
    return synthetic_stream


@pytest.fixture
def ews(sample_dir):
    """A fresh in-memory workspace holding only the sample change stream ``order_events`` (fast)."""
    from workbench.workspace import Workspace

    workspace = Workspace()
    workspace.load(sample_dir / "order_events.ndjson")
    yield workspace
    workspace.close()


@pytest.fixture
def empty_ws():
    from workbench.workspace import Workspace

    workspace = Workspace()
    yield workspace
    workspace.close()
