"""Monthly cost line items, each with its quantity, unit price and the source of the price.

Prices are AWS us-east-1 on-demand list prices (USD) as published on the pages cited; they change,
so every one is a default in ``PRICES`` that the user can replace with their own contract rates.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

from workbench.orchestrators import Orchestrator

HOURS_PER_MONTH = 730.0
GB = 1e9


class Price(BaseModel):
    """A unit price with the page it comes from."""

    usd: float
    unit: str
    source: str


PRICES: dict[str, Price] = {
    "msk_broker_m5_large": Price(usd=0.21, unit="broker-hour (kafka.m5.large)",
                                 source="https://aws.amazon.com/msk/pricing/ (us-east-1, list price)"),
    "msk_storage": Price(usd=0.10, unit="GB-month", source="https://aws.amazon.com/msk/pricing/ (us-east-1)"),
    "fargate_vcpu": Price(usd=0.04048, unit="vCPU-hour", source="https://aws.amazon.com/fargate/pricing/ (us-east-1)"),
    "fargate_memory": Price(usd=0.004445, unit="GB-hour", source="https://aws.amazon.com/fargate/pricing/ (us-east-1)"),
    "flink_kpu": Price(usd=0.11, unit="KPU-hour",
                       source="https://aws.amazon.com/managed-service-apache-flink/pricing/ (us-east-1)"),
    "emr_m5_xlarge": Price(usd=0.192 + 0.048, unit="instance-hour (m5.xlarge EC2 + EMR fee)",
                           source="https://aws.amazon.com/emr/pricing/ and https://aws.amazon.com/ec2/pricing/on-demand/"),
    "mwaa_small": Price(usd=0.49, unit="environment-hour (mw1.small)",
                        source="https://aws.amazon.com/managed-workflows-for-apache-airflow/pricing/ (us-east-1)"),
    "ec2_m5_large": Price(usd=0.096, unit="instance-hour (m5.large, self-hosted orchestrator)",
                          source="https://aws.amazon.com/ec2/pricing/on-demand/ (us-east-1, Linux)"),
    "dbt_cloud_seat": Price(usd=100.0, unit="developer seat-month (Team plan)", source="https://www.getdbt.com/pricing"),
    "s3_standard": Price(usd=0.023, unit="GB-month", source="https://aws.amazon.com/s3/pricing/ (first 50 TB)"),
    "inter_region_transfer": Price(usd=0.02, unit="GB transferred between regions",
                                   source="https://aws.amazon.com/ec2/pricing/on-demand/ (data transfer)"),
}

#: sustained ingress one kafka.m5.large broker carries (an assumption; measure with your own load test)
BROKER_MB_PER_SEC = 20.0


class CostItem(BaseModel):
    """One line of a monthly bill."""

    item: str
    quantity: float
    unit: str
    unit_usd: float
    monthly_usd: float
    source: str


def line(item: str, quantity: float, price_key: str, prices: dict[str, Price] | None = None) -> CostItem:
    """A cost line: ``quantity`` units at the price ``price_key``."""
    p = (prices or PRICES)[price_key]
    return CostItem(item=item, quantity=quantity, unit=p.unit, unit_usd=p.usd, monthly_usd=quantity * p.usd,
                    source=p.source)


def consumer_line(item: str, instances: float, hours: float = HOURS_PER_MONTH) -> list[CostItem]:
    """Fargate tasks of 1 vCPU and 2 GB for ``hours`` each."""
    return [line(f"{item} (vCPU)", instances * hours, "fargate_vcpu"),
            line(f"{item} (memory, 2 GB each)", instances * hours * 2, "fargate_memory")]


def orchestrator_lines(orchestrator: Orchestrator | str) -> list[CostItem]:
    """What running ``orchestrator`` costs a month (either spelling of its name)."""
    tool = Orchestrator.parse(orchestrator)
    if tool is Orchestrator.AIRFLOW:
        return [line(f"{tool.label} (MWAA small environment)", HOURS_PER_MONTH, "mwaa_small")]
    if tool is Orchestrator.DBT_CLOUD:
        return [line(f"{tool.label} (1 developer seat)", 1, "dbt_cloud_seat")]
    return [line(f"{tool.label} (self-hosted on one VM)", HOURS_PER_MONTH, "ec2_m5_large")]


def kafka_lines(peak_mb_per_sec: float, replication_factor: int, storage_bytes: float) -> list[CostItem]:
    brokers = max(replication_factor, math.ceil(peak_mb_per_sec * replication_factor / BROKER_MB_PER_SEC))
    return [line(f"Kafka brokers (MSK, {brokers} × kafka.m5.large; {BROKER_MB_PER_SEC:g} MB/s ingress each assumed)",
                 brokers * HOURS_PER_MONTH, "msk_broker_m5_large"),
            line("Kafka broker storage (retention × replication ÷ disk fill)", storage_bytes / GB, "msk_storage")]


def storage_lines(bytes_per_day: float, days_kept: float = 30.0) -> list[CostItem]:
    return [line(f"lake/warehouse storage ({days_kept:g} days of raw data)", bytes_per_day * days_kept / GB, "s3_standard")]


def transfer_lines(bytes_per_day: float, cross_region: bool) -> list[CostItem]:
    if not cross_region:
        return []
    return [line("cross-region transfer", bytes_per_day * 30 / GB, "inter_region_transfer")]


def total(items: list[CostItem]) -> float:
    return float(sum(i.monthly_usd for i in items))
