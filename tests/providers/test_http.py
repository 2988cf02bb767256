"""The shared HTTP core: retries, rate limits, timeouts and errors, over real sockets and mock transports."""

from __future__ import annotations

import http.server
import re
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import httpx
import pytest

from providers.core.errors import CONFIGURATION, ApiError, MissingCredentialsError
from providers.core.http import (
    ApiClient,
    EnvironmentNames,
    RetryPolicy,
    client_from_environment,
    seconds_from_environment,
)


def scripted(responses: list[httpx.Response | Exception]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handler), seen


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TEST_API_TOKEN", "tok-123")
    return "tok-123"


def client(transport: httpx.BaseTransport, sleeps: list[float], **kwargs: object) -> ApiClient:
    return ApiClient(
        api="Test API",
        base_url="https://api.test",
        token_variable="TEST_API_TOKEN",
        transport=transport,
        sleep=sleeps.append,
        clock=lambda: 1_700_000_000.0,
        **kwargs,  # type: ignore[arg-type]
    )


def test_bearer_token_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    transport, seen = scripted([httpx.Response(200, json={}), httpx.Response(200, json={})])
    api = client(transport, [])
    monkeypatch.setenv("TEST_API_TOKEN", "first")
    api.request("read", "GET", "/x")
    monkeypatch.setenv("TEST_API_TOKEN", "second")
    api.request("read", "GET", "/x")
    assert [r.headers["Authorization"] for r in seen] == ["Bearer first", "Bearer second"]


def test_form_bodies_are_form_encoded(token: str) -> None:
    transport, seen = scripted([httpx.Response(200, json={})])
    client(transport, []).request("create", "POST", "/x", form={"friendly_name": "a b", "interval": "300"})
    assert seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen[0].content == b"friendly_name=a+b&interval=300"


def test_missing_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_API_TOKEN", raising=False)
    with pytest.raises(MissingCredentialsError, match="set TEST_API_TOKEN"):
        client(scripted([])[0], []).request("read", "GET", "/x")


def test_429_waits_for_retry_after_then_succeeds(token: str) -> None:
    sleeps: list[float] = []
    transport, seen = scripted(
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": True})]
    )
    response = client(transport, sleeps).request("create", "POST", "/things", json={})
    assert response.json() == {"ok": True}
    assert sleeps == [7.0]
    assert len(seen) == 2


def test_429_honours_ratelimit_reset_as_epoch_and_as_seconds(token: str) -> None:
    sleeps: list[float] = []
    transport, _ = scripted(
        [
            httpx.Response(429, headers={"X-RateLimit-Reset": str(1_700_000_000 + 12)}),
            httpx.Response(429, headers={"X-RateLimit-Reset": "3"}),
            httpx.Response(200, json={}),
        ]
    )
    client(transport, sleeps).request("list", "GET", "/things")
    assert sleeps == [12.0, 3.0]


def test_5xx_is_retried_with_bounded_backoff_for_idempotent_calls(token: str) -> None:
    sleeps: list[float] = []
    transport, seen = scripted([httpx.Response(503), httpx.Response(502), httpx.Response(200, json={})])
    client(transport, sleeps).request("read", "GET", "/x")
    assert len(seen) == 3
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_5xx_on_a_create_is_not_blindly_retried_and_is_flagged_ambiguous(token: str) -> None:
    transport, seen = scripted([httpx.Response(502, json={"message": "bad gateway"})])
    with pytest.raises(ApiError) as caught:
        client(transport, []).request("create project", "POST", "/projects", json={})
    assert caught.value.ambiguous and caught.value.status == 502 and len(seen) == 1
    assert "create project" in str(caught.value) and "bad gateway" in str(caught.value)


def test_attempts_are_bounded(token: str) -> None:
    transport, seen = scripted([httpx.Response(500)] * 3)
    with pytest.raises(ApiError, match=r"HTTP 500"):
        client(transport, [], retry=RetryPolicy(attempts=3)).request("read", "GET", "/x")
    assert len(seen) == 3


def test_rate_limit_wait_is_bounded(token: str) -> None:
    transport, _ = scripted([httpx.Response(429, headers={"Retry-After": "100"})] * 3)
    with pytest.raises(ApiError, match="still rate limited"):
        client(transport, [], retry=RetryPolicy(max_total_wait=150)).request("read", "GET", "/x")


