"""GitHub issues through the REST API, with what Actions provides: `GITHUB_API_URL`, `GITHUB_TOKEN`
(the job needs `issues: write`) and `GITHUB_REPOSITORY`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import httpx

from ops.github_rest import github_rest_client

from .errors import DeployError, UsageError
from .shared import ApiClient, ApiError

# More open issues carrying one label than this means something else is wrong.
MAX_PAGES = 10
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubError(DeployError):
    pass


@dataclass
class Issues:
    http: ApiClient
    repository: str

    def _call(self, what: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(what, method, path, **kwargs)
        except ApiError as error:
            raise GitHubError(f"GitHub {what} failed: {error.api_message} (HTTP {error.status})") from None

    def find_open(self, label: str, marker: str) -> dict[str, Any] | None:
        """The open issue with `label` whose body carries `marker` (pull requests are issues too: skipped)."""
        url: str | None = f"/repos/{self.repository}/issues"
        params: dict[str, Any] | None = {"state": "open", "labels": label, "per_page": 100}
        for _ in range(MAX_PAGES):
            if url is None:
                return None
            response = self._call("list issues", "GET", url, params=params)
            for issue in response.json():
                if "pull_request" not in issue and marker in (issue.get("body") or ""):
                    return dict(issue)
            found = _NEXT.search(response.headers.get("Link", ""))
            url, params = (found.group(1), None) if found else (None, None)
        raise GitHubError(f"more than {MAX_PAGES * 100} open issues labelled {label!r}")

    def create(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        payload = {"title": title, "body": body, "labels": labels}
        return dict(self._call("create issue", "POST", f"/repos/{self.repository}/issues", json=payload).json())

    def update(self, number: int, **fields: Any) -> dict[str, Any]:
        path = f"/repos/{self.repository}/issues/{number}"
        return dict(self._call("update issue", "PATCH", path, json=fields).json())

    def comment(self, number: int, body: str) -> None:
        self._call("comment", "POST", f"/repos/{self.repository}/issues/{number}/comments", json={"body": body})


def connect(transport: httpx.BaseTransport | None = None) -> Issues:
    repository = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
        raise UsageError("GITHUB_REPOSITORY must be owner/name (Actions sets it)")
    return Issues(http=github_rest_client("converge-nps-deploy", transport), repository=repository)
