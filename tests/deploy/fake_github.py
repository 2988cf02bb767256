"""A local GitHub REST API with the issue endpoints the drift report uses, as GitHub documents them
(https://docs.github.com/en/rest/issues): list a repository's issues (state, labels, per_page capped, page,
`Link` pagination; pull requests are listed too, with a `pull_request` key), create an issue, update one,
comment on one. Bearer token authentication; 422 for values GitHub would reject."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.deploy.servers import Received, Reply, Server

TOKEN = "ghs_fakeinstallationtoken0123456789"
REPOSITORY = "converge-nps/infrastructure"
STATES = frozenset({"open", "closed"})
STATE_REASONS = frozenset({"completed", "not_planned", "reopened", None})


@dataclass
class FakeGitHub:
    server: Server = field(default_factory=Server)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[str]] = field(default_factory=dict)
    page_cap: int = 100

    def __post_init__(self) -> None:
        base = f"/repos/{REPOSITORY}/issues"
        self.server.route("GET", base, self._authed(self._list))
        self.server.route("POST", base, self._authed(self._create))
        self.server.route("PATCH", base + "/{}", self._authed(self._update))
        self.server.route("POST", base + "/{}/comments", self._authed(self._comment))

    def add(self, title: str, body: str, labels: list[str], *, pull_request: bool = False) -> dict[str, Any]:
        number = len(self.issues) + 1
        issue: dict[str, Any] = {
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "state_reason": None,
            "labels": [{"name": name} for name in labels],
            "html_url": f"https://github.com/{REPOSITORY}/issues/{number}",
        }
        if pull_request:
            issue["pull_request"] = {"url": f"https://api.github.com/repos/{REPOSITORY}/pulls/{number}"}
        self.issues[number] = issue
        self.comments[number] = []
        return issue

    def writes(self) -> list[Received]:
        return [r for r in self.server.received if r.method != "GET"]

    def _authed(self, handler: Any) -> Any:
        def check(request: Received) -> Reply:
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return Reply(401, {"message": "Bad credentials"})
            return handler(request)  # type: ignore[no-any-return]

        return check

    def _list(self, request: Received) -> Reply:
        state = request.query.get("state", ["open"])[0]
        wanted = {name for name in request.query.get("labels", [""])[0].split(",") if name}
        per_page = min(int(request.query.get("per_page", ["30"])[0]), self.page_cap)
        page = int(request.query.get("page", ["1"])[0])
        found = [
            issue
            for issue in sorted(self.issues.values(), key=lambda i: -i["number"])
            if (state == "all" or issue["state"] == state) and wanted <= {label["name"] for label in issue["labels"]}
        ]
        chunk = found[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(found):
            labels = ",".join(sorted(wanted))
            url = f"{self.server.url}/repos/{REPOSITORY}/issues?state={state}&labels={labels}&per_page={per_page}"
            headers["Link"] = f'<{url}&page={page + 1}>; rel="next"'
        return Reply(200, chunk, headers)

    def _create(self, request: Received) -> Reply:
        body = request.body or {}
        if not body.get("title"):
            return Reply(422, {"message": "Validation Failed"})
        return Reply(201, self.add(body["title"], body.get("body") or "", list(body.get("labels") or [])))

    def _issue(self, request: Received) -> dict[str, Any] | None:
        return self.issues.get(int(request.path.split("/")[5]))

    def _update(self, request: Received) -> Reply:
        issue = self._issue(request)
        if issue is None:
            return Reply(404, {"message": "Not Found"})
        body = request.body or {}
        if body.get("state", "open") not in STATES or body.get("state_reason") not in STATE_REASONS:
            return Reply(422, {"message": "Validation Failed"})
        issue.update({key: body[key] for key in ("title", "body", "state", "state_reason") if key in body})
        return Reply(200, issue)

    def _comment(self, request: Received) -> Reply:
        issue = self._issue(request)
        if issue is None:
            return Reply(404, {"message": "Not Found"})
        self.comments[issue["number"]].append((request.body or {}).get("body", ""))
        return Reply(201, {"id": len(self.comments[issue["number"]]), "body": request.body["body"]})
