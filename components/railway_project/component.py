"""The stack's place on Railway: its project and environment, the spend cap, and the deploy job's token."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components import tokens
from cost.usage_limit import WorkspaceLimit
from providers import railway


@dataclass
class RailwayProjectArgs:
    # One project per stack: Railway creates a service in every environment of its project, so stacks
    # sharing a project would deploy (and, on destroy, delete) each other's services.
    name: str
    environment: str
    description: str
    # Railway's usage limit of the workspace (cost/usage_limit.py); None: another stack sets it.
    usage_limit: WorkspaceLimit | None
    workspace_id: str | None = None
    adopt_project_id: str | None = None
    adopt_environment_id: str | None = None


class RailwayProject(pulumi.ComponentResource):
    """A Railway project holding one environment named after the stack's environment.

    `usage_limit` is Railway's spend cap of the whole workspace: the hard limit (every stack sharing the
    workspace at maximum scale) takes every workload offline, the soft limit e-mails the workspace.
    `deploy_token` is a project token scoped to this environment, for the CI deploy job.
    """

    project_id: pulumi.Output[str]
    environment_id: pulumi.Output[str]
    deploy_token: pulumi.Output[str]
    usage_limit: railway.RailwayUsageLimit | None

    def __init__(self, name: str, args: RailwayProjectArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.RAILWAY_PROJECT, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        project = railway.RailwayProject(
            name,
            railway.ProjectArgs(
                name=args.name,
                description=args.description,
                default_environment_name=args.environment,
                workspace_id=args.workspace_id,
                adopt_id=args.adopt_project_id,
            ),
            opts=child,
        )
        environment = railway.RailwayEnvironment(
            f"{name}-{args.environment}",
            railway.EnvironmentArgs(
                project_id=project.id,
                name=args.environment,
                adopt_id=args.adopt_environment_id,
            ),
            opts=child,
        )
        self.usage_limit = None
        if args.usage_limit is not None:
            self.usage_limit = railway.RailwayUsageLimit(
                f"{name}-usage-limit",
                railway.UsageLimitArgs(
                    project_id=project.id,
                    soft_limit_dollars=args.usage_limit.soft_usd,
                    hard_limit_dollars=args.usage_limit.hard_usd,
                ),
                opts=child,
            )
        token = railway.RailwayProjectToken(
            f"{name}-deploy-token",
            railway.ProjectTokenArgs(
                project_id=project.id,
                environment_id=environment.id,
                name=f"github-actions-{args.environment}",
            ),
            opts=child,
        )
        self.project_id = project.id
        self.environment_id = environment.id
        self.deploy_token = pulumi.Output.secret(token.token)
        self.register_outputs({"projectId": self.project_id, "environmentId": self.environment_id})
