"""spending-cap: the stack's priced resources fit its budget, and Railway's hard spend limit backs it.

The resources are priced with the project's cost model (cost/), from what they declare: replicas x
per-replica limits, Redis memory, CPU and volume, the Supabase plan and compute size. The budget
is the stack's own (`budget.monthlyUsd` in its settings, stack_settings.py).

Railway's usage limit (`usageLimitSet`) is one per workspace: its hard limit takes every workload of
the workspace offline when reached, production included. It must be set (by one stack of the workspace),
no higher than the budgets of the stacks it covers, and never below production's Railway spend at
maximum replicas: scaling out for an event would reach it and take production offline.
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

from components import railway_resources as railway
from cost.model import Estimate, money, usd
from cost.stack import estimate, railway_usd
from cost.usage_limit import stack_of, workspace_limit
from policies.converge_policies.common import config, stack_resources
from policies.converge_policies.stack_graph import PricedSizes, number, sizes_from_graph, stack_graph
from policies.converge_policies.stack_settings import stack_settings
from settings.stacks import PRODUCTION_STACK

NAME = "spending-cap"


CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
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
            "description": "Highest allowed hard limit (default: the budgets of the stacks sharing the "
            "workspace added up).",
            "default": 0,
        },
    },
)


def priced(args: StackValidationArgs) -> tuple[PricedSizes, Estimate]:
    sizes = sizes_from_graph(stack_graph(stack_resources(args)))
    return sizes, estimate(sizes.sizes)


def budget_usd() -> Decimal:
    return Decimal(str(stack_settings().budget.monthly_usd))


def breakdown(result: Estimate, at: str) -> str:
    parts = [f"{c.component} {money(c.max_usd if at == 'max' else c.monthly_usd)}" for c in result.components]
    return ", ".join(parts) or "nothing priced"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    budget = budget_usd()
    at = str(config(args, CONFIG_SCHEMA, "estimateAt"))
    _, result = priced(args)
    total = result.max_usd if at == "max" else result.monthly_usd
    label = "at maximum replicas" if at == "max" else "as deployed"
    if total > budget:
        report_violation(
            f"estimated {money(total)}/month {label} exceeds the budget of {money(budget)} by "
            f"{money(total - budget)} ({breakdown(result, at)}).",
            None,
        )
    if config(args, CONFIG_SCHEMA, "hardLimit") != "required":
        return
    settings = stack_settings()
    stack = stack_of(settings)
    workspace = workspace_limit(settings)
    ceiling = Decimal(
        str(config(args, CONFIG_SCHEMA, "hardLimitCeilingUsd") or sum(workspace.budget_by_stack.values()))
    )
    # Production as this preview declares it when it is production, else as its stack file does.
    production_max = (
        usd(railway_usd(result, "max_usd"))
        if stack == PRODUCTION_STACK
        else workspace.railway_max_by_stack.get(PRODUCTION_STACK)
    )
    limits = stack_graph(stack_resources(args)).usage_limits
    if not limits:
        report_violation(
            "no Railway usage limit is declared: nothing stops spending above the budget "
            "(RailwayUsageLimit with hardLimitDollars).",
            None,
        )
    for limit in limits:
        hard: Any = limit.props.get(railway.USAGE_HARD_LIMIT_DOLLARS)
        soft: Any = limit.props.get(railway.USAGE_SOFT_LIMIT_DOLLARS)
        hard_usd, soft_usd = number(hard), number(soft)
        if hard is None:
            report_violation(f"Railway usage limit '{limit.name}' has no hard limit, only an alert.", limit.urn)
            continue
        if hard_usd is None:
            continue  # unknown in preview; judged by `pulumi up`
        if hard_usd > ceiling:
            report_violation(
                f"Railway hard limit {money(hard_usd)} is above the {money(ceiling)} it must cap (the budgets of "
                f"{', '.join(workspace.budget_by_stack)}, which share its workspace).",
                limit.urn,
            )
        if production_max is not None and hard_usd < production_max:
            report_violation(
                f"Railway hard limit {money(hard_usd)} is below production's {money(production_max)}/month Railway "
                "spend at maximum replicas: scaling out for an event would reach it, and Railway would take "
                "production (and every workload of the workspace) offline.",
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
    config_schema=CONFIG_SCHEMA,
    remediation_steps=(
        "Lower replicas or per-replica limits, or raise budget.monthlyUsd after approval (Pulumi.<stack>.yaml). "
        "Let the program size the Railway usage limit (cost/usage_limit.py): every stack of the workspace at "
        "maximum replicas, set by one stack only."
    ),
)
