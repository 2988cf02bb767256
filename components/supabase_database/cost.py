"""What a SupabaseDatabase costs a month: its organization's plan, its compute add-on, the plan's credit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cost.model import Charge, ComponentCost, UnpricedError, charge, total
from cost.prices import Price, PriceTable
from settings.model import FREE_PLAN, FREE_PLAN_COMPUTE_SIZE, SMALLEST_PAID_COMPUTE_SIZE, DatabaseSettings

COMPONENT = "database"


@dataclass(frozen=True)
class DatabaseSizes:
    plan: str
    compute_size: str
    organization: str | None = None


def sizes_from_settings(database: DatabaseSettings) -> DatabaseSizes:
    return DatabaseSizes(plan=database.plan, compute_size=database.compute_size, organization=database.organization)


def database_parts(sizes: DatabaseSizes, prices: PriceTable) -> tuple[Price, Charge, list[str]]:
    """The plan's price, the project's compute charge, and notes on how the size was priced."""
    plan_key = f"supabase.plans.{sizes.plan}"
    if not prices.has(plan_key):
        raise UnpricedError(f"the Supabase {sizes.plan!r} plan has no list price (a custom contract)")
    plan = prices[plan_key]
    notes: list[str] = []
    size = sizes.compute_size
    if not prices.has(f"supabase.compute.{size}"):
        raise UnpricedError(f"no price for Supabase compute size {size!r}")
    if size == FREE_PLAN_COMPUTE_SIZE and sizes.plan != FREE_PLAN:
        notes.append(
            f"{size} runs only on the Free plan; priced as {SMALLEST_PAID_COMPUTE_SIZE}, the smallest paid size"
        )
        size = SMALLEST_PAID_COMPUTE_SIZE
    return plan, charge(prices, f"supabase.compute.{size}", f"{size} compute", Decimal(1)), notes


def database_cost(sizes: DatabaseSizes, prices: PriceTable) -> ComponentCost:
    plan, compute, notes = database_parts(sizes, prices)
    charges = [charge(prices, plan.key, f"{sizes.plan} plan", Decimal(1)), compute]
    credit_usd = min(plan.decimal("compute_credit_usd"), compute.amount_usd)
    if credit_usd > 0:
        charges.append(
            Charge(
                label="compute credit",
                quantity=Decimal(1),
                unit=plan.unit,
                unit_usd=credit_usd,
                amount_usd=-credit_usd,
                price=plan.key,
                source=plan.source,
                as_of=plan.as_of.isoformat(),
            )
        )
    if plan.usd > 0:
        notes.append(
            f"plan fee and compute credit are per organization ({sizes.organization or 'unnamed'}), "
            "shared with the other projects in it"
        )
    amount = total(charges)
    return ComponentCost(COMPONENT, amount, amount, amount, tuple(charges), tuple(notes))
