"""The few GitHub REST endpoints preflight reads (https://docs.github.com/en/rest), over the HTTP core.

`GITHUB_TOKEN` is read per request and `GITHUB_API_URL` (default https://api.github.com) when the
client is made, as in Actions. A 404 is an answer here: GitHub says "Not Found" both for what does not
exist and for what the token may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ops.github_rest import github_rest_client
from providers.core.http import ApiClient

_OK_OR_MISSING = frozenset(range(200, 300)) | {404}


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    # Classic tokens list their scopes in `X-OAuth-Scopes`; fine-grained and app tokens send none.
    scopes: frozenset[str] | None


@dataclass
class GitHub:
    http: ApiClient

    @classmethod
    def from_environment(cls, transport: httpx.BaseTransport | None = None) -> GitHub:
        return cls(github_rest_client("converge-nps-preflight", transport))

    def _get(self, operation: str, path: str) -> Answer:
        response = self.http.request(operation, "GET", path, ok_statuses=_OK_OR_MISSING)
        header = response.headers.get("X-OAuth-Scopes")
        scopes = frozenset(s.strip() for s in header.split(",") if s.strip()) if header is not None else None
        return Answer(response.status_code, response.json() if response.content else None, scopes)

    def user(self) -> Answer:
        """`GET /user`: the token's own account."""
        return self._get("get the authenticated user", "/user")

    def repository(self, owner: str, name: str) -> Answer:
        """`GET /repos/{owner}/{repo}`: `permissions.admin` says whether the token may manage environments."""
        return self._get("get a repository", f"/repos/{owner}/{name}")

    def team(self, organization: str, slug: str) -> Answer:
        """`GET /orgs/{org}/teams/{team_slug}`: needs `read:org`."""
        return self._get("get a team by name", f"/orgs/{organization}/teams/{slug}")
