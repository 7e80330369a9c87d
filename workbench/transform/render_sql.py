"""Render model SQL with Jinja in a sandbox, with the dbt built-ins everyday projects use.

``ref`` (one or two arguments), ``source``, ``config``, ``var``, ``is_incremental()``, ``this``,
``target``, ``env_var`` (with a default), ``run_started_at``, ``log``, ``return`` and the project's
macros (``macros/*.sql``, including ``{% test %}`` blocks). Anything else is undefined: using it
raises a TransformError that names the model, the file and the line. Descriptions render with
``doc()`` over the project's ``{% docs name %}...{% enddocs %}`` blocks (``render_description``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from workbench.errors import TransformError, did_you_mean
from workbench.workspace import quote_ident

BUILTINS = ("ref", "source", "config", "var", "is_incremental", "this", "target", "env_var",
            "run_started_at", "log", "return", "exceptions")
_TEST_BLOCK = re.compile(r"\{%(-?)\s*test\s+(\w+)\s*\(")
_END_TEST = re.compile(r"\{%(-?)\s*endtest\s*(-?)%\}")
_UNDEFINED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined")
_DOCS_BLOCK = re.compile(r"\{%-?\s*docs\s+(\w+)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", re.DOTALL)


class Relation:
    """A table or view as Jinja sees it: renders as ``"schema"."name"``; ``.schema``, ``.identifier``, ``.name``."""

    def __init__(self, schema: str | None, identifier: str, database: str | None = None) -> None:
        self.schema = schema
        self.identifier = identifier
        self.name = identifier
        self.database = database

    def render(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.identifier)}" if self.schema else quote_ident(self.identifier)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Relation({self.render()})"


class _MacroReturn(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, value: Any) -> None:
        self.value = value


class _Config:
    """``config(materialized='table')`` records keys; ``config.get('key', default)`` reads them."""

    def __init__(self, store: dict[str, Any]) -> None:
        self._store = store

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        if args and isinstance(args[0], dict):
            self._store.update(args[0])
        self._store.update(kwargs)
        return ""

    def get(self, key: str, default: Any = None) -> Any:
        return self._store.get(key, default)

    def require(self, key: str) -> Any:
        if key not in self._store:
            raise TransformError(f"config key {key!r} is required but not set.")
        return self._store[key]


class _Exceptions:
    """``exceptions.raise_compiler_error(msg)`` and ``exceptions.warn(msg)`` as in dbt."""

    def __init__(self, logs: list[str]) -> None:
        self._logs = logs

    def raise_compiler_error(self, message: str) -> None:
        raise TransformError(f"Compilation error: {message}")

    def warn(self, message: str) -> str:
        self._logs.append(f"warning: {message}")
        return ""


@dataclass
class Rendered:
    """What rendering a model produced: SQL, the refs and sources it used, its config and log lines."""

    sql: str
    refs: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)


def dbt_test_blocks_to_macros(text: str) -> str:
    """``{% test name(...) %}...{% endtest %}`` becomes ``{% macro test_name(...) %}...{% endmacro %}`` (as dbt does)."""
    text = _TEST_BLOCK.sub(lambda m: "{%" + m.group(1) + " macro test_" + m.group(2) + "(", text)
    return _END_TEST.sub(lambda m: "{%" + m.group(1) + " endmacro " + m.group(2) + "%}", text)


def docs_blocks(text: str) -> dict[str, str]:
    """``{% docs name %}...{% enddocs %}`` blocks of a .md file: name -> contents (stripped, as dbt keeps them)."""
    return {m.group(1): m.group(2).strip() for m in _DOCS_BLOCK.finditer(text)}


class Renderer:
    """A sandboxed Jinja environment holding the project's macros; renders one model at a time."""

    def __init__(self, macro_files: dict[str, str] | None = None, *, target: dict[str, Any] | None = None,
                 project_name: str = "workbench") -> None:
        self.env = SandboxedEnvironment(
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
            keep_trailing_newline=True,
        )
        self.project_name = project_name
        self.target = target or {}
        self.run_started_at = datetime.now(UTC)
        self._templates: dict[tuple[str, str], jinja2.Template] = {}
        self.macro_files: dict[str, jinja2.Template] = {}
        self.macro_names: list[str] = []
        for path, text in sorted((macro_files or {}).items()):
            tmpl = self._compile(path, dbt_test_blocks_to_macros(text), node=f"macro file {path}")
            self.macro_files[path] = tmpl
            self.macro_names.extend(re.findall(r"\{%-?\s*macro\s+(\w+)", dbt_test_blocks_to_macros(text)))

    # --- compilation -------------------------------------------------------------------------
    def _compile(self, path: str, source: str, *, node: str) -> jinja2.Template:
        key = (path, source)
        cached = self._templates.get(key)
        if cached is not None:
            return cached
        try:
            code = self.env.compile(source, name=path, filename=path)
        except jinja2.TemplateSyntaxError as exc:
            raise TransformError(
                f"{node} ({path}), line {exc.lineno}: Jinja syntax error: {exc.message}",
                hint="Check the {{ }} / {% %} tags on that line: every block needs its end tag.",
            ) from None
        tmpl = self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)
        self._templates[key] = tmpl
        return tmpl

    # --- rendering -------------------------------------------------------------------------
    def render_description(self, text: str, docs: dict[str, str], *, node: str) -> str:
        """``text`` with every ``{{ doc('name') }}`` replaced by that docs block (a block itself cannot use doc(),
        as in dbt)."""

        def doc(*args: str) -> str:
            if len(args) not in (1, 2) or (len(args) == 2 and args[0] != self.project_name):
                raise TransformError(f"{node}: doc{args!r}: only this project's docs blocks can be used.",
                                     hint="Call doc('name') with a docs block of this project.")
            name = args[-1]
            if name not in docs:
                raise TransformError(
                    f"{node}: doc({name!r}) is not defined.",
                    hint=(did_you_mean(name, docs) + " ").lstrip()
                    + f"Add {{% docs {name} %}}...{{% enddocs %}} to a .md file in models/ (or the docs-paths).")
            return self._compile(f"docs block {name}", docs[name], node=node).render({})

        try:
            return self._compile("description", text, node=node).render({"doc": doc})
        except jinja2.TemplateError as exc:
            raise TransformError(f"{node}: Jinja error in the description: {exc}",
                                 hint="Descriptions may use doc('name'); a docs block cannot.") from None

    def render(
        self,
        *,
        node: str,
        path: str,
        source: str,
        resolve_ref: Callable[[str, str | None], Any],
        resolve_source: Callable[[str, str], Any],
        variables: dict[str, Any],
        this: Relation | None = None,
        incremental: bool = False,
        config: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Rendered:
        """Render ``source`` (the SQL of ``node``, from file ``path``) and report what it referenced."""
        out = Rendered(sql="", config=dict(config or {}))

        def ref(*args: str, **kwargs: Any) -> Any:
            if len(args) not in (1, 2):
                raise TransformError(f"ref() takes a model name, or a package and a model name; got {args!r}.")
            name = args[-1]
            if name not in out.refs:
                out.refs.append(name)
            return resolve_ref(name, args[0] if len(args) == 2 else None)

        def source_(source_name: str, table_name: str) -> Any:
            key = f"source:{source_name}.{table_name}"
            if key not in out.sources:
                out.sources.append(key)
            return resolve_source(source_name, table_name)

        def var(name: str, default: Any = _MISSING) -> Any:
            if name in variables:
                return variables[name]
            if default is not _MISSING:
                return default
            raise TransformError(
                f"Required var {name!r} is not set.",
                hint=(did_you_mean(name, variables) + " " if variables else "")
                + f"Set it in dbt_project.yml under vars:, or pass vars={{{name!r}: ...}} to build().",
            )

        def env_var(name: str, default: Any = _MISSING) -> Any:
            if name in os.environ:
                return os.environ[name]
            if default is not _MISSING:
                return default
            raise TransformError(f"Environment variable {name!r} is not set and env_var() was given no default.",
                                 hint=f"Set {name} in the environment, or call env_var({name!r}, 'default').")

        def log(message: Any, info: bool = False) -> str:
            out.logs.append(str(message))
            return ""

        def return_(value: Any) -> None:
            raise _MacroReturn(value)

        ctx: dict[str, Any] = {
            "ref": ref,
            "source": source_,
            "config": _Config(out.config),
            "var": var,
            "env_var": env_var,
            "is_incremental": lambda: incremental,
            "this": this,
            "target": self.target,
            "run_started_at": self.run_started_at,
            "log": log,
            "return": return_,
            "exceptions": _Exceptions(out.logs),
            "project_name": self.project_name,
            **(extra or {}),
        }
        filename = path
        try:
            for tmpl in self.macro_files.values():
                module = tmpl.make_module(vars=ctx, shared=True)
                for name in dir(module):
                    macro = getattr(module, name)
                    if isinstance(macro, jinja2.runtime.Macro):
                        ctx[name] = _returning(macro)
            tmpl = self._compile(path, source, node=f"Model {node!r}")
            out.sql = tmpl.render(ctx)
        except _MacroReturn:
            raise TransformError(f"Model {node!r} ({path}): return() used outside a macro.") from None
        except TransformError as exc:
            where = _where(exc, filename, self.macro_files)
            raise TransformError(f"Model {node!r} ({path}){where}: {exc.message}", hint=exc.hint) from None
        except jinja2.UndefinedError as exc:
            where = _where(exc, filename, self.macro_files)
            m = _UNDEFINED.search(str(exc))
            known = [*BUILTINS, *self.macro_names, *variables]
            hint = "It is not a dbt built-in, a project macro (macros/*.sql) or a loop variable."
            if m:
                close = did_you_mean(m.group(1), known)
                hint = f"{close} {hint}".strip()
            raise TransformError(f"Model {node!r} ({path}){where}: Jinja error: {exc}", hint=hint) from None
        except jinja2.TemplateError as exc:
            where = _where(exc, filename, self.macro_files)
            raise TransformError(f"Model {node!r} ({path}){where}: Jinja error: {exc}") from None
        except (TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError) as exc:
            where = _where(exc, filename, self.macro_files)
            raise TransformError(f"Model {node!r} ({path}){where}: error while rendering: {exc}") from None
        return out


class _Missing:
    pass


_MISSING: Any = _Missing()


def _returning(macro: jinja2.runtime.Macro) -> Callable[..., Any]:
    """Wrap a macro so ``{{ return(x) }}`` inside it yields ``x`` (dbt's macro return)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return macro(*args, **kwargs)
        except _MacroReturn as r:
            return r.value

    call.__name__ = macro.name
    return call


def _where(exc: BaseException, filename: str, macro_files: dict[str, Any]) -> str:
    """``, line N`` (or ``, line N of macros/x.sql``) from the traceback frames of the rendered template."""
    model_line = None
    macro_line = None
    tb = exc.__traceback__
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if fname == filename:
            model_line = tb.tb_lineno
        elif fname in macro_files:
            macro_line = (fname, tb.tb_lineno)
        tb = tb.tb_next
    lineno = getattr(exc, "lineno", None)
    if model_line is None and lineno:
        model_line = lineno
    parts = []
    if model_line is not None:
        parts.append(f", line {model_line}")
    if macro_line is not None:
        parts.append(f" (in {macro_line[0]}, line {macro_line[1]})")
    return "".join(parts)
