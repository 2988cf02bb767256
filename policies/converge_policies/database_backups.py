"""database-backups: the production database is on a plan with daily backups (seed: 7-day retention).

Supabase's daily backups come with the organization's plan (none on Free, 7 days on Pro, 14 on Team);
the plan cannot be set through the API, so the Project resource declares the plan the stack expects
and its provider checks the organization really has it. Checked here: the declared plan keeps at
least `minRetentionDays` of daily backups, and the project has a Backups resource expecting them
(its provider fails the update when the backups are not there).
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cost.resources import number, view
from policies.converge_policies.common import config, is_unknown, stack_resources
from settings.seed import BACKUP_RETENTION_DAYS_BY_PLAN

NAME = "database-backups"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if not config(args, "required", True):
        return
    minimum = int(config(args, "minRetentionDays", 7))
    stack = view(stack_resources(args))
    for db in stack.databases:
        name = db.project.name
        plan = db.project.props.get("plan")
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
            expected = number(backups.props.get("retentionDays"))
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
    config_schema=PolicyConfigSchema(
        properties={
            "required": {
                "type": "boolean",
                "description": "Whether this stack's database needs daily backups.",
                "default": True,
            },
            "minRetentionDays": {
                "type": "integer",
                "minimum": 1,
                "description": "Daily backups kept, days.",
                "default": 7,
            },
        }
    ),
    remediation_steps=(
        "Put the production project in an organization on the Pro (or Team) plan and set database.plan: pro in "
        "Pulumi.prod.yaml."
    ),
)
