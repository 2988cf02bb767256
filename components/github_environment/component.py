"""A GitHub deployment environment: branch policy, required reviewers, and the deploy job's inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_github as github

from components import tokens


@dataclass
class GitHubEnvironmentArgs:
    repository: pulumi.Input[str]
    environment: pulumi.Input[str]
    deploy_branch: pulumi.Input[str]
    reviewer_teams: Sequence[str] = ()
    reviewer_users: Sequence[str] = ()
    prevent_self_review: bool = True
    # Names are the variable names the deploy workflow reads (VITE_API_BASE_URL, ...).
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class GitHubEnvironment(pulumi.ComponentResource):
    """One repository environment that only its branch may deploy to, guarded by reviewers where
    configured, carrying the variables and secrets the deploy workflow uses."""

    name: pulumi.Output[str]

    def __init__(self, name: str, args: GitHubEnvironmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.GITHUB_ENVIRONMENT, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        reviewers = _reviewers(args.reviewer_teams, args.reviewer_users, child)
        environment = github.RepositoryEnvironment(
            name,
            repository=args.repository,
            environment=args.environment,
            prevent_self_review=args.prevent_self_review,
            # Admins bypassing review would void the approval gate the seed puts on production.
            can_admins_bypass=not reviewers,
            reviewers=reviewers or None,
            deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                protected_branches=False, custom_branch_policies=True
            ),
            opts=child,
        )
        in_environment = pulumi.ResourceOptions(parent=self, depends_on=[environment])
        github.RepositoryEnvironmentDeploymentPolicy(
            f"{name}-branch",
            repository=args.repository,
            environment=environment.environment,
            branch_pattern=args.deploy_branch,
            opts=in_environment,
        )
        for variable, value in sorted(args.variables.items()):
            github.ActionsEnvironmentVariable(
                f"{name}-{variable.lower()}",
                repository=args.repository,
                environment=environment.environment,
                variable_name=variable,
                value=value,
                opts=in_environment,
            )
        for secret, value in sorted(args.secrets.items()):
            github.ActionsEnvironmentSecret(
                f"{name}-{secret.lower()}",
                repository=args.repository,
                environment=environment.environment,
                secret_name=secret,
                plaintext_value=pulumi.Output.secret(value),
                opts=in_environment,
            )
        self.name = environment.environment
        self.register_outputs({"name": self.name})


def _reviewers(
    teams: Sequence[str], users: Sequence[str], opts: pulumi.ResourceOptions
) -> list[github.RepositoryEnvironmentReviewerArgs]:
    """Config names reviewers by team slug and login; the API wants numeric ids, so look them up."""
    if not teams and not users:
        return []
    invoke = pulumi.InvokeOptions(parent=opts.parent)
    team_ids = [github.get_team_output(slug=slug, summary_only=True, opts=invoke).id.apply(int) for slug in teams]
    user_ids = [github.get_user_output(username=login, opts=invoke).id.apply(int) for login in users]
    return [github.RepositoryEnvironmentReviewerArgs(teams=team_ids or None, users=user_ids or None)]
