"""What every exporter shares: an ``Output`` that writes files under one folder, and sandboxed Jinja templates."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from workbench.errors import ExportError

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class Output:
    """Collects the files one target writes under ``root`` (relative paths only; nothing escapes ``root``)."""

    def __init__(self, root: Path, target: str) -> None:
        self.root = root
        self.target = target
        self.files: list[Path] = []

    def path(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise ExportError(f"Export target {self.target!r} tried to write {rel!r}, outside the export folder.",
                              hint="Names in the design (models, topics, suites) must not contain '..' or '/'.")
        p = self.root.joinpath(*pure.parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(p)
        return p

    def adopt(self, folder: Path) -> None:
        """Record every file a peer writer (e.g. ``export_dbt``) put under ``folder``."""
        self.files.extend(sorted(p for p in folder.rglob("*") if p.is_file()))

    def text(self, rel: str, content: str) -> Path:
        p = self.path(rel)
        p.write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")
        return p

    def bytes(self, rel: str, data: bytes) -> Path:
        p = self.path(rel)
        p.write_bytes(data)
        return p

    def json(self, rel: str, obj: Any) -> Path:
        return self.text(rel, json.dumps(obj, indent=2, ensure_ascii=False))

    def yaml(self, rel: str, obj: Any) -> Path:
        return self.text(rel, yaml.safe_dump(obj, sort_keys=False, allow_unicode=True, width=110))


def doc_text(value: Any) -> str:
    """Free text (a title) made safe inside a Python triple-quoted docstring: quotes and backslashes escaped
    (it can neither end the string nor start an escape), control characters written as escapes."""
    out = []
    for ch in str(value):
        if ch in '\\"':
            out.append("\\" + ch)
        elif (ord(ch) < 32 and ch not in "\n\t") or ch == "\x7f":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def comment_text(value: Any) -> str:
    """Free text made safe inside a one-line ``#`` comment (shell, Python, YAML): line breaks and control
    characters become spaces."""
    return "".join(" " if (ord(ch) < 32 or ch in "\x7f\x85\u2028\u2029") else ch for ch in str(value))


def _env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                               keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, autoescape=False)
    env.filters["py"] = repr
    env.filters["doc"] = doc_text
    env.filters["comment"] = comment_text
    env.filters["tojson_plain"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.filters["num"] = fmt_number
    env.filters["cell"] = md_cell
    return env


_ENV: SandboxedEnvironment | None = None


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` in a Jinja sandbox (undefined names are errors)."""
    global _ENV
    if _ENV is None:
        _ENV = _env()
    return _ENV.get_template(template).render(**context)


def fmt_number(v: Any, digits: int = 3) -> str:
    """A readable number: thousands separators, ``digits`` significant figures for floats, '-' for None."""
    if v is None or v == "":
        return "-"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e15:
            return f"{int(v):,}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.{digits}g}"
    return str(v)


def md_cell(v: Any) -> str:
    """A value made safe for a Markdown table cell."""
    if isinstance(v, list | tuple):
        v = ", ".join(str(x) for x in v)
    text = fmt_number(v) if not isinstance(v, str) else v
    return (text or "-").replace("|", "\\|").replace("\n", " ")


def human_bytes(n: float | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:,.1f} {unit}" if unit != "B" else f"{n:,.0f} B"
        n /= 1000
    return f"{n} PB"
