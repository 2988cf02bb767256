"""Slack delivery: the webhook URL is a secret and appears in no log line, whatever goes wrong."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.watchdog.simulation import WEBHOOK
from watchdog.slack import Slack


def failing(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"cannot reach {request.url}", request=request)


@pytest.mark.parametrize(
    ("handler", "reason"),
    [(failing, "ConnectError"), (lambda _r: httpx.Response(403, text=f"invalid_token for {WEBHOOK}"), "HTTP 403")],
)
def test_a_failed_delivery_is_logged_without_the_webhook(
    handler: object, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    slack = Slack(WEBHOOK, transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    with caplog.at_level(logging.DEBUG):
        assert slack.send("CPU 85 %") is False
    slack.close()
    assert reason in caplog.text
    assert "hooks.slack.com" not in caplog.text and "simulation-webhook-secret" not in caplog.text


def test_messages_are_posted_as_slack_text() -> None:
    seen: list[httpx.Request] = []

    def ok(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="ok")

    slack = Slack(WEBHOOK, transport=httpx.MockTransport(ok))
    assert slack.send("hello") is True
    slack.close()
    assert str(seen[0].url) == WEBHOOK and seen[0].read() == b'{"text":"hello"}'


def test_without_a_webhook_nothing_is_sent(caplog: pytest.LogCaptureFixture) -> None:
    slack = Slack(None, transport=httpx.MockTransport(failing))
    with caplog.at_level(logging.WARNING):
        assert slack.send("hello") is False
    slack.close()
    assert "no Slack webhook" in caplog.text
