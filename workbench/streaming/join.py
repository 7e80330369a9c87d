"""Stream-table join: enrich each event with the dimension row valid at its event time (a left join), and count
the misses, as a stream job's lookup of a table would see them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from workbench.errors import StreamingError
from workbench.workspace import Workspace, quote_ident


class StreamJoin(BaseModel):
    """What enriching the stream with a dimension gives: matched events and why the others missed."""

    events: int
    matched: int
    missing_key: int = Field(description="events whose key is NULL")
    no_row: int = Field(description="events whose key the dimension never has (an orphan)")
    not_yet_valid: int = Field(description="events older than the first version of their key's row")
    stale_if_latest: int | None = Field(None, description="matched events that the dimension's latest row would "
                                                          "enrich differently (a lookup without versions)")
    table: str = Field(description="the enriched events (a table of the workspace)")
    source: str = Field(description="the events joined")
    dimension: str
    on: str
    dimension_key: str
    columns: list[str] = Field(description="the dimension's columns each event got, as dim_<column>")
    on_type: str = Field(description="the events' key type (DuckDB)")

    def summary(self) -> str:
        misses = self.events - self.matched
        out = (f"{self.matched:,} of {self.events:,} events enriched; {misses:,} missed ({self.missing_key:,} null "
               f"key, {self.no_row:,} no row, {self.not_yet_valid:,} before the row was valid)")
        if self.stale_if_latest is not None:
            out += f"; {self.stale_if_latest:,} would get another row from a latest-only lookup"
        return out


def enrich_stream(ws: Workspace, events: str, dimension: str, *, on: str | tuple[str, str], event_time: str,
                  valid_from: str | None = None, columns: list[str] | None = None,
                  target: str | None = None) -> StreamJoin:
    """Left-join ``events`` to ``dimension`` on ``on`` (a column, or (event column, dimension column)); with
    ``valid_from`` each event gets the version valid at its event time (an ASOF join), else the key's one row.
    The result lands in ``target`` (default ``<events>_enriched``); one pass in DuckDB."""
    ev_key, dim_key = (on, on) if isinstance(on, str) else on
    for table, cols in ((events, [ev_key, event_time]), (dimension, [dim_key, *([valid_from] if valid_from else []),
                                                                     *(columns or [])])):
        ws.require_table(table)
        for c in cols:
            ws.require_column(table, c)
    keep = columns or [c for c in ws.columns(dimension) if c not in (dim_key, valid_from)]
    q = quote_ident
    target = target or f"{events}_enriched"
    et = f"CAST(e.{q(event_time)} AS TIMESTAMP)" if "TIMESTAMP" in ws.schema(events)[event_time].upper() \
        or "DATE" in ws.schema(events)[event_time].upper() else f"make_timestamp(CAST(e.{q(event_time)} AS BIGINT) * 1000)"
    picked = ", ".join(f"d.{q(c)} AS {q('dim_' + c)}" for c in keep)
    if valid_from:
        vf = f"CAST(d.{q(valid_from)} AS TIMESTAMP)"
        join = (f"SELECT e.*, {et} AS __et, d.__vf AS dim_valid_from, {picked} FROM {q(events)} e ASOF LEFT JOIN "
                f"(SELECT *, {vf} AS __vf FROM {q(dimension)} AS d) d "
                f"ON e.{q(ev_key)} = d.{q(dim_key)} AND {et} >= d.__vf")
    else:
        dup = ws.con.execute(f"SELECT {q(dim_key)} FROM {q(dimension)} GROUP BY ALL HAVING count(*) > 1 LIMIT 1").fetchall()
        if dup:
            raise StreamingError(f"{dimension!r} holds several rows for {dim_key} = {dup[0][0]!r}.",
                                 hint="Pass valid_from='<column>' to pick the version valid at each event's time.")
        join = (f"SELECT e.*, {et} AS __et, {picked} FROM {q(events)} e LEFT JOIN {q(dimension)} d "
                f"ON e.{q(ev_key)} = d.{q(dim_key)}")
    ws.con.execute(f"CREATE OR REPLACE TABLE {q(target)} AS {join}")
    hit = "dim_valid_from IS NOT NULL" if valid_from else \
        f"EXISTS (SELECT 1 FROM {q(dimension)} d WHERE d.{q(dim_key)} = t.{q(ev_key)})"
    row = ws.con.execute(f"""SELECT count(*), count(*) FILTER (WHERE {hit}),
            count(*) FILTER (WHERE t.{q(ev_key)} IS NULL),
            count(*) FILTER (WHERE t.{q(ev_key)} IS NOT NULL AND NOT EXISTS
                (SELECT 1 FROM {q(dimension)} d WHERE d.{q(dim_key)} = t.{q(ev_key)}))
        FROM {q(target)} t""").fetchall()[0]
    stale = None
    if valid_from:
        latest = (f"(SELECT * FROM {q(dimension)} QUALIFY row_number() OVER (PARTITION BY {q(dim_key)} "
                  f"ORDER BY {q(valid_from)} DESC) = 1)")
        differs = " OR ".join(f"t.{q('dim_' + c)} IS DISTINCT FROM l.{q(c)}" for c in keep) or "FALSE"
        stale = ws.con.execute(f"SELECT count(*) FROM {q(target)} t JOIN {latest} l ON l.{q(dim_key)} = t.{q(ev_key)} "
                               f"WHERE t.dim_valid_from IS NOT NULL AND ({differs})").fetchall()[0][0]
    ws.con.execute(f"ALTER TABLE {q(target)} DROP COLUMN __et")
    n, matched, null_key, orphan = row
    return StreamJoin(events=n, matched=matched, missing_key=null_key, no_row=orphan,
                      not_yet_valid=n - matched - null_key - orphan, stale_if_latest=stale, table=target,
                      source=events, dimension=dimension, on=ev_key, dimension_key=dim_key, columns=keep,
                      on_type=ws.schema(events)[ev_key])
