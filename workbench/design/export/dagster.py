"""Dagster definitions module: ``dagster/<pipeline_id>_defs.py`` — assets with dependencies, asset checks as gates."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from workbench.design.export.base import Output, render
from workbench.design.flow import node_id
from workbench.design.plan import DBT_BUILD, ENV_DATA, ENV_HOME, IN_HOME, extract_command

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign


class AssetSpec(BaseModel):
    key: str
    deps: list[str] = Field(default_factory=list)
    group: str
    description: str
    command: str


class CheckSpec(BaseModel):
    name: str
    asset: str
    description: str
    command: str


def assets_and_checks(d: PipelineDesign) -> tuple[list[AssetSpec], list[CheckSpec]]:
    """Assets (raw sources, dbt models, sinks) and one check per quality suite, attached to its table's asset."""
    assets: list[AssetSpec] = []
    by_table: dict[str, str] = {}
    for s in d.sources:
        key = node_id("raw", s.name)
        cmd = extract_command(s.name) + f" && python -m pipeline.load --table {shlex.quote(s.name)}"
        assets.append(AssetSpec(key=key, group="extract", description=f"{s.schema_name}.{s.name} from {s.system}",
                                command=cmd))
        by_table[s.name] = key
    raw_keys = [a.key for a in assets]
    models = d.transforms.models
    model_keys = {m.name: node_id(m.name) for m in models}
    dbt = DBT_BUILD
    for m in models:
        deps = [model_keys[x] for x in m.depends_on if x in model_keys]
        deps += [by_table[x] for x in m.sources if x in by_table]
        if not deps and m.layer == "staging":
            deps = raw_keys
        assets.append(AssetSpec(key=model_keys[m.name], deps=list(dict.fromkeys(deps)), group=m.layer,
                                description=m.description or f"dbt {m.layer} model {m.name}",
                                command=f"{dbt} --select {m.name}"))
        by_table.setdefault(m.name, model_keys[m.name])
    if not models:
        assets.append(AssetSpec(key="transform", deps=raw_keys, group="transform",
                                description="dbt project build", command=dbt))
    used = {dep for a in assets for dep in a.deps}
    leaves = [a.key for a in assets if a.group != "extract" and a.key not in used] or raw_keys
    for sink in d.sinks:
        key = node_id("sink", sink.name)
        assets.append(AssetSpec(key=key, deps=[by_table.get(sink.table, leaves[-1])] if sink.table in by_table
                                else leaves, group="load", description=f"{sink.write_mode} into {sink.system} {sink.table}",
                                command=IN_HOME + f"python -m pipeline.publish --table {shlex.quote(sink.table)}"))
    sink_keys = {s.table: node_id("sink", s.name) for s in d.sinks}
    checks: list[CheckSpec] = []
    layer_default = {"source": raw_keys, "transform": [a.key for a in assets if a.group not in ("extract", "load")],
                     "sink": list(sink_keys.values())}
    for s in d.quality.suites:
        if not s.expectations:
            continue
        target = (sink_keys.get(s.table) if s.layer == "sink" else None) or by_table.get(s.table)
        target = target or (layer_default[s.layer] or [assets[-1].key])[-1]
        rel = f"gx/{s.layer}/{s.name}.json"
        checks.append(CheckSpec(
            name=node_id(s.layer, s.name, "gate"), asset=target,
            description=f"{s.layer} suite {s.name} on {s.table} ({len(s.expectations)} expectations)",
            command=IN_HOME + f"python -m pipeline.gate --layer {s.layer} --suite {shlex.quote(s.name)}  # {rel}"))
    return assets, checks


def module_source(design: PipelineDesign) -> str:
    assets, checks = assets_and_checks(design)
    o = design.orchestration
    return render("dagster_defs.py.j2", design=design, o=o, assets=assets, checks=checks,
                  blocking=design.quality.gate == "strict", cron=o.cron, env_home=ENV_HOME, env_data=ENV_DATA,
                  filename=f"{o.pipeline_id}_defs.py")


def write(design: PipelineDesign, out: Output) -> None:
    out.text(f"dagster/{design.orchestration.pipeline_id}_defs.py", module_source(design))
