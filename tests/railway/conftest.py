"""Fixtures: a fresh fake Railway per test, with the providers pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.core import http
from tests.railway.fake_railway import TOKEN, FakeRailway, serve
from tests.railway.schema import railway_schema


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoff delays the client asked for; recorded instead of slept, to keep the suite fast."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> Iterator[FakeRailway]:
    railway_schema()  # built once per session (about a second), not inside a request's timeout
    railway = FakeRailway(stall_seconds=1.0)
    with serve(railway) as url:
        monkeypatch.setenv("RAILWAY_API_URL", url)
        monkeypatch.setenv("RAILWAY_TOKEN", TOKEN)
        monkeypatch.setenv("RAILWAY_API_TIMEOUT_SECONDS", "5")
        yield railway
    # Every request any test sent must have been valid against the official schema.
    assert railway.violations == [], railway.violations
