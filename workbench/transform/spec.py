"""The parts of a transform project as data: models, sources, seeds, generic and singular tests.

Every spec is a pydantic model, so a project built in Python and one read from a dbt folder are the
same thing. Names are checked here once: a model, seed or source name is a plain identifier, and a
folder is a relative path that stays inside the project (``../x`` is refused).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, Field

from workbench.errors import TransformError

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MATERIALIZATIONS = ("view", "table", "ephemeral", "incremental")
STRATEGIES = ("append", "delete+insert", "merge")
DbtSeverity = Literal["warn", "error"]


def check_name(name: str, what: str = "model") -> str:
    """Return ``name`` if it is a plain identifier (letters, digits, underscores), else raise TransformError."""
    if not isinstance(name, str) or not NAME.match(name):
        raise TransformError(
            f"Invalid {what} name {name!r}: names must be identifiers (letters, digits, underscores), "
            "so they cannot escape the project folder or need quoting.",
            hint="Rename it, e.g. 'stg_orders'; put it in a folder with folder='staging'.",
        )
    return name


def check_folder(folder: str) -> str:
    """A relative POSIX folder inside the project (``staging``, ``marts/finance``); refuses ``..`` and absolute paths."""
    folder = (folder or "").replace("\\", "/")
    absolute = folder.startswith("/")
    folder = folder.strip("/")
    p = PurePosixPath(folder)
    if absolute or (folder and (any(part in ("..", "") for part in p.parts) or ":" in folder)):
        raise TransformError(
            f"Invalid model folder {folder!r}: it must be a relative path inside models/.",
            hint="Use a folder such as 'staging' or 'marts/finance'.",
        )
    return "" if folder == "." else folder


class ColumnSpec(BaseModel):
    """A documented column of a model, source table or seed."""

    name: str
    description: str = ""
    data_type: str | None = None


class TestSpec(BaseModel):
    """A generic test (``unique``, ``accepted_range``...) attached to a model, seed or source column.

    ``kwargs`` are the test's arguments as written in YAML (``values``, ``to``, ``field``,
    ``min_value``...); ``target`` is a model/seed name or ``source:src.table``.
    """

    test: str
    target: str
    column: str | None = None
    kwargs: dict[str, Any] = Field(default_factory=dict)
    severity: DbtSeverity = "error"
    where: str | None = None
    name: str = ""

    def model_post_init(self, __context: Any) -> None:
        if not self.name:
            self.name = default_test_name(self)


class SingularTest(BaseModel):
    """A ``tests/*.sql`` query: every row it returns is a failure."""

    name: str
    sql: str
    path: str = ""
    severity: DbtSeverity = "error"


class ModelSpec(BaseModel):
    """A model: its SQL (with Jinja), folder under ``models/``, config and documentation."""

    name: str
    sql: str
    folder: str = ""
    config: dict[str, Any] = Field(default_factory=dict)
    description: str = ""
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)

    @property
    def path(self) -> str:
        """The model's file, relative to the project root (``models/staging/stg_orders.sql``)."""
        return str(PurePosixPath("models", self.folder, f"{self.name}.sql"))


class SourceTable(BaseModel):
    """A table of a source, bound to a workspace relation (``schema.identifier``)."""

    source: str
    name: str
    schema_name: str = "main"
    identifier: str | None = None
    description: str = ""
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)
    #: dbt ``source freshness``: the column stamping each row's arrival, and the warn/error thresholds
    loaded_at_field: str | None = None
    freshness: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return f"source:{self.source}.{self.name}"

    @property
    def relation_name(self) -> str:
        return self.identifier or self.name


class SeedSpec(BaseModel):
    """A CSV seed: its text, and column types that override DuckDB's inference."""

    name: str
    csv_text: str
    folder: str = ""
    column_types: dict[str, str] = Field(default_factory=dict)
    description: str = ""
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)

    @property
    def path(self) -> str:
        return str(PurePosixPath("seeds", self.folder, f"{self.name}.csv"))


def _slug(value: Any) -> str:
    text = re.sub(r"[^A-Za-z0-9_]+", "_", str(value)).strip("_")
    return text[:40]


def default_test_name(t: TestSpec) -> str:
    """A dbt-like unique id: ``unique_stg_orders_order_id``, ``accepted_values_stg_orders_status__a__b``."""
    target = t.target.removeprefix("source:").replace(".", "_")
    parts = [t.test.replace(".", "_"), target]
    if t.column:
        parts.append(_slug(t.column))
    name = "_".join(parts)
    extra = []
    for key in sorted(t.kwargs):
        value = t.kwargs[key]
        if isinstance(value, list):
            extra.extend(_slug(v) for v in value)
        elif key not in ("column_name",):
            extra.append(_slug(value))
    if extra:
        name += "__" + "__".join(e for e in extra if e)
    readable = name[:120]
    exact = [t.test, target, t.column, *(repr(t.kwargs[k]) for k in sorted(t.kwargs) if k != "column_name")]
    if readable != name or _slug(t.column or "") != (t.column or ""):
        # the slug lost something (a quote or ';' in the column, a cut): a hash of the exact inputs keeps ids unique
        readable = f"{name[:110]}_{hashlib.sha256(repr(exact).encode()).hexdigest()[:8]}"
    return readable

