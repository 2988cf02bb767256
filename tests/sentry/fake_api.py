"""An in-process fake of the parts of Sentry's public API the providers use, on 127.0.0.1.

It keeps organizations, teams, projects, client keys, detectors and workflows in memory. Every request
is validated against the official spec (a violation is answered 400 and recorded) and every answer it
gives against the spec's response schema (a violation is recorded); answers start from the smallest
value their schema allows (`spec.smallest`) and carry what the fake knows. Beyond the schemas, it does
what Sentry does (evidence in docs/monitoring-providers.md): a new project gets a client key named
"Default" and an error and an issue-stream detector; a project slug is unique in its organization (409);
errors are `{"detail": ...}`; lists page with cursors in a `Link` header; an unknown object is 404.

Faults are scripted per method and path: an HTTP status with headers, or "apply, then lose the answer".
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.sentry import spec

TOKEN = "sntrys_test_0123456789abcdef0123456789abcdef"

_PROJECT = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/"
_TEAM_PROJECTS = "/api/0/teams/{organization_id_or_slug}/{team_id_or_slug}/projects/"
_PROJECT_TEAM = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/teams/{team_id_or_slug}/"
_KEYS = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/keys/"
_KEY = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/keys/{key_id}/"
_DETECTORS = "/api/0/organizations/{organization_id_or_slug}/detectors/"
_WORKFLOWS = "/api/0/organizations/{organization_id_or_slug}/workflows/"
_WORKFLOW = "/api/0/organizations/{organization_id_or_slug}/workflows/{workflow_id}/"


@dataclass
class Fault:
    method: str
    path: str  # regex on the path
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    apply_first: bool = False
    times: int = 1


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int

    @property
    def writes(self) -> bool:
        return self.method != "GET"


class FakeSentry:
    def __init__(self) -> None:
        self.teams: dict[str, set[str]] = {}
        self.projects: dict[tuple[str, str], dict[str, Any]] = {}
        self.keys: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.detectors: dict[str, dict[str, Any]] = {}
        self.workflows: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.page_size = 100
        self._ids = itertools.count(4_500_000_001)
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeSentry:
        spec.openapi()  # loaded (seconds) before the first request, so no request times out on it
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.writes]

    def add_team(self, organization: str, team: str) -> None:
        self.teams.setdefault(organization, set()).add(team)

    def _id(self) -> str:
        return str(next(self._ids))

    def add_project(
        self, organization: str, team: str, *, slug: str, name: str, platform: str | None
    ) -> dict[str, Any]:
        project_id = self._id()
        project = {"id": project_id, "slug": slug, "name": name, "platform": platform, "status": "active"}
        project["teams"] = [{"id": f"team-{team}", "slug": team, "name": team}]
        self.projects[organization, slug] = project
        self.keys[organization, slug] = []
        self._add_key(organization, slug, "Default")
        for kind in ("error", "issue_stream"):
            detector_id = self._id()
            self.detectors[detector_id] = {
                "id": detector_id,
                "projectId": project_id,
                "name": f"{kind} {slug}",
                "type": kind,
                "organization": organization,
            }
        return project

    def _add_key(self, organization: str, slug: str, name: str) -> dict[str, Any]:
        key_id = self._id()
        public = f"{int(key_id):032x}"
        project_id = self.projects[organization, slug]["id"]
        key = {
            "id": public,
            "name": name,
            "label": name,
            "public": public,
            "secret": f"{int(key_id) * 7:032x}",
            "projectId": int(project_id),
            "isActive": True,
            "dsn": {"public": f"https://{public}@o1.ingest.us.sentry.io/{project_id}", "secret": "", "csp": ""},
        }
        self.keys[organization, slug].append(key)
        return key

    def error_detector(self, slug: str) -> str:
        project_id = next(p["id"] for (_, s), p in self.projects.items() if s == slug)
        return next(d["id"] for d in self.detectors.values() if d["projectId"] == project_id and d["type"] == "error")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                fake.serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

        return Handler

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        method = handler.command
        parts = urlsplit(handler.path)
        path, query = parts.path, dict(parse_qsl(parts.query))
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
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                handler.wfile.write(data)

        authorization = handler.headers.get("Authorization") or ""
        try:
            spec.validate_request(method, path, query, body, authorization)
        except Exception as error:  # the validator's error types vary; all of them are violations here
            with self.lock:
                self.violations.append(f"{method} {path} {query} {body}: {error} {error.__cause__ or ''}")
            answer(400, {"detail": "request does not match the spec"})
            return
        if authorization != f"Bearer {TOKEN}":
            answer(401, {"detail": "Invalid token"})
            return
        with self.lock:
            fault = next(
                (f for f in self.faults if f.times > 0 and f.method == method and re.search(f.path, path)), None
            )
            if fault is not None:
                fault.times -= 1
            if fault is not None and not fault.apply_first:
                answer(fault.status, {"detail": "injected"}, fault.headers)
                return
            status, payload, template, headers = self.handle(method, path, query, body)
        if status < 300 and template is not None and payload is not None:
            try:
                spec.validate_response(method, path, status, payload, query, body)
            except Exception as error:
                self.violations.append(f"answer to {method} {path}: {error} {error.__cause__ or ''}")
        if fault is not None:
            answer(fault.status, {"detail": "injected"}, fault.headers)
        else:
            answer(status, payload, headers)

    def _full(self, method: str, template: str, status: int, known: dict[str, Any]) -> dict[str, Any]:
        """`known` completed to an object (or a list's item) the operation's response schema allows."""
        schema = spec.response_schema(method, template, status)
        return _merged(spec.smallest(schema.get("items", schema)), known)

    def _page(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> tuple[list[Any], dict[str, str]]:
        start = int(query.get("cursor", "0:0:0").split(":")[1])
        page = items[start : start + self.page_size]
        more = start + self.page_size < len(items)
        cursor = f"0:{start + self.page_size}:0"
        following = f"{self.url}{path}?{urlencode({**query, 'cursor': cursor})}"
        link = (
            f'<{following}>; rel="previous"; results="false"; cursor="0:0:1", '
            f'<{following}>; rel="next"; results="{str(more).lower()}"; cursor="{cursor}"'
        )
        return page, {"Link": link}

    def handle(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any, str | None, dict[str, str]]:
        segments = path.strip("/").split("/")[2:]  # after api/0
        not_found = (404, {"detail": "The requested resource does not exist"}, None, {})
        match segments:
            case ["teams", organization, team, "projects"] if method == "POST":
                if team not in self.teams.get(organization, set()):
                    return not_found
                slug = body.get("slug") or re.sub(r"[^a-z0-9_-]+", "-", body["name"].lower())
                if (organization, slug) in self.projects:
                    return 409, {"detail": "A project with this slug already exists."}, None, {}
                project = self.add_project(
                    organization, team, slug=slug, name=body["name"], platform=body.get("platform")
                )
                return 201, self._full("POST", _TEAM_PROJECTS, 201, project), _TEAM_PROJECTS, {}
            case ["projects", organization, slug]:
                project = self.projects.get((organization, slug))
                if project is None:
                    return not_found
                if method == "DELETE":
                    del self.projects[organization, slug]
                    del self.keys[organization, slug]
                    for detector_id in [i for i, d in self.detectors.items() if d["projectId"] == project["id"]]:
                        del self.detectors[detector_id]
                    return 204, None, None, {}
                if method == "PUT":
                    project.update({k: v for k, v in body.items() if k in ("name", "platform", "slug")})
                return 200, self._full(method, _PROJECT, 200, project), _PROJECT, {}
            case ["projects", organization, slug, "teams", team]:
                project = self.projects.get((organization, slug))
                if project is None or team not in self.teams.get(organization, set()):
                    return not_found
                others = [t for t in project["teams"] if t["slug"] != team]
                if method == "POST":
                    project["teams"] = [*others, {"id": f"team-{team}", "slug": team, "name": team}]
                else:
                    project["teams"] = others
                return 201 if method == "POST" else 200, {"id": project["id"], "slug": slug}, None, {}
            case ["projects", organization, slug, "keys"]:
                if (organization, slug) not in self.projects:
                    return not_found
                if method == "POST":
                    key = self._add_key(organization, slug, body.get("name") or "Unnamed")
                    return 201, self._full("POST", _KEYS, 201, key), _KEYS, {}
                keys = [self._full("GET", _KEY, 200, key) for key in self.keys[organization, slug]]
                page, headers = self._page(path, query, keys)
                return 200, page, _KEYS, headers
            case ["projects", organization, slug, "keys", key_id]:
                keys = self.keys.get((organization, slug), [])
                key = next((k for k in keys if k["id"] == key_id), None)
                if key is None:
                    return not_found
                if method == "DELETE":
                    keys.remove(key)
                    return 204, None, None, {}
                return 200, self._full("GET", _KEY, 200, key), _KEY, {}
            case ["organizations", organization, "detectors"]:
                ids = {
                    p["id"]
                    for (o, s), p in self.projects.items()
                    if o == organization and query.get("project") in (s, p["id"])
                }
                kind = query.get("query", "").removeprefix("type:") or None
                found = [
                    self._full("GET", _DETECTORS, 200, {k: v for k, v in d.items() if k != "organization"})
                    for d in self.detectors.values()
                    if d["projectId"] in ids and (kind is None or d["type"] == kind)
                ]
                page, headers = self._page(path, query, found)
                return 200, page, _DETECTORS, headers
            case ["organizations", organization, "workflows"] if method == "POST":
                workflow_id = self._id()
                self.workflows[workflow_id] = {"organization": organization, **self._workflow(workflow_id, body)}
                return 201, self._shown(self.workflows[workflow_id], "POST", _WORKFLOWS, 201), _WORKFLOWS, {}
            case ["organizations", organization, "workflows"]:
                term = query.get("query", "").lower()
                found = [
                    self._shown(w, "GET", _WORKFLOW, 200)
                    for w in self.workflows.values()
                    if w["organization"] == organization and term in w["name"].lower()
                ]
                page, headers = self._page(path, query, found)
                return 200, page, _WORKFLOWS, headers
            case ["organizations", organization, "workflows", workflow_id]:
                workflow = self.workflows.get(workflow_id)
                if workflow is None or workflow["organization"] != organization:
                    return not_found
                if method == "DELETE":
                    del self.workflows[workflow_id]
                    return 204, None, None, {}
                if method == "PUT":
                    workflow.update(self._workflow(workflow_id, body))
                return 200, self._shown(workflow, method, _WORKFLOW, 200), _WORKFLOW, {}
        self.violations.append(f"the fake does not serve {method} {path}")
        return not_found

    def _workflow(self, workflow_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A workflow as the API shows it: camelCase, ids as strings."""
        for detector_id in body.get("detector_ids", []):
            if str(detector_id) not in self.detectors:
                self.violations.append(f"workflow names detector {detector_id}, which does not exist")
        triggers = body.get("triggers") or {}
        return {
            "id": workflow_id,
            "name": body["name"],
            "enabled": body.get("enabled", True),
            "environment": body.get("environment"),
            "config": body.get("config", {}),
            "detectorIds": [str(d) for d in body.get("detector_ids", [])],
            "triggers": {"id": self._id(), "logicType": triggers.get("logic_type"), "conditions": []},
            "actionFilters": [
                {
                    "id": self._id(),
                    "logicType": f.get("logicType"),
                    "conditions": f.get("conditions", []),
                    "actions": f.get("actions", []),
                }
                for f in body.get("action_filters", [])
            ],
        }

    def _shown(self, workflow: dict[str, Any], method: str, template: str, status: int) -> dict[str, Any]:
        return self._full(method, template, status, {k: v for k, v in workflow.items() if k != "organization"})


def _merged(base: Any, known: dict[str, Any]) -> dict[str, Any]:
    """`known` over `base`, nested objects merged key by key."""
    merged = dict(base) if isinstance(base, dict) else {}
    for key, value in known.items():
        merged[key] = _merged(merged.get(key), value) if isinstance(value, dict) else value
    return merged


@contextmanager
def running() -> Iterator[FakeSentry]:
    fake = FakeSentry().start()
    try:
        yield fake
    finally:
        fake.stop()
