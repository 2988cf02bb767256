"""Inputs as the engine hands them to a provider (numbers as floats), a small lifecycle driver, and
what the program's Railway registrations look like."""

from __future__ import annotations

from typing import Any

import pulumi.dynamic

from components.values import Secret
from providers.railway.provider import RailwayProvider
from tests.providers.engine import Engine

RAILWAY = "pulumi-python:dynamic/railway:"
RESOURCE = "resource"


def all_secret(values: Any) -> bool:
    """A map of variables with every value marked secret, by itself or with the map (the SDK lifts a
    nested secret to the property), and with its names known (not one unknown blob in preview)."""
    if isinstance(values, Secret):
        values = values.value
        return isinstance(values, dict) and bool(values)
    return isinstance(values, dict) and bool(values) and all(isinstance(v, Secret) for v in values.values())


def project_props(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "converge-nps-production",
        "description": "Converge-NPS production",
        "workspaceId": None,
        "adoptId": None,
        "defaultEnvironmentName": "production",
        "liveWorkspaceId": None,
        "created": None,
        **overrides,
    }


def service_props(project_id: str, environment_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "environmentId": environment_id,
        "name": "backend",
        "image": "ghcr.io/converge-nps/backend@sha256:" + "a" * 64,
        "numReplicas": 2.0,
        "region": "us-west2",
        "healthcheckPath": "/health",
        "healthcheckTimeout": 60.0,
        "restartPolicyType": "ON_FAILURE",
        "restartPolicyMaxRetries": 10.0,
        "startCommand": None,
        "revision": None,
        **overrides,
    }


class Managed:
    """One resource driven through the engine simulator (`tests/providers/engine.py`): create, then
    diff-gated update or replace, refresh; `id` and `state` are what the engine holds."""

    def __init__(self, provider: RailwayProvider, props: dict[str, Any]) -> None:
        self.provider = provider
        self.engine = Engine()
        self.engine.apply(RESOURCE, provider, props)
        self._keep()

    def up(self, news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        diff = self.engine.apply(RESOURCE, self.provider, news)
        assert diff is not None, "the resource exists, so an up diffs it"
        self._keep()
        return diff

    def refresh(self) -> pulumi.dynamic.ReadResult:
        result = self.engine.read(RESOURCE)
        if result.id:
            self._keep()
        return result

    def destroy(self) -> None:
        # With the last state seen, even after a refresh found it gone: a delete of something gone succeeds.
        self.provider.delete(self.id, self.state)

    def _keep(self) -> None:
        self.id: str = self.engine.ids[RESOURCE]
        self.state: dict[str, Any] = self.engine.outputs[RESOURCE]
