"""Schedules end to end, against the Railway fake: an event window starts at midnight, staging's night begins."""

from __future__ import annotations

import datetime as dt

from tests.railway.fake_railway import Load
from tests.watchdog.simulation import simulate, stack_settings

EVE = dt.datetime(2027, 4, 11, 23, 0, tzinfo=dt.UTC)  # the evening before the window below opens


def quiet(ts: int) -> Load:
    return Load(cpu_vcpu=0.5, requests=600)


def test_the_event_window_raises_the_floor_at_midnight_without_a_manual_flip() -> None:
    settings = stack_settings("prod", eventWindows=[{"start": "2027-04-12", "end": "2027-04-23"}])
    assert settings.event_mode is False
    result = simulate(settings, start=EVE, minutes=90, initial_replicas=2, curve=quiet)
    assert [(a.at.strftime("%H:%M"), a.before, a.after) for a in result.actions] == [("00:00", 2, 3)]
    assert "event floor" in result.actions[0].reason
    assert result.minutes[-1].replicas == 3


def test_staging_steps_down_to_one_replica_when_its_night_begins() -> None:
    settings = stack_settings("staging")  # off-hours from 03:00 UTC (Pulumi.staging.yaml)
    start = dt.datetime(2027, 3, 3, 2, 30, tzinfo=dt.UTC)  # a Wednesday

    def busy(ts: int) -> Load:
        return Load(cpu_vcpu=1.0, requests=1500)  # 50 % of two 1-vCPU replicas: no CPU rule would scale down

    result = simulate(settings, start=start, minutes=60, initial_replicas=2, curve=busy)
    assert [(a.at.strftime("%H:%M"), a.before, a.after) for a in result.actions] == [("03:00", 2, 1)]
    assert "off-hours" in result.actions[0].reason
