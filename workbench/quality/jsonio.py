"""Writing suites and results as JSON files (a floor: imports nothing from the quality step)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from workbench.errors import ExpectationError
from workbench.files import write_atomic


def write_json(data: dict[str, Any], path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write JSON atomically (tmp + rename); refuse to replace an existing file unless ``overwrite``."""
    return write_atomic(path, json.dumps(data, indent=2, default=str) + "\n", overwrite=overwrite,
                        error=ExpectationError)
