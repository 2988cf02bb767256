"""An alert (`POST /api/0/organizations/{org}/workflows/`): when a project's error detector opens a new
issue, or one comes back, and the event is at least `level`, notify Slack (or, without Slack, the issue's
owners and then the team's active members by e-mail).

Sentry's spec describes alerting only through workflows and detectors (the older issue alert rules,
`/projects/{org}/{project}/rules/`, are not in it), so this kind uses them. Every project gets an error
detector from Sentry when it is made; the alert connects to those of `projects`, looked up by project.
Adopted by its name, unique per stack.

The request's top-level keys and `triggers` are snake_case, as the spec's schema names them (the API
takes both cases); the conditions and actions inside are the documented examples' camelCase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, ReadResult, UpdateResult

from providers.core.errors import ApiError
from providers.core.properties import properties
from providers.core.provider import Origin, Resource, create_or_adopt
from providers.sentry.errors import API
from providers.sentry.provider import SentryProvider

if TYPE_CHECKING:
    from providers.sentry.client import SentryClient

# Event levels as the API numbers them.
LEVELS = {"fatal": 50, "error": 40, "warning": 30, "info": 20, "debug": 10}
# The issue events that start an alert: new, regressed (after being resolved), reappeared (after archiving).
TRIGGERS = ("first_seen_event", "regression_event", "reappeared_event")
# Minutes between two notifications for one issue.
FREQUENCY_MINUTES = 5


class AlertProvider(SentryProvider):
    inputs = ("organization", "name", "projects", "environment", "level", "slackIntegrationId", "slackChannel")
    unordered = ("projects",)
    outputs = ("workflowId", "detectorIds")

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        failures = []
        if news.get("level") not in LEVELS:
            failures.append(CheckFailure("level", f"{news.get('level')!r} is not one of {sorted(LEVELS)}"))
        if (news.get("slackIntegrationId") is None) != (news.get("slackChannel") is None):
            failures.append(CheckFailure("slackChannel", "set both slackIntegrationId and slackChannel, or neither"))
        return failures

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        organization = props["organization"]
        detectors = self.detectors(client, props)
        body = request(props, detectors)

        def find() -> dict[str, Any] | None:
            found = client.find_workflows(organization, props["name"])
            return found[0] if found else None

        workflow, origin = create_or_adopt(find, lambda: client.create_workflow(organization, body), what="alert")
        if origin is not Origin.CREATED:
            # Made by an earlier attempt or by hand: make it the declared alert.
            workflow = client.update_workflow(organization, str(workflow["id"]), body)
        return CreateResult(str(workflow["id"]), {**self.given(props), **_outputs(workflow, detectors)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        workflow = self.client().get_workflow(props["organization"], id_)
        return ReadResult(id_, {**props, **observed(workflow), **_outputs(workflow, workflow.get("detectorIds"))})

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        detectors = self.detectors(client, news)
        workflow = client.update_workflow(news["organization"], id_, request(news, detectors))
        return UpdateResult({**self.given(news), **_outputs(workflow, detectors)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.client().delete_workflow(props["organization"], id_)

    @staticmethod
    def detectors(client: SentryClient, props: dict[str, Any]) -> list[int]:
        ids: list[int] = []
        for project in sorted(props["projects"]):
            found = client.error_detectors(props["organization"], project)
            if not found:
                raise ApiError(API, "list detectors", f"project {project} has no error detector")
            ids.extend(int(detector["id"]) for detector in found)
        return sorted(ids)


def request(props: dict[str, Any], detector_ids: list[int]) -> dict[str, Any]:
    """The workflow the spec's createOrganizationWorkflow takes for these inputs."""
    if props.get("slackIntegrationId") is not None:
        action: dict[str, Any] = {
            "type": "slack",
            "integrationId": str(props["slackIntegrationId"]),
            "data": {},
            "config": {"targetType": "specific", "targetIdentifier": "", "targetDisplay": props["slackChannel"]},
            "status": "active",
        }
    else:
        action = {
            "type": "email",
            "integrationId": None,
            "data": {"fallthroughType": "ActiveMembers"},
            "config": {"targetType": "issue_owners", "targetDisplay": None, "targetIdentifier": ""},
            "status": "active",
        }
    return {
        "name": props["name"],
        "enabled": True,
        "environment": props.get("environment"),
        "detector_ids": detector_ids,
        "config": {"frequency": FREQUENCY_MINUTES},
        "triggers": {
            "logic_type": "any-short",
            "conditions": [{"type": kind, "comparison": True, "conditionResult": True} for kind in TRIGGERS],
        },
        "action_filters": [
            {
                "logicType": "all",
                "conditions": [
                    {
                        "type": "level",
                        "comparison": {"level": LEVELS[props["level"]], "match": "gte"},
                        "conditionResult": True,
                    }
                ],
                "actions": [action],
            }
        ],
    }


def observed(workflow: dict[str, Any]) -> dict[str, Any]:
    """What of a live workflow the inputs describe: its name, environment, level and where it notifies."""
    level, integration, channel = None, None, None
    for action_filter in workflow.get("actionFilters") or []:
        for condition in action_filter.get("conditions") or []:
            if condition.get("type") == "level" and isinstance(condition.get("comparison"), dict):
                number = condition["comparison"].get("level")
                level = next((name for name, value in LEVELS.items() if value == number), None)
        for action in action_filter.get("actions") or []:
            if action.get("type") == "slack":
                integration = action.get("integrationId")
                channel = (action.get("config") or {}).get("targetDisplay")
    return {
        "name": workflow.get("name"),
        "environment": workflow.get("environment"),
        "level": level,
        "slackIntegrationId": integration,
        "slackChannel": channel,
    }


def _outputs(workflow: dict[str, Any], detectors: Sequence[Any] | None) -> dict[str, Any]:
    return {"workflowId": str(workflow["id"]), "detectorIds": sorted(str(d) for d in detectors or [])}


@dataclass
class AlertArgs:
    organization: str
    name: str
    # Slugs of the projects whose errors the alert watches.
    projects: Sequence[pulumi.Input[str]]
    # The Sentry environment (the SDK's `environment`) whose events count; None counts every environment.
    environment: str | None
    level: str  # the lowest event level that alerts: "fatal", "error", ...
    slack_integration_id: str | None = None
    slack_channel: str | None = None


class SentryAlert(Resource, module="sentry", name="Alert"):
    """A Sentry alert workflow (`pulumi-python:dynamic/sentry:Alert`)."""

    workflow_id: pulumi.Output[str]

    def __init__(self, name: str, args: AlertArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(AlertProvider(), name, properties(args), opts)
