"""What a WatchdogService costs a month: its CPU and memory limits on Railway, used all month."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cost.model import ComponentCost, charge, decimal, quantity_label, total
from cost.prices import PriceTable
from settings.model import WatchdogSettings

COMPONENT = "watchdog"


@dataclass(frozen=True)
class WatchdogSizes:
    vcpu: Decimal
    memory_gb: Decimal


def sizes_from_settings(watchdog: WatchdogSettings) -> WatchdogSizes | None:
    """None when the stack does not deploy the watchdog."""
    if not watchdog.enabled:
        return None
    return WatchdogSizes(vcpu=decimal(watchdog.vcpu), memory_gb=decimal(watchdog.memory_gb))


def watchdog_cost(sizes: WatchdogSizes, prices: PriceTable) -> ComponentCost:
    charges = (
        charge(prices, "railway.vcpu_month", f"{quantity_label(sizes.vcpu)} vCPU", sizes.vcpu),
        charge(prices, "railway.memory_gb_month", f"{quantity_label(sizes.memory_gb)} GB memory", sizes.memory_gb),
    )
    amount = total(charges)
    return ComponentCost(COMPONENT, amount, amount, amount, charges)
