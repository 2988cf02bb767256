"""The cost model's vocabulary: charges, a component's cost, a stack's estimate, dollars.

Each component prices itself (`components/<component>/cost.py`) with these; `cost/stack.py` adds them
up for a stack and for all stacks together.

What the estimate means: every service uses its whole CPU and memory limit all month, every volume
is full. Railway bills measured use, so real bills for the same sizes are at or below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cost.prices import PriceTable, PriceTableError

CENT = Decimal("0.01")
MB_PER_GB = Decimal(1024)


class UnpricedError(PriceTableError):
    """The sizes name something the price table has no price for (e.g. a Supabase Enterprise contract)."""


def usd(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal | float | None) -> str:
    """Dollars and cents, the way every table and message shows them; "-" for no amount."""
    return "-" if amount is None else f"${Decimal(str(amount)):,.2f}"


def decimal(value: float | int | str | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Charge:
    """One line of a component's bill: quantity x unit price (a credit has a negative amount)."""

    label: str
    quantity: Decimal
    unit: str
    unit_usd: Decimal
    amount_usd: Decimal
    price: str  # key in the price table
    source: str
    as_of: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "quantity": float(self.quantity),
            "unit": self.unit,
            "unitUsd": float(self.unit_usd),
            "amountUsd": float(usd(self.amount_usd)),
            "price": self.price,
            "source": self.source,
            "asOf": self.as_of,
        }


@dataclass(frozen=True)
class ComponentCost:
    """A component's monthly cost as deployed, and its range between minimum and maximum scale."""

    component: str  # its kind: backend, redis, database
    monthly_usd: Decimal
    min_usd: Decimal
    max_usd: Decimal
    charges: tuple[Charge, ...]  # as deployed
    notes: tuple[str, ...] = ()
    service: str | None = None  # the service or project priced, named when a stack has several of its kind

    @property
    def label(self) -> str:
        return self.component if self.service is None else f"{self.component} {self.service}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "monthlyUsd": float(usd(self.monthly_usd)),
            "minUsd": float(usd(self.min_usd)),
            "maxUsd": float(usd(self.max_usd)),
            "charges": [charge.as_dict() for charge in self.charges],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Estimate:
    components: tuple[ComponentCost, ...]
    prices_as_of: str  # the oldest date in the price table: how stale the estimate may be

    @property
    def monthly_usd(self) -> Decimal:
        return usd(sum((c.monthly_usd for c in self.components), Decimal(0)))

    @property
    def min_usd(self) -> Decimal:
        return usd(sum((c.min_usd for c in self.components), Decimal(0)))

    @property
    def max_usd(self) -> Decimal:
        return usd(sum((c.max_usd for c in self.components), Decimal(0)))

    def component(self, label: str) -> ComponentCost | None:
        return next((c for c in self.components if c.label == label), None)

    def as_output(self) -> dict[str, Any]:
        """JSON-friendly form (floats in USD, rounded to cents), as exported by the program."""
        return {
            "monthlyUsd": float(self.monthly_usd),
            "minUsd": float(self.min_usd),
            "maxUsd": float(self.max_usd),
            "pricesAsOf": self.prices_as_of,
            "components": {c.label: c.as_dict() for c in self.components},
        }


def charge(prices: PriceTable, key: str, label: str, quantity: Decimal, *, credit: bool = False) -> Charge:
    price = prices[key]
    amount = quantity * price.usd
    return Charge(
        label=label,
        quantity=quantity,
        unit=price.unit,
        unit_usd=price.usd,
        amount_usd=-amount if credit else amount,
        price=key,
        source=price.source,
        as_of=price.as_of.isoformat(),
    )


def total(charges: Iterable[Charge]) -> Decimal:
    return sum((c.amount_usd for c in charges), Decimal(0))


def quantity_label(value: Decimal) -> str:
    return format(value.normalize(), "f")
