"""What a RedisCache costs a month, from its settings or from what it registered."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cost.model import MB_PER_GB, ComponentCost, charge, decimal, quantity_label, total
from cost.prices import PriceTable
from settings.model import RedisSettings

COMPONENT = "redis"


@dataclass(frozen=True)
class RedisSizes:
    memory_gb: Decimal  # memory the container is priced for: redis-server's --maxmemory
    vcpu: Decimal
    volume_gb: Decimal


def sizes_from_settings(redis: RedisSettings) -> RedisSizes:
    return RedisSizes(
        memory_gb=Decimal(redis.memory_mb) / MB_PER_GB,
        vcpu=decimal(redis.vcpu),
        volume_gb=decimal(redis.volume_gb),
    )


def redis_cost(sizes: RedisSizes, prices: PriceTable) -> ComponentCost:
    charges = (
        charge(prices, "railway.memory_gb_month", f"{quantity_label(sizes.memory_gb)} GB memory", sizes.memory_gb),
        charge(prices, "railway.vcpu_month", f"{quantity_label(sizes.vcpu)} vCPU", sizes.vcpu),
        charge(
            prices,
            "railway.volume_gb_month",
            f"{quantity_label(sizes.volume_gb)} GB volume (RDB + AOF)",
            sizes.volume_gb,
        ),
    )
    amount = total(charges)
    return ComponentCost(COMPONENT, amount, amount, amount, charges)
