"""The pack processes the policy tests start live for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.policies.harness import stop_pack_processes


@pytest.fixture(scope="session", autouse=True)
def pack_processes() -> Iterator[None]:
    yield
    stop_pack_processes()
