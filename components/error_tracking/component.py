"""A Sentry project per environment for the backend and for the frontend, a client key (DSN) of each, and
an alert that sends the projects' critical errors to Slack (or, without Sentry's Slack integration, to
the issues' owners by e-mail).

The DSNs are secret outputs: the backend gets its own as SENTRY_DSN, the frontend build its own as the
deploy environment's VITE_SENTRY_DSN, so no one copies them into config. Sentry's Developer plan (free,
one user) is assumed; docs/monitoring-providers.md says what a larger team would pay.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components import tokens
from providers.sentry import (
    AlertArgs,
    ClientKeyArgs,
    ProjectArgs,
    SentryAlert,
    SentryClientKey,
    SentryProject,
)

# Sentry's platform identifiers of the two apps: the Node.js/Express API and the React (Vite) front end.
BACKEND_PLATFORM = "node-express"
FRONTEND_PLATFORM = "javascript-react"
# The lowest event level that alerts: fatal is what the SDKs report for a crash (Python logging's CRITICAL).
CRITICAL_LEVEL = "fatal"


@dataclass
class ErrorTrackingArgs:
    organization: str
    team: str
    # The stack's name (`converge-nps-<environment>`): the prefix of the project slugs, key and alert names.
    name: str
    slack_integration_id: str | None = None
    slack_channel: str | None = None


class ErrorTracking(pulumi.ComponentResource):
    """Outputs `backend_dsn` and `frontend_dsn` (secrets), and the projects' slugs."""

    backend_dsn: pulumi.Output[str]
    frontend_dsn: pulumi.Output[str]
    backend_project: pulumi.Output[str]
    frontend_project: pulumi.Output[str]

    def __init__(self, name: str, args: ErrorTrackingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.ERROR_TRACKING, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        def project(app: str, platform: str) -> tuple[SentryProject, SentryClientKey]:
            slug = f"{args.name}-{app}"
            created = SentryProject(
                f"{name}-{app}",
                ProjectArgs(organization=args.organization, team=args.team, slug=slug, name=slug, platform=platform),
                child,
            )
            key = SentryClientKey(
                f"{name}-{app}",
                ClientKeyArgs(organization=args.organization, project=created.slug, name=args.name),
                child,
            )
            return created, key

        backend, backend_key = project("backend", BACKEND_PLATFORM)
        frontend, frontend_key = project("frontend", FRONTEND_PLATFORM)
        SentryAlert(
            f"{name}-critical",
            AlertArgs(
                organization=args.organization,
                name=f"{args.name} critical errors",
                projects=[backend.slug, frontend.slug],
                # The projects are the stack's own, so every event in them counts, whatever `environment`
                # the SDKs report (the backend says "production" in staging too).
                environment=None,
                level=CRITICAL_LEVEL,
                slack_integration_id=args.slack_integration_id,
                slack_channel=args.slack_channel,
            ),
            child,
        )
        self.backend_dsn = pulumi.Output.secret(backend_key.dsn)
        self.frontend_dsn = pulumi.Output.secret(frontend_key.dsn)
        self.backend_project = backend.slug
        self.frontend_project = frontend.slug
        self.register_outputs({"backendProject": self.backend_project, "frontendProject": self.frontend_project})
