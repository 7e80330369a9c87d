"""Step 2 widget: workload controls and the design questions, with the recommendation and comparison live.

``architecture_simulator(workload)`` returns the widget. Stable CSS classes for browser tests:
``wb-architecture-simulator`` (the whole widget), ``wb-arch-rate`` (log-scale peak-rate slider),
``wb-arch-bytes``, ``wb-arch-slo``, ``wb-arch-burst-factor``, ``wb-arch-burst-duration``,
``wb-arch-complexity``, ``wb-arch-choice``, ``wb-arch-orchestrator``, ``wb-arch-recommendation``
(the recommendation text), ``wb-arch-comparison`` (the side-by-side table) and ``wb-arch-charts``
(latency CDF and cost breakdown).
"""

from __future__ import annotations

import math
from html import escape

import ipywidgets as widgets
from IPython.display import HTML, clear_output, display

from workbench.architecture import (
    Comparison,
    Recommendation,
    SimulationSettings,
    Workload,
    charts,
    compare,
    recommend,
)
from workbench.architecture.format import fmt_seconds
from workbench.errors import WorkbenchError
from workbench.orchestrators import Orchestrator

CHOICES = [("decide from requirements", "decide"), ("batch (daily or slower)", "batch"),
           ("streaming", "streaming"), ("hybrid", "hybrid")]
ORCHESTRATORS = [o.label for o in Orchestrator]
#: smaller queue runs keep the live update under half a second
LIVE_SETTINGS = {"queue_events": 50_000}


def comparison_html(cmp: Comparison) -> str:
    """The side-by-side table as HTML (also the static fallback in reports)."""
    rows = []
    for r in cmp.results:
        mark = " ★" if r.architecture == cmp.recommended else ""
        rows.append(
            f"<tr><td>{escape(r.architecture)}{mark}</td><td>{fmt_seconds(r.latency_p50)}</td>"
            f"<td>{fmt_seconds(r.latency_p99)}</td><td>{'yes' if r.meets_slo else 'no'}</td>"
            f"<td>{r.max_lag_events:,.0f}</td><td>{fmt_seconds(r.drain_seconds)}</td>"
            f"<td>${r.monthly_cost:,.0f}</td><td>{escape('; '.join(r.messages))}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("architecture", "p50", "p99", "meets SLO", "max lag (events)", "drain",
                                             "monthly cost", "notes"))
    return f"<table class='wb-arch-comparison-table'><tr>{head}</tr>{''.join(rows)}</table>"


def static_view(recommendation: Recommendation, cmp: Comparison):
    """What a report shows instead of the live widget: the recommendation and the comparison table."""
    return HTML(f"<div class='wb-architecture-static'>{recommendation._repr_html_()}{comparison_html(cmp)}</div>")


