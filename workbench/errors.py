"""The WorkbenchError family: every error a user can hit names what was wrong and how to fix it.

Each error carries a short ``hint`` (what to do next) that is appended to the message, so a
notebook traceback ends with the fix rather than with library internals.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to ``name`` (case-insensitive), best first."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[h] for h in hits]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A 'Did you mean ...?' sentence, or '' when nothing is close."""
    hits = nearest(name, candidates)
    return f"Did you mean {', '.join(repr(h) for h in hits)}?" if hits else ""


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} {hint}".strip())


# --- workspace and input ---------------------------------------------------------------
class DataSourceError(WorkbenchError):
    """A file or DataFrame could not be loaded (missing, empty, unsupported, garbled)."""


class WorkspaceLockedError(WorkbenchError):
    """A workspace file is held open for writing by another process (DuckDB allows one writer)."""


class TableExistsError(WorkbenchError):
    """A table name is already taken in the workspace."""


class TableNotFoundError(WorkbenchError):
    """A table named by the user is not in the workspace."""


class ColumnNotFoundError(WorkbenchError):
    """A column named by the user is not in its table."""


# --- steps ---------------------------------------------------------------------------
class ProfileError(WorkbenchError):
    """Profiling could not run on the given table or column."""


class WorkloadError(WorkbenchError):
    """A workload or simulation input is impossible (negative rates, missing columns...)."""


class TransformError(WorkbenchError):
    """A transform project (models, sources, seeds, Jinja, SQL, DAG) is invalid."""


class ExpectationError(WorkbenchError):
    """An expectation or suite is invalid (unknown type, bad kwargs, bad regex...)."""


class QualityGateError(WorkbenchError):
    """A strict quality gate failed: the pipeline must stop. ``failures`` lists what failed."""

    def __init__(self, message: str, *, failures: list | None = None, hint: str = "") -> None:
        self.failures = list(failures or [])
        super().__init__(message, hint=hint)


class ChangeEventError(WorkbenchError):
    """Change events could not be read or applied."""


class StreamingError(WorkbenchError):
    """A streaming replay cannot run as asked (window, watermark, output mode, event-time column)."""


class DesignError(WorkbenchError):
    """A pipeline design is invalid or contradicts itself."""


class ExportError(WorkbenchError):
    """An export target could not be written (folder not empty, path escapes the folder...)."""


class ReportError(WorkbenchError):
    """A report notebook failed; the message names the notebook and cell."""
