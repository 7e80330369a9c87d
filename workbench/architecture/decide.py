"""The architecture decision: the design guide's tree, its decision matrix as reasons, pattern and ETL/ELT.

Default tree: latency SLO < 60 s? yes → peak > 10,000 events/s? yes → Kafka + Flink/Spark streaming,
no → Kafka-only streaming; no → complex analytics? yes → batch on Spark, no → simple batch on Airflow.
"""

from __future__ import annotations

from html import escape
from typing import Literal

from pydantic import BaseModel

from workbench.architecture.format import fmt_bytes, fmt_rate, fmt_seconds
from workbench.architecture.workload import TB, Workload
from workbench.orchestrators import Orchestrator, OrchestratorField

Architecture = Literal["batch", "micro-batch", "streaming", "hybrid"]
Preference = Literal["decide", "batch", "streaming", "hybrid"]

LATENCY_THRESHOLD_SECONDS = 60.0
VOLUME_THRESHOLD_EVENTS_PER_SEC = 10_000.0
#: what each orchestrator is good at, for the recommendation's reasons
ORCHESTRATORS: dict[Orchestrator, str] = {
    Orchestrator.AIRFLOW: "general-purpose scheduling",
    Orchestrator.DAGSTER: "software-defined assets",
    Orchestrator.PREFECT: "dynamic, cloud-native flows",
    Orchestrator.DBT_CLOUD: "SQL-centric ELT",
}


class Factor(BaseModel):
    """One row of the decision matrix: what the workload says and which architecture it favours."""

    factor: str
    value: str
    favours: Literal["batch", "streaming", "hybrid", "either"]
    detail: str


class Recommendation(BaseModel):
    """The architecture with the path through the tree, matrix reasons, pattern, stack and warnings."""

    architecture: Architecture
    pattern: str
    stack: list[str]
    reasons: list[str]
    tree_path: list[str]
    tree_architecture: Architecture
    factors: list[Factor]
    processing: Literal["ETL", "ELT"]
    processing_reason: str
    orchestrator: OrchestratorField
    confirm_first: list[str]
    notes: list[str] = []

    def summary(self) -> str:
        lines = [f"Recommendation: {self.architecture} — {self.pattern}; {self.processing}; "
                 f"stack: {', '.join(self.stack)}",
                 "Decision tree: " + " → ".join(self.tree_path),
                 "Reasons:", *[f"  - {r}" for r in self.reasons]]
        if self.confirm_first:
            lines += ["Confirm first:", *[f"  ! {w}" for w in self.confirm_first]]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(r)}</li>" for r in self.reasons)
        warn = "".join(f"<li>{escape(w)}</li>" for w in self.confirm_first)
        notes = "".join(f"<p>{escape(n)}</p>" for n in self.notes)
        return (f"<div class='wb-recommendation'><h4>Recommendation: <b>{escape(self.architecture)}</b> — "
                f"{escape(self.pattern)}; {self.processing}; {escape(', '.join(self.stack))}</h4>"
                f"<p>Decision tree: {escape(' → '.join(self.tree_path))}</p><ul>{items}</ul>"
                + (f"<p><b>Confirm first</b></p><ul class='wb-confirm-first'>{warn}</ul>" if warn else "")
                + notes + "</div>")


def _tree(wl: Workload) -> tuple[Architecture, list[str], list[str]]:
    """Walk the default decision tree: (architecture, path taken, stack)."""
    slo, peak = wl.latency_slo_seconds, wl.peak_events_per_sec
    if slo < LATENCY_THRESHOLD_SECONDS:
        path = [f"latency SLO {fmt_seconds(slo)} < 1 min: yes"]
        if peak > VOLUME_THRESHOLD_EVENTS_PER_SEC:
            return "streaming", [*path, f"peak {fmt_rate(peak)} > 10,000/s: yes",
                                 "Kafka + Flink/Spark streaming"], ["Kafka", "Flink (or Spark Structured Streaming)"]
        return "streaming", [*path, f"peak {fmt_rate(peak)} > 10,000/s: no", "Kafka only"], \
            ["Kafka", "Kafka consumers (or Kafka Streams)"]
    path = [f"latency SLO {fmt_seconds(slo)} < 1 min: no"]
    if wl.complexity == "complex":
        return "batch", [*path, "complex analytics: yes", "batch on Spark"], ["Spark"]
    return "batch", [*path, f"complex analytics: no ({wl.complexity})", "simple batch (Airflow)"], []


