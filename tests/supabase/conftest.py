"""Fixtures: the fake Management API on 127.0.0.1 with the client pointed at it, and recorded waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.core import http
from tests.supabase.fake_api import TOKEN, FakeSupabase, running

ORG_FREE = "converge-nps-free"
ORG_PRO = "converge-nps"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Waits (backoff and polling) are recorded instead of slept, which keeps the tests fast."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> Iterator[FakeSupabase]:
    with running() as server:
        server.add_organization(ORG_FREE, "free")
        server.add_organization(ORG_PRO, "pro")
        monkeypatch.setenv("SUPABASE_API_URL", server.url)
        monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("SUPABASE_POLL_INTERVAL", "5")
        monkeypatch.setenv("SUPABASE_WAIT_TIMEOUT", "60")
        monkeypatch.setenv("SUPABASE_HTTP_TIMEOUT", "2")
        yield server
        assert not server.violations, "the fake saw requests or gave answers outside the spec:\n" + "\n".join(
            server.violations
        )
