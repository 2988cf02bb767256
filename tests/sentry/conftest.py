"""Fixtures: the fake Sentry API on 127.0.0.1 with the client pointed at it, and recorded waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.core import http
from tests.sentry.fake_api import TOKEN, FakeSentry, running

ORGANIZATION = "converge-nps"
TEAM = "converge-nps"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> Iterator[FakeSentry]:
    with running() as server:
        server.add_team(ORGANIZATION, TEAM)
        monkeypatch.setenv("SENTRY_API_URL", server.url)
        monkeypatch.setenv("SENTRY_AUTH_TOKEN", TOKEN)
        monkeypatch.setenv("SENTRY_HTTP_TIMEOUT", "5")
        yield server
        assert not server.violations, "the fake saw requests or gave answers outside the spec:\n" + "\n".join(
            server.violations
        )
