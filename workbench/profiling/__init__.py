"""Step 1 — profile: statistics, inferred types, keys, relationships, time profiles and alerts, in DuckDB.

``profile(ws, table)`` -> TableProfile; ``profile_dataset(ws)`` -> DatasetProfile (with foreign keys);
``suggest_expectations(profile)`` -> a starter quality Suite.
"""

from __future__ import annotations

from workbench.profiling.dataset import profile_dataset
from workbench.profiling.focus import FocusChoice, choose_focus
from workbench.profiling.models import (
    Alert,
    ColumnProfile,
    DatasetProfile,
    ForeignKey,
    HistogramBin,
    LengthStats,
    Pattern,
    TableProfile,
    TimeProfile,
)
from workbench.profiling.profile import profile
from workbench.profiling.suggest import suggest_expectation_dicts, suggest_expectations

__all__ = [
    "Alert", "ColumnProfile", "DatasetProfile", "FocusChoice", "ForeignKey", "HistogramBin", "LengthStats", "Pattern",
    "TableProfile", "TimeProfile", "choose_focus", "profile", "profile_dataset", "suggest_expectation_dicts", "suggest_expectations",
]
