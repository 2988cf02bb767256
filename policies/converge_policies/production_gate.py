"""production-deploy-gate: production deploys only `main`, and only after a required reviewer approves.

Seed: "Production (manual deploy from main)", "Production: manual approval". The GitHub environment
is what enforces it in the deploy workflow, so the environment itself is checked:
- it names required reviewers (a team or a user), prevents self-review (both checked by
  settings.production, as the stack settings are) and admins cannot bypass them;
- deployments are limited to custom branch policies (not "any protected branch"), and the only one is
  the production branch, as an exact name (no wildcard, no tag pattern).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from components import tokens
from components.github_environment import contract as github
from components.values import is_unknown
from policies.converge_policies.common import config, stack_resources
from policies.converge_policies.stack_graph import Resource
from settings.production import ProductionFacts, production_violations
from settings.seed import PRODUCTION_BRANCH, PRODUCTION_ENVIRONMENT

NAME = "production-deploy-gate"


CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        "environments": {
            "type": "array",
            "items": {"type": "string"},
            "description": "GitHub environments that are production.",
            "default": [PRODUCTION_ENVIRONMENT],
        },
        "branch": {
            "type": "string",
            "description": "The only branch that deploys to them.",
            "default": PRODUCTION_BRANCH,
        },
    }
)


def _has_reviewers(reviewers: Any) -> bool | None:
    """True/False, or None when unknown (preview: ids looked up from team slugs)."""
    if is_unknown(reviewers):
        return None
    if not isinstance(reviewers, list):
        return False
    found = False
    for entry in reviewers:
        if is_unknown(entry):
            return None
        if isinstance(entry, dict):
            for key in github.REVIEWER_KINDS:
                ids = entry.get(key)
                if is_unknown(ids):
                    return None
                if isinstance(ids, list) and ids:
                    found = True
    return found


def check_environment(
    environment: Resource, policies: list[Resource], branch: str, report_violation: ReportViolation
) -> None:
    props = environment.props
    name = props.get(github.ENVIRONMENT_NAME)
    self_review = props.get(github.PREVENT_SELF_REVIEW)
    facts = ProductionFacts(
        has_reviewers=_has_reviewers(props.get(github.REVIEWERS)),
        prevent_self_review=None if is_unknown(self_review) else self_review is True,
    )
    for violation in production_violations(facts):
        report_violation(f"GitHub environment '{name}' {violation.rule}.", environment.urn)
    bypass = props.get(github.CAN_ADMINS_BYPASS)
    if bypass is not False and not is_unknown(bypass):
        report_violation(
            f"GitHub environment '{name}' lets admins bypass its reviewers (canAdminsBypass is not false).",
            environment.urn,
        )
    branch_policy = props.get(github.DEPLOYMENT_BRANCH_POLICY)
    if not isinstance(branch_policy, dict) or branch_policy.get(github.CUSTOM_BRANCH_POLICIES) is not True:
        report_violation(
            f"GitHub environment '{name}' does not restrict deployments to custom branch policies, so other branches "
            f"than '{branch}' can deploy.",
            environment.urn,
        )
    patterns = [p.props.get(github.BRANCH_PATTERN) for p in policies]
    tags = [p.props.get(github.TAG_PATTERN) for p in policies if p.props.get(github.TAG_PATTERN)]
    known = [p for p in patterns if isinstance(p, str)]
    if not policies:
        report_violation(
            f"GitHub environment '{name}' has no deployment branch policy for '{branch}'.", environment.urn
        )
    for pattern in known:
        if pattern != branch:
            report_violation(
                f"GitHub environment '{name}' allows deployments from branch pattern '{pattern}'; only '{branch}' "
                "may deploy.",
                environment.urn,
            )
    if tags:
        report_violation(f"GitHub environment '{name}' allows deployments from tags {tags}.", environment.urn)


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    production = set(config(args, CONFIG_SCHEMA, "environments"))
    branch = str(config(args, CONFIG_SCHEMA, "branch"))
    resources = stack_resources(args)
    deployment_policies = [r for r in resources if r.type == tokens.GITHUB_DEPLOYMENT_POLICY]
    for environment in resources:
        name = environment.props.get(github.ENVIRONMENT_NAME)
        if environment.type != tokens.GITHUB_REPOSITORY_ENVIRONMENT or name not in production:
            continue
        # A branch policy belongs to the environment it names, or (name unknown in preview) depends on.
        mine = [
            p
            for p in deployment_policies
            if p.props.get(github.POLICY_ENVIRONMENT) == name
            or (is_unknown(p.props.get(github.POLICY_ENVIRONMENT)) and environment.urn in p.dependencies)
        ]
        check_environment(environment, mine, branch, report_violation)


POLICY = StackValidationPolicy(
    name=NAME,
    description="The production GitHub environment requires reviewers and deploys only from main.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=CONFIG_SCHEMA,
    remediation_steps=(
        "Set github.reviewerTeams (or reviewerUsers) in Pulumi.prod.yaml and deployBranch: main; the "
        "GitHubEnvironment component then sets reviewers, canAdminsBypass=false and one branch policy."
    ),
)
