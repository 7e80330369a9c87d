"""Streaming lab widget: window, watermark delay, output mode, late-data policy and batch size, bound to
``workbench.streaming``.

``streaming_panel(ws, events, ...)`` is one call in a notebook cell. Every control re-runs the core
(``replay_windows`` with the controls' current values, ``watermark_tradeoff`` when the window or the batch
size changes) and shows what it returned; the widget computes no figure itself. In a papermill report (no
widget frontend) it shows the static result of the given settings instead.

Stable CSS classes for browser tests: ``wb-streaming-panel`` (the whole widget), ``wb-stream-window``,
``wb-stream-size``, ``wb-stream-slide``, ``wb-stream-delay``, ``wb-stream-output-mode``,
``wb-stream-late-policy``, ``wb-stream-batch`` (the controls), ``wb-stream-figures`` (the replay's figures: one
element per figure, ``wb-stream-summary``, ``wb-stream-events``, ``wb-stream-batches``, ``wb-stream-rows-emitted``,
``wb-stream-windows``, ``wb-stream-late-events``, ``wb-stream-late-rows``, ``wb-stream-delay-value``; each also
carries ``data-value`` with the raw number), ``wb-stream-error`` (the core's refusal, e.g. session windows in
update mode), ``wb-stream-rows`` (first emitted rows), ``wb-stream-late`` (the late events) and
``wb-stream-chart`` (the trade-off chart).
"""

from __future__ import annotations

from html import escape
from typing import Any

from workbench.charts import watermark_tradeoff_chart
from workbench.errors import WorkbenchError
from workbench.streaming import WindowReplay, WindowSpec, replay_windows, watermark_tradeoff
from workbench.streaming.lateness import DEFAULT_DELAYS
from workbench.ui.common import in_report
from workbench.workspace import Workspace

#: the window lengths (and slides, and session gaps) the sliders offer, seconds
DURATIONS = (60, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400)
#: slides from 5 minutes: a day-long window then puts an event in at most 288 windows (the trade-off stays quick)
SLIDES = DURATIONS[1:]
BATCH_SIZES = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
#: rows shown of the emitted rows and of the late events
HEAD = 10


def _options(values: Any, *extra: float | None) -> list[tuple[str, float]]:
    """Slider options ``(label, seconds)``, the given values included."""
    return [(f"{v:g} s", v) for v in sorted({float(v) for v in (*values, *extra) if v is not None})]


def figures_html(replay: WindowReplay) -> str:
    """The replay's figures, each in an element of its own class (read by browser tests), all from the core."""
    figures = [("events", "events", replay.events), ("batches", "batches", replay.batches),
               ("rows emitted", "rows-emitted", len(replay.rows)), ("windows", "windows", len(replay.windows)),
               ("late events", "late-events", replay.late_events),
               ("late (event, window) rows", "late-rows", replay.late_rows)]
    cells = "".join(f"<tr><th>{label}</th><td class='wb-stream-{cls}' data-value='{value}'>{value:,}</td></tr>"
                    for label, cls, value in figures)
    delay = replay.watermark_delay_seconds
    return (f"<div class='wb-stream-summary'>{escape(replay.summary())}</div>"
            f"<table class='wb-stream-figure-table'>"
            f"<tr><th>watermark delay</th><td class='wb-stream-delay-value' data-value='{delay:g}'>{delay:g} s</td>"
            f"</tr>{cells}</table>")


def error_html(exc: Exception) -> str:
    hint = getattr(exc, "hint", None)
    if hasattr(exc, "errors"):  # pydantic's ValidationError: its messages, without the URL
        text = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
    else:
        text = getattr(exc, "message", None) or str(exc)
    return (f"<div class='wb-stream-error-message' style='color:#b00'><b>Not run:</b> {escape(text)}"
            + (f"<br><i>{escape(hint)}</i>" if hint else "") + "</div>")


def static_view(replay: WindowReplay, points: list, delay: float) -> Any:
    """What a report shows instead of the live widget: the figures, the first rows, the late events, the chart."""
    from IPython.display import HTML, display

    late = replay.late.head(HEAD).to_html(index=False) if len(replay.late) else "<p>No late events.</p>"
    display(HTML(f"<div class='wb-streaming-static'><div class='wb-stream-figures'>{figures_html(replay)}</div>"
                 f"<h4>First emitted rows</h4><div class='wb-stream-rows'>{replay.rows.head(HEAD).to_html(index=False)}"
                 f"</div><h4>Late events</h4><div class='wb-stream-late'>{late}</div></div>"))
    return watermark_tradeoff_chart(points, delay)


