"""Human-readable numbers for summaries: bytes (decimal units), rates and durations."""

from __future__ import annotations

import math


def fmt_bytes(n: float) -> str:
    """``1.5e9`` -> ``'1.50 GB'`` (decimal units, as cloud prices use)."""
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def fmt_rate(events_per_sec: float) -> str:
    return f"{events_per_sec:,.4g} events/s"


def fmt_seconds(s: float | None) -> str:
    """``90`` -> ``'1.5 min'``; None or infinity -> ``'never'``."""
    if s is None or not math.isfinite(s):
        return "never"
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if abs(s) >= size:
            return f"{s / size:.3g} {unit}"
    return f"{s * 1000:.3g} ms" if abs(s) < 1 else f"{s:.3g} s"
