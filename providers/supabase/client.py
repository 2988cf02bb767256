"""A typed client for the Supabase Management API (`https://api.supabase.com`, spec in
`shared/specs/supabase-management-api.openapi.json`), built on the shared HTTP core.

Nothing on the machines this program is developed on can reach Supabase: every request below is
checked against the official OpenAPI spec and exercised against a local fake of the API
(`tests/supabase/`), not against the real service. The first real `pulumi up` is the first time
the real API answers.

Each endpoint method sends exactly one request and returns the decoded JSON; `wait_for`,
`wait_until_healthy` and `wait_until_ready` poll. The token (`SUPABASE_ACCESS_TOKEN`), the base URL
(`SUPABASE_API_URL`) and the timeouts are read from the environment each time a client is made, inside
the dynamic providers' methods (the only place that imports this module), so no provider object that
Pulumi serializes into the state holds any of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from providers.core.errors import ApiError, NotFoundError
from providers.core.http import (
    ApiClient,
    EnvironmentNames,
    api_message,
    client_from_environment,
    seconds_from_environment,
    sleep,
)
from providers.supabase.errors import API, SupabaseError
from providers.supabase.provider import FAILED_STATUSES, GONE_STATUSES, HEALTHY, PAUSED

TOKEN_VARIABLE = "SUPABASE_ACCESS_TOKEN"  # noqa: S105 - the variable's name, not a token
DEFAULT_BASE_URL = "https://api.supabase.com"

# Environment knobs; tests and the real-engine runs point the client at a local fake with these.
BASE_URL_VARIABLE = "SUPABASE_API_URL"
HTTP_TIMEOUT_VARIABLE = "SUPABASE_HTTP_TIMEOUT"  # seconds per request (default 30)
RETRY_DELAY_VARIABLE = "SUPABASE_RETRY_BASE_DELAY"  # first backoff step, seconds (default 0.5)
POLL_INTERVAL_VARIABLE = "SUPABASE_POLL_INTERVAL"  # seconds between status polls (default 10)
WAIT_TIMEOUT_VARIABLE = "SUPABASE_WAIT_TIMEOUT"  # longest wait for a project to be healthy (default 1200)

_OK_OR_MISSING = frozenset(range(200, 300)) | {404}

# Every service `/health` knows, as the Terraform provider waits for them: a project is ready when all are.
SERVICES = ("auth", "db", "db_postgres_user", "pg_bouncer", "pooler", "realtime", "rest", "storage")
# Unhealthy answers that mean "not yet" rather than "broken": the pooler reports "not found" while it is
# provisioned, and a service's health can fail to be read for a moment.
_STILL_COMING_UP = ('"not found"', "Failed to retrieve project's")


@dataclass(frozen=True)
class Waits:
    """How often and how long the providers poll for a project to settle."""

    interval: float
    timeout: float

    @classmethod
    def from_environment(cls) -> Waits:
        return cls(
            interval=seconds_from_environment(API, POLL_INTERVAL_VARIABLE, 10.0),
            timeout=seconds_from_environment(API, WAIT_TIMEOUT_VARIABLE, 1200.0),
        )


class SupabaseClient:
    """One method per Management API endpoint the providers use, and the waits for a project to settle."""

    def __init__(self, http: ApiClient) -> None:
        self.http = http

    @classmethod
    def from_environment(cls, transport: httpx.BaseTransport | None = None) -> SupabaseClient:
        names = EnvironmentNames(TOKEN_VARIABLE, BASE_URL_VARIABLE, HTTP_TIMEOUT_VARIABLE, RETRY_DELAY_VARIABLE)
        return cls(client_from_environment(API, names, DEFAULT_BASE_URL, transport=transport))

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        where = f"{operation} ({method} {path})"
        # 404 is an answer, not a failure to retry: the callers decide whether "gone" is fine.
        response = self.http.request(
            where, method, path, json=json, params=params, idempotent=idempotent, ok_statuses=_OK_OR_MISSING
        )
        if response.status_code == 404:
            raise NotFoundError(API, where, api_message(response), status=404)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ApiError(API, where, f"answered {response.status_code} with a non-JSON body") from None

    # Organizations

    def list_organizations(self) -> list[dict[str, Any]]:
        return list(self._send("list organizations", "GET", "/v1/organizations"))

    def get_organization(self, slug: str) -> dict[str, Any]:
        return dict(self._send("get organization", "GET", f"/v1/organizations/{slug}"))

    def list_organization_projects(
        self, slug: str, *, search: str, offset: int = 0, limit: int = 100
    ) -> dict[str, Any]:
        return dict(
            self._send(
                "list organization projects",
                "GET",
                f"/v1/organizations/{slug}/projects",
                params={"search": search, "offset": offset, "limit": limit},
            )
        )

    # Projects

    def create_project(self, *, name: str, organization_slug: str, region: str, db_pass: str) -> dict[str, Any]:
        # `region` is what the spec's own example sends; `region_selection` (its successor) carries a
        # discriminator without a mapping that validators cannot resolve.
        body = {"name": name, "organization_slug": organization_slug, "region": region, "db_pass": db_pass}
        return dict(self._send("create project", "POST", "/v1/projects", json=body))

    def get_project(self, ref: str) -> dict[str, Any]:
        return dict(self._send("get project", "GET", f"/v1/projects/{ref}"))

    def rename_project(self, ref: str, name: str) -> dict[str, Any]:
        return dict(self._send("rename project", "PATCH", f"/v1/projects/{ref}", json={"name": name}))

    def delete_project(self, ref: str) -> None:
        self._send("delete project", "DELETE", f"/v1/projects/{ref}")

    def get_services_health(self, ref: str, services: tuple[str, ...] = SERVICES) -> list[dict[str, Any]]:
        return list(
            self._send("get services health", "GET", f"/v1/projects/{ref}/health", params={"services": list(services)})
        )

    def update_database_password(self, ref: str, password: str) -> None:
        self._send(
            "update database password", "PATCH", f"/v1/projects/{ref}/database/password", json={"password": password}
        )

    # Compute (billing add-ons)

    def list_addons(self, ref: str) -> dict[str, Any]:
        return dict(self._send("list add-ons", "GET", f"/v1/projects/{ref}/billing/addons"))

    def apply_compute_addon(self, ref: str, variant: str) -> None:
        self._send(
            "apply compute add-on",
            "PATCH",
            f"/v1/projects/{ref}/billing/addons",
            json={"addon_type": "compute_instance", "addon_variant": variant},
        )

    def remove_addon(self, ref: str, variant: str) -> None:
        self._send("remove add-on", "DELETE", f"/v1/projects/{ref}/billing/addons/{variant}")

    # Pooler (Supavisor)

    def get_pooler(self, ref: str) -> list[dict[str, Any]]:
        return list(self._send("get pooler config", "GET", f"/v1/projects/{ref}/config/database/pooler"))

    def update_pooler(self, ref: str, *, pool_mode: str, default_pool_size: int) -> dict[str, Any]:
        # The whole configuration every time: a body without the mode has been applied as the default mode.
        body = {"pool_mode": pool_mode, "default_pool_size": default_pool_size}
        return dict(
            self._send("update pooler config", "PATCH", f"/v1/projects/{ref}/config/database/pooler", json=body)
        )

    # SSL enforcement

    def get_ssl_enforcement(self, ref: str) -> dict[str, Any]:
        return dict(self._send("get SSL enforcement", "GET", f"/v1/projects/{ref}/ssl-enforcement"))

    def set_ssl_enforcement(self, ref: str, enforced: bool) -> dict[str, Any]:
        return dict(
            self._send(
                "set SSL enforcement",
                "PUT",
                f"/v1/projects/{ref}/ssl-enforcement",
                json={"requestedConfig": {"database": enforced}},
            )
        )

    # Network restrictions

    def get_network_restrictions(self, ref: str) -> dict[str, Any]:
        return dict(self._send("get network restrictions", "GET", f"/v1/projects/{ref}/network-restrictions"))

    def apply_network_restrictions(self, ref: str, ipv4: list[str], ipv6: list[str]) -> dict[str, Any]:
        # A declarative replacement of both lists, so repeating it is harmless.
        return dict(
            self._send(
                "apply network restrictions",
                "POST",
                f"/v1/projects/{ref}/network-restrictions/apply",
                json={"dbAllowedCidrs": ipv4, "dbAllowedCidrsV6": ipv6},
                idempotent=True,
            )
        )

    # SQL

    def run_query(self, ref: str, query: str, *, read_only: bool) -> list[dict[str, Any]]:
        """Run SQL through `/database/query`; the statements the providers send are idempotent."""
        body: dict[str, Any] = {"query": query}
        if read_only:
            body["read_only"] = True
        rows = self._send(
            "run SQL" if not read_only else "run read-only SQL",
            "POST",
            f"/v1/projects/{ref}/database/query",
            json=body,
            idempotent=True,
        )
        if rows is None:
            return []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ApiError(API, f"run SQL (POST /v1/projects/{ref}/database/query)", "answered without a list of rows")
        return rows

    # Read-only data

    def list_api_keys(self, ref: str) -> list[dict[str, Any]]:
        return list(self._send("list API keys", "GET", f"/v1/projects/{ref}/api-keys", params={"reveal": "true"}))

    def list_backups(self, ref: str) -> dict[str, Any]:
        return dict(self._send("list backups", "GET", f"/v1/projects/{ref}/database/backups"))

    # Waiting for the project to settle

    def wait_for(
        self,
        what: str,
        poll: Callable[[], Any],
        settled: Callable[[Any], bool],
        failed: Callable[[Any], str | None] = lambda _value: None,
    ) -> Any:
        """Call `poll` until `settled` says yes, `failed` names a reason, or the wait times out."""
        waits = Waits.from_environment()
        deadline = time.monotonic() + waits.timeout
        while True:
            value = poll()
            if settled(value):
                return value
            reason = failed(value)
            if reason:
                raise SupabaseError(f"{API}: {what}: {reason}")
            if time.monotonic() >= deadline:
                raise SupabaseError(
                    f"{API}: {what}: still not done after {waits.timeout:g}s (last seen: {_describe(value)}); "
                    "`pulumi up` again resumes the wait"
                )
            sleep(waits.interval)

    def wait_until_healthy(self, ref: str, what: str) -> dict[str, Any]:
        """Poll `GET /v1/projects/{ref}` until the project is ACTIVE_HEALTHY; INIT_FAILED and the like end it."""

        def failed(project: dict[str, Any]) -> str | None:
            status = project.get("status")
            if status in FAILED_STATUSES:
                return (
                    f"project {ref} is {status}. Supabase could not bring it up; look at it in the dashboard, delete "
                    "it there, then run `pulumi up` again to create a new one"
                )
            if status in GONE_STATUSES:
                return f"project {ref} is {status} (deleted outside Pulumi?)"
            if status == PAUSED:
                return (
                    f"project {ref} is paused ({PAUSED}); it stays paused until it is restored. Restore it in the "
                    "Supabase dashboard (the project's page, Restore project), wait until it is up, then run "
                    "`pulumi up` again"
                )
            return None

        result: dict[str, Any] = self.wait_for(
            f"waiting for project {ref} ({what}) to be {HEALTHY}",
            lambda: self.get_project(ref),
            lambda project: project.get("status") == HEALTHY,
            failed,
        )
        return result

    def wait_until_ready(self, ref: str, what: str) -> None:
        """Wait for the project to be ACTIVE_HEALTHY, then for every service to report ACTIVE_HEALTHY."""
        self.wait_until_healthy(ref, what)
        self.wait_for(
            f"waiting for the services of project {ref} ({what}) to be healthy",
            lambda: self.get_services_health(ref),
            lambda services: all(service.get("status") == HEALTHY for service in services),
            _broken_service,
        )


def _broken_service(services: list[dict[str, Any]]) -> str | None:
    """An unhealthy service whose error is not one of those a service shows while it comes up."""
    for service in services:
        error = str(service.get("error") or "")
        if service.get("status") == "UNHEALTHY" and not any(sign in error for sign in _STILL_COMING_UP):
            return f"service {service.get('name')} is unhealthy: {error or 'no reason given'}"
    return None


def _describe(value: Any) -> str:
    if isinstance(value, dict) and "status" in value:
        return f"status {value['status']}"
    if isinstance(value, list) and all(isinstance(item, dict) and "name" in item for item in value):
        waiting = [f"{item['name']} {item.get('status')}" for item in value if item.get("status") != HEALTHY]
        return ", ".join(waiting)
    return repr(value)[:200]
