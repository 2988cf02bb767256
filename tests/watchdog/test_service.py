"""The loop's behaviour when Railway fails: nothing is decided blind, and a lasting failure is posted once."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tests.watchdog.simulation import SimClock
from tests.watchdog.test_rules import NOON, config, series
from watchdog.railway import ApiError, Placement, Readings
from watchdog.service import Watchdog


class StubRailway:
    def __init__(self, *, fail_readings: bool = False) -> None:
        self.fail_readings = fail_readings
        self.clock: SimClock | None = None
        self.set_calls = 0

    def readings(self, now: dt.datetime, minutes: int) -> Readings:
        if self.fail_readings:
            raise ApiError("Railway", "WatchdogReadings", "Problem processing request", status=503)
        hot = series(*[85.0] * minutes, end=now)
        return Readings(cpu_percent=hot, memory_percent=(), error_rate_percent=(), p95_ms=())

    def placement(self) -> Placement:
        return Placement({"us-west2": 2}, NOON - dt.timedelta(hours=1))

    def provisioned_vcpu_hours(self, start: dt.datetime, end: dt.datetime) -> float:
        return 0.0

    def set_replicas(self, replicas: int) -> str:
        self.set_calls += 1
        raise ApiError("Railway", "WatchdogSetRegions", "Not Authorized", status=200)


class StubSlack:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, text: str) -> bool:
        self.sent.append(text)
        return True


def run(railway: StubRailway, minutes: int) -> tuple[Watchdog, StubSlack]:
    clock = SimClock(NOON)
    slack = StubSlack()
    watchdog = Watchdog(config=config(), railway=railway, slack=slack, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    watchdog.run(ticks=minutes)
    return watchdog, slack


def test_a_lasting_scaling_failure_is_posted_once() -> None:
    railway = StubRailway()
    watchdog, slack = run(railway, 4)
    assert railway.set_calls == 4
    failures = [m for m in slack.sent if "scaling failed" in m]
    assert len(failures) == 1 and "Not Authorized" in failures[0]
    assert watchdog.actions == []


def test_without_metrics_nothing_is_decided(caplog: pytest.LogCaptureFixture) -> None:
    railway = StubRailway(fail_readings=True)
    with caplog.at_level(logging.WARNING, logger="watchdog"):
        watchdog, slack = run(railway, 3)
    assert railway.set_calls == 0 and slack.sent == [] and watchdog.alerts == []
    assert caplog.text.count("metrics unavailable") == 3