def test_api_message_is_carried_and_the_token_is_not(token: str) -> None:
    transport, _ = scripted([httpx.Response(400, json={"message": "name already taken"})])
    with pytest.raises(ApiError) as caught:
        client(transport, []).request("create project", "POST", "/v1/projects", json={"name": "x"})
    assert "name already taken" in str(caught.value)
    assert token not in str(caught.value)


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    delays: ClassVar[list[float]] = []

    def do_GET(self) -> None:
        time.sleep(self.delays.pop(0) if self.delays else 0)
        body = b'{"ok": true}'
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except BrokenPipeError:
            pass  # the client timed out first, which is what the test wants

    do_POST = do_GET  # noqa: N815 - http.server API

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_timeout_on_a_read_is_retried_over_a_real_socket(token: str, slow_server: str) -> None:
    _SlowHandler.delays[:] = [0.6, 0]
    api = ApiClient("Test API", slow_server, "TEST_API_TOKEN", timeout=0.2, sleep=lambda _: None)
    assert api.request("read", "GET", "/x").json() == {"ok": True}
    assert api.requests_sent == 2


def test_timeout_on_a_create_is_reported_as_ambiguous(token: str, slow_server: str) -> None:
    _SlowHandler.delays[:] = [0.6]
    api = ApiClient("Test API", slow_server, "TEST_API_TOKEN", timeout=0.2, sleep=lambda _: None)
    with pytest.raises(ApiError, match="timed out") as caught:
        api.request("create", "POST", "/x", json={})
    assert caught.value.ambiguous and api.requests_sent == 1


def test_connection_refused_is_a_clear_error(token: str) -> None:
    api = ApiClient(
        "Test API", "http://127.0.0.1:9", "TEST_API_TOKEN", sleep=lambda _: None, retry=RetryPolicy(attempts=2)
    )
    with pytest.raises(ApiError, match="cannot connect"):
        api.request("read", "GET", "/x")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("soon", "EXAMPLE_TIMEOUT='soon' is not a number of seconds"),
        ("-1", "EXAMPLE_TIMEOUT must be more than 0 seconds"),
        ("0", "EXAMPLE_TIMEOUT must be more than 0 seconds"),
        ("nan", "EXAMPLE_TIMEOUT='nan' is not a number of seconds"),
    ],
)
def test_a_duration_from_the_environment_is_a_positive_number(
    monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("EXAMPLE_TIMEOUT", value)
    with pytest.raises(ApiError, match=re.escape(says)) as refused:
        seconds_from_environment("Example", "EXAMPLE_TIMEOUT", 30.0)
    assert refused.value.api == "Example" and refused.value.operation == CONFIGURATION


def test_an_unset_duration_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXAMPLE_TIMEOUT", raising=False)
    assert seconds_from_environment("Example", "EXAMPLE_TIMEOUT", 30.0) == 30.0
    monkeypatch.setenv("EXAMPLE_TIMEOUT", " 2.5 ")
    assert seconds_from_environment("Example", "EXAMPLE_TIMEOUT", 30.0) == 2.5


EXAMPLE_NAMES = EnvironmentNames("EXAMPLE_TOKEN", "EXAMPLE_API_URL", "EXAMPLE_TIMEOUT", "EXAMPLE_RETRY_DELAY")


@pytest.mark.parametrize(
    "value", ["not a url", "ftp://api.example.com", "https://", "api.example.com/v1", "http://[api.example.com/v1"]
)
def test_a_base_url_from_the_environment_is_an_absolute_http_url(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("EXAMPLE_API_URL", value)
    with pytest.raises(ApiError, match="EXAMPLE_API_URL must be an absolute http\\(s\\) URL") as refused:
        client_from_environment("Example", EXAMPLE_NAMES, "https://api.example.com")
    assert refused.value.operation == CONFIGURATION and value not in str(refused.value)


def test_the_base_url_defaults_and_loses_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXAMPLE_API_URL", raising=False)
    assert client_from_environment("Example", EXAMPLE_NAMES, "https://api.example.com/").base_url == (
        "https://api.example.com"
    )
    monkeypatch.setenv("EXAMPLE_API_URL", "http://127.0.0.1:8080/api/")
    assert client_from_environment("Example", EXAMPLE_NAMES, "https://api.example.com").base_url == (
        "http://127.0.0.1:8080/api"
    )
