"""A stack's monthly estimate: each component priced by its own cost function, added up.

One implementation for the Pulumi program (which exports the estimate as a stack output), the policy
pack (which prices the resources a preview registers, policies/converge_policies/stack_graph.py) and
the report command.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TypeVar

from components.backend_service.cost import BackendSizes, backend_cost
from components.backend_service.cost import sizes_from_settings as backend_sizes
from components.redis_cache.cost import RedisSizes, redis_cost
from components.redis_cache.cost import sizes_from_settings as redis_sizes
from components.supabase_database.cost import DatabaseSizes, database_cost, database_parts
from components.supabase_database.cost import sizes_from_settings as database_sizes
from components.watchdog_service.cost import WatchdogSizes, watchdog_cost
from components.watchdog_service.cost import sizes_from_settings as watchdog_sizes
from cost.model import ComponentCost, Estimate, UnpricedError, usd
from cost.prices import PriceTable, load_prices
from settings.model import StackSettings

Sized = TypeVar("Sized")

# The components whose bill is Railway's (usage-based, under the workspace's usage limit).
RAILWAY_COMPONENTS = ("backend", "redis", "watchdog")


@dataclass(frozen=True)
class StackSizes:
    """What a stack declares that costs money, by the name of the service or project each prices (a
    stack may run several of a kind); a kind it does not declare costs nothing."""

    backends: Mapping[str, BackendSizes] = field(default_factory=dict)
    redis: Mapping[str, RedisSizes] = field(default_factory=dict)
    databases: Mapping[str, DatabaseSizes] = field(default_factory=dict)
    watchdogs: Mapping[str, WatchdogSizes] = field(default_factory=dict)


def estimate(sizes: StackSizes, prices: PriceTable | None = None) -> Estimate:
    """The monthly estimate of one stack, as if it were alone in its Railway workspace and Supabase org.
    Every service and project is priced; each is named when its kind has more than one."""
    table = prices or load_prices()
    components = [
        *_each(sizes.backends, backend_cost, table),
        *_each(sizes.redis, redis_cost, table),
        *_each(sizes.databases, database_cost, table),
        *_each(sizes.watchdogs, watchdog_cost, table),
    ]
    return Estimate(tuple(components), prices_as_of=table.oldest().isoformat())


def _each(
    sizes: Mapping[str, Sized], price: Callable[[Sized, PriceTable], ComponentCost], table: PriceTable
) -> list[ComponentCost]:
    costs = [(name, price(item, table)) for name, item in sizes.items()]
    return [replace(cost, service=name) if len(costs) > 1 else cost for name, cost in costs]


def sizes_from_settings(settings: StackSettings) -> StackSizes:
    """The sizes a stack's settings declare (the program's view, before any resource exists)."""
    return StackSizes(
        backends={"backend": backend_sizes(settings)},
        redis={"redis": redis_sizes(settings.redis)},
        databases={"database": database_sizes(settings.database)},
        watchdogs={"watchdog": watchdog} if (watchdog := watchdog_sizes(settings.watchdog)) is not None else {},
    )


def railway_usd(result: Estimate, attribute: str = "monthly_usd") -> Decimal:
    """What the stack's Railway components cost (`monthly_usd`, `min_usd` or `max_usd`)."""
    return sum(
        (getattr(component, attribute) for component in result.components if component.component in RAILWAY_COMPONENTS),
        Decimal(0),
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

    railway_usage = sum((railway_usd(e, attribute) for e in estimates.values()), Decimal(0))
    plan = table[f"railway.plans.{railway_plan}"]
    railway_plan_usd = max(Decimal(0), plan.usd - min(railway_usage, plan.decimal("included_usage_usd")))
    lines = [
        f"Railway {railway_plan} plan: ${usd(plan.usd)} minimum commitment, covered by ${usd(railway_usage)} of usage"
        if railway_plan_usd == 0
        else f"Railway {railway_plan} plan: ${usd(railway_plan_usd)} above ${usd(railway_usage)} of usage"
    ]

    organizations: dict[str, list[DatabaseSizes]] = {}
    for name, sizes in stacks.items():
        for database in sizes.databases.values():
            organizations.setdefault(database.organization or f"({name})", []).append(database)
    by_organization: dict[str, Decimal] = {}
    for organization, projects in organizations.items():
        plans = {p.plan for p in projects}
        if len(plans) != 1:
            raise UnpricedError(f"Supabase organization {organization!r} has projects on several plans: {plans}")
        parts = [database_parts(p, table) for p in projects]
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
