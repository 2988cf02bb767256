"""What a BackendService costs a month: replicas x per-replica limits, as deployed and at either bound."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cost.model import Charge, ComponentCost, charge, decimal, quantity_label, total
from cost.prices import PriceTable
from settings.model import StackSettings

COMPONENT = "backend"


@dataclass(frozen=True)
class BackendSizes:
    min_replicas: int
    max_replicas: int
    deployed_replicas: int  # what Railway runs now: the minimum, or the event figure in event mode
    vcpu_per_replica: Decimal
    memory_gb_per_replica: Decimal


def sizes_from_settings(settings: StackSettings) -> BackendSizes:
    backend = settings.backend
    return BackendSizes(
        min_replicas=backend.min_replicas,
        max_replicas=backend.max_replicas,
        deployed_replicas=settings.deployed_replicas,
        vcpu_per_replica=decimal(backend.vcpu_per_replica),
        memory_gb_per_replica=decimal(backend.memory_gb_per_replica),
    )


def backend_charges(sizes: BackendSizes, replicas: int, prices: PriceTable) -> tuple[Charge, ...]:
    count = Decimal(replicas)
    return (
        charge(
            prices,
            "railway.vcpu_month",
            f"{replicas} x {quantity_label(sizes.vcpu_per_replica)} vCPU",
            count * sizes.vcpu_per_replica,
        ),
        charge(
            prices,
            "railway.memory_gb_month",
            f"{replicas} x {quantity_label(sizes.memory_gb_per_replica)} GB memory",
            count * sizes.memory_gb_per_replica,
        ),
    )


def backend_cost(sizes: BackendSizes, prices: PriceTable) -> ComponentCost:
    deployed = backend_charges(sizes, sizes.deployed_replicas, prices)
    return ComponentCost(
        component=COMPONENT,
        monthly_usd=total(deployed),
        min_usd=total(backend_charges(sizes, sizes.min_replicas, prices)),
        max_usd=total(backend_charges(sizes, sizes.max_replicas, prices)),
        charges=deployed,
        notes=(
            f"{sizes.deployed_replicas} replica{'' if sizes.deployed_replicas == 1 else 's'} deployed "
            f"(min {sizes.min_replicas}, max {sizes.max_replicas})",
        ),
    )
