"""database-backups: the production database is on a plan with daily backups (seed: 7-day retention).

Supabase's daily backups come with the organization's plan (none on Free, 7 days on Pro, 14 on Team);
the plan cannot be set through the API, so the Project resource declares the plan the stack expects
and its provider checks the organization really has it. Checked here: the declared plan keeps at
least the seed's 7 days of daily backups, and the project has a Backups resource expecting them
(its provider fails the update when the backups are not there). Only production needs them: the
other stacks run this policy disabled (policies/config/<stack>.json).
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from components.supabase_database import contract as supabase
from components.values import is_unknown
from policies.converge_policies.common import stack_resources
from policies.converge_policies.stack_graph import number, stack_graph
from settings.seed import BACKUP_RETENTION_DAYS_BY_PLAN, MIN_PRODUCTION_BACKUP_RETENTION_DAYS

NAME = "database-backups"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    minimum = MIN_PRODUCTION_BACKUP_RETENTION_DAYS
    for db in stack_graph(stack_resources(args)).databases:
        name = db.project.name
        plan = db.project.props.get(supabase.PROJECT_PLAN)
        if is_unknown(plan):
            continue
        days = BACKUP_RETENTION_DAYS_BY_PLAN.get(str(plan), 0)
        if days < minimum:
            report_violation(
                f"Supabase project '{name}' is on the {plan!r} plan, which keeps {days} days of daily backups; "
                f"this stack needs at least {minimum} (pro or team).",
                db.project.urn,
            )
        if not db.backups:
            report_violation(
                f"Supabase project '{name}' has no Backups resource: nothing checks that daily backups run.",
                db.project.urn,
            )
        for backups in db.backups:
            expected = number(backups.props.get(supabase.BACKUPS_RETENTION_DAYS))
            if expected is not None and expected < minimum:
                report_violation(
                    f"Supabase project '{name}' expects {int(expected)} days of backups; at least {minimum} needed.",
                    backups.urn,
                )


POLICY = StackValidationPolicy(
    name=NAME,
    description="The production database is on a Supabase plan with daily backups.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Put the production project in an organization on the Pro (or Team) plan and set database.plan: pro in "
        "Pulumi.prod.yaml."
    ),
)
