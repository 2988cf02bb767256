"""Fixtures: the fake UptimeRobot API on 127.0.0.1 with the client pointed at it, and recorded waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.core import http
from tests.uptimerobot.fake_api import KEY, FakeUptimeRobot, running


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> Iterator[FakeUptimeRobot]:
    with running() as server:
        monkeypatch.setenv("UPTIMEROBOT_API_URL", server.url)
        monkeypatch.setenv("UPTIMEROBOT_API_KEY", KEY)
        monkeypatch.setenv("UPTIMEROBOT_HTTP_TIMEOUT", "2")
        yield server
        assert not server.violations, "the fake saw requests outside the documented API:\n" + "\n".join(
            server.violations
        )
