"""An in-process fake of the Supabase Management API on 127.0.0.1, for the providers' behaviour tests.

It keeps organizations and projects in memory and answers the endpoints the providers use the way the
spec describes them. Every request it receives is validated against the official spec (a violation is
answered 400 and recorded), and every answer it gives is validated against the spec's response
schema (a violation is recorded), so the fake cannot drift from the contract without a test noticing.

Beyond the schema, it behaves the way clients that run against the real API show it does (the evidence
is in docs/supabase.md): after a project turns ACTIVE_HEALTHY its services still come up for a while
(`/health` reports them COMING_UP, the pooler UNHEALTHY "not found", and the pooler config answers 404);
enforcing SSL restarts the database, during which SQL fails; a pooler PATCH without `pool_mode` puts
the pool back in the platform's default mode; a paused (INACTIVE) project stays paused until restored.

Faults are scripted per endpoint: an HTTP status with headers (429 + X-RateLimit-Reset, 503), a delay
longer than the client's timeout, or "apply, then lose the answer" for a create.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import string
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.supabase import spec

TOKEN = "sbp_test_0123456789abcdef0123456789abcdef01234567"


@dataclass
class Fault:
    method: str
    path: str  # regex on the path
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    apply_first: bool = False  # handle the request, then answer with the fault (a lost response)
    times: int = 1
    skip: int = 0  # matching requests let through before the fault starts


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, Any]
    body: Any
    status: int

    @property
    def writes(self) -> bool:
        """Whether the call can change something (a read-only SQL query cannot)."""
        if self.method == "GET":
            return False
        return not (
            self.path.endswith("/database/query") and isinstance(self.body, dict) and self.body.get("read_only")
        )


@dataclass
class Project:
    ref: str
    name: str
    organization_slug: str
    region: str
    password: str
    status: str = "COMING_UP"
    polls_until_healthy: int = 2
    fail_init: bool = False
    postgres_version: str = "17.6.1.011"
    # Health polls after ACTIVE_HEALTHY during which the services are still coming up.
    services_polls_until_healthy: int = 2
    # Health polls during which the database is restarting (after an SSL enforcement change).
    restart_polls: int = 0
    # Services that report UNHEALTHY with this error whatever happens (a broken project).
    broken: dict[str, str] = field(default_factory=dict)
    compute_variant: str | None = None
    pool_mode: str = "transaction"
    # A new project's pooler has no pool size of its own (recorded answers in supabase/cli show null).
    default_pool_size: int | None = None
    ssl_enforced: bool = False
    ssl_applies_after_polls: int = 0
    v4: list[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    v6: list[str] = field(default_factory=lambda: ["::/0"])
    network_entitlement: str = "allowed"
    walg_enabled: bool = True
    pitr_enabled: bool = False
    backups: list[dict[str, Any]] = field(default_factory=list)
    # schema -> table -> RLS on
    catalog: dict[str, dict[str, bool]] = field(default_factory=dict)
    anon_key: str = ""
    service_role_key: str = ""
    created_at: str = "2026-11-27T00:00:00.000Z"


def _ref() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=20))


class FakeSupabase:
    def __init__(self) -> None:
        self.organizations: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, Project] = {}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.polls_until_healthy = 2
        self.fail_init = False
        # The platform's current major: what every new project gets, whatever a client would like.
        self.postgres_version = "17.6.1.011"
        self.services_polls_until_healthy = 2
        self.restart_polls_after_ssl = 2
        self.walg_enabled = True
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeSupabase:
        spec.openapi()  # loaded (seconds) before the first request, so no request times out on it
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # Test helpers

    def add_organization(self, slug: str, plan: str) -> None:
        self.organizations[slug] = {"id": f"org-{slug}", "name": slug, "plan": plan}

    def fail(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.writes]

    def only_project(self) -> Project:
        (project,) = self.projects.values()
        return project

    # Request handling

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                fake.serve(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

        return Handler

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        method = handler.command
        parts = urlsplit(handler.path)
        path = parts.path
        # A repeated key is an array parameter (`services=db&services=pooler`), as clients send them.
        query: dict[str, Any] = {
            key: values[0] if len(values) == 1 else values for key, values in parse_qs(parts.query).items()
        }
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None

        def answer(status: int, payload: Any = None, headers: dict[str, str] | None = None) -> None:
            with self.lock:
                self.calls.append(Call(method, path, query, body, status))
            data = json.dumps(payload).encode() if payload is not None else b""
            handler.send_response(status)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            # The client may have given up waiting (a timeout test).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                handler.wfile.write(data)

        if handler.headers.get("Authorization") != f"Bearer {TOKEN}":
            answer(401, {"message": "Unauthorized"})
            return
        try:
            spec.validate_request(method, path, query, body)
        except Exception as error:  # the validator's error types vary; all of them are violations here
            detail = f"{method} {path} {query} {body}: {error} {getattr(error, '__cause__', '')}"
            with self.lock:
                self.violations.append(detail)
            answer(400, {"message": f"request does not match the spec: {error}"})
            return

        fault = self._take_fault(method, path)
        if fault and not fault.apply_first:
            time.sleep(fault.delay)
            answer(fault.status, fault.body if fault.body is not None else {"message": "injected"}, fault.headers)
            return
        with self.lock:
            status, payload = self.route(method, path, query, body)
        if status < 300:
            try:
                spec.validate_response(method, path, status, payload, query, body)
            except Exception as error:
                with self.lock:
                    self.violations.append(f"response to {method} {path}: {error}")
        if fault:
            time.sleep(fault.delay)
            answer(fault.status, fault.body if fault.body is not None else {"message": "injected"}, fault.headers)
            return
        answer(status, payload)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and re.fullmatch(fault.path, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # The API

    def route(self, method: str, path: str, query: dict[str, Any], body: Any) -> tuple[int, Any]:
        if path == "/v1/organizations" and method == "GET":
            return 200, [
                {"id": org["id"], "slug": slug, "name": org["name"]} for slug, org in self.organizations.items()
            ]
        if match := re.fullmatch(r"/v1/organizations/([\w-]+)", path):
            org = self.organizations.get(match[1])
            if org is None:
                return 404, {"message": "Organization not found"}
            return 200, {**org, "opt_in_tags": [], "allowed_release_channels": ["ga"]}
        if match := re.fullmatch(r"/v1/organizations/([\w-]+)/projects", path):
            return self.list_projects(match[1], query)
        if path == "/v1/projects" and method == "POST":
            return self.create_project(body)
        if match := re.fullmatch(r"/v1/projects/([a-z]{20})(/.*)?", path):
            project = self.projects.get(match[1])
            if project is None or project.status == "REMOVED":
                return 404, {"message": "Project not found"}
            return self.project_route(project, method, match[2] or "", query, body)
        return 404, {"message": f"no route {method} {path}"}

    def list_projects(self, slug: str, query: dict[str, Any]) -> tuple[int, Any]:
        if slug not in self.organizations:
            return 404, {"message": "Organization not found"}
        search = query.get("search", "")
        found = [p for p in self.projects.values() if p.organization_slug == slug and search in p.name]
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
        page = found[offset : offset + limit]
        return 200, {
            "projects": [
                {
                    "ref": p.ref,
                    "name": p.name,
                    "cloud_provider": "AWS",
                    "region": p.region,
                    "is_branch": False,
                    "status": p.status,
                    "inserted_at": p.created_at,
                    "databases": [
                        {
                            "region": p.region,
                            "status": "ACTIVE_HEALTHY" if p.status == "ACTIVE_HEALTHY" else "COMING_UP",
                            "cloud_provider": "AWS",
                            "identifier": p.ref,
                            "type": "PRIMARY",
                        }
                    ],
                }
                for p in page
            ],
            "pagination": {"count": len(found), "limit": limit, "offset": offset},
        }

    def create_project(self, body: dict[str, Any]) -> tuple[int, Any]:
        if body["organization_slug"] not in self.organizations:
            return 404, {"message": "Organization not found"}
        project = Project(
            ref=_ref(),
            name=body["name"],
            organization_slug=body["organization_slug"],
            region=body["region"],
            password=body["db_pass"],
            polls_until_healthy=self.polls_until_healthy,
            services_polls_until_healthy=self.services_polls_until_healthy,
            fail_init=self.fail_init,
            postgres_version=self.postgres_version,
            walg_enabled=self.walg_enabled and self.organizations[body["organization_slug"]]["plan"] != "free",
        )
        # Pro projects start on Micro compute (the plan's compute credit covers it), Free ones on nano.
        if self.organizations[body["organization_slug"]]["plan"] != "free":
            project.compute_variant = "ci_micro"
        project.anon_key = f"eyJ.anon.{project.ref}"
        project.service_role_key = f"eyJ.service_role.{project.ref}"
        project.catalog = {"public": {}}
        self.projects[project.ref] = project
        return 201, self._project_view(project, with_database=False)

    def _project_view(self, p: Project, *, with_database: bool = True) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": p.ref,
            "ref": p.ref,
            "organization_id": f"org-{p.organization_slug}",
            "organization_slug": p.organization_slug,
            "name": p.name,
            "region": p.region,
            "created_at": p.created_at,
            "status": p.status,
        }
        if with_database:
            view["database"] = {
                "host": f"db.{p.ref}.supabase.co",
                "version": p.postgres_version,
                "postgres_engine": p.postgres_version.split(".")[0],
                "release_channel": "ga",
            }
        return view

    def _advance(self, p: Project) -> None:
        if p.status in ("COMING_UP", "RESIZING"):
            if p.polls_until_healthy > 0:
                p.polls_until_healthy -= 1
            else:
                p.status = "INIT_FAILED" if p.fail_init and p.status == "COMING_UP" else "ACTIVE_HEALTHY"

    def _services_up(self, p: Project) -> bool:
        return p.status == "ACTIVE_HEALTHY" and p.services_polls_until_healthy == 0 and p.restart_polls == 0

    def _tick(self, p: Project) -> None:
        """Time passes with each status poll: the services come up, a restart ends."""
        if p.status != "ACTIVE_HEALTHY":
            return
        if p.services_polls_until_healthy > 0:
            p.services_polls_until_healthy -= 1
        elif p.restart_polls > 0:
            p.restart_polls -= 1

    def _health(self, p: Project, services: list[str]) -> list[dict[str, Any]]:
        answers = []
        for name in services:
            if name in p.broken:
                answers.append({"name": name, "healthy": False, "status": "UNHEALTHY", "error": p.broken[name]})
            elif self._services_up(p):
                answers.append({"name": name, "healthy": True, "status": "ACTIVE_HEALTHY"})
            elif name == "pooler" and p.status == "ACTIVE_HEALTHY" and not p.restart_polls:
                # Supavisor is not provisioned yet: reported unhealthy "not found", not coming up.
                answers.append(
                    {"name": name, "healthy": False, "status": "UNHEALTHY", "error": '{"error":"not found"}'}
                )
            else:
                answers.append({"name": name, "healthy": False, "status": "COMING_UP"})
        return answers

    def project_route(self, p: Project, method: str, rest: str, query: dict[str, Any], body: Any) -> tuple[int, Any]:
        if rest == "" and method == "GET":
            self._tick(p)
            self._advance(p)
            return 200, self._project_view(p)
        if rest == "/health" and method == "GET":
            services = query["services"]
            answer = self._health(p, [services] if isinstance(services, str) else services)
            self._tick(p)
            return 200, answer
        if p.status == "INACTIVE" and rest != "" and rest != "/restore":
            return 400, {"message": "Project is paused. Restore it before making changes."}
        if rest == "" and method == "PATCH":
            p.name = body["name"]
            return 200, {"id": 1, "ref": p.ref, "name": p.name}
        if rest == "" and method == "DELETE":
            p.status = "REMOVED"
            return 200, {"id": 1, "ref": p.ref, "name": p.name}
        if rest == "/database/password" and method == "PATCH":
            p.password = body["password"]
            return 200, {"message": "ok"}
        if rest == "/billing/addons" and method == "GET":
            return 200, self._addons(p)
        if rest == "/billing/addons" and method == "PATCH":
            if self.organizations[p.organization_slug]["plan"] == "free":
                return 400, {"message": "Compute add-ons are not available on the Free plan"}
            p.compute_variant = body["addon_variant"]
            p.status, p.polls_until_healthy = "RESIZING", 1
            return 200, None
        if match := re.fullmatch(r"/billing/addons/(\w+)", rest):
            if p.compute_variant != match[1]:
                return 404, {"message": "Add-on not found"}
            p.compute_variant = None
            p.status, p.polls_until_healthy = "RESIZING", 1
            return 200, None
        if rest.startswith("/config/database/pooler") and not self._services_up(p):
            return 404, {"message": "Pooler config not found"}
        if rest == "/config/database/pooler" and method == "GET":
            return 200, [self._pooler(p, mode) for mode in ("transaction",)]
        if rest == "/config/database/pooler" and method == "PATCH":
            # A body without the mode is applied as the default mode, not as "leave it as it is".
            p.pool_mode = body.get("pool_mode", "session")
            if "default_pool_size" in body:
                p.default_pool_size = body["default_pool_size"]
            return 200, {"default_pool_size": p.default_pool_size, "pool_mode": p.pool_mode}
        if rest == "/ssl-enforcement" and method == "GET":
            if p.ssl_applies_after_polls > 0:
                p.ssl_applies_after_polls -= 1
            return 200, self._ssl(p)
        if rest == "/ssl-enforcement" and method == "PUT":
            if p.ssl_enforced != body["requestedConfig"]["database"]:
                # Changing enforcement restarts the database.
                p.restart_polls = self.restart_polls_after_ssl
            p.ssl_enforced = body["requestedConfig"]["database"]
            return 200, self._ssl(p)
        if rest == "/network-restrictions" and method == "GET":
            return 200, self._network(p)
        if rest == "/network-restrictions/apply" and method == "POST":
            if p.network_entitlement == "disallowed":
                return 403, {"message": "Network restrictions are not available"}
            p.v4, p.v6 = list(body.get("dbAllowedCidrs", [])), list(body.get("dbAllowedCidrsV6", []))
            return 201, self._network(p)
        if rest == "/database/query" and method == "POST":
            if not self._services_up(p):
                return 400, {"message": "Failed to run sql query: FATAL: 57P03: the database system is starting up"}
            return self._query(p, body)
        if rest == "/api-keys" and method == "GET":
            reveal = query.get("reveal") == "true"
            return 200, [
                {"name": "anon", "api_key": p.anon_key, "type": "legacy", "id": "anon"},
                {"name": "service_role", "api_key": p.service_role_key, "type": "legacy", "id": "service_role"},
                {"name": "default", "api_key": "sb_secret_x" if reveal else None, "type": "secret", "id": "s1"},
            ]
        if rest == "/database/backups" and method == "GET":
            return 200, {
                "region": p.region,
                "walg_enabled": p.walg_enabled,
                "pitr_enabled": p.pitr_enabled,
                "backups": p.backups,
                "physical_backup_data": {},
            }
        return 404, {"message": f"no route {method} /v1/projects/{{ref}}{rest}"}

    def _addons(self, p: Project) -> dict[str, Any]:
        selected = []
        if p.compute_variant:
            selected.append(
                {
                    "type": "compute_instance",
                    "variant": {
                        "id": p.compute_variant,
                        "name": p.compute_variant,
                        "price": {"description": "", "type": "usage", "interval": "hourly", "amount": 0.01344},
                    },
                }
            )
        return {"selected_addons": selected, "available_addons": []}

    def _pooler(self, p: Project, mode: str) -> dict[str, Any]:
        host = f"aws-0-{p.region}.pooler.supabase.com"
        port = 6543 if mode == "transaction" else 5432
        url = f"postgresql://postgres.{p.ref}:[YOUR-PASSWORD]@{host}:{port}/postgres"
        return {
            "identifier": p.ref,
            "database_type": "PRIMARY",
            "is_using_scram_auth": True,
            "db_user": f"postgres.{p.ref}",
            "db_host": host,
            "db_port": port,
            "db_name": "postgres",
            "connection_string": url,
            "connectionString": url,
            "default_pool_size": p.default_pool_size,
            "max_client_conn": None,
            "pool_mode": p.pool_mode,
        }

    def _ssl(self, p: Project) -> dict[str, Any]:
        return {"currentConfig": {"database": p.ssl_enforced}, "appliedSuccessfully": p.ssl_applies_after_polls == 0}

    def _network(self, p: Project) -> dict[str, Any]:
        return {
            "entitlement": p.network_entitlement,
            "config": {"dbAllowedCidrs": p.v4, "dbAllowedCidrsV6": p.v6},
            "status": "applied",
        }

    def _query(self, p: Project, body: dict[str, Any]) -> tuple[int, Any]:
        """Understands the two statements the RLS provider sends (their SQL is tested on PostgreSQL)."""
        sql = body["query"]
        found = re.search(r"n\.nspname in \(([^)]*)\)", sql)
        if not found:
            return 400, {"message": "the fake only understands the RLS statements"}
        schemas = re.findall(r"'((?:[^']|'')*)'", found[1])
        if "enable row level security" in sql:
            if body.get("read_only"):
                return 400, {"message": "cannot execute ALTER TABLE in a read-only transaction"}
            for schema in schemas:
                for table in p.catalog.get(schema, {}):
                    p.catalog[schema][table] = True
            return 201, []
        rows = [
            {"schema_name": schema, "table_name": table, "rls_enabled": on}
            for schema in sorted(schemas)
            for table, on in sorted(p.catalog.get(schema, {}).items())
        ]
        return 201, rows


@contextmanager
def running() -> Iterator[FakeSupabase]:
    fake = FakeSupabase().start()
    try:
        yield fake
    finally:
        fake.stop()
