"""PipelineDesign: the whole chosen design as plain pydantic data that round-trips through YAML and JSON.

Pure data: ``workbench.pipeline`` records each step's result into it (``record_profile(design, profile)``...);
every exporter reads only this model, so a design file alone is enough to regenerate every artifact: ``PipelineDesign.load("design.yaml").export("out/")``.
Cross-field contradictions (streaming with a daily schedule, consumers above partitions, an
idempotent upsert sink without a key, a literal secret) are validation errors naming the fields.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from workbench.design.parts import (  # noqa: F401  (re-exported: the parts are part of the model's API)
    CONSUMER_GROUP,
    DAILY_OR_SLOWER,
    PRESET_CRON,
    SECRET_REF,
    SNAKE,
    TOPIC_NAME,
    Architecture,
    ArchitectureDecision,
    BackfillPolicy,
    BackfillScope,
    CDCPlan,
    ConsumerGroup,
    DecisionReason,
    DesignChoice,
    DesignExpectation,
    DesignSingularTest,
    GateMode,
    IdempotencyPlan,
    LineageEdge,
    Monitoring,
    OpenQuestion,
    Orchestration,
    Orchestrator,
    PIIField,
    PIIPlan,
    QualityLayer,
    QualityPlan,
    QualitySuite,
    Resources,
    Risk,
    SchemaEvolutionPlan,
    SimulationSummary,
    Sink,
    Sizing,
    Source,
    SourceColumn,
    StreamingPlan,
    StreamJob,
    StreamLookup,
    Topic,
    TransformModel,
    Transforms,
    TransformSeed,
    TransformTest,
    WorkloadSummary,
    _Model,
)
from workbench.errors import DesignError
from workbench.files import write_atomic


# --- the design -------------------------------------------------------------------------------
class PipelineDesign(_Model):
    """The whole chosen design: ``PipelineDesign.load("design.yaml")``, ``design.export("out/")``."""

    name: str = "data_pipeline"
    title: str = "Data pipeline"
    description: str = ""
    owner: str = "data-platform"
    environment: Literal["production", "staging", "development"] = "production"
    version: int = Field(1, ge=1)
    data_retention: str | None = Field(None, description="how long the data is kept, e.g. '3 years'")
    sources: list[Source] = Field(default_factory=list)
    architecture: ArchitectureDecision = Field(default_factory=ArchitectureDecision)
    orchestration: Orchestration = Field(default_factory=Orchestration)
    transforms: Transforms = Field(default_factory=Transforms)
    quality: QualityPlan = Field(default_factory=QualityPlan)
    cdc: CDCPlan = Field(default_factory=CDCPlan)
    idempotency: IdempotencyPlan = Field(default_factory=IdempotencyPlan)
    schema_evolution: SchemaEvolutionPlan = Field(default_factory=SchemaEvolutionPlan)
    sinks: list[Sink] = Field(default_factory=list)
    streaming: StreamingPlan = Field(default_factory=StreamingPlan)
    backfill: BackfillPolicy = Field(default_factory=BackfillPolicy)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    pii: PIIPlan = Field(default_factory=PIIPlan)
    resources: Resources = Field(default_factory=Resources)
    lineage: list[LineageEdge] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    choices: list[DesignChoice] = Field(default_factory=list, description="what was chosen from the data, and why")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not SNAKE.match(v):
            raise ValueError(f"name {v!r} must be snake_case (it names files and the DAG)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> PipelineDesign:
        problems = contradictions(self)
        if problems:
            raise ValueError("the design contradicts itself:\n  - " + "\n  - ".join(problems))
        return self

    # --- persistence ---------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, text: str) -> PipelineDesign:
        """Parse a design from YAML text (JSON is YAML too)."""
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise DesignError(f"The design is not valid YAML: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineDesign:
        """Validate plain data, turning pydantic errors into one DesignError naming every bad field."""
        if not isinstance(data, dict):
            raise DesignError("A design must be a mapping of fields (name, sources, architecture...).")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise DesignError(_describe(exc), hint="Fix the named fields and load the design again.") from exc

    @classmethod
    def load(cls, path: str | os.PathLike) -> PipelineDesign:
        """Read a design from ``.yaml``/``.yml``/``.json``."""
        p = Path(path)
        if p.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise DesignError(f"Design file {str(p)!r} must end in .yaml, .yml or .json.")
        if not p.exists():
            raise DesignError(f"Design file {str(p)!r} does not exist.",
                              hint="Run the step notebooks (they save the design) or pass the right path.")
        text = p.read_text(encoding="utf-8")
        if p.suffix.lower() == ".json":
            try:
                return cls.from_dict(json.loads(text))
            except json.JSONDecodeError as exc:
                raise DesignError(f"Design file {str(p)!r} is not valid JSON: {exc}") from exc
        return cls.from_yaml(text)

    @classmethod
    def load_or_new(cls, path: str | os.PathLike | None = None, **fields: Any) -> PipelineDesign:
        """The design saved at ``path``, or a new in-memory one (``path`` empty or not written yet)."""
        if path and Path(path).exists():
            return cls.load(path)
        return cls(**fields)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=110)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def save(self, path: str | os.PathLike) -> Path:
        """Write the design atomically as YAML or JSON (by suffix); re-validates first."""
        self.check()
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in (".yaml", ".yml", ".json"):
            raise DesignError(f"Design file {str(p)!r} must end in .yaml, .yml or .json.")
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n" if suffix == ".json" else self.to_yaml()
        return write_atomic(p, text)

    def check(self) -> PipelineDesign:
        """Re-validate after in-place edits (assignments are not validated); raises DesignError."""
        return type(self).from_dict(self.to_dict())

    def check_in_place(self) -> PipelineDesign:
        """Validate the design as it is now (after edits) and return it; raises DesignError naming the fields."""
        self.check()
        return self

    # --- views ---------------------------------------------------------------------------------
    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    @property
    def is_streaming(self) -> bool:
        return self.architecture.architecture in ("streaming", "hybrid")

    def lint(self):
        """The design guide's "never do" findings (warnings), see ``workbench.design.lint``."""
        from workbench.design.lint import lint

        return lint(self)

    def export(self, out_dir: str | os.PathLike, targets: list[str] | str | None = None,
               overwrite: bool = False, clean: bool = False) -> dict[str, list[str]]:
        """Write every applicable target (or ``targets``) into ``out_dir`` -> ``{target: [paths]}``.

        A non-empty ``out_dir`` is refused unless ``overwrite=True``; ``clean=True`` replaces it whole.
        """
        from workbench.design.export import export

        return export(self, out_dir, targets=targets, overwrite=overwrite, clean=clean)

    def summary(self) -> str:
        a = self.architecture
        lines = [
            f"{self.title} ({self.name}): {a.architecture} / {a.pattern} / {a.approach}, "
            f"orchestrated by {self.orchestration.tool} ({self.orchestration.schedule or 'continuous'})",
            f"sources: {', '.join(s.name for s in self.sources) or '-'}; "
            f"models: {len(self.transforms.models)}; suites: {len(self.quality.suites)} (gate {self.quality.gate}); "
            f"topics: {len(self.streaming.topics)}; CDC: {self.cdc.method}; backfill: {self.backfill.scope}",
        ]
        findings = self.lint()
        warnings = [f.rule for f in findings if f.severity == "warning"]
        confirm = [f.field for f in findings if f.severity == "confirm"]
        if warnings:
            lines.append(f"lint: {len(warnings)} warning(s): " + "; ".join(warnings))
        if confirm:
            lines.append("confirm first: " + ", ".join(confirm))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        return "<pre>" + escape(self.summary()) + "</pre>"


