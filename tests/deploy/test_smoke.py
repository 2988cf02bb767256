"""Smoke tests against a local HTTP server standing in for the deployed API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.deploy import cli
from ops.deploy.smoke import Check, SmokeFailedError, SmokeOptions, checks_for, parse_check, smoke
from tests.deploy.servers import Received, Reply, Server, serve
from tests.deploy.stack import write_outputs


@pytest.fixture
def api() -> Iterator[Server]:
    server = Server()
    server.route("GET", "/health", lambda _r: Reply(200, {"status": "ok"}))
    server.route("GET", "/v1/sessions", lambda _r: Reply(200, []))
    server.route("GET", "/v1/auth/me", lambda _r: Reply(401, {"error": "unauthenticated"}))
    with serve(server) as running:
        yield running


def smoke_cli(api: Server, tmp_path: Path, *endpoints: str, attempts: int = 3) -> int:
    outputs = write_outputs(tmp_path / "outputs.json", api_url=api.url + "/")
    args = ["smoke", "--outputs", str(outputs), "--attempts", str(attempts), "--interval", "0", "--timeout", "2"]
    for endpoint in endpoints:
        args += ["--endpoint", endpoint]
    return cli.main(args)


def test_health_and_the_critical_endpoints_pass(
    api: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smoke_cli(api, tmp_path, "/v1/sessions", "/v1/auth/me=401") == 0
    assert [r.path for r in api.received] == ["/health", "/v1/sessions", "/v1/auth/me"]
    assert capsys.readouterr().out.strip() == "smoke tests passed: /health, /v1/sessions, /v1/auth/me"


def test_a_500_fails_the_step_after_the_bounded_retries(
    api: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.route("GET", "/v1/sessions", lambda _r: Reply(500, {"error": "boom"}))
    assert smoke_cli(api, tmp_path, "/v1/sessions", attempts=4) == 1
    assert [r.path for r in api.received].count("/v1/sessions") == 4
    err = capsys.readouterr().err
    assert "error: smoke tests failed: /v1/sessions answered HTTP 500" in err
    assert "Traceback" not in err


def test_an_endpoint_that_warms_up_passes_within_the_retries(api: Server, tmp_path: Path) -> None:
    answers = iter([503, 502, 200])
    api.route("GET", "/health", lambda _r: Reply(next(answers)))
    assert smoke_cli(api, tmp_path, attempts=3) == 0
    assert [r.path for r in api.received] == ["/health"] * 3


def test_a_wrong_status_fails_even_when_2xx(api: Server, tmp_path: Path) -> None:
    # An endpoint meant to need a login must not answer 200 to anyone.
    api.route("GET", "/v1/auth/me", lambda _r: Reply(200, {"id": 1}))
    assert smoke_cli(api, tmp_path, "/v1/auth/me=401", attempts=1) == 1


def test_a_stalled_endpoint_times_out(api: Server) -> None:
    def stall(_request: Received) -> Reply:
        time.sleep(1.0)
        return Reply(200)

    api.route("GET", "/health", stall)
    sleeps: list[float] = []
    options = SmokeOptions(api.url, [Check("/health")], attempts=2, interval=7, timeout=0.2, sleep=sleeps.append)
    with pytest.raises(SmokeFailedError, match=r"/health answered no answer within 0.2s"):
        smoke(options)
    assert sleeps == [7]


def test_nothing_listening_fails() -> None:
    options = SmokeOptions("http://127.0.0.1:9", [Check("/health")], attempts=2, interval=0, timeout=1)
    with pytest.raises(SmokeFailedError, match="connection failed"):
        smoke(options)


def test_endpoint_syntax() -> None:
    assert parse_check("/v1/me=401,403") == Check("/v1/me", frozenset({401, 403}))
    assert [c.path for c in checks_for(["/health", "/a", "/a"])] == ["/health", "/a"]
    for bad in ("v1/me", "/me=abc", "/me=99"):
        with pytest.raises(cli.UsageError):
            parse_check(bad)
