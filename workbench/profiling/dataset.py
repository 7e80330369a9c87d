"""``profile_dataset(ws)``: every table's profile plus the foreign keys between them and their orphan alerts."""

from __future__ import annotations

from datetime import datetime

from workbench.profiling.alerts import orphan_alert
from workbench.profiling.keys import foreign_keys
from workbench.profiling.models import DatasetProfile
from workbench.profiling.profile import profile
from workbench.workspace import Workspace


def profile_dataset(ws: Workspace, tables: list[str] | None = None, *,
                    reference_time: datetime | str | None = None) -> DatasetProfile:
    """Profile ``tables`` (default: all) and find foreign keys by value inclusion (``keys.py``).

    An orphan foreign key (child values missing from the parent) becomes an alert on the child table.
    """
    names = list(tables) if tables else ws.tables()
    for t in names:
        ws.require_table(t)
    profiles = {t: profile(ws, t, reference_time=reference_time) for t in names}
    search = foreign_keys(ws, profiles)
    for fk in search.keys:
        if fk.orphan_count:
            profiles[fk.from_table].alerts.append(orphan_alert(fk))
    alerts = [a for p in profiles.values() for a in p.alerts]
    return DatasetProfile(profiles=profiles, foreign_keys=search.keys, alerts=alerts, fk_candidates=search.candidates,
                          fk_probe_queries=search.probe_queries, fk_verify_queries=search.verify_queries)
