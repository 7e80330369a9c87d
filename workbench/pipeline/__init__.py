"""The orchestration floor: runs the steps in the journey's order and records each typed result into the design.

Above the steps, below the shells (``ui/``, ``report``, ``cli``, ``app``): ``record_<step>(design, result)`` turns
one step's result into its part of the ``PipelineDesign``; ``complete_design`` runs whatever step a design lacks.
"""

from __future__ import annotations

from workbench.pipeline.complete import complete_design, sink_suites, transform_suite
from workbench.pipeline.naming import DesignNames, dataset_names, name_design
from workbench.pipeline.record import (
    record_architecture,
    record_cdc,
    record_choices,
    record_profile,
    record_quality,
    record_streaming,
    record_transforms,
)
from workbench.pipeline.stream_choice import StreamChoice, choose_stream

__all__ = ["DesignNames", "dataset_names", "name_design", "complete_design", "record_architecture", "record_cdc", "record_streaming", "record_choices", "record_profile", "record_quality",
           "record_transforms", "sink_suites", "transform_suite", "StreamChoice", "choose_stream"]
