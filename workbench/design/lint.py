"""Design lint: the design guide's "never do" rules as warnings (and "confirm first" items as notes).

``lint(design)`` returns findings in rule order; each names the field to change and says what to do,
in English and Japanese, so the design document can show them in either language::

    >>> from workbench.design import PipelineDesign
    >>> [f.rule for f in lint(PipelineDesign())][:2]
    ['layer_without_quality', 'layer_without_quality']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from workbench.design.model import PipelineDesign


class LintFinding(BaseModel):
    """One lint finding: the rule, the field to change, and the message in both languages."""

    rule: str
    severity: Literal["warning", "confirm"] = "warning"
    field: str
    message: str
    message_ja: str

    def text(self, lang: str = "en") -> str:
        return self.message_ja if lang == "ja" else self.message


Rule = Callable[["PipelineDesign"], Iterator[LintFinding]]


def no_idempotency(d: PipelineDesign) -> Iterator[LintFinding]:
    if d.idempotency.strategy == "none":
        yield LintFinding(
            rule="no_idempotency", field="idempotency.strategy",
            message="No idempotency strategy: a re-run or a redelivered event can duplicate rows. "
                    "Choose upsert on a key, delete+insert per partition, dedup at source or transactions.",
            message_ja="冪等性の戦略がありません。再実行やイベントの再配信で行が重複します。"
                       "キーによる upsert、パーティション単位の delete+insert、ソース側の重複排除、トランザクションのいずれかを選んでください。",
        )


def layer_without_quality(d: PipelineDesign) -> Iterator[LintFinding]:
    names_ja = {"source": "ソース", "transform": "変換", "sink": "シンク"}
    for layer, suites in d.quality.layers().items():
        if not any(s.expectations for s in suites):
            yield LintFinding(
                rule="layer_without_quality", field=f"quality.suites (layer {layer!r})",
                message=f"The {layer} layer has no quality checks: add a suite with layer={layer!r} "
                        "(source: freshness, volume, schema; transform: uniqueness, completeness, validity; "
                        "sink: reconciliation, business rules).",
                message_ja=f"{names_ja[layer]}層に品質チェックがありません。layer={layer!r} のスイートを追加してください。",
            )


def no_monitoring(d: PipelineDesign) -> Iterator[LintFinding]:
    m = d.monitoring
    if not m.enabled or not m.channels or not (m.freshness_max_delay_seconds or m.volume_change_tolerance
                                               or m.alert_on_failure):
        yield LintFinding(
            rule="no_monitoring", field="monitoring",
            message="No monitoring: enable freshness, volume and failure alerts and name at least one alert channel.",
            message_ja="監視がありません。鮮度・件数・失敗のアラートを有効にし、通知先を1つ以上指定してください。",
        )
    elif d.is_streaming and m.consumer_lag_max_events is None and m.consumer_lag_max_seconds is None:
        yield LintFinding(
            rule="no_monitoring", field="monitoring.consumer_lag_max_seconds",
            message="A streaming design needs a consumer-lag alert threshold (events or seconds).",
            message_ja="ストリーミング構成にはコンシューマラグのアラート閾値（件数または秒）が必要です。",
        )


def pii_without_handling(d: PipelineDesign) -> Iterator[LintFinding]:
    handled = {(f.table, f.column) for f in d.pii.fields if f.handling}
    flagged = [(s.name, c.name) for s in d.sources for c in s.columns if c.pii]
    flagged += [(f.table, f.column) for f in d.pii.fields if not f.handling]
    for table, column in dict.fromkeys(flagged):
        if (table, column) not in handled:
            yield LintFinding(
                rule="pii_without_handling", field=f"pii.fields ({table}.{column})",
                message=f"{table}.{column} holds PII without a handling strategy: mask, hash, tokenize, encrypt or drop it.",
                message_ja=f"{table}.{column} は個人情報ですが扱いが決まっていません。マスク・ハッシュ・トークン化・暗号化・削除のいずれかを選んでください。",
            )


def no_schema_evolution(d: PipelineDesign) -> Iterator[LintFinding]:
    se = d.schema_evolution
    if se.compatibility in (None, "NONE") or not se.plan.strip():
        yield LintFinding(
            rule="no_schema_evolution", field="schema_evolution.compatibility",
            message="No schema evolution plan: pick BACKWARD, FORWARD or FULL compatibility and say how breaking "
                    "changes are migrated.",
            message_ja="スキーマ進化の計画がありません。BACKWARD・FORWARD・FULL の互換性と、破壊的変更の移行手順を決めてください。",
        )


def unbounded_resources(d: PipelineDesign) -> Iterator[LintFinding]:
    r = d.resources
    if r.autoscale and r.autoscale_max is None:
        yield LintFinding(
            rule="unbounded_resources", field="resources.autoscale_max",
            message="Autoscaling has no upper bound: set resources.autoscale_max (and a monthly budget).",
            message_ja="オートスケールに上限がありません。resources.autoscale_max（と月額予算）を設定してください。",
        )
    elif all(v is None for v in (r.max_parallel_tasks, r.max_consumers, r.memory_limit_gb, r.monthly_budget)):
        yield LintFinding(
            rule="unbounded_resources", field="resources",
            message="No resource limit is set: the design assumes unbounded compute. Set parallelism, memory or a budget.",
            message_ja="リソースの上限が一つもありません。並列数・メモリ・予算のいずれかを設定してください。",
        )


def schedule_slower_than_slo(d: PipelineDesign) -> Iterator[LintFinding]:
    """A scheduled (not streaming, not continuous) design whose runs are further apart than its latency SLO."""
    from workbench.design.plan import window_seconds

    slo = d.architecture.workload.latency_slo_seconds
    if slo is None or d.is_streaming or d.orchestration.schedule in (None, "@continuous"):
        return
    every = window_seconds(d)
    if every > slo:
        schedule = d.orchestration.schedule
        yield LintFinding(
            rule="schedule_slower_than_slo", field="orchestration.schedule",
            message=f"The latency SLO is {slo:g} s but orchestration.schedule {schedule!r} runs every {every:g} s: "
                    "data can be older than the SLO allows. Schedule more often or relax the SLO.",
            message_ja=f"レイテンシ SLO は {slo:g} 秒ですが、スケジュール {schedule!r} の実行間隔は {every:g} 秒です。"
                       "実行頻度を上げるか SLO を見直してください。",
        )


#: RFC 2606 names reserved for examples: an alert sent there reaches nobody
PLACEHOLDER_DOMAIN = re.compile(r"@(?:[\w-]+\.)*(?:example\.(?:com|net|org)|example|test|invalid)(?![\w.-])", re.I)


def placeholder_alert_channel(d: PipelineDesign) -> Iterator[LintFinding]:
    """An alert channel still pointing at an example address (the default ``email:data-platform@example.com``)."""
    for channel in d.monitoring.channels:
        if PLACEHOLDER_DOMAIN.search(channel):
            yield LintFinding(
                rule="placeholder_alert_channel", field="monitoring.channels",
                message=f"Alert channel {channel!r} is an example placeholder: failures would alert nobody. "
                        "Name the team's real channel (an e-mail, Slack or PagerDuty target resolved at run time).",
                message_ja=f"通知先 {channel!r} は例示用のプレースホルダーで、アラートが誰にも届きません。"
                           "チームの実際の通知先（メール、Slack、PagerDuty など）を指定してください。",
            )


def confirm_first(d: PipelineDesign) -> Iterator[LintFinding]:
    w = d.architecture.workload
    if w.daily_bytes is not None and w.daily_bytes > 1e12:
        yield LintFinding(rule="confirm_first", severity="confirm", field="architecture.workload.daily_bytes",
                          message=f"More than 1 TB/day ({w.daily_bytes / 1e12:.1f} TB): confirm the volume.",
                          message_ja=f"1日あたり 1 TB を超えます（{w.daily_bytes / 1e12:.1f} TB）。量を確認してください。")
    if w.latency_slo_seconds is not None and w.latency_slo_seconds < 60:
        yield LintFinding(rule="confirm_first", severity="confirm", field="architecture.workload.latency_slo_seconds",
                          message=f"A latency requirement under a minute ({w.latency_slo_seconds:g} s): confirm it is needed.",
                          message_ja=f"1分未満のレイテンシ要件（{w.latency_slo_seconds:g} 秒）です。本当に必要か確認してください。")
    if w.pii or d.pii.fields or any(c.pii for s in d.sources for c in s.columns):
        yield LintFinding(rule="confirm_first", severity="confirm", field="pii",
                          message="The data holds PII: confirm the handling with the data owner.",
                          message_ja="個人情報を含みます。扱いをデータオーナーと確認してください。")
    if w.cross_region:
        yield LintFinding(rule="confirm_first", severity="confirm", field="architecture.workload.cross_region",
                          message="Data crosses regions: confirm residency rules and transfer cost.",
                          message_ja="リージョンをまたぐ転送があります。データ所在の規則と転送コストを確認してください。")


#: the rules in the order the document lists them (one explicit table)
RULES: tuple[Rule, ...] = (
    no_idempotency,
    layer_without_quality,
    no_monitoring,
    pii_without_handling,
    no_schema_evolution,
    unbounded_resources,
    schedule_slower_than_slo,
    placeholder_alert_channel,
    confirm_first,
)


def lint(design: PipelineDesign) -> list[LintFinding]:
    """Every finding of every rule, in ``RULES`` order."""
    return [f for rule in RULES for f in rule(design)]
