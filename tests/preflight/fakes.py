# ruff: noqa: N803 - resolver keyword arguments are the GraphQL argument names (workspaceId)
"""What preflight reads that the providers' fakes do not serve.

Railway: the `me` and `workspace` queries, on the providers' own fake (tests/railway/fake_railway.py),
with workspace tokens beside account tokens. As Railway documents its tokens
(https://docs.railway.com/reference/public-api#authentication), an account token acts as its user in
every workspace of the user, and `me` answers it; a workspace token reaches its one workspace and has
no user, so `me` is refused; a workspace the token cannot reach is refused with "Not Authorized".

GitHub: `GET /user` (with `X-OAuth-Scopes` for a classic token, none for a fine-grained one), `GET
/repos/{owner}/{repo}` (with the caller's `permissions`) and `GET /orgs/{org}/teams/{team_slug}`, as
https://docs.github.com/en/rest/users/users, .../rest/repos/repos and .../rest/teams/teams describe them;
401 "Bad credentials" for a wrong token, 404 for what is missing or hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

from tests.deploy.servers import Received, Reply, Server
from tests.railway.fake_railway import WORKSPACE_ID, FakeRailway, RefusedError

RAILWAY_WORKSPACE_TOKEN = "fake-railway-workspace-token-5555555555"
GITHUB_CLASSIC_TOKEN = "ghp_fakeclassictoken000000000000000000000"
GITHUB_FINE_GRAINED_TOKEN = "github_pat_fakefinegrained0000000000000"


class PreflightRailway(FakeRailway):
    workspaces: ClassVar[dict[str, str]] = {WORKSPACE_ID: "Converge NPS"}

    def _authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        if handler.headers.get("Authorization") == f"Bearer {RAILWAY_WORKSPACE_TOKEN}":
            self.auth_kinds.append("workspace")
            return True
        return super()._authorized(handler)

    def _root(self) -> dict[str, Callable[..., Any]]:
        return {**super()._root(), "me": lambda _info: self._me(), "workspace": self._workspace}

    def _me(self) -> dict[str, Any]:
        if self.auth_kinds[-1] != "account":
            raise RefusedError("Not Authorized")
        return {"id": "user-1", "workspaces": [{"id": key, "name": name} for key, name in self.workspaces.items()]}

    def _workspace(self, _info: Any, workspaceId: str) -> dict[str, Any]:
        if workspaceId not in self.workspaces:
            raise RefusedError("Not Authorized")
        return {"id": workspaceId, "name": self.workspaces[workspaceId]}


@dataclass
class FakeGitHub:
    owner: str
    repository: str
    teams: set[str]
    admin: bool = True
    scopes: str = "repo, read:org"
    server: Server = field(default_factory=Server)

    def __post_init__(self) -> None:
        self.server.route("GET", "/user", self._authed(self._user))
        self.server.route("GET", "/repos/{}/{}", self._authed(self._repository))
        self.server.route("GET", "/orgs/{}/teams/{}", self._authed(self._team))

    def _authed(self, handler: Callable[[Received, bool], Reply]) -> Callable[[Received], Reply]:
        def check(request: Received) -> Reply:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in (GITHUB_CLASSIC_TOKEN, GITHUB_FINE_GRAINED_TOKEN):
                return Reply(401, {"message": "Bad credentials"})
            return handler(request, token == GITHUB_CLASSIC_TOKEN)

        return check

    def _user(self, _request: Received, classic: bool) -> Reply:
        return Reply(200, {"login": "deployer", "id": 1}, {"X-OAuth-Scopes": self.scopes} if classic else {})

    def _repository(self, request: Received, _classic: bool) -> Reply:
        _, _, owner, name = request.path.split("/")
        if (owner, name) != (self.owner, self.repository):
            return Reply(404, {"message": "Not Found"})
        permissions = {"admin": self.admin, "maintain": self.admin, "push": True, "triage": True, "pull": True}
        return Reply(200, {"id": 7, "full_name": f"{owner}/{name}", "permissions": permissions})

    def _team(self, request: Received, _classic: bool) -> Reply:
        _, _, org, _, slug = request.path.split("/")
        if org != self.owner or slug not in self.teams:
            return Reply(404, {"message": "Not Found"})
        return Reply(200, {"id": 3, "slug": slug, "name": slug})

    def reads_only(self) -> bool:
        return all(request.method == "GET" for request in self.server.received)
