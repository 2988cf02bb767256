"""Contract: every request the Sentry client can send, against the official OpenAPI spec (openapi-core),
including the alert workflow the Alert kind builds for each of its shapes."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from providers.sentry.alert import LEVELS, request
from providers.sentry.client import SentryClient
from tests.sentry import spec
from tests.sentry.fake_api import TOKEN

ORG, PROJECT, TEAM = "converge-nps", "staging-backend", "converge-nps"
WORKFLOW = request(
    {"name": "critical", "environment": "staging", "level": "fatal", "projects": [PROJECT]}, detector_ids=[4501]
)

# Each client method with example arguments.
CALLS: dict[str, Callable[[SentryClient], Any]] = {
    "get_project": lambda c: c.get_project(ORG, PROJECT),
    "create_project": lambda c: c.create_project(ORG, TEAM, name=PROJECT, slug=PROJECT, platform="node-express"),
    "update_project": lambda c: c.update_project(ORG, PROJECT, name=PROJECT, platform="node-express"),
    "delete_project": lambda c: c.delete_project(ORG, PROJECT),
    "add_project_team": lambda c: c.add_project_team(ORG, PROJECT, TEAM),
    "remove_project_team": lambda c: c.remove_project_team(ORG, PROJECT, TEAM),
    "list_keys": lambda c: c.list_keys(ORG, PROJECT),
    "get_key": lambda c: c.get_key(ORG, PROJECT, "0123abcd"),
    "create_key": lambda c: c.create_key(ORG, PROJECT, name="converge-nps-staging"),
    "delete_key": lambda c: c.delete_key(ORG, PROJECT, "0123abcd"),
    "error_detectors": lambda c: c.error_detectors(ORG, PROJECT),
    "find_workflows": lambda c: c.find_workflows(ORG, "critical"),
    "get_workflow": lambda c: c.get_workflow(ORG, "4502"),
    "create_workflow": lambda c: c.create_workflow(ORG, WORKFLOW),
    "update_workflow": lambda c: c.update_workflow(ORG, "4502", WORKFLOW),
    "delete_workflow": lambda c: c.delete_workflow(ORG, "4502"),
}


def test_every_client_method_is_covered() -> None:
    public = {
        name
        for name, member in inspect.getmembers(SentryClient, inspect.isfunction)
        if not name.startswith("_") and name != "from_environment"
    }
    assert public == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_request_matches_the_spec(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", TOKEN)
    seen: list[httpx.Request] = []

    def handler(sent: httpx.Request) -> httpx.Response:
        seen.append(sent)
        answer: Any = (
            []
            if sent.method == "GET" and sent.url.path.endswith(("/keys/", "/detectors/", "/workflows/"))
            else {"id": "1"}
        )
        return httpx.Response(204 if sent.method == "DELETE" else 200, json=answer)

    CALLS[name](SentryClient.from_environment(transport=httpx.MockTransport(handler)))
    assert seen, f"{name} sent nothing"
    for sent in seen:
        body = json.loads(sent.content) if sent.content else None
        spec.validate_request(
            sent.method,
            sent.url.path,
            dict(parse_qsl(sent.url.query.decode())),
            body,
            sent.headers["Authorization"],
        )


@pytest.mark.parametrize("level", sorted(LEVELS))
@pytest.mark.parametrize("slack", [None, ("123456", "#converge-alerts")])
def test_every_alert_shape_matches_the_spec(level: str, slack: tuple[str, str] | None) -> None:
    props = {
        "name": "converge-nps-production critical errors",
        "environment": None,
        "level": level,
        "slackIntegrationId": slack[0] if slack else None,
        "slackChannel": slack[1] if slack else None,
    }
    spec.validate_request("POST", f"/api/0/organizations/{ORG}/workflows/", body=request(props, [1, 2]))