def contradictions(d: PipelineDesign) -> list[str]:
    """Hard contradictions between fields, each naming the fields involved."""
    out: list[str] = []
    arch = d.architecture.architecture
    if arch == "streaming" and d.orchestration.runs_at_most_daily:
        out.append(
            f"architecture.architecture is 'streaming' but orchestration.schedule {d.orchestration.schedule!r} runs at "
            "most once a day: choose 'batch', or a schedule of None (continuous) / '@hourly' / a finer cron"
        )
    partitions = {t.name: t.partitions for t in d.streaming.topics}
    for i, g in enumerate(d.streaming.consumer_groups):
        for t in g.topics:
            if t not in partitions:
                out.append(f"streaming.consumer_groups[{i}].topics names {t!r}, which is not in streaming.topics")
            elif g.consumers > partitions[t]:
                out.append(
                    f"streaming.consumer_groups[{i}].consumers ({g.consumers}, group {g.name!r}) exceeds the "
                    f"{partitions[t]} partitions of streaming.topics {t!r}: extra consumers sit idle; "
                    "raise the partitions or lower the consumers"
                )
    s = d.architecture.sizing
    if s is not None and s.consumers > s.partitions:
        out.append(f"architecture.sizing.consumers ({s.consumers}) exceeds architecture.sizing.partitions ({s.partitions})")
    for i, sink in enumerate(d.sinks):
        if sink.write_mode in ("upsert", "merge", "delete_insert") and not sink.key:
            out.append(
                f"sinks[{i}].key is empty but sinks[{i}].write_mode is {sink.write_mode!r} (sink {sink.name!r}): "
                "an idempotent upsert needs the key it matches rows on"
            )
    if d.idempotency.strategy == "upsert" and d.sinks and all(s.write_mode == "append" for s in d.sinks):
        out.append("idempotency.strategy is 'upsert' but every sinks[].write_mode is 'append': nothing upserts")
    names = [s.name for s in d.sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        out.append(f"sources names {dupes} more than once")
    for i, src in enumerate(d.sources):
        cols = {c.name for c in src.columns}
        if cols:
            missing = [k for k in src.primary_key if k not in cols]
            if missing:
                out.append(f"sources[{i}].primary_key {missing} is not among the columns of source {src.name!r}")
    return out


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) if not isinstance(x, int) else f"[{x}]" for x in err["loc"]).replace(".[", "[")
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return f"Invalid pipeline design ({len(parts)} problem{'s' if len(parts) != 1 else ''}):\n  " + "\n  ".join(parts)
