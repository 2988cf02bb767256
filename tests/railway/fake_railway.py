# ruff: noqa: N803 - resolver keyword arguments are the GraphQL argument names (projectId, ...)
"""A small in-process Railway: a real GraphQL executor over the official SDL, on 127.0.0.1.

Every request is parsed, validated and has its variables coerced against Railway's schema before it
is executed, and every answer is produced by graphql-core from that schema, so a wrong field name, a
wrong input field, a bad enum value, or a selection the client reads but the API cannot return shows
up as a contract violation (`FakeRailway.violations`), not as a passing test.

The resolvers keep just enough state to behave like Railway where the providers depend on it:
missing objects answer "<Thing> not found", deletes of missing objects answer "Not Authorized"
(the least helpful wording, so the providers must check for themselves), a service is created in
every environment of its project, and a project is created with its default environment.

Where Railway behaves beyond its schema, the fake does too (docs/railway.md names the real clients that
show each point): a new service's instance appears only after a request or two; the legacy top-level
`region`/`numReplicas` of `serviceInstanceUpdate` are ignored (placement is `multiRegionConfig`, read
back from the latest deployment's manifest); a deployment moves through its statuses as it is polled
and takes the instance's settings, limits and variables of the moment it starts; an image is stored
in its normal form (`docker.io/library/...`); an image from a private registry fails to deploy without
registry credentials on the instance; a deleted project, environment, service, service instance or
volume instance lingers in lists (and a deleted project in `project`) with `deletedAt` set.

Faults can be queued per operation: 429 with Retry-After, 5xx, a stall past the client's timeout,
a GraphQL error payload, and a "lost response" (the mutation is applied, then the connection drops,
at once or only after the client's timeout).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import graphql
from graphql.execution.values import get_variable_values

from tests.railway.schema import railway_schema

TOKEN = "fake-railway-account-token-0123456789"
PROJECT_TOKEN = "fake-railway-project-token-9876543210"
WORKSPACE_ID = "ws-converge"
CUSTOMER_ID = "cus-converge"


class MissingError(Exception):
    """Raised by resolvers for an object that does not exist (Railway's wording)."""


class RefusedError(Exception):
    """Raised by resolvers for a request Railway would refuse (a domain already in use, ...)."""


def _changed_environment(body: dict[str, Any]) -> str | None:
    """The environment a mutation changes, as its variables name it."""
    if not str(body.get("query") or "").lstrip().startswith("mutation"):
        return None
    variables = body.get("variables") or {}
    nested = variables.get("input") if isinstance(variables.get("input"), dict) else {}
    found = variables.get("environmentId") or nested.get("environmentId")
    return str(found) if found else None


def normal_image(reference: str) -> str:
    """An image reference as Railway reports it back: Docker Hub names in full (`docker.io/library/redis:8`)."""
    name, at, digest = reference.partition("@")
    first, slash, _ = name.partition("/")
    has_registry = bool(slash) and ("." in first or ":" in first or first == "localhost")
    if not has_registry:
        name = f"docker.io/{name}" if slash else f"docker.io/library/{name}"
    if not at and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name + at + digest


@dataclass
class Fault:
    operation: str | None  # None: the next request, whatever it is
    kind: str  # "429", "500", "502", "stall", "lost", "lost-late", "graphql-error"
    retry_after: str | None = None
    message: str = "Problem processing request"
    code: str | None = None  # the GraphQL error's `extensions.code`


@dataclass
class Request:
    operation: str
    mutation: bool
    variables: dict[str, Any]
    status: int


@dataclass
class FakeRailway:
    stall_seconds: float = 1.0
    requests: list[Request] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    # Deploy steps (see the section at the end of the class).
    rollback_status: str = "SUCCESS"
    auth_kinds: list[str] = field(default_factory=list)
    # Observability dashboards by id (see the section at the end of the class).
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Requests that complete after a service's creation before its instance shows (real clients wait).
    instance_lag: int = 1
    # How long a change to an environment takes; a second change to it meanwhile is refused as stale.
    change_seconds: float = 0.0
    # Statuses a new deployment passes through before its outcome, one per poll of it.
    deployment_steps: tuple[str, ...] = ("INITIALIZING", "BUILDING", "DEPLOYING")
    # Repositories whose images need registry credentials to pull.
    private_registries: tuple[str, ...] = ("ghcr.io/converge-nps/",)

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.ids = itertools.count(1)
        self.projects: dict[str, dict[str, Any]] = {}
        self.environments: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.instances: dict[tuple[str, str], dict[str, Any]] = {}  # (service, environment)
        self.limits: dict[tuple[str, str], dict[str, float] | None] = {}
        self.variables: dict[tuple[str, str], dict[str, str]] = {}
        self.volumes: dict[str, dict[str, Any]] = {}
        self.volume_instances: dict[str, dict[str, Any]] = {}
        self.service_domains: dict[str, dict[str, Any]] = {}
        self.custom_domains: dict[str, dict[str, Any]] = {}
        self.deployments: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.usage_limit: dict[str, Any] | None = None
        # observability (see the section of that name)
        self.clock: Callable[[], float] = time.time
        self.caller = threading.local()
        self.loads: dict[tuple[str, str], ServedLoad] = {}
        self.latest_deployment: dict[tuple[str, str], str] = {}
        self.pending_instances: dict[tuple[str, str], int] = {}
        self.deployment_progress: dict[str, list[str]] = {}
        self.deployment_outcomes: deque[tuple[str, list[str]]] = deque()
        # What Railway still lists after a delete, with `deletedAt` set (see `_tombstone`).
        self.changing: dict[str, int] = {}  # environment -> changes in progress
        self.stale_refusals = 0
        self.deleted: dict[str, dict[Any, dict[str, Any]]] = {
            kind: {} for kind in ("projects", "environments", "services", "instances", "volume_instances")
        }
        self.root = {**self._root(), **self._observability_root()}

    # Inspection helpers for tests ---------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self.ids)}"

    def calls(self, *, since: int = 0) -> list[Request]:
        with self.lock:
            return list(self.requests[since:])

    def mutations(self, *, since: int = 0) -> list[Request]:
        return [request for request in self.calls(since=since) if request.mutation]

    def fail(self, kind: str, operation: str | None = None, **kwargs: Any) -> None:
        self.faults.append(Fault(operation=operation, kind=kind, **kwargs))

    # HTTP ---------------------------------------------------------------------------------

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}")
        operation_name = str(body.get("operationName") or "")
        if not self._authorized(handler):
            self._record(operation_name, body, 401)
            return _send(handler, 401, {"errors": [{"message": "Not Authorized"}]})
        fault = self._take_fault(operation_name)
        if fault is not None and fault.kind in ("429", "500", "502"):
            self._record(operation_name, body, int(fault.kind))
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return _send(handler, int(fault.kind), {"errors": [{"message": fault.message}]}, headers)
        if fault is not None and fault.kind == "stall":
            self._record(operation_name, body, 0)
            self.stop.wait(self.stall_seconds)
            handler.close_connection = True
            return None
        if fault is not None and fault.kind == "graphql-error":
            self._record(operation_name, body, 200)
            error = {"message": fault.message, **({"extensions": {"code": fault.code}} if fault.code else {})}
            return _send(handler, 200, {"data": None, "errors": [error]})
        conflict = self._concurrent_change(body)
        if conflict is not None:
            self._record(operation_name, body, 200)
            return _send(handler, 200, {"data": None, "errors": [conflict]})
        try:
            status, payload = self.execute(operation_name, body)
        finally:
            self._change_done(body)
        self._record(operation_name, body, status)
        self._settle_instances()
        if fault is not None and fault.kind in ("lost", "lost-late"):
            # Applied, but the answer never arrives: the connection drops now, or after the client gave up.
            if fault.kind == "lost-late":
                self.stop.wait(self.stall_seconds)
            handler.close_connection = True
            return None
        return _send(handler, status, payload)

    # Changes to one environment ------------------------------------------------------------------
    #
    # Railway applies a change to an environment against the environment's current version; a second
    # change that started from the same version is refused (`STALE_ENVIRONMENT_BASE`), which is why its
    # clients make one change at a time per environment.

    def _concurrent_change(self, body: dict[str, Any]) -> dict[str, Any] | None:
        environment_id = _changed_environment(body)
        if environment_id is None:
            return None
        with self.lock:
            if self.changing.get(environment_id):
                self.stale_refusals += 1
                return {
                    "message": "The environment changed since this change was prepared; please try again",
                    "extensions": {"code": "STALE_ENVIRONMENT_BASE"},
                }
            self.changing[environment_id] = 1
        self.stop.wait(self.change_seconds)
        return None

    def _change_done(self, body: dict[str, Any]) -> None:
        environment_id = _changed_environment(body)
        if environment_id is not None:
            with self.lock:
                self.changing.pop(environment_id, None)

    def _take_fault(self, operation: str) -> Fault | None:
        with self.lock:
            for fault in list(self.faults):
                if fault.operation in (None, operation):
                    self.faults.remove(fault)
                    return fault
        return None

    def _record(self, operation: str, body: dict[str, Any], status: int) -> None:
        document = str(body.get("query") or "")
        with self.lock:
            self.requests.append(
                Request(operation, document.lstrip().startswith("mutation"), dict(body.get("variables") or {}), status)
            )

    def execute(self, operation_name: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        schema = railway_schema()
        document, problem = _checked(str(body.get("query") or ""))
        if document is None:
            return self._violation(f"{operation_name}: {problem}")
        definition = next(
            (
                node
                for node in document.definitions
                if isinstance(node, graphql.OperationDefinitionNode) and node.name and node.name.value == operation_name
            ),
            None,
        )
        if definition is None:
            return self._violation(f"{operation_name}: operationName names no operation of the document")
        # A document without variables has no definitions list at all.
        coerced = get_variable_values(schema, definition.variable_definitions or (), body.get("variables") or {})
        if isinstance(coerced, list):
            return self._violation(f"{operation_name}: " + "; ".join(error.message for error in coerced))
        with self.lock:
            result = graphql.execute_sync(
                schema, document, root_value=self.root, variable_values=body.get("variables") or {}
            )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            for error in result.errors:
                original = error.original_error
                if original is not None and not isinstance(original, (MissingError, RefusedError)):
                    self.violations.append(f"{operation_name}: {error.message}")
            payload["errors"] = [{"message": error.message, "path": error.path} for error in result.errors]
        return 200, payload

    def _violation(self, message: str) -> tuple[int, dict[str, Any]]:
        self.violations.append(message)
        return 400, {"errors": [{"message": message}]}

    # Resolvers ------------------------------------------------------------------------------

    def _root(self) -> dict[str, Callable[..., Any]]:
        return {
            "project": lambda _info, id: self._project(id),
            "projects": lambda _info, workspaceId=None, **_: _connection(
                self._project(project_id)
                for project_id, project in [*self.projects.items(), *self.deleted["projects"].items()]
                if project["workspaceId"] == (workspaceId or WORKSPACE_ID)
            ),
            "projectCreate": lambda _info, input: self._project_create(input),
            "projectUpdate": lambda _info, id, input: self._project_update(id, input),
            "projectDelete": lambda _info, id: self._delete(self.projects, id, self._drop_project),
            "environment": lambda _info, id, projectId=None: self._environment(id),
            "environmentCreate": lambda _info, input: self._environment_create(input),
            "environmentRename": lambda _info, id, input: self._environment_rename(id, input),
            "environmentDelete": lambda _info, id: self._delete(self.environments, id, self._drop_environment),
            "serviceCreate": lambda _info, input: self._service_create(input, lag=self.instance_lag),
            "serviceUpdate": lambda _info, id, input: self._service_update(id, input),
            "serviceInstanceUpdate": lambda _info, serviceId, input, environmentId=None: self._instance_update(
                serviceId, environmentId, input
            ),
            "serviceDelete": lambda _info, id, environmentId=None: self._delete(self.services, id, self._drop_service),
            "serviceInstanceLimitOverride": lambda _info, environmentId, serviceId: self._limits_of(
                serviceId, environmentId
            ),
            "serviceInstanceLimitsUpdate": lambda _info, input: self._limits_update(input),
            "serviceInstanceDeployV2": lambda _info, environmentId, serviceId, **_: self._start_deployment(
                serviceId, environmentId
            ),
            "deployment": lambda _info, id: self._deployment(id),
            "deploymentLogs": lambda _info, deploymentId, limit=None, **_: self._deployment_logs(deploymentId, limit),
            "variables": lambda _info, projectId, environmentId, serviceId=None, **_: self._variables_of(
                serviceId, environmentId
            ),
            "variableCollectionUpsert": lambda _info, input: self._variables_upsert(input),
            "variableDelete": lambda _info, input: self._variable_delete(input),
            "volumeCreate": lambda _info, input: self._volume_create(input),
            "volumeInstanceUpdate": lambda _info, volumeId, input, environmentId=None: self._volume_update(
                volumeId, input
            ),
            "volumeDelete": lambda _info, volumeId: self._delete(self.volumes, volumeId, self._drop_volume),
            "domains": lambda _info, projectId, environmentId, serviceId: self._domains(serviceId, environmentId),
            "serviceDomainCreate": lambda _info, input: self._service_domain_create(input),
            "serviceDomainUpdate": lambda _info, input: self._service_domain_update(input),
            "serviceDomainDelete": lambda _info, id: self._delete(self.service_domains, id, self.service_domains.pop),
            "customDomainCreate": lambda _info, input: self._custom_domain_create(input),
            "customDomainUpdate": lambda _info, id, environmentId, targetPort=None: self._custom_domain_update(
                id, targetPort
            ),
            "customDomainDelete": lambda _info, id: self._delete(self.custom_domains, id, self.custom_domains.pop),
            "usageLimitSet": lambda _info, input: self._usage_limit_set(input),
            "usageLimitRemove": lambda _info, input: self._usage_limit_remove(input),
            "projectTokens": lambda _info, projectId, **_: _connection(
                dict(token) for token in self.tokens.values() if token["projectId"] == projectId
            ),
            "projectTokenCreate": lambda _info, input: self._token_create(input),
            "projectTokenDelete": lambda _info, id: self._delete(self.tokens, id, self.tokens.pop),
            **self._deploy_steps_root(),
            **self._dashboard_root(),
        }

    @staticmethod
    def _delete(table: dict[str, Any], key: str, drop: Callable[[str], Any]) -> bool:
        if key not in table:
            raise MissingError("Not Authorized")
        drop(key)
        return True

    # projects and environments

    def _project(self, project_id: str) -> dict[str, Any]:
        project = self.projects.get(project_id) or self.deleted["projects"].get(project_id)
        if project is None:
            raise MissingError("Project not found")
        return {
            **project,
            "environments": lambda _info, **_: _connection(
                dict(env)
                for env in [*self.environments.values(), *self.deleted["environments"].values()]
                if env["projectId"] == project_id
            ),
            "services": lambda _info, **_: _connection(
                {"id": s["id"], "name": s["name"], "projectId": s["projectId"], "deletedAt": s.get("deletedAt")}
                for s in [*self.services.values(), *self.deleted["services"].values()]
                if s["projectId"] == project_id
            ),
            "workspace": {
                "id": project["workspaceId"],
                "customer": {"id": CUSTOMER_ID, "usageLimit": self.usage_limit and dict(self.usage_limit)},
            },
        }

    def _project_create(self, data: dict[str, Any]) -> dict[str, Any]:
        project_id = self.new_id("prj")
        self.projects[project_id] = {
            "id": project_id,
            "name": data.get("name") or "untitled",
            "description": data.get("description"),
            "workspaceId": data.get("workspaceId") or WORKSPACE_ID,
        }
        self._environment_create({"projectId": project_id, "name": data.get("defaultEnvironmentName") or "production"})
        return self._project(project_id)

    def _project_update(self, project_id: str, data: dict[str, Any]) -> dict[str, Any]:
        project = self.projects.get(project_id)
        if project is None:
            raise MissingError("Project not found")
        project.update({key: value for key, value in data.items() if key in ("name", "description")})
        return self._project(project_id)

    def _drop_project(self, project_id: str) -> None:
        self._tombstone("projects", project_id, self.projects[project_id])
        for env_id in [e for e, env in self.environments.items() if env["projectId"] == project_id]:
            self._drop_environment(env_id)
        for service_id in [s for s, service in self.services.items() if service["projectId"] == project_id]:
            self._drop_service(service_id)
        del self.projects[project_id]

    def _environment(self, environment_id: str) -> dict[str, Any]:
        environment = self.environments.get(environment_id)
        if environment is None:
            raise MissingError("Environment not found")
        return {
            **environment,
            "serviceInstances": lambda _info, **_: _connection(
                [
                    *(
                        {**self._instance(sid, eid), "latestDeployment": self._latest_deployment(sid, eid)}
                        for (sid, eid) in self.instances
                        if eid == environment_id
                    ),
                    *(dict(i) for (_, eid), i in self.deleted["instances"].items() if eid == environment_id),
                ]
            ),
            "volumeInstances": lambda _info, **_: _connection(
                dict(vi)
                for vi in [*self.volume_instances.values(), *self.deleted["volume_instances"].values()]
                if vi["environmentId"] == environment_id
            ),
        }

    def _environment_create(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["projectId"] not in self.projects:
            raise MissingError("Project not found")
        environment_id = self.new_id("env")
        self.environments[environment_id] = {"id": environment_id, "name": data["name"], "projectId": data["projectId"]}
        for service in self.services.values():
            if service["projectId"] == data["projectId"]:
                self._new_instance(service["id"], environment_id)
        return dict(self.environments[environment_id])

    def _environment_rename(self, environment_id: str, data: dict[str, Any]) -> dict[str, Any]:
        if environment_id not in self.environments:
            raise MissingError("Environment not found")
        self.environments[environment_id]["name"] = data["name"]
        return dict(self.environments[environment_id])

    def _drop_environment(self, environment_id: str) -> None:
        if environment_id in self.environments:
            self._tombstone("environments", environment_id, self.environments[environment_id])
        for key in [k for k in self.instances if k[1] == environment_id]:
            del self.instances[key]
        self.environments.pop(environment_id, None)

    # services

    def _service_create(self, data: dict[str, Any], lag: int = 0) -> dict[str, Any]:
        project_id = data["projectId"]
        if project_id not in self.projects:
            raise MissingError("Project not found")
        service_id = self.new_id("svc")
        self.services[service_id] = {"id": service_id, "name": data.get("name") or service_id, "projectId": project_id}
        # Railway creates a service in every (non-fork) environment of its project.
        for environment_id, environment in self.environments.items():
            if environment["projectId"] == project_id:
                self._new_instance(service_id, environment_id, lag)
        return dict(self.services[service_id])

    def _new_instance(self, service_id: str, environment_id: str, lag: int = 0) -> None:
        # Through the API, Railway materialises the instance a moment after the service (`_settle_instances`).
        self.limits[(service_id, environment_id)] = None
        self.variables[(service_id, environment_id)] = {
            "RAILWAY_PRIVATE_DOMAIN": f"{self.services[service_id]['name']}.railway.internal"
        }
        self.pending_instances[(service_id, environment_id)] = lag
        if lag <= 0:
            self._materialise_instance(service_id, environment_id)

    def _settle_instances(self) -> None:
        with self.lock:
            for key, left in list(self.pending_instances.items()):
                if left <= 0:
                    self._materialise_instance(*key)
                else:
                    self.pending_instances[key] = left - 1

    def _materialise_instance(self, service_id: str, environment_id: str) -> None:
        del self.pending_instances[(service_id, environment_id)]
        if service_id not in self.services or environment_id not in self.environments:
            return
        # The legacy per-region fields read back as Railway reports them for a multi-region-configured
        # service: one replica, no region. Placement lives in `multiRegionConfig`.
        self.instances[(service_id, environment_id)] = {
            "numReplicas": 1,
            "region": None,
            "multiRegionConfig": None,
            "registryCredentials": None,
            "healthcheckPath": None,
            "healthcheckTimeout": None,
            "restartPolicyType": "ON_FAILURE",
            "restartPolicyMaxRetries": 10,
            "startCommand": None,
            "source": None,
        }

    def _tombstone(self, kind: str, key: Any, record: dict[str, Any]) -> None:
        """Railway keeps a deleted object around for a while, listed with `deletedAt` set."""
        self.deleted[kind][key] = {**record, "deletedAt": "2026-12-02T00:00:00.000Z"}

    def _instance(self, service_id: str, environment_id: str) -> dict[str, Any]:
        instance = self.instances.get((service_id, environment_id))
        if instance is None:
            raise MissingError("ServiceInstance not found")
        return {
            **instance,
            "serviceId": service_id,
            "environmentId": environment_id,
            "serviceName": self.services[service_id]["name"],
        }

    def _service_update(self, service_id: str, data: dict[str, Any]) -> dict[str, Any]:
        if service_id not in self.services:
            raise MissingError("Service not found")
        if data.get("name"):
            self.services[service_id]["name"] = data["name"]
        return dict(self.services[service_id])

    def _instance_update(self, service_id: str, environment_id: str | None, data: dict[str, Any]) -> bool:
        if service_id not in self.services:
            raise MissingError("Service not found")
        targets = [key for key in self.instances if key[0] == service_id and environment_id in (None, key[1])]
        if not targets:
            raise MissingError("ServiceInstance not found")
        # The legacy top-level placement is not applied (it reads back as null / 1 whatever is sent).
        applied = {key: value for key, value in data.items() if key not in ("region", "numReplicas")}
        if (applied.get("source") or {}).get("image"):
            applied["source"] = {"image": normal_image(applied["source"]["image"])}
        for key in targets:
            self.instances[key].update(applied)
        return True

    def _drop_service(self, service_id: str) -> None:
        if service_id in self.services:
            self._tombstone("services", service_id, self.services[service_id])
        for key in [k for k in {*self.instances, *self.pending_instances} if k[0] == service_id]:
            self.pending_instances.pop(key, None)
            if key in self.instances:
                self._tombstone("instances", key, {**self._instance(*key), "latestDeployment": None})
            self.instances.pop(key, None)
            self.variables.pop(key, None)
            self.limits.pop(key, None)
        for table in (self.service_domains, self.custom_domains):
            for domain_id in [d for d, domain in table.items() if domain["serviceId"] == service_id]:
                del table[domain_id]
        for volume_instance in self.volume_instances.values():
            if volume_instance["serviceId"] == service_id:
                volume_instance["serviceId"] = None
        self.services.pop(service_id, None)

    def _require_instance(self, service_id: str, environment_id: str) -> tuple[str, str]:
        if (service_id, environment_id) not in self.instances:
            raise MissingError("ServiceInstance not found")
        return service_id, environment_id

    def _limits_of(self, service_id: str, environment_id: str) -> dict[str, float] | None:
        return self.limits[self._require_instance(service_id, environment_id)]

    def _limits_update(self, data: dict[str, Any]) -> bool:
        key = self._require_instance(data["serviceId"], data["environmentId"])
        self.limits[key] = {"vCPUs": data.get("vCPUs"), "memoryGB": data.get("memoryGB")}
        return True

    def _deploy(self, service_id: str, environment_id: str) -> str:
        key = self._require_instance(service_id, environment_id)
        instance = self.instances[key]
        deployment_id = self.new_id("dep")
        self.deployments[deployment_id] = {
            "id": deployment_id,
            "status": "SUCCESS",
            "serviceId": service_id,
            "environmentId": environment_id,
            "image": (instance.get("source") or {}).get("image"),
            "variables": dict(self.variables[key]),
            # A deployment runs with the limits of the moment it starts: a later limits change waits for the next.
            "limits": self.limits[key] and dict(self.limits[key]),
            "meta": {"serviceManifest": {"deploy": {"multiRegionConfig": instance.get("multiRegionConfig")}}},
            "logs": [],
        }
        return deployment_id

    # Deployments in progress ------------------------------------------------------------------
    #
    # `serviceInstanceDeployV2` starts a deployment that is polled through `deployment_steps` to its
    # outcome: SUCCESS, or what `fail_next_deployment` queued, or FAILED when the image is in a private
    # registry and the instance has no registry credentials (Railway cannot pull it).

    def fail_next_deployment(self, status: str = "CRASHED", logs: tuple[str, ...] = ("Error: boom",)) -> None:
        self.deployment_outcomes.append((status, list(logs)))

    def _start_deployment(self, service_id: str, environment_id: str) -> str:
        deployment_id = self._deploy(service_id, environment_id)
        deployment = self.deployments[deployment_id]
        instance = self.instances[(service_id, environment_id)]
        image = deployment["image"] or ""
        if image.startswith(self.private_registries) and not instance.get("registryCredentials"):
            outcome, logs = "FAILED", [f"Error: failed to pull image {image}: unauthorized"]
        elif self.deployment_outcomes:
            outcome, logs = self.deployment_outcomes.popleft()
        else:
            outcome, logs = "SUCCESS", ["Server listening"]
        deployment["status"] = "QUEUED"
        deployment["logs"] = [
            {"message": message, "severity": "info", "timestamp": f"2026-12-02T00:00:{index:02d}Z"}
            for index, message in enumerate(["Starting container", *logs])
        ]
        self.deployment_progress[deployment_id] = [*self.deployment_steps, outcome]
        return deployment_id

    def _deployment(self, deployment_id: str) -> dict[str, Any]:
        deployment = self.deployments.get(deployment_id)
        if deployment is None:
            raise MissingError("Deployment not found")
        steps = self.deployment_progress.get(deployment_id)
        if steps:
            deployment["status"] = steps.pop(0)
        return dict(deployment)

    def _deployment_logs(self, deployment_id: str, limit: int | None) -> list[dict[str, Any]]:
        deployment = self.deployments.get(deployment_id)
        if deployment is None:
            raise MissingError("Deployment not found")
        return list(deployment.get("logs") or [])[-(limit or 100) :]

    def _latest_deployment(self, service_id: str, environment_id: str) -> dict[str, Any] | None:
        mine = [
            d
            for d in self.deployments.values()
            if d["serviceId"] == service_id and d["environmentId"] == environment_id
        ]
        return dict(mine[-1]) if mine else None

    def running_limits(self, service_id: str, environment_id: str) -> dict[str, float] | None:
        """The limits the service runs with: those of its latest successful deployment."""
        done = [
            d
            for d in self.deployments.values()
            if d["serviceId"] == service_id and d["environmentId"] == environment_id and d["status"] == "SUCCESS"
        ]
        return done[-1]["limits"] if done else None

    # variables

    def _variables_of(self, service_id: str | None, environment_id: str) -> dict[str, str]:
        if service_id is None:
            return {}
        return dict(self.variables[self._require_instance(service_id, environment_id)])

    def _variables_upsert(self, data: dict[str, Any]) -> bool:
        key = self._require_instance(data["serviceId"], data["environmentId"])
        values = data["variables"]
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise ValueError("EnvironmentVariables must map names to strings")
        if data.get("replace"):
            self.variables[key] = {}
        self.variables[key].update(values)
        return True

    def _variable_delete(self, data: dict[str, Any]) -> bool:
        key = self._require_instance(data["serviceId"], data["environmentId"])
        self.variables[key].pop(data["name"], None)
        return True

    # volumes

    def _volume_create(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["projectId"] not in self.projects:
            raise MissingError("Project not found")
        volume_id = self.new_id("vol")
        self.volumes[volume_id] = {"id": volume_id, "name": f"volume-{volume_id}", "projectId": data["projectId"]}
        instance_id = self.new_id("vi")
        self.volume_instances[instance_id] = {
            "id": instance_id,
            "volumeId": volume_id,
            "serviceId": data.get("serviceId"),
            "environmentId": data["environmentId"],
            "mountPath": data["mountPath"],
            "sizeMB": 5000,
            "region": data.get("region") or "us-west2",
            "state": "READY",
        }
        return dict(self.volumes[volume_id])

    def _volume_update(self, volume_id: str, data: dict[str, Any]) -> bool:
        if volume_id not in self.volumes:
            raise MissingError("Volume not found")
        for instance in self.volume_instances.values():
            if instance["volumeId"] == volume_id:
                instance.update({k: v for k, v in data.items() if v is not None})
        return True

    def _drop_volume(self, volume_id: str) -> None:
        for instance_id in [i for i, vi in self.volume_instances.items() if vi["volumeId"] == volume_id]:
            self._tombstone("volume_instances", instance_id, self.volume_instances[instance_id])
            del self.volume_instances[instance_id]
        del self.volumes[volume_id]

    # domains

    def _domains(self, service_id: str, environment_id: str) -> dict[str, Any]:
        self._require_instance(service_id, environment_id)

        def mine(table: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                dict(d) for d in table.values() if d["serviceId"] == service_id and d["environmentId"] == environment_id
            ]

        return {"serviceDomains": mine(self.service_domains), "customDomains": mine(self.custom_domains)}

    def _service_domain_create(self, data: dict[str, Any]) -> dict[str, Any]:
        self._require_instance(data["serviceId"], data["environmentId"])
        domain_id = self.new_id("sd")
        self.service_domains[domain_id] = {
            "id": domain_id,
            "domain": f"{self.services[data['serviceId']]['name']}-{domain_id}.up.railway.app",
            "targetPort": data.get("targetPort"),
            "serviceId": data["serviceId"],
            "environmentId": data["environmentId"],
        }
        return dict(self.service_domains[domain_id])

    def _service_domain_update(self, data: dict[str, Any]) -> bool:
        domain = self.service_domains.get(data["serviceDomainId"])
        if domain is None:
            raise MissingError("ServiceDomain not found")
        domain["targetPort"] = data.get("targetPort")
        return True

    def _custom_domain_create(self, data: dict[str, Any]) -> dict[str, Any]:
        self._require_instance(data["serviceId"], data["environmentId"])
        if any(d["domain"] == data["domain"] for d in self.custom_domains.values()):
            raise RefusedError("Domain is already in use")
        domain_id = self.new_id("cd")
        host, _, zone = data["domain"].partition(".")
        self.custom_domains[domain_id] = {
            "id": domain_id,
            "domain": data["domain"],
            "targetPort": data.get("targetPort"),
            "serviceId": data["serviceId"],
            "environmentId": data["environmentId"],
            "status": {
                "verified": False,
                "certificateStatus": "CERTIFICATE_STATUS_TYPE_VALIDATING_OWNERSHIP",
                "dnsRecords": [
                    {
                        "recordType": "DNS_RECORD_TYPE_CNAME",
                        "hostlabel": host,
                        "zone": zone,
                        "fqdn": data["domain"],
                        "requiredValue": f"{domain_id}.up.railway.app",
                        "currentValue": "",
                        "purpose": "DNS_RECORD_PURPOSE_TRAFFIC_ROUTE",
                        "status": "DNS_RECORD_STATUS_REQUIRES_UPDATE",
                    }
                ],
            },
        }
        return dict(self.custom_domains[domain_id])

    def _custom_domain_update(self, domain_id: str, target_port: int | None) -> bool:
        domain = self.custom_domains.get(domain_id)
        if domain is None:
            raise MissingError("CustomDomain not found")
        domain["targetPort"] = target_port
        return True

    # spend cap and tokens

    def _usage_limit_set(self, data: dict[str, Any]) -> bool:
        if data["customerId"] != CUSTOMER_ID:
            raise RefusedError("Not Authorized")
        self.usage_limit = {
            "id": "ul-1",
            "customerId": CUSTOMER_ID,
            "softLimit": data["softLimitDollars"],
            "hardLimit": data.get("hardLimitDollars"),
        }
        return True

    def _usage_limit_remove(self, data: dict[str, Any]) -> bool:
        if data["customerId"] != CUSTOMER_ID or self.usage_limit is None:
            raise MissingError("Not Authorized")
        self.usage_limit = None
        return True

    def _token_create(self, data: dict[str, Any]) -> str:
        if data["projectId"] not in self.projects:
            raise MissingError("Project not found")
        token_id = self.new_id("tok")
        self.tokens[token_id] = {
            "id": token_id,
            "name": data["name"],
            "environmentId": data["environmentId"],
            "projectId": data["projectId"],
        }
        return f"project-token-secret-{token_id}"

    # Deploy steps (ops/deploy): project tokens, the deployment history and rollbacks -------------------
    #
    # Railway takes an account or workspace token as `Authorization: Bearer` and a project token as
    # `Project-Access-Token`. A rollback starts a new deployment of the target's image and variables; it
    # ends `rollback_status` (a test sets CRASHED to break it). `createdAt` follows creation order.

    def _authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        """The account token (`Authorization: Bearer`), or a project token (`Project-Access-Token`): the fixed
        PROJECT_TOKEN tests hand out, or one `projectTokenCreate` made, which reaches only its own environment
        in the requests that follow."""
        self.caller.environment_id = None
        if handler.headers.get("Authorization") == f"Bearer {TOKEN}":
            self.auth_kinds.append("account")
            return True
        secret = handler.headers.get("Project-Access-Token") or ""
        token = self.tokens.get(secret.removeprefix("project-token-secret-")) if secret else None
        if secret == PROJECT_TOKEN or token is not None:
            self.caller.environment_id = token["environmentId"] if token else None
            self.auth_kinds.append("project")
            return True
        return False

    def _deploy_steps_root(self) -> dict[str, Callable[..., Any]]:
        return {
            "deployments": lambda _info, input, first=None, **_: _connection(self._deployments(input, first)),
            "deploymentRollback": lambda _info, id: self._rollback(id),
        }

    def add_deployment(self, service_id: str, environment_id: str, status: str) -> str:
        """A deployment in the service's history (as earlier deploys, good or bad, would have left it)."""
        deployment_id = self._deploy(service_id, environment_id)
        self.deployments[deployment_id]["status"] = status
        return deployment_id

    def _created_at(self, deployment_id: str) -> str:
        index = list(self.deployments).index(deployment_id)
        return f"2026-12-01T{index // 60:02d}:{index % 60:02d}:00.000Z"

    def _deployments(self, listing: dict[str, Any], first: int | None) -> list[dict[str, Any]]:
        wanted = (listing.get("status") or {}).get("in")
        unwanted = (listing.get("status") or {}).get("notIn") or []
        found = [
            {**d, "createdAt": self._created_at(d["id"])}
            for d in reversed(self.deployments.values())
            if listing.get("serviceId") in (None, d["serviceId"])
            and listing.get("environmentId") in (None, d["environmentId"])
            and listing.get("projectId") in (None, self.services.get(d["serviceId"], {}).get("projectId"))
            and (wanted is None or d["status"] in wanted)
            and d["status"] not in unwanted
        ]
        return found[:first] if first is not None else found

    def _rollback(self, deployment_id: str) -> bool:
        target = self.deployments.get(deployment_id)
        if target is None:
            raise MissingError("Deployment not found")
        new_id = self.new_id("dep")
        self.deployments[new_id] = {**target, "id": new_id, "status": self.rollback_status}
        return True

    # --- Observability: metrics served from a scripted load curve, and replicas that follow deploys --------
    # What the watchdog (watchdog/) reads and changes. Shapes follow the SDL; behaviour follows Railway's
    # clients and docs, named in docs/monitoring.md: CPU_USAGE and CPU_LIMIT are vCPU summed over the
    # service's replicas (the CLI divides one by the other for utilisation), 5xx responses are the error
    # rate, `multiRegionConfig` set by `serviceInstanceUpdate` takes effect with the next deployment, and
    # the deployment's `meta.serviceManifest.deploy.multiRegionConfig` reads it back. A project token
    # (`Project-Access-Token`) reaches only its own environment.

    def serve_load(
        self,
        service_id: str,
        environment_id: str,
        curve: LoadCurve,
        *,
        vcpu_per_replica: float,
        memory_gb_per_replica: float,
        replicas: int,
        region: str,
    ) -> None:
        """From now on the service runs `replicas` (deployed now) and its metrics follow `curve`."""
        with self.lock:
            self.loads[(service_id, environment_id)] = ServedLoad(curve, vcpu_per_replica, memory_gb_per_replica)
            self.instances[(service_id, environment_id)]["multiRegionConfig"] = {region: {"numReplicas": replicas}}
            self._observed_deploy(service_id, environment_id)

    def _observability_root(self) -> dict[str, Callable[..., Any]]:
        return {
            "metrics": lambda _info, measurements, startDate, **args: self._metrics(measurements, startDate, **args),
            "httpDurationMetrics": lambda _info, environmentId, serviceId, startDate, endDate, **args: (
                self._http_durations(serviceId, environmentId, startDate, endDate, args.get("stepSeconds"))
            ),
            "httpMetricsGroupedByStatus": lambda _info, environmentId, serviceId, startDate, endDate, **args: (
                self._http_by_status(serviceId, environmentId, startDate, endDate, args.get("stepSeconds"))
            ),
            "serviceInstance": lambda _info, environmentId, serviceId: self._observed_instance(
                serviceId, environmentId
            ),
            "serviceInstanceDeployV2": lambda _info, environmentId, serviceId, **_: self._observed_deploy(
                serviceId, environmentId
            ),
        }

    def _scope(self, environment_id: str | None) -> None:
        caller = getattr(self.caller, "environment_id", None)
        if caller is not None and environment_id != caller:
            raise RefusedError("Not Authorized")

    def _load(self, service_id: str | None, environment_id: str | None) -> ServedLoad:
        self._scope(environment_id)
        load = self.loads.get((service_id or "", environment_id or ""))
        if load is None:
            raise MissingError("Service not found")
        return load

    def _observed_deploy(self, service_id: str, environment_id: str) -> str:
        deployment_id = self._start_deployment(service_id, environment_id)
        now = self.clock()
        regions = dict(self.instances[(service_id, environment_id)].get("multiRegionConfig") or {})
        self.deployments[deployment_id].update(
            createdAt=_iso_time(now), meta={"serviceManifest": {"deploy": {"multiRegionConfig": regions}}}
        )
        self.latest_deployment[(service_id, environment_id)] = deployment_id
        load = self.loads.get((service_id, environment_id))
        if load is not None:
            replicas = sum(int(region.get("numReplicas") or 0) for region in regions.values())
            load.history.append((now + DEPLOY_SECONDS, replicas))
        return deployment_id

    def _observed_instance(self, service_id: str, environment_id: str) -> dict[str, Any]:
        self._scope(environment_id)
        instance = self._instance(service_id, environment_id)
        latest = self.latest_deployment.get((service_id, environment_id))
        return {**instance, "latestDeployment": self._deployment(latest) if latest else None}

    def _minutes(self, start: str, end: str | None, step: int | None) -> list[list[int]]:
        """Complete minutes between start and end (never past the fake's clock), grouped per step."""
        now = self.clock()
        first = int(_epoch(start)) // 60 * 60
        last = min(_epoch(end) if end else now, now)
        minutes = list(range(first, int(last) - 59, 60))
        size = max(1, (step or 60) // 60)
        return [minutes[i : i + size] for i in range(0, len(minutes), size)]

    def _metrics(self, measurements: list[str], startDate: str, **args: Any) -> list[dict[str, Any]]:
        load = self._load(args.get("serviceId"), args.get("environmentId"))
        rate = args.get("sampleRateSeconds")
        buckets = [
            [load.minute(ts) for ts in bucket if load.running(ts)]
            for bucket in self._minutes(startDate, args.get("endDate"), rate)
        ]
        return [
            {
                "measurement": measurement,
                "tags": {"serviceId": args.get("serviceId"), "environmentId": args.get("environmentId")},
                "values": [
                    {"ts": minutes[0].ts, "value": sum(m.measurement(measurement) for m in minutes) / len(minutes)}
                    for minutes in buckets
                    if minutes
                ],
            }
            for measurement in measurements
        ]

    def _http_durations(
        self, service_id: str, environment_id: str, start: str, end: str, step: int | None
    ) -> dict[str, Any]:
        load = self._load(service_id, environment_id)
        samples = []
        for bucket in self._minutes(start, end, step):
            minutes = [load.minute(ts) for ts in bucket if load.running(ts)]
            served = [m for m in minutes if m.requests > 0]
            if served:
                total = sum(m.requests for m in served)
                p95 = sum(m.p95_ms * m.requests for m in served) / total
                samples.append({"ts": served[0].ts, "p50": p95 / 3, "p90": p95 * 0.8, "p95": p95, "p99": p95 * 1.6})
        return {"samples": samples}

    def _http_by_status(
        self, service_id: str, environment_id: str, start: str, end: str, step: int | None
    ) -> list[dict[str, Any]]:
        load = self._load(service_id, environment_id)
        groups: dict[int, list[dict[str, Any]]] = {}
        for bucket in self._minutes(start, end, step):
            minutes = [load.minute(ts) for ts in bucket if load.running(ts)]
            if not minutes:
                continue
            for status, count in _sum_statuses(m.statuses() for m in minutes).items():
                groups.setdefault(status, []).append({"ts": minutes[0].ts, "value": count})
        return [{"statusCode": status, "samples": samples} for status, samples in sorted(groups.items())]

    # --- end of the observability section ------------------------------------------------------------------

    # Observability dashboards: one per environment; the mutations answer true, not the dashboard, and
    # there is no delete, only a reset to Railway's default items (here a single project-usage widget,
    # a stand-in: Railway does not document its defaults).

    DEFAULT_DASHBOARD_ITEMS: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "id": "default-usage",
            "displayConfig": {"x": 0, "y": 0, "w": 12, "h": 4},
            "dashboardItem": {"id": "default-usage", "name": "Usage", "type": "PROJECT_USAGE_ITEM", "config": {}},
        },
    )

    def _dashboard_root(self) -> dict[str, Callable[..., Any]]:
        return {
            "observabilityDashboards": lambda _info, environmentId, **_: _connection(
                dashboard for dashboard in self.dashboards.values() if dashboard["environmentId"] == environmentId
            ),
            "observabilityDashboardCreate": lambda _info, input: self._dashboard_create(input),
            "observabilityDashboardUpdate": lambda _info, id, input: self._dashboard_items(id, input),
            "observabilityDashboardReset": lambda _info, id: self._dashboard_items(id, self.DEFAULT_DASHBOARD_ITEMS),
        }

    def _dashboard_create(self, data: dict[str, Any]) -> bool:
        self._environment(data["environmentId"])
        if any(d["environmentId"] == data["environmentId"] for d in self.dashboards.values()):
            raise RefusedError("Environment already has a dashboard")
        dashboard_id = self.new_id("dash")
        self.dashboards[dashboard_id] = {"id": dashboard_id, "environmentId": data["environmentId"], "items": []}
        return self._dashboard_items(dashboard_id, data.get("items") or self.DEFAULT_DASHBOARD_ITEMS)

    def _dashboard_items(self, dashboard_id: str, items: Any) -> bool:
        if dashboard_id not in self.dashboards:
            raise MissingError("Dashboard not found")
        self.dashboards[dashboard_id]["items"] = [
            {
                "id": item["id"],
                "displayConfig": item["displayConfig"],
                "dashboardItem": {"description": None, "monitors": [], **item["dashboardItem"]},
            }
            for item in items
        ]
        return True


@functools.lru_cache(maxsize=256)
def _checked(query: str) -> tuple[graphql.DocumentNode | None, str]:
    """Parse and validate a document against the SDL once per distinct text: validation is deterministic
    and costs milliseconds against the full schema, which a simulated day of minute-by-minute polling repeats."""
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError as error:
        return None, f"syntax: {error.message}"
    errors = graphql.validate(railway_schema(), document)
    if errors:
        return None, "; ".join(error.message for error in errors)
    return document, ""


def _connection(nodes: Any) -> dict[str, Any]:
    return {"edges": [{"node": node, "cursor": str(index)} for index, node in enumerate(nodes)], "pageInfo": {}}


# --- Observability: the load-curve model behind the metrics (see FakeRailway.serve_load) -------------------

# A new replica count serves traffic this long after its deployment starts (image pull and health check).
DEPLOY_SECONDS = 60
# The application's latency when idle, and its growth with utilisation (a single-queue model, 1/(1-u)).
BASE_P95_MS = 150.0
# Memory of one replica: a resident share of its limit, and a share that grows with utilisation.
MEMORY_RESIDENT = 0.35
MEMORY_PER_LOAD = 0.6
# Share of requests answered 404 (client errors: not part of the error rate).
CLIENT_ERRORS = 0.02


@dataclass(frozen=True)
class Load:
    """What the backend's users ask of it during one minute."""

    cpu_vcpu: float  # CPU the traffic needs, summed over the replicas
    requests: float
    error_fraction: float = 0.0  # share the application answers 5xx (a failure, independent of capacity)


LoadCurve = Callable[[int], Load]  # minute start (seconds since the epoch) -> load


@dataclass(frozen=True)
class Minute:
    ts: int
    replicas: int
    vcpu_per_replica: float
    memory_gb_per_replica: float
    load: Load

    @property
    def utilisation(self) -> float:
        return min(1.0, self.load.cpu_vcpu / (self.replicas * self.vcpu_per_replica))

    @property
    def requests(self) -> float:
        return self.load.requests

    @property
    def p95_ms(self) -> float:
        return BASE_P95_MS / max(0.03, 1.0 - self.utilisation)

    def measurement(self, name: str) -> float:
        cpu_limit = self.replicas * self.vcpu_per_replica
        memory_limit = self.replicas * self.memory_gb_per_replica
        return {
            "CPU_USAGE": self.utilisation * cpu_limit,
            "CPU_LIMIT": cpu_limit,
            "MEMORY_USAGE_GB": memory_limit * (MEMORY_RESIDENT + MEMORY_PER_LOAD * self.utilisation),
            "MEMORY_LIMIT_GB": memory_limit,
        }.get(name, 0.0)

    def statuses(self) -> dict[int, float]:
        errors = self.requests * self.load.error_fraction
        client = self.requests * CLIENT_ERRORS
        return {200: self.requests - errors - client, 404: client, 503: errors}


@dataclass
class ServedLoad:
    curve: LoadCurve
    vcpu_per_replica: float
    memory_gb_per_replica: float
    history: list[tuple[float, int]] = field(default_factory=list)  # (effective from, replicas), in order

    def running(self, ts: int) -> bool:
        return bool(self.history) and ts >= self.history[0][0] - DEPLOY_SECONDS

    def replicas_at(self, ts: float) -> int:
        index = bisect.bisect_right([start for start, _ in self.history], ts) - 1
        return self.history[max(index, 0)][1]

    def minute(self, ts: int) -> Minute:
        return Minute(ts, self.replicas_at(ts), self.vcpu_per_replica, self.memory_gb_per_replica, self.curve(ts))


def _sum_statuses(groups: Iterator[dict[int, float]]) -> dict[int, float]:
    total: dict[int, float] = {}
    for group in groups:
        for status, count in group.items():
            total[status] = total.get(status, 0.0) + count
    return total


def _epoch(value: str) -> float:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _iso_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat().replace("+00:00", "Z")


# --- end of the observability model --------------------------------------------------------------------------


def _send(handler: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
    data = json.dumps(payload, default=str).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


@contextmanager
def serve(fake: FakeRailway) -> Iterator[str]:
    """Serve `fake` on 127.0.0.1 (a free port); yields the GraphQL endpoint URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle's algorithm on, each kept-alive request
        # then waits for a delayed ACK (about 40 ms), which a simulated day of polling multiplies.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            if self.path != "/graphql/v2":
                _send(self, 404, {"errors": [{"message": "no such endpoint"}]})
                return
            fake.handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/graphql/v2"
    finally:
        fake.stop.set()
        server.shutdown()
        server.server_close()


def main() -> None:
    """`python -m tests.railway.fake_railway`: serve a fresh fake until interrupted, for tests that run
    the real engine (point `RAILWAY_API_URL` at the printed URL, `RAILWAY_TOKEN` at the printed token)."""
    import signal

    fake = FakeRailway()
    railway_schema()
    with serve(fake) as url:
        print(json.dumps({"url": url, "token": TOKEN}), flush=True)
        signal.signal(signal.SIGTERM, lambda *_: fake.stop.set())
        with suppress(KeyboardInterrupt):
            fake.stop.wait()
    if fake.violations:
        raise SystemExit("contract violations:\n" + "\n".join(fake.violations))


if __name__ == "__main__":
    main()
