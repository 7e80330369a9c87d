"""Split a stream into the files a file-source stream job reads as micro-batches (one file per trigger)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from workbench.errors import StreamingError
from workbench.workspace import Workspace, quote_ident


def split_stream(ws: Workspace, events: str, folder: str | os.PathLike, *, batch_events: int = 500,
                 arrival: str | None = None) -> list[Path]:
    """Write ``events`` in arrival order (``arrival``, else row order) as JSON-lines files of ``batch_events``
    rows, ``part-00000.json`` ..., their modification times increasing (Spark's file source reads the oldest
    first, one per trigger with ``maxFilesPerTrigger=1``): the lab's micro-batches, as files. Refuses a
    folder that already holds files."""
    ws.require_table(events)
    out = Path(folder)
    if out.exists() and any(out.iterdir()):
        raise StreamingError(f"{out} is not empty: the stream job would read its files as events.",
                             hint="Pick a new folder for the stream's files.")
    out.mkdir(parents=True, exist_ok=True)
    order = quote_ident(arrival) if arrival else "rowid"
    n = ws.con.execute(f"SELECT count(*) FROM {quote_ident(events)}").fetchall()[0][0]
    ws.con.execute(f"CREATE OR REPLACE TEMP TABLE __split AS SELECT *, (row_number() OVER (ORDER BY {order}) - 1) "
                   f"// {int(batch_events)} AS __part FROM {quote_ident(events)}")
    paths, start = [], time.time() - (n // batch_events + 2)
    try:
        for part in range((n + batch_events - 1) // batch_events):
            path = out / f"part-{part:05d}.json"
            ws.con.execute(f"COPY (SELECT * EXCLUDE (__part) FROM __split WHERE __part = {part} ORDER BY {order}) "
                           f"TO '{path.as_posix()}' (FORMAT json)")
            os.utime(path, (start + part, start + part))
            paths.append(path)
    finally:
        ws.con.execute("DROP TABLE IF EXISTS __split")
    return paths