def streaming_panel(ws: Workspace, events: str, *, event_time: str, keys: list[str] | tuple[str, ...] = (),
                    arrival: str | None = None, window: Any = ("tumbling", 3600), watermark_delay: float = 600,
                    batch_events: int = 500, output_mode: str = "append", late_policy: str = "drop") -> Any:
    """Window type, size/slide (or gap), watermark delay, output mode, late-data policy and batch size; the
    replay's figures, first rows, late events and the delay trade-off chart follow every change."""
    spec = WindowSpec.of(window)
    keys = list(keys)

    def replay(kind: str, size: float, slide: float | None, delay: float, batch: int, mode: str, policy: str):
        w = ("sliding", size, slide) if kind == "sliding" else (kind, size)
        return replay_windows(ws, events, event_time=event_time, keys=keys, window=w, watermark_delay=delay,
                              batch_events=batch, output_mode=mode, arrival=arrival, late_policy=policy)

    delays = sorted({*map(float, DEFAULT_DELAYS), float(watermark_delay)})
    tradeoffs: dict[tuple, list] = {}

    def tradeoff(kind: str, size: float, slide: float | None, batch: int) -> list:
        w = ("sliding", size, slide) if kind == "sliding" else (kind, size)
        if (w, batch) not in tradeoffs:
            tradeoffs[(w, batch)] = watermark_tradeoff(ws, events, event_time=event_time, keys=keys, window=w,
                                                       delays=delays, batch_events=batch, arrival=arrival)
        return tradeoffs[(w, batch)]

    slide0 = spec.slide_seconds or min(spec.size_seconds, 900.0)
    if in_report():
        return static_view(replay(spec.kind, spec.size_seconds, slide0, watermark_delay, batch_events, output_mode,
                                  late_policy),
                           tradeoff(spec.kind, spec.size_seconds, slide0, batch_events), watermark_delay)

    import ipywidgets as w
    from IPython.display import display

    style = {"description_width": "130px"}

    def wide() -> Any:  # one Layout per control: hiding the slide slider must not hide the others
        return w.Layout(width="480px")

    kind_box = w.Dropdown(options=["tumbling", "sliding", "session"], value=spec.kind, description="window",
                          style=style)
    size = w.SelectionSlider(options=_options(DURATIONS, spec.size_seconds), value=float(spec.size_seconds),
                             description="size", style=style, layout=wide(), continuous_update=False)
    slide = w.SelectionSlider(options=_options(SLIDES, slide0), value=float(slide0), description="slide",
                              style=style, layout=wide(), continuous_update=False)
    delay = w.SelectionSlider(options=_options(delays), value=float(watermark_delay), description="watermark delay",
                              style=style, layout=wide(), continuous_update=False)
    mode = w.Dropdown(options=["append", "update"], value=output_mode, description="output mode", style=style)
    policy = w.Dropdown(options=[("drop (count them)", "drop"), ("dead-letter table", "dead_letter"),
                                 ("update the emitted row", "update")], value=late_policy, description="late data",
                        style=style)
    batch = w.SelectionSlider(options=[(f"{b:,}", b) for b in sorted({*BATCH_SIZES, int(batch_events)})],
                              value=int(batch_events), description="batch (events)", style=style, layout=wide(),
                              continuous_update=False)
    for control, cls in ((kind_box, "window"), (size, "size"), (slide, "slide"), (delay, "delay"),
                         (mode, "output-mode"), (policy, "late-policy"), (batch, "batch")):
        control.add_class(f"wb-stream-{cls}")
    figures, error = w.HTML(), w.HTML()
    figures.add_class("wb-stream-figures")
    error.add_class("wb-stream-error")
    rows_out, late_out, chart_out = w.Output(), w.Output(), w.Output()
    rows_out.add_class("wb-stream-rows")
    late_out.add_class("wb-stream-late")
    chart_out.add_class("wb-stream-chart")
    late_title = w.HTML()
    results = w.VBox([figures, w.HTML("<h4>First emitted rows</h4>"), rows_out, late_title, late_out])

    def window_controls() -> None:
        slide.layout.display = None if kind_box.value == "sliding" else "none"
        size.description = "gap" if kind_box.value == "session" else "size"

    def refresh(_: Any = None) -> None:
        window_controls()
        args = (kind_box.value, size.value, slide.value if kind_box.value == "sliding" else None)
        try:
            r = replay(*args, delay.value, batch.value, mode.value, policy.value)
        except (WorkbenchError, ValueError) as exc:  # the core's refusal (e.g. session + update), shown as it said
            error.value = error_html(exc)
            error.layout.display = None
            results.layout.display = "none"
        else:
            error.value, error.layout.display, results.layout.display = "", "none", None
            figures.value = figures_html(r)
            late_title.value = ("<h4>Late events (the dead-letter table)</h4>" if policy.value == "dead_letter"
                                else "<h4>Late events</h4>")
            rows_out.clear_output(wait=True)
            with rows_out:
                display(r.rows.head(HEAD))
            late_out.clear_output(wait=True)
            with late_out:
                display(r.late.head(HEAD) if len(r.late) else "No late events.")
        chart_out.clear_output(wait=True)
        with chart_out:
            try:
                display(watermark_tradeoff_chart(tradeoff(*args, batch.value), delay.value))
            except (WorkbenchError, ValueError) as exc:
                display(f"No trade-off chart: {exc}")

    for control in (kind_box, size, slide, delay, mode, policy, batch):
        control.observe(refresh, names="value")
    refresh()
    panel = w.VBox([w.HBox([kind_box, mode, policy]), size, slide, delay, batch, error, results, chart_out])
    panel.add_class("wb-streaming-panel")
    return panel
