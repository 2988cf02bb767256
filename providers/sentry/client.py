"""A client for Sentry's public API (`https://sentry.io/api/0/...`, spec in
`shared/specs/sentry-api.openapi.json`), on the shared HTTP core.

Every request below is checked against the official OpenAPI spec and exercised against a local fake
(`tests/sentry/`). The token (`SENTRY_AUTH_TOKEN`, an organization or internal-integration token with
project:admin and alerts:write) and the base URL (`SENTRY_API_URL`, for a self-hosted Sentry or a
fake) are read from the environment inside the provider methods, the only place that imports this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from providers.core.errors import ApiError, NotFoundError
from providers.core.http import (
    ApiClient,
    EnvironmentNames,
    api_message,
    client_from_environment,
)
from providers.sentry.errors import API

TOKEN_VARIABLE = "SENTRY_AUTH_TOKEN"  # noqa: S105 - the variable's name, not a token
DEFAULT_BASE_URL = "https://sentry.io"
BASE_URL_VARIABLE = "SENTRY_API_URL"
HTTP_TIMEOUT_VARIABLE = "SENTRY_HTTP_TIMEOUT"  # seconds per request (default 30)
RETRY_DELAY_VARIABLE = "SENTRY_RETRY_BASE_DELAY"  # first backoff step, seconds (default 0.5)

_OK_OR_MISSING = frozenset(range(200, 300)) | {404}
# Sentry pages lists with cursors in the Link header (`<url>; rel="next"; results="true"; cursor="..."`).
_NEXT = re.compile(r'<[^>]*>;\s*rel="next";\s*results="true";\s*cursor="([^"]+)"')


class SentryClient:
    """One method per endpoint the providers use; each sends one request (or one per page)."""

    def __init__(self, http: ApiClient) -> None:
        self.http = http

    @classmethod
    def from_environment(cls, transport: httpx.BaseTransport | None = None) -> SentryClient:
        names = EnvironmentNames(TOKEN_VARIABLE, BASE_URL_VARIABLE, HTTP_TIMEOUT_VARIABLE, RETRY_DELAY_VARIABLE)
        return cls(client_from_environment(API, names, DEFAULT_BASE_URL, transport=transport))

    def _send(
        self, operation: str, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        where = f"{operation} ({method} {path})"
        # 404 is an answer, not a failure to retry: reads report the object gone, deletes are done.
        response = self.http.request(where, method, path, json=json, params=params, ok_statuses=_OK_OR_MISSING)
        if response.status_code == 404:
            raise NotFoundError(API, where, api_message(response), status=404)
        return response

    def _json(
        self, operation: str, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        response = self._send(operation, method, path, json=json, params=params)
        try:
            return response.json()
        except ValueError:
            raise ApiError(API, operation, f"answered {response.status_code} with a non-JSON body") from None

    def _pages(self, operation: str, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        query = dict(params or {})
        while True:
            response = self._send(operation, "GET", path, params=query)
            try:
                items = response.json()
            except ValueError:
                raise ApiError(API, operation, f"answered {response.status_code} with a non-JSON body") from None
            yield from (item for item in items if isinstance(item, dict))
            cursor = _NEXT.search(response.headers.get("Link", ""))
            if cursor is None:
                return
            query["cursor"] = cursor.group(1)

    # Projects

    def get_project(self, organization: str, slug: str) -> dict[str, Any]:
        return dict(self._json("get project", "GET", f"/api/0/projects/{organization}/{slug}/"))

    def create_project(self, organization: str, team: str, *, name: str, slug: str, platform: str) -> dict[str, Any]:
        # No default rules: Sentry's default e-mails on every new issue; the stack declares its own alert.
        body = {"name": name, "slug": slug, "platform": platform, "default_rules": False}
        return dict(self._json("create project", "POST", f"/api/0/teams/{organization}/{team}/projects/", json=body))

    def update_project(self, organization: str, slug: str, *, name: str, platform: str) -> dict[str, Any]:
        body = {"name": name, "platform": platform}
        return dict(self._json("update project", "PUT", f"/api/0/projects/{organization}/{slug}/", json=body))

    def delete_project(self, organization: str, slug: str) -> None:
        self._send("delete project", "DELETE", f"/api/0/projects/{organization}/{slug}/")

    def add_project_team(self, organization: str, slug: str, team: str) -> None:
        self._send("add project team", "POST", f"/api/0/projects/{organization}/{slug}/teams/{team}/")

    def remove_project_team(self, organization: str, slug: str, team: str) -> None:
        self._send("remove project team", "DELETE", f"/api/0/projects/{organization}/{slug}/teams/{team}/")

    # Client keys (DSNs)

    def list_keys(self, organization: str, project: str) -> list[dict[str, Any]]:
        return list(self._pages("list client keys", f"/api/0/projects/{organization}/{project}/keys/"))

    def get_key(self, organization: str, project: str, key_id: str) -> dict[str, Any]:
        return dict(self._json("get client key", "GET", f"/api/0/projects/{organization}/{project}/keys/{key_id}/"))

    def create_key(self, organization: str, project: str, *, name: str) -> dict[str, Any]:
        path = f"/api/0/projects/{organization}/{project}/keys/"
        return dict(self._json("create client key", "POST", path, json={"name": name}))

    def delete_key(self, organization: str, project: str, key_id: str) -> None:
        self._send("delete client key", "DELETE", f"/api/0/projects/{organization}/{project}/keys/{key_id}/")

    # Alerts: detectors (what watches a project) and workflows (what they trigger)

    def error_detectors(self, organization: str, project: str) -> list[dict[str, Any]]:
        """The project's error detector, which Sentry makes with every project and which raises its issues."""
        detectors = self._pages(
            "list detectors",
            f"/api/0/organizations/{organization}/detectors/",
            {"project": project, "query": "type:error"},
        )
        return [detector for detector in detectors if detector.get("type") == "error"]

    def find_workflows(self, organization: str, name: str) -> list[dict[str, Any]]:
        found = self._pages("list workflows", f"/api/0/organizations/{organization}/workflows/", {"query": name})
        return [workflow for workflow in found if workflow.get("name") == name]

    def get_workflow(self, organization: str, workflow_id: str) -> dict[str, Any]:
        path = f"/api/0/organizations/{organization}/workflows/{workflow_id}/"
        return dict(self._json("get workflow", "GET", path))

    def create_workflow(self, organization: str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = f"/api/0/organizations/{organization}/workflows/"
        return dict(self._json("create workflow", "POST", path, json=dict(body)))

    def update_workflow(self, organization: str, workflow_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = f"/api/0/organizations/{organization}/workflows/{workflow_id}/"
        return dict(self._json("update workflow", "PUT", path, json=dict(body)))

    def delete_workflow(self, organization: str, workflow_id: str) -> None:
        self._send("delete workflow", "DELETE", f"/api/0/organizations/{organization}/workflows/{workflow_id}/")
