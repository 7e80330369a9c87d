"""Plain-text summaries and JupyterLab HTML for profiles (every value HTML-escaped)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.profiling.models import ColumnProfile, DatasetProfile, TableProfile

SEVERITY_COLOR = {"error": "#b00020", "warning": "#b26a00", "info": "#546e7a"}
STYLE = ("<style>.wb-prof table{border-collapse:collapse;font-size:12px}.wb-prof td,.wb-prof th{padding:2px 8px;"
         "border-bottom:1px solid #ddd;text-align:left;vertical-align:top}.wb-prof h4{margin:8px 0 4px}</style>")


def fmt(v: Any, width: int = 24) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        s = f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
    elif isinstance(v, int) and not isinstance(v, bool):
        s = f"{v:,}"
    else:
        s = str(v)
    return s if len(s) <= width else s[: width - 1] + "…"


def column_row(c: ColumnProfile) -> dict[str, Any]:
    """The headline figures of a column (one row of the summary table)."""
    d = fmt(c.distinct_count) + ("~" if c.distinct_approximate else "")
    return {
        "column": c.name, "type": c.dtype, "inferred": c.inferred_type, "nulls": c.null_count,
        "null %": round(100 * c.null_share, 2), "distinct": d, "min": fmt(c.min), "max": fmt(c.max),
        "mean": fmt(c.mean), "top": ", ".join(f"{fmt(v, 16)} ({k})" for v, k in c.top_values[:3]),
        "pattern": f"{c.patterns[0].pattern} ({c.patterns[0].coverage:.0%})" if c.patterns else "",
    }


def table_summary(p: TableProfile) -> str:
    rows = [column_row(c) for c in p.columns.values()]
    head = ["column", "inferred", "nulls", "distinct", "min", "max", "mean"]
    widths = {h: max([len(h)] + [len(fmt(r[h])) for r in rows]) for h in head}
    lines = [f"{p.table}: {p.row_count:,} rows x {len(p.columns)} columns "
             f"(~{p.avg_row_bytes:,.0f} B/row, {p.duplicate_row_count:,} duplicate rows, {p.seconds:.2f}s)",
             "candidate keys: " + (", ".join("(" + ", ".join(k) + ")" for k in p.candidate_keys) or "none"),
             "  ".join(h.ljust(widths[h]) for h in head)]
    lines += ["  ".join(fmt(r[h]).ljust(widths[h]) for h in head) for r in rows]
    if p.alerts:
        lines.append(f"alerts ({len(p.alerts)}):")
        lines += [f"  {a}" for a in p.alerts]
    return "\n".join(lines)


def dataset_summary(d: DatasetProfile) -> str:
    parts = [p.summary() for p in d.profiles.values()]
    parts.append("foreign keys:\n" + ("\n".join(f"  {fk}" for fk in d.foreign_keys) or "  none"))
    return "\n\n".join(parts)


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(fmt(v, 40))}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def alerts_html(alerts) -> str:
    if not alerts:
        return "<p>No alerts.</p>"
    items = "".join(
        f"<li><b style='color:{SEVERITY_COLOR.get(a.severity, '#333')}'>{escape(a.kind)}</b> "
        f"<code>{escape('.'.join(x for x in (a.table, a.column) if x))}</code>: {escape(a.message)}</li>"
        for a in alerts)
    return f"<ul>{items}</ul>"


def table_html(p: TableProfile) -> str:
    keys = ", ".join("(" + ", ".join(k) + ")" for k in p.candidate_keys) or "none"
    return (f"{STYLE}<div class='wb-prof'><h4>{escape(p.table)}: {p.row_count:,} rows × {len(p.columns)} columns</h4>"
            f"<p>candidate keys: <code>{escape(keys)}</code> · duplicate rows: {p.duplicate_row_count:,} · "
            f"~{p.avg_row_bytes:,.0f} bytes/row · {p.scans} scans in {p.seconds:.2f}s</p>"
            f"{_table([column_row(c) for c in p.columns.values()])}"
            f"<h4>Alerts ({len(p.alerts)})</h4>{alerts_html(p.alerts)}</div>")


def column_html(c: ColumnProfile) -> str:
    stats = {k: v for k, v in column_row(c).items() if k not in ("top", "pattern")}
    stats.update({"std": fmt(c.std), **{f"q{int(q * 100)}": fmt(v) for q, v in c.quantiles.items()}})
    if c.length:
        stats["length"] = f"{c.length.min}–{c.length.max} (mean {c.length.mean:.1f})"
    if c.time:
        stats.update(freshness_s=fmt(c.time.freshness_seconds), peak_eps=fmt(c.time.peak_events_per_sec),
                     mean_eps=fmt(c.time.mean_events_per_sec))
    tops = _table([{"value": v, "count": k} for v, k in c.top_values])
    pats = _table([{"pattern": x.pattern, "coverage": f"{x.coverage:.1%}", "example": x.example} for x in c.patterns])
    return f"{STYLE}<div class='wb-prof'><h4>{escape(c.name)}</h4>{_table([stats])}{tops}{pats}</div>"


def dataset_html(d: DatasetProfile) -> str:
    fks = _table([{"from": f"{f.from_table}.{', '.join(f.from_columns)}", "to": f"{f.to_table}.{', '.join(f.to_columns)}",
                   "coverage": f"{f.coverage:.2%}", "value coverage": f"{f.value_coverage:.2%}",
                   "orphan rows": f.orphan_count, "orphan values": ", ".join(map(str, f.orphan_sample)) or "-"}
                  for f in d.foreign_keys])
    return (f"{STYLE}<div class='wb-prof'><h4>Foreign keys</h4>{fks or '<p>none found</p>'}</div>"
            + "".join(p._repr_html_() for p in d.profiles.values()))
