"""Inputs as the engine hands them to a provider (numbers as floats), a small lifecycle driver, and
what the program's Railway registrations look like."""

from __future__ import annotations

from typing import Any

import pulumi.dynamic

from offline.program import Secret
from providers.railway.provider import RailwayProvider

RAILWAY = "pulumi-python:dynamic/railway:"


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
    """One resource driven the way the engine drives it: create, then diff-gated update or replace."""

    def __init__(self, provider: RailwayProvider, props: dict[str, Any]) -> None:
        self.provider = provider
        created = provider.create(dict(props))
        self.id: str = created.id
        self.state: dict[str, Any] = dict(created.outs or {})

    def up(self, news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        diff = self.provider.diff(self.id, self.state, news)
        if diff.replaces:
            created = self.provider.create(dict(news))
            self.provider.delete(self.id, self.state)
            self.id, self.state = created.id, dict(created.outs or {})
        elif diff.changes:
            self.state = dict(self.provider.update(self.id, self.state, news).outs or {})
        return diff

    def refresh(self) -> pulumi.dynamic.ReadResult:
        result = self.provider.read(self.id, self.state)
        if result.id:
            self.state = dict(result.outs or {})
        return result

    def destroy(self) -> None:
        self.provider.delete(self.id, self.state)
