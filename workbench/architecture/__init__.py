"""Step 2 — architecture by simulation: workload, decision, sizing, queueing, simulation and cost."""

from __future__ import annotations

from workbench.architecture.decide import Factor, Recommendation, recommend
from workbench.architecture.queueing import QueueResult, QueueTheory, queue_theory, simulate_queue
from workbench.architecture.simulate import (
    ARCHITECTURES,
    Comparison,
    SimulationResult,
    SimulationSettings,
    compare,
    simulate,
)
from workbench.architecture.sizing import KafkaSizing, KinesisSizing, SizingDefaults, size_kafka, size_kinesis
from workbench.architecture.workload import RatePoint, Workload

__all__ = [
    "ARCHITECTURES", "Comparison", "Factor", "KafkaSizing", "KinesisSizing", "QueueResult", "QueueTheory", "RatePoint",
    "Recommendation", "SimulationResult", "SimulationSettings", "SizingDefaults", "Workload", "compare",
    "queue_theory", "recommend", "simulate", "simulate_queue", "size_kafka", "size_kinesis",
]
