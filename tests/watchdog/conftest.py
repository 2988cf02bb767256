"""One simulated conference day per test session: the simulation tests all read the same run."""

from __future__ import annotations

import pytest

from tests.watchdog.simulation import Result, conference_day_result


@pytest.fixture(scope="session")
def day() -> Result:
    return conference_day_result()
