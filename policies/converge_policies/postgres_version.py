"""postgres-version: reports a Supabase project whose PostgreSQL major is not the seed's (15).

Supabase puts every new project on its current major (17 at the end of 2026) and the create API cannot
choose another, so the stack's `database.postgresMajorVersion` (the seed's 15) is only the lowest major
the Project resource accepts; it fails below it. A newer major is not a failure: failing would leave a
new stack failing every `up`. It still matters (the application, its migrations and the backup job's
`pg_dump` were chosen for the seed's major), so it is reported here, as advice, once the project
reports its version (`postgresMajor`, an output: nothing to judge before the first `up`).
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from components import tokens
from components.supabase_database import contract as supabase
from policies.converge_policies.common import stack_resources
from policies.converge_policies.stack_graph import number

NAME = "postgres-version"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for project in stack_resources(args):
        if project.type != tokens.SUPABASE_PROJECT:
            continue
        actual = number(project.props.get(supabase.PROJECT_POSTGRES_MAJOR))
        seed = number(project.props.get(supabase.PROJECT_POSTGRES_MINIMUM_MAJOR))
        if actual is None or seed is None or actual == seed:
            continue
        report_violation(
            f"Supabase project '{project.name}' runs PostgreSQL {int(actual)}, not the seed's {int(seed)}: "
            "check the application, its migrations and the backup job's pg_dump against it.",
            project.urn,
        )


POLICY = StackValidationPolicy(
    name=NAME,
    description="The Supabase project runs the seed's PostgreSQL major version (reported, not enforced).",
    validate=validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        "Supabase chooses the major version of new projects; the API cannot pick the seed's. Test the application "
        "and restore a backup against the reported major; see docs/supabase.md (PostgreSQL major version)."
    ),
)
