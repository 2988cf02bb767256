"""spending-cap: the stack's priced resources fit its budget, and Railway's hard spend limit backs it.

The resources are priced with the project's cost model (cost/), from what they declare: replicas x
per-replica limits, Redis memory, CPU and volume, the Supabase plan and compute size. The budget
comes from this policy's config (one config file per stack, policies/config/<stack>.json).

Railway's usage limit (`usageLimitSet`) is one per workspace: its hard limit takes every workload
offline when reached. It must be set, no higher than the budget it protects, and not below what the
stack's own Railway services cost (or they go offline before the month ends).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cost.model import Estimate, estimate, usd
from cost.resources import PricedSizes, number, sizes_from_resources, view
from policies.converge_policies.common import config, money, stack_resources

NAME = "spending-cap"


def priced(args: StackValidationArgs) -> tuple[PricedSizes, Estimate]:
    sizes = sizes_from_resources(stack_resources(args))
    return sizes, estimate(sizes.sizes)


def railway_usd(result: Estimate, at: str) -> Decimal:
    total = Decimal(0)
    for name in ("backend", "redis"):
        component = result.component(name)
        if component is not None:
            total += component.max_usd if at == "max" else component.monthly_usd
    return usd(total)


def breakdown(result: Estimate, at: str) -> str:
    parts = [f"{c.component} {money(c.max_usd if at == 'max' else c.monthly_usd)}" for c in result.components]
    return ", ".join(parts) or "nothing priced"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    budget = Decimal(str(config(args, "monthlyBudgetUsd", 0)))
    at = str(config(args, "estimateAt", "deployed"))
    _, result = priced(args)
    total = result.max_usd if at == "max" else result.monthly_usd
    label = "at maximum replicas" if at == "max" else "as deployed"
    if total > budget:
        report_violation(
            f"estimated {money(total)}/month {label} exceeds the budget of {money(budget)} by "
            f"{money(total - budget)} ({breakdown(result, at)}).",
            None,
        )
    if config(args, "hardLimit", "required") != "required":
        return
    ceiling = Decimal(str(config(args, "hardLimitCeilingUsd", 0) or budget))
    limits = view(stack_resources(args)).usage_limits
    if not limits:
        report_violation(
            "no Railway usage limit is declared: nothing stops spending above the budget "
            "(RailwayUsageLimit with hardLimitDollars).",
            None,
        )
    for limit in limits:
        hard: Any = limit.props.get("hardLimitDollars")
        soft: Any = limit.props.get("softLimitDollars")
        hard_usd, soft_usd = number(hard), number(soft)
        if hard is None:
            report_violation(f"Railway usage limit '{limit.name}' has no hard limit, only an alert.", limit.urn)
            continue
        if hard_usd is None:
            continue  # unknown in preview; judged by `pulumi up`
        if hard_usd > ceiling:
            report_violation(
                f"Railway hard limit {money(hard_usd)} is above the {money(ceiling)} it must cap.", limit.urn
            )
        railway_cost = railway_usd(result, "deployed")
        if hard_usd < railway_cost:
            report_violation(
                f"Railway hard limit {money(hard_usd)} is below the {money(railway_cost)}/month this stack's Railway "
                "services cost: Railway would take them offline before the month ends.",
                limit.urn,
            )
        if soft_usd is not None and soft_usd > hard_usd:
            report_violation(
                f"Railway soft limit {money(soft_usd)} is above the hard limit {money(hard_usd)}: the alert would "
                "come after the workloads are already offline.",
                limit.urn,
            )


POLICY = StackValidationPolicy(
    name=NAME,
    description="The stack's estimated monthly cost fits its budget, and a Railway hard spend limit no higher "
    "than the budget is set.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "monthlyBudgetUsd": {"type": "number", "exclusiveMinimum": 0, "description": "The stack's budget, USD."},
            "estimateAt": {
                "type": "string",
                "enum": ["deployed", "max"],
                "description": "Compare the budget with the cost as deployed, or at maximum replicas.",
                "default": "deployed",
            },
            "hardLimit": {
                "type": "string",
                "enum": ["required", "elsewhere"],
                "description": "`elsewhere`: another stack owns the workspace's Railway usage limit.",
                "default": "required",
            },
            "hardLimitCeilingUsd": {
                "type": "number",
                "minimum": 0,
                "description": "Highest allowed hard limit (default: monthlyBudgetUsd); for a workspace-wide limit, "
                "the budget of every stack it covers.",
                "default": 0,
            },
        },
        required=["monthlyBudgetUsd"],
    ),
    remediation_steps=(
        "Lower replicas or per-replica limits (Pulumi.<stack>.yaml), or raise the budget in both the stack file and "
        "policies/config/<stack>.json after approval. Set the Railway usage limit's hard limit at or below the budget."
    ),
)
