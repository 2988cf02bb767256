"""The cost model: a stack's declared sizes -> a monthly estimate per component.

One implementation for the Pulumi program (which exports the estimate as stack outputs), the policy
pack (which prices the resources a preview registers) and the report command. Sizes come from the
typed stack settings (`sizes_from_settings`) or from recorded resources (`cost.resources`).

What the estimate means: every service uses its whole CPU and memory limit all month, every volume
is full. Railway bills measured use, so real bills for the same sizes are at or below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from cost.prices import Price, PriceTable, PriceTableError, load_prices

if TYPE_CHECKING:
    from settings.model import StackSettings

CENT = Decimal("0.01")
MB_PER_GB = Decimal(1024)
COMPONENTS = ("backend", "redis", "database")


class UnpricedError(PriceTableError):
    """The sizes name something the price table has no price for (e.g. a Supabase Enterprise contract)."""


def usd(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: float | int | str | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class BackendSizes:
    min_replicas: int
    max_replicas: int
    deployed_replicas: int  # what Railway runs now: the minimum, or the event figure in event mode
    vcpu_per_replica: Decimal
    memory_gb_per_replica: Decimal


@dataclass(frozen=True)
class RedisSizes:
    memory_gb: Decimal  # memory the container is priced for: redis-server's --maxmemory
    vcpu: Decimal
    volume_gb: Decimal


@dataclass(frozen=True)
class DatabaseSizes:
    plan: str
    compute_size: str
    organization: str | None = None


@dataclass(frozen=True)
class StackSizes:
    """What a stack declares that costs money; a component it does not declare is None (costs nothing)."""

    backend: BackendSizes | None = None
    redis: RedisSizes | None = None
    database: DatabaseSizes | None = None


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

    component: str
    monthly_usd: Decimal
    min_usd: Decimal
    max_usd: Decimal
    charges: tuple[Charge, ...]  # as deployed
    notes: tuple[str, ...] = ()

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

    def component(self, name: str) -> ComponentCost | None:
        return next((c for c in self.components if c.component == name), None)

    def as_output(self) -> dict[str, Any]:
        """JSON-friendly form (floats in USD, rounded to cents), as exported by the program."""
        return {
            "monthlyUsd": float(self.monthly_usd),
            "minUsd": float(self.min_usd),
            "maxUsd": float(self.max_usd),
            "pricesAsOf": self.prices_as_of,
            "components": {c.component: c.as_dict() for c in self.components},
        }


def _charge(prices: PriceTable, key: str, label: str, quantity: Decimal, *, credit: bool = False) -> Charge:
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


def _total(charges: Iterable[Charge]) -> Decimal:
    return sum((c.amount_usd for c in charges), Decimal(0))


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def backend_charges(sizes: BackendSizes, replicas: int, prices: PriceTable) -> tuple[Charge, ...]:
    count = Decimal(replicas)
    return (
        _charge(
            prices,
            "railway.vcpu_month",
            f"{replicas} x {_fmt(sizes.vcpu_per_replica)} vCPU",
            count * sizes.vcpu_per_replica,
        ),
        _charge(
            prices,
            "railway.memory_gb_month",
            f"{replicas} x {_fmt(sizes.memory_gb_per_replica)} GB memory",
            count * sizes.memory_gb_per_replica,
        ),
    )


def backend_cost(sizes: BackendSizes, prices: PriceTable) -> ComponentCost:
    deployed = backend_charges(sizes, sizes.deployed_replicas, prices)
    return ComponentCost(
        component="backend",
        monthly_usd=_total(deployed),
        min_usd=_total(backend_charges(sizes, sizes.min_replicas, prices)),
        max_usd=_total(backend_charges(sizes, sizes.max_replicas, prices)),
        charges=deployed,
        notes=(
            f"{sizes.deployed_replicas} replica{'' if sizes.deployed_replicas == 1 else 's'} deployed "
            f"(min {sizes.min_replicas}, max {sizes.max_replicas})",
        ),
    )


def redis_cost(sizes: RedisSizes, prices: PriceTable) -> ComponentCost:
    charges = (
        _charge(prices, "railway.memory_gb_month", f"{_fmt(sizes.memory_gb)} GB memory", sizes.memory_gb),
        _charge(prices, "railway.vcpu_month", f"{_fmt(sizes.vcpu)} vCPU", sizes.vcpu),
        _charge(prices, "railway.volume_gb_month", f"{_fmt(sizes.volume_gb)} GB volume (RDB + AOF)", sizes.volume_gb),
    )
    total = _total(charges)
    return ComponentCost("redis", total, total, total, charges)


def _database_parts(sizes: DatabaseSizes, prices: PriceTable) -> tuple[Price, Charge, list[str]]:
    """The plan's price, the project's compute charge, and notes on how the size was priced."""
    plan_key = f"supabase.plans.{sizes.plan}"
    if not prices.has(plan_key):
        raise UnpricedError(f"the Supabase {sizes.plan!r} plan has no list price (a custom contract)")
    plan = prices[plan_key]
    notes: list[str] = []
    size = sizes.compute_size
    compute_key = f"supabase.compute.{size}"
    if not prices.has(compute_key):
        raise UnpricedError(f"no price for Supabase compute size {size!r}")
    if prices[compute_key].extra.get("free_plan_only") and plan.usd > 0:
        notes.append(f"{size} runs only on the Free plan; priced as micro, the smallest paid size")
        size, compute_key = "micro", "supabase.compute.micro"
    return plan, _charge(prices, compute_key, f"{size} compute", Decimal(1)), notes


def database_cost(sizes: DatabaseSizes, prices: PriceTable) -> ComponentCost:
    plan, compute, notes = _database_parts(sizes, prices)
    charges = [_charge(prices, plan.key, f"{sizes.plan} plan", Decimal(1)), compute]
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
    total = _total(charges)
    return ComponentCost("database", total, total, total, tuple(charges), tuple(notes))


def estimate(sizes: StackSizes, prices: PriceTable | None = None) -> Estimate:
    """The monthly estimate of one stack, as if it were alone in its Railway workspace and Supabase org."""
    table = prices or load_prices()
    components: list[ComponentCost] = []
    if sizes.backend is not None:
        components.append(backend_cost(sizes.backend, table))
    if sizes.redis is not None:
        components.append(redis_cost(sizes.redis, table))
    if sizes.database is not None:
        components.append(database_cost(sizes.database, table))
    return Estimate(tuple(components), prices_as_of=table.oldest().isoformat())


def sizes_from_settings(settings: StackSettings) -> StackSizes:
    """The sizes a stack's settings declare (the program's view, before any resource exists)."""
    backend = settings.backend
    redis = settings.redis
    database = settings.database
    return StackSizes(
        backend=BackendSizes(
            min_replicas=backend.min_replicas,
            max_replicas=backend.max_replicas,
            deployed_replicas=settings.deployed_replicas,
            vcpu_per_replica=_decimal(backend.vcpu_per_replica),
            memory_gb_per_replica=_decimal(backend.memory_gb_per_replica),
        ),
        redis=RedisSizes(
            memory_gb=Decimal(redis.memory_mb) / MB_PER_GB,
            vcpu=_decimal(redis.vcpu),
            volume_gb=_decimal(redis.volume_gb),
        ),
        database=DatabaseSizes(
            plan=database.plan, compute_size=database.compute_size, organization=database.organization
        ),
    )


@dataclass(frozen=True)
class WorkspaceEstimate:
    """What the stacks cost together: plan fees and credits counted once per workspace/organization."""

    stacks_sum_usd: Decimal  # the per-stack estimates added up (each stack as if alone)
    combined_usd: Decimal  # the bill of all stacks together
    railway_usage_usd: Decimal
    railway_plan_usd: Decimal  # what the Railway subscription adds on top of usage (0 when usage covers it)
    supabase_by_organization: Mapping[str, Decimal]
    lines: tuple[str, ...]


def workspace_estimate(
    stacks: Mapping[str, StackSizes],
    *,
    railway_plan: str = "pro",
    at: str = "monthly",
    prices: PriceTable | None = None,
) -> WorkspaceEstimate:
    """All stacks in one Railway workspace; Supabase projects grouped by organization.

    `at` is "monthly" (as deployed), "min" or "max" replicas.
    """
    table = prices or load_prices()
    attribute = {"monthly": "monthly_usd", "min": "min_usd", "max": "max_usd"}[at]
    estimates = {name: estimate(sizes, table) for name, sizes in stacks.items()}
    stacks_sum = sum((getattr(e, attribute) for e in estimates.values()), Decimal(0))

    railway_usage = Decimal(0)
    for e in estimates.values():
        for component in ("backend", "redis"):
            cost = e.component(component)
            if cost is not None:
                railway_usage += getattr(cost, attribute)
    plan = table[f"railway.plans.{railway_plan}"]
    railway_plan_usd = max(Decimal(0), plan.usd - min(railway_usage, plan.decimal("included_usage_usd")))
    lines = [
        f"Railway {railway_plan} plan: ${usd(plan.usd)} minimum commitment, covered by ${usd(railway_usage)} of usage"
        if railway_plan_usd == 0
        else f"Railway {railway_plan} plan: ${usd(railway_plan_usd)} above ${usd(railway_usage)} of usage"
    ]

    organizations: dict[str, list[DatabaseSizes]] = {}
    for name, sizes in stacks.items():
        if sizes.database is not None:
            organizations.setdefault(sizes.database.organization or f"({name})", []).append(sizes.database)
    by_organization: dict[str, Decimal] = {}
    for organization, projects in organizations.items():
        plans = {p.plan for p in projects}
        if len(plans) != 1:
            raise UnpricedError(f"Supabase organization {organization!r} has projects on several plans: {plans}")
        parts = [_database_parts(p, table) for p in projects]
        plan = parts[0][0]
        compute = sum((charge.amount_usd for _, charge, _ in parts), Decimal(0))
        credit = min(plan.decimal("compute_credit_usd"), compute)
        by_organization[organization] = usd(plan.usd + compute - credit)
        lines.append(
            f"Supabase {organization} ({projects[0].plan}): ${usd(plan.usd)} plan once + ${usd(compute)} compute "
            f"for {len(projects)} project(s) - ${usd(credit)} credit once = ${by_organization[organization]}"
        )

    combined = railway_usage + railway_plan_usd + sum(by_organization.values(), Decimal(0))
    return WorkspaceEstimate(
        stacks_sum_usd=usd(stacks_sum),
        combined_usd=usd(combined),
        railway_usage_usd=usd(railway_usage),
        railway_plan_usd=usd(railway_plan_usd),
        supabase_by_organization=by_organization,
        lines=tuple(lines),
    )
