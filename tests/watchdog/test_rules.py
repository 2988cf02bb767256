"""The decisions one minute at a time: held thresholds, alert state, replica bounds, scale steps."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.watchdog.simulation import stack_settings
from watchdog.contract import WatchdogConfig, parse_config
from watchdog.railway import MinuteSample, Readings
from watchdog.render import render_config
from watchdog.rules import (
    RESOLVE_AFTER_MINUTES,
    AlertState,
    Bounds,
    affordable_replicas,
    alert_rules,
    bounds,
    decide,
    held,
)

NOON = dt.datetime(2027, 3, 3, 12, 0, tzinfo=dt.UTC)  # a Wednesday


def config(stack: str = "prod", **watchdog: object) -> WatchdogConfig:
    return parse_config(
        render_config(stack_settings(stack, **watchdog), project_id="p", environment_id="e", backend_service_id="s")
    )


def series(*values: float, end: dt.datetime = NOON) -> tuple[MinuteSample, ...]:
    """One sample per minute, the last one for the minute that ended at `end`."""
    first = int(end.timestamp()) - 60 * len(values)
    return tuple(MinuteSample(first + 60 * i, v) for i, v in enumerate(values))


def readings(**values: tuple[MinuteSample, ...]) -> Readings:
    return Readings(
        cpu_percent=values.get("cpu_percent", ()),
        memory_percent=values.get("memory_percent", ()),
        error_rate_percent=values.get("error_rate_percent", ()),
        p95_ms=values.get("p95_ms", ()),
    )


def test_held_needs_every_minute_over_the_threshold() -> None:
    assert held(series(71, 72, 75, 80, 71), minutes=5, now=NOON, since=None, above=70)
    assert not held(series(71, 72, 70, 80, 71), minutes=5, now=NOON, since=None, above=70)
    assert not held(series(72, 75, 80, 71), minutes=5, now=NOON, since=None, above=70)
    assert held(series(*[29] * 15), minutes=15, now=NOON, since=None, below=30)


def test_held_refuses_gaps_stale_data_and_samples_from_before_a_change() -> None:
    gap = series(71, 72, 75, 80, 71, 90)
    gap = gap[:2] + gap[3:]
    assert not held(gap, minutes=5, now=NOON, since=None, above=70)
    assert not held(series(*[90] * 5), minutes=5, now=NOON + dt.timedelta(minutes=5), since=None, above=70)
    assert not held(series(*[90] * 8), minutes=5, now=NOON, since=NOON - dt.timedelta(minutes=4), above=70)
    assert held(series(*[90] * 8), minutes=5, now=NOON, since=NOON - dt.timedelta(minutes=5), above=70)


def test_alert_thresholds_are_the_seed_figures_from_the_settings() -> None:
    rules = {rule.key: rule for rule in alert_rules(config())}
    assert {key: (rule.threshold, rule.minutes) for key, rule in rules.items()} == {
        "cpu_percent": (80, 5),
        "memory_percent": (90, 1),
        "error_rate_percent": (5, 1),
        "p95_ms": (1000, 1),
    }


def test_an_alert_fires_once_while_over_and_resolves_once() -> None:
    rule = next(r for r in alert_rules(config()) if r.key == "memory_percent")
    state = AlertState(rule)
    events = []
    # Over for a while, one dip that is too short to count as recovered, over again, then clear.
    values = [50, 91, 95, 93, 89, 92, 94, *([60] * (RESOLVE_AFTER_MINUTES + 2)), 50]
    for minute in range(1, len(values) + 1):
        now = NOON + dt.timedelta(minutes=minute)
        events.append(state.update(rule.over(readings(memory_percent=series(*values[:minute], end=now)), now)))
    assert [e for e in events if e] == ["fired", "resolved"]


def test_the_cpu_alert_waits_five_minutes_and_no_data_changes_nothing() -> None:
    rule = next(r for r in alert_rules(config()) if r.key == "cpu_percent")
    assert rule.over(readings(cpu_percent=series(50, 85, 85, 85, 85)), NOON) is None
    assert rule.over(readings(cpu_percent=series(85, 85, 85, 85, 85)), NOON) is True
    assert rule.over(readings(cpu_percent=series(85, 85, 85, 85, 79)), NOON) is False
    assert rule.over(readings(), NOON) is None
    assert rule.over(readings(cpu_percent=series(85, 85, 85, 85, 85)), NOON + dt.timedelta(minutes=10)) is None


def test_prod_bounds_are_two_to_five_and_three_in_an_event_window() -> None:
    plain = bounds(config(), NOON, spent_replica_months=0)
    assert (plain.floor, plain.ceiling) == (2, 5)
    window = config(eventWindows=[{"start": "2027-03-01", "end": "2027-03-03"}])
    assert bounds(window, NOON, spent_replica_months=0).floor == 3
    assert bounds(window, NOON + dt.timedelta(days=1), spent_replica_months=0).floor == 2


def test_staging_is_held_to_one_replica_off_hours_and_at_weekends() -> None:
    staging = config("staging")  # the stack file's window: 03:00-14:00 UTC and weekends
    assert staging.watchdog.off_hours is not None
    assert bounds(staging, NOON, spent_replica_months=0).ceiling == 1
    assert bounds(staging, NOON.replace(hour=2, minute=59), spent_replica_months=0).ceiling == 2
    assert bounds(staging, NOON.replace(hour=14), spent_replica_months=0).ceiling == 2
    assert bounds(staging, NOON.replace(day=6, hour=16), spent_replica_months=0).ceiling == 1  # a Saturday
    overnight = config("staging", offHours={"startUtc": "22:00", "endUtc": "06:00", "weekends": False})
    assert bounds(overnight, NOON.replace(hour=23), spent_replica_months=0).ceiling == 1
    assert bounds(overnight, NOON.replace(hour=5), spent_replica_months=0).ceiling == 1
    assert bounds(overnight, NOON.replace(day=6), spent_replica_months=0).ceiling == 2
    # In an event window the event floor holds and off-hours do not apply.
    prod = config(
        offHours={"startUtc": "03:00", "endUtc": "14:00"}, eventWindows=[{"start": "2027-03-03", "end": "2027-03-03"}]
    )
    assert (bounds(prod, NOON, spent_replica_months=0).floor, bounds(prod, NOON, spent_replica_months=0).ceiling) == (
        3,
        5,
    )


def test_staging_cannot_pay_for_its_event_replicas_all_month() -> None:
    """Staging's event figure (2 replicas, $30 each) plus Redis and Supabase ($29.65) is above its $60 budget:
    the budget wins over the event floor."""
    event = bounds(
        config("staging", eventWindows=[{"start": "2027-03-01", "end": "2027-03-31"}]), NOON, spent_replica_months=0
    )
    assert (event.floor, event.ceiling, event.why_ceiling) == (1, 1, "budget")


def test_the_budget_caps_replicas_when_the_month_has_been_expensive() -> None:
    prod = config()
    late = NOON.replace(day=28)
    assert bounds(prod, late, spent_replica_months=3.0).ceiling == 5
    capped = bounds(prod, late, spent_replica_months=4.95)
    assert capped.ceiling < 5 and capped.why_ceiling == "budget"
    # Over budget: the ceiling wins over the event floor, since the hard limit takes the backend offline.
    broke = bounds(config(eventWindows=[{"start": "2027-03-01", "end": "2027-03-31"}]), late, spent_replica_months=6)
    assert broke.floor == broke.ceiling >= 1


def test_affordable_replicas_arithmetic() -> None:
    # $285 budget, $35 for the rest, $50 a replica: $250 buys five replica-months.
    common = {"limit_usd": 285, "other_monthly_usd": 35, "price_per_replica_monthly_usd": 50, "floor": 2}
    assert affordable_replicas(spent_replica_months=0, hold_months=1, remaining_months=1, **common) == 5
    assert affordable_replicas(spent_replica_months=1, hold_months=1, remaining_months=1, **common) == 4
    # 3.5 spent, then 0.49 month at the floor of 2 (0.98): 0.52 replica-month left buys 52 over a 0.01-month hold.
    assert affordable_replicas(spent_replica_months=3.5, hold_months=0.01, remaining_months=0.5, **common) == 52


def test_decide_takes_one_step_at_a_time_and_honours_the_cooldown() -> None:
    prod = config()
    limits = Bounds(floor=2, ceiling=5, why_floor="minimum", why_ceiling="maximum")
    hot = series(*[85] * 15)
    step = decide(prod, now=NOON, replicas=2, last_change=NOON - dt.timedelta(minutes=30), cpu=hot, limits=limits)
    assert step is not None and step.target == 3
    assert (
        decide(prod, now=NOON, replicas=2, last_change=NOON - dt.timedelta(minutes=9), cpu=hot, limits=limits) is None
    )
    assert decide(prod, now=NOON, replicas=5, last_change=None, cpu=hot, limits=limits) is None
    cold = series(*[20] * 15)
    down = decide(prod, now=NOON, replicas=4, last_change=None, cpu=cold, limits=limits)
    assert down is not None and down.target == 3
    assert decide(prod, now=NOON, replicas=2, last_change=None, cpu=cold, limits=limits) is None
    assert decide(prod, now=NOON, replicas=4, last_change=None, cpu=series(*[20] * 14, 31), limits=limits) is None


@pytest.mark.parametrize(("replicas", "target"), [(1, 2), (6, 5)])
def test_decide_returns_into_bounds_one_step_at_a_time(replicas: int, target: int) -> None:
    limits = Bounds(floor=2, ceiling=5, why_floor="minimum", why_ceiling="maximum")
    step = decide(config(), now=NOON, replicas=replicas, last_change=None, cpu=series(50), limits=limits)
    assert step is not None and step.target == target
