"""GitHub's REST API (https://docs.github.com/en/rest) as a workflow job reaches it, over the HTTP core.

Actions provides `GITHUB_API_URL` (another host on GitHub Enterprise) and the job's `GITHUB_TOKEN`; the
token is read per request, the URL when the client is made.
"""

from __future__ import annotations

import httpx

from providers.core.http import ApiClient, url_from_environment

API = "GitHub"
TOKEN_VARIABLE = "GITHUB_TOKEN"  # noqa: S105 - the variable's name, not a token
API_URL_VARIABLE = "GITHUB_API_URL"
DEFAULT_API_URL = "https://api.github.com"
# The REST API version every request asks for, so a new default version cannot change an answer unseen.
API_VERSION = "2022-11-28"


def github_rest_client(user_agent: str, transport: httpx.BaseTransport | None = None) -> ApiClient:
    base = url_from_environment(API, API_URL_VARIABLE, DEFAULT_API_URL)
    return ApiClient(
        api=API,
        base_url=str(base).rstrip("/"),
        token_variable=TOKEN_VARIABLE,
        auth_header=lambda token: {"Authorization": f"Bearer {token}", "X-GitHub-Api-Version": API_VERSION},
        user_agent=user_agent,
        transport=transport,
    )
