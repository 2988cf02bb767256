"""The seed's rules, checked on a simulated conference day against the Railway fake.

The fake's own minute-by-minute series (replicas in effect, CPU it served) is the referee: the rules
are checked on what the backend went through, not on what the watchdog believed.
"""

from __future__ import annotations

import datetime as dt
import itertools

from tests.watchdog.simulation import DOC, WEBHOOK, Minute, Result, report, with_report

SEED_SCALE_UP = (70, 5)  # CPU > 70 % for 5 minutes
SEED_SCALE_DOWN = (30, 15)  # CPU < 30 % for 15 minutes
SEED_ALERTS = {"cpu_percent": 80, "memory_percent": 90, "error_rate_percent": 5, "p95_ms": 1000}


def window(day: Result, end: dt.datetime, minutes: int) -> list[Minute]:
    return [m for m in day.minutes if end - dt.timedelta(minutes=minutes) <= m.at < end]


def test_replicas_stay_between_the_event_floor_and_the_maximum(day: Result) -> None:
    backend = day.config.backend
    assert (backend.event_replicas, backend.max_replicas) == (3, 5)
    assert {m.replicas for m in day.minutes} <= set(range(3, 6))
    assert min(m.replicas for m in day.minutes) == 3 and max(m.replicas for m in day.minutes) == 5


def test_each_action_is_one_step_after_the_cooldown(day: Result) -> None:
    assert day.actions
    cooldown = dt.timedelta(minutes=day.config.watchdog.cooldown_minutes)
    for action in day.actions:
        assert abs(action.after - action.before) == 1
    for previous, action in itertools.pairwise(day.actions):
        assert action.at - previous.at >= cooldown
        assert action.before == previous.after


def test_scale_ups_follow_five_minutes_above_70_and_downs_fifteen_below_30(day: Result) -> None:
    (up, up_minutes), (down, down_minutes) = SEED_SCALE_UP, SEED_SCALE_DOWN
    for action in day.actions:
        if action.after > action.before:
            before = window(day, action.at, up_minutes)
            assert len(before) == up_minutes and all(m.cpu_percent > up for m in before), action
        else:
            before = window(day, action.at, down_minutes)
            assert len(before) == down_minutes and all(m.cpu_percent < down for m in before), action


def test_sustained_load_is_answered(day: Result) -> None:
    """Whenever CPU stayed above 70 % for the rule's 5 minutes below the maximum, a step up followed
    within the cooldown (the longest the rules let it wait)."""
    up, minutes = SEED_SCALE_UP
    patience = dt.timedelta(minutes=day.config.watchdog.cooldown_minutes + 1)
    sustained = 0
    for index in range(minutes, len(day.minutes)):
        recent = day.minutes[index - minutes : index]
        now = day.minutes[index]
        if now.replicas < 5 and all(m.cpu_percent > up and m.replicas == now.replicas for m in recent):
            sustained += 1
            assert any(a.after > a.before and recent[0].at <= a.at <= now.at + patience for a in day.actions), (
                f"no scale-up for the load at {now.at:%H:%M}"
            )
    assert sustained, "the curve never held CPU above the threshold, so nothing above was checked"


def test_no_flapping(day: Result) -> None:
    """Opposite steps are at least half an hour apart, and no step down is undone by its own effect."""
    for previous, action in itertools.pairwise(day.actions):
        if (action.after - action.before) != (previous.after - previous.before):
            assert action.at - previous.at >= dt.timedelta(minutes=30), (previous, action)
    for action in day.actions:
        if action.after < action.before:
            after = [
                m
                for m in day.minutes
                if action.at + dt.timedelta(minutes=2) <= m.at < action.at + dt.timedelta(minutes=30)
            ]
            assert all(m.cpu_percent <= SEED_SCALE_UP[0] for m in after), action


def test_each_alert_fires_once_and_resolves_once(day: Result) -> None:
    assert {(e.rule, e.kind) for e in day.alerts} == {
        (rule, kind) for rule in SEED_ALERTS for kind in ("fired", "resolved")
    }
    for rule in SEED_ALERTS:
        events = [e for e in day.alerts if e.rule == rule]
        assert [e.kind for e in events] == ["fired", "resolved"], events
    fired = {e.rule: e for e in day.alerts if e.kind == "fired"}
    for rule, threshold in SEED_ALERTS.items():
        assert fired[rule].value > threshold
    # CPU alerts only after five minutes above 80 %.
    assert all(m.cpu_percent > 80 for m in window(day, fired["cpu_percent"].at, 5))


def test_the_failure_burst_alerts_on_the_error_rate_only(day: Result) -> None:
    fired = next(e for e in day.alerts if e.rule == "error_rate_percent" and e.kind == "fired")
    resolved = next(e for e in day.alerts if e.rule == "error_rate_percent" and e.kind == "resolved")
    assert dt.time(14, 30) <= fired.at.time() <= dt.time(14, 32)
    assert fired.at < resolved.at <= fired.at + dt.timedelta(minutes=15)
    assert not any(a.at.hour == 14 for a in day.actions)


def test_slack_gets_every_action_and_alert_with_figures_and_the_dashboard(day: Result) -> None:
    assert len(day.slack) == len(day.actions) + len(day.alerts)
    for message in day.slack:
        assert day.config.dashboard_url in message
        assert any(ch.isdigit() for ch in message.split("\n")[0])
    assert day.config.dashboard_url.startswith("https://railway.com/project/")


def test_the_webhook_never_appears_in_logs_or_messages(day: Result) -> None:
    assert day.logs, "every action is logged"
    assert sum("scaled" in line for line in day.logs) == len(day.actions)
    assert not any(WEBHOOK in line for line in day.logs + day.slack)


def test_replicas_are_set_through_multi_region_config_then_a_deploy(day: Result) -> None:
    assert day.mutations == ["WatchdogSetRegions", "WatchdogDeploy"] * len(day.actions)


def test_a_month_of_such_days_costs_less_than_running_at_the_maximum(day: Result) -> None:
    price = day.config.price_per_replica_monthly_usd
    assert day.replica_months() * price < day.config.backend.max_replicas * price
    assert day.replica_months() >= day.config.backend.event_replicas


def test_docs_show_this_simulation(day: Result) -> None:
    document = DOC.read_text()
    assert with_report(document, report(day)) == document, "run: python -m tests.watchdog.simulation"