def decision_factors(wl: Workload) -> list[Factor]:
    """The decision-matrix factors (latency, volume, complexity, cost sensitivity, replay) for ``wl``."""
    slo = wl.latency_slo_seconds
    latency = ("streaming" if slo < LATENCY_THRESHOLD_SECONDS else "batch" if slo >= 3_600 else "hybrid")
    volume = "streaming" if wl.peak_events_per_sec > VOLUME_THRESHOLD_EVENTS_PER_SEC else "batch"
    complexity = {"simple": "streaming", "joins": "hybrid", "complex": "batch"}[wl.complexity]
    cost = {"high": "batch", "medium": "hybrid", "low": "streaming"}[wl.cost_sensitivity]
    return [
        Factor(factor="latency requirement", value=fmt_seconds(slo), favours=latency,
               detail={"streaming": "seconds/minutes need a continuously running pipeline",
                       "batch": "hours/days are met by scheduled runs",
                       "hybrid": "minutes: frequent micro-batches or a speed layer"}[latency]),
        Factor(factor="data volume", value=f"{fmt_rate(wl.peak_events_per_sec)} peak, {fmt_bytes(wl.bytes_per_day)}/day",
               favours=volume, detail="continuous high-rate arrival" if volume == "streaming"
               else "bounded volumes a scheduled run processes in one pass"),
        Factor(factor="processing complexity", value=wl.complexity, favours=complexity,
               detail={"simple": "simple transforms stream well", "joins": "joins and aggregations work in both",
                       "complex": "complex joins/analytics favour batch"}[wl.complexity]),
        Factor(factor="cost sensitivity", value=wl.cost_sensitivity, favours=cost,
               detail={"batch": "batch runs only when scheduled (optimise resources)",
                       "streaming": "always-on streaming is acceptable", "hybrid": "balanced"}[cost]),
        Factor(factor="replay requirement", value="required" if wl.replay_required else "not required",
               favours="batch" if wl.replay_required else "either",
               detail="replay is easy in batch; in streaming it needs a retained, replayable log (Kappa)"
               if wl.replay_required else "no replay constraint"),
    ]


def confirm_first(wl: Workload) -> list[str]:
    """The design guide's 'confirm first' questions this workload raises."""
    out = []
    if wl.bytes_per_day > TB:
        out.append(f"{fmt_bytes(wl.bytes_per_day)}/day is over 1 TB/day: confirm volumes, storage and cost.")
    if wl.latency_slo_seconds < LATENCY_THRESHOLD_SECONDS:
        out.append(f"latency requirement {fmt_seconds(wl.latency_slo_seconds)} is under 1 minute: confirm consumers "
                   "really need it (streaming is always on and harder to replay).")
    if 30 <= wl.latency_slo_seconds <= 300 or 5_000 <= wl.peak_events_per_sec <= 20_000:
        out.append("batch vs streaming is not obvious here (near the 1-minute or 10,000 events/s thresholds): "
                   "compare the simulations before choosing.")
    if wl.pii:
        out.append("the data holds PII: confirm the handling strategy (masking, retention, access) before moving it.")
    if wl.cross_region:
        out.append("data crosses regions: confirm transfer cost, residency rules and latency.")
    return out


def recommend(wl: Workload, *, preference: Preference = "decide",
              orchestrator: Orchestrator | str = Orchestrator.AIRFLOW) -> Recommendation:
    """Recommend an architecture for ``wl`` by the design guide's tree, explaining itself.

    ``preference`` is the user's answer to the design question (batch / streaming / hybrid / decide);
    a choice that differs from the tree is kept and the disagreement is reported. ``orchestrator`` is an
    :class:`Orchestrator` or either of its spellings (``"dbt_cloud"``, ``"dbt Cloud"``).
    """
    tool = Orchestrator.parse(orchestrator)
    tree_arch, path, stack = _tree(wl)
    factors = decision_factors(wl)
    notes: list[str] = []
    arch: Architecture = tree_arch
    if tree_arch == "streaming" and wl.legacy_batch_layer:
        arch = "hybrid"
        notes.append("an existing batch layer must stay, so streaming runs beside it (Lambda).")
    if preference != "decide" and preference != arch:
        notes.append(f"you chose {preference}; the decision tree gives {arch} ({path[-1]}).")
        arch = preference
    elt = wl.destination in ("warehouse", "lake")
    processing = "ELT" if elt else "ETL"
    processing_reason = ("load then transform in SQL where the compute is (a warehouse or lake), with dbt" if elt else
                         "transform before loading: the destination database has limited compute (Airflow + Python)")
    if arch in ("streaming", "hybrid"):
        pattern = "Lambda (batch + speed layer)" if wl.legacy_batch_layer else "Kappa (one replayable log)"
        if arch == "hybrid" and not wl.legacy_batch_layer:
            pattern = "Kappa + batch serving layer (hybrid)"
        if not stack:
            stack = ["Kafka", "Kafka consumers (or Kafka Streams)"]
    else:
        pattern = "Medallion (bronze → silver → gold)" if wl.destination == "lake" else "scheduled ELT layers (staging → marts)"
        if processing == "ETL":
            pattern = "scheduled ETL"
    if arch in ("batch", "hybrid", "micro-batch"):
        stack = [*stack, tool.label]
        if elt and tool is not Orchestrator.DBT_CLOUD:
            stack.append("dbt")
        if arch == "micro-batch" and "Spark" not in stack:
            stack.insert(0, "Spark Structured Streaming")
    if arch == "batch" and wl.latency_slo_seconds < 900:
        notes.append(f"an SLO of {fmt_seconds(wl.latency_slo_seconds)} needs runs every few minutes: consider "
                     "micro-batch (see compare()).")
    favour = {f.favours for f in factors} - {"either"}
    reasons = [f"{f.factor}: {f.value} → favours {f.favours} ({f.detail})" for f in factors]
    if len(favour) > 1:
        reasons.append("the factors disagree, so the decision tree's answer is the default; compare() shows the cost "
                       "of each alternative.")
    reasons.append(f"orchestrator {tool.label}: {ORCHESTRATORS[tool]}.")
    return Recommendation(architecture=arch, pattern=pattern, stack=stack, reasons=reasons, tree_path=path,
                          tree_architecture=tree_arch, factors=factors, processing=processing,
                          processing_reason=processing_reason, orchestrator=tool,
                          confirm_first=confirm_first(wl), notes=notes)