class ArchitectureSimulator(widgets.VBox):
    """The step-2 widget; ``.workload``, ``.recommendation`` and ``.comparison`` hold the current state."""

    def __init__(self, workload: Workload, settings: SimulationSettings | None = None) -> None:
        self.base = workload
        self.settings = settings or SimulationSettings(**LIVE_SETTINGS)
        self.workload: Workload = workload
        self.recommendation: Recommendation | None = None
        self.comparison: Comparison | None = None
        style = {"description_width": "150px"}
        wide = widgets.Layout(width="520px")
        self.rate = widgets.FloatLogSlider(value=workload.peak_events_per_sec, base=10, min=-2, max=7, step=0.05,
                                           description="Peak events/s", readout_format=",.4g", style=style,
                                           layout=wide, continuous_update=False)
        self.bytes = widgets.BoundedFloatText(value=round(workload.avg_event_bytes, 1), min=1, max=1e8,
                                              description="Event bytes", style=style)
        self.slo = widgets.FloatLogSlider(value=workload.latency_slo_seconds, base=10, min=-1, max=math.log10(604_800),
                                          step=0.05, description="Latency SLO (s)", readout_format=",.4g",
                                          style=style, layout=wide, continuous_update=False)
        self.burst_factor = widgets.FloatSlider(value=workload.burst_factor, min=1, max=20, step=0.5,
                                                description="Burst × peak", style=style, layout=wide,
                                                continuous_update=False)
        self.burst_duration = widgets.FloatLogSlider(value=max(workload.burst_duration_seconds, 1), base=10, min=0,
                                                     max=4, step=0.05, description="Burst length (s)",
                                                     readout_format=",.4g", style=style, layout=wide,
                                                     continuous_update=False)
        self.complexity = widgets.ToggleButtons(options=["simple", "joins", "complex"], value=workload.complexity,
                                                description="Processing", style=style)
        self.choice = widgets.RadioButtons(options=CHOICES, value="decide", description="Architecture", style=style)
        self.orchestrator = widgets.RadioButtons(options=ORCHESTRATORS, value=Orchestrator.AIRFLOW.label, description="Orchestrator",
                                                 style=style)
        self.recommendation_html = widgets.HTML()
        self.comparison_html = widgets.HTML()
        self.charts = widgets.Output()
        self.charts.add_class("wb-arch-charts")
        for w, cls in ((self.rate, "wb-arch-rate"), (self.bytes, "wb-arch-bytes"), (self.slo, "wb-arch-slo"),
                       (self.burst_factor, "wb-arch-burst-factor"), (self.burst_duration, "wb-arch-burst-duration"),
                       (self.complexity, "wb-arch-complexity"), (self.choice, "wb-arch-choice"),
                       (self.orchestrator, "wb-arch-orchestrator"),
                       (self.recommendation_html, "wb-arch-recommendation"),
                       (self.comparison_html, "wb-arch-comparison")):
            w.add_class(cls)
            if w not in (self.recommendation_html, self.comparison_html):
                w.observe(self._changed, names="value")
        controls = widgets.VBox([widgets.HTML("<b>Workload</b>"), self.rate, self.bytes, self.slo, self.burst_factor,
                                 self.burst_duration, self.complexity])
        questions = widgets.HBox([self.choice, self.orchestrator])
        super().__init__([controls, widgets.HTML("<b>Design questions</b>"), questions, self.recommendation_html,
                          self.comparison_html, self.charts])
        self.add_class("wb-architecture-simulator")
        self.update()

    def _changed(self, _change: dict) -> None:
        self.update()

    def update(self) -> None:
        """Rebuild the workload from the controls and refresh the recommendation and comparison."""
        try:
            self.workload = self.base.model_copy(update={
                "peak_events_per_sec": self.rate.value,
                "avg_events_per_sec": min(float(self.base.avg_events_per_sec), self.rate.value),
                "avg_event_bytes": self.bytes.value, "latency_slo_seconds": self.slo.value,
                "burst_factor": self.burst_factor.value, "burst_duration_seconds": self.burst_duration.value,
                "complexity": self.complexity.value,
            })
            self.workload = Workload.model_validate(self.workload.model_dump())
            settings = self.settings.model_copy(update={"orchestrator": self.orchestrator.value})
            self.recommendation = recommend(self.workload, preference=self.choice.value,
                                            orchestrator=self.orchestrator.value)
            self.comparison = compare(self.workload, settings).model_copy(
                update={"recommended": self.recommendation.architecture})
        except WorkbenchError as exc:
            self.recommendation_html.value = f"<p class='wb-error'>{escape(str(exc))}</p>"
            self.comparison_html.value = ""
            return
        self.recommendation_html.value = self.recommendation._repr_html_()
        self.comparison_html.value = comparison_html(self.comparison)
        with self.charts:
            clear_output(wait=True)
            display(charts.latency_cdf(self.comparison), charts.cost_breakdown(self.comparison))


def architecture_simulator(workload: Workload, settings: SimulationSettings | None = None) -> ArchitectureSimulator:
    """The live step-2 widget for ``workload`` (see the module docstring for its CSS classes)."""
    return ArchitectureSimulator(workload, settings)
