"""What a data folder says about itself: a Frictionless ``datapackage.json`` or the workbench's ``manifest.json``.

``read_data_package(data_dir)`` returns the declared ``name``, ``title`` and extraction time
(``snapshot_at``, else Frictionless ``created``), or an empty ``DataPackage`` when the folder declares nothing.
Steps use the extraction time as the default "now" of freshness checks, designs their name.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

PACKAGE_FILES = ("datapackage.json", "manifest.json")


class DataPackage(BaseModel):
    """The declared metadata of a data folder (every field None when it declares nothing)."""

    file: str | None = None
    name: str | None = None
    title: str | None = None
    extracted_at: str | None = None


def _text(meta: dict, key: str) -> str | None:
    v = meta.get(key)
    return v.strip() if isinstance(v, str) and v.strip() else None


def _instant(v: str | None) -> str | None:
    try:
        return datetime.fromisoformat(v).isoformat() if v else None
    except ValueError:
        return None


def read_data_package(data_dir: str | Path | None) -> DataPackage:
    """The first readable package file of ``data_dir`` (unreadable or malformed ones are skipped)."""
    for file in PACKAGE_FILES if data_dir else ():
        path = Path(data_dir) / file
        try:
            meta = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict):
            return DataPackage(file=file, name=_text(meta, "name"), title=_text(meta, "title"),
                               extracted_at=_instant(_text(meta, "snapshot_at") or _text(meta, "created")))
    return DataPackage()
