"""Run statements against PostgreSQL from a peer venv with psycopg (the workbench's venv has no driver).

``python pg_client.py URL`` reads a JSON list of ``{"sql": ..., "params": [...]}`` (or ``{"sql": "COPY ...
FROM STDIN ...", "copy_from": PATH}``) on stdin, runs them in one transaction with the parameters bound,
and prints a JSON list: each statement's rows, or null when it returns none.
"""

from __future__ import annotations

import json
import sys

import psycopg


def main() -> None:
    statements = json.load(sys.stdin)
    results = []
    with psycopg.connect(sys.argv[1]) as con, con.cursor() as cur:
        for s in statements:
            if "copy_from" in s:
                with open(s["copy_from"], "rb") as f, cur.copy(s["sql"]) as copy:
                    while chunk := f.read(1 << 16):
                        copy.write(chunk)
                results.append(None)
                continue
            cur.execute(s["sql"], s.get("params") or [])
            results.append(cur.fetchall() if cur.description else None)
    json.dump(results, sys.stdout, default=str)


if __name__ == "__main__":
    main()
