"""cost-estimate: the stack's monthly cost table, as an advisory note on every preview and update.

Pulumi has no other channel for a policy to show information than an advisory violation, so this
policy always reports one: per component, the cost as deployed and at minimum/maximum replicas, the
budget, and what the model could not price. It never blocks a deployment (spending-cap does).
"""

from __future__ import annotations

from decimal import Decimal

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cost.model import Estimate, money
from policies.converge_policies.spending import budget_usd, priced

NAME = "cost-estimate"


def table(result: Estimate, budget: Decimal, notes: tuple[str, ...]) -> str:
    rows = [f"{'component':<10} {'monthly':>10} {'min':>10} {'max':>10}"]
    for c in result.components:
        rows.append(f"{c.label:<10} {money(c.monthly_usd):>10} {money(c.min_usd):>10} {money(c.max_usd):>10}")
    rows.append(
        f"{'total':<10} {money(result.monthly_usd):>10} {money(result.min_usd):>10} {money(result.max_usd):>10}"
    )
    rows.append(f"budget {money(budget)}/month; prices as of {result.prices_as_of} (cost/prices.yaml)")
    if result.max_usd > budget:
        rows.append(
            f"at maximum replicas the stack would cost {money(result.max_usd - budget)} more than its budget; "
            "the Railway hard limit stops it there"
        )
    rows += [f"note: {note}" for note in notes]
    return "\n".join(rows)


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    sizes, result = priced(args)
    report_violation(table(result, budget_usd(), sizes.notes), None)


POLICY = StackValidationPolicy(
    name=NAME,
    description="Monthly cost estimate of the stack (advisory: information, never a block).",
    validate=validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps="None needed: this is the cost table. `python -m ops.report --stack <stack>` shows it in full.",
)
