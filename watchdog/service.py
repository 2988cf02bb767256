"""The watchdog's loop: every minute read the backend's metrics, update the alerts, take at most one scale step.

The clock and the sleeper are injected, so a simulation runs a day in seconds against the Railway fake.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from watchdog.contract import WatchdogConfig
from watchdog.railway import ApiError, Placement, Readings, WatchdogRailway
from watchdog.rules import AlertRule, AlertState, Bounds, Step, alert_rules, bounds, decide, month_bounds
from watchdog.slack import Slack

log = logging.getLogger("watchdog")

TICK = dt.timedelta(minutes=1)
# How often the month's spending is re-read for the budget guard; it moves slowly.
SPENDING_REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Action:
    at: dt.datetime
    before: int
    after: int
    reason: str


@dataclass(frozen=True)
class AlertEvent:
    at: dt.datetime
    rule: str
    kind: str  # "fired" or "resolved"
    value: float


@dataclass
class Watchdog:
    config: WatchdogConfig
    railway: WatchdogRailway
    slack: Slack
    clock: Callable[[], dt.datetime]
    sleep: Callable[[float], None]
    actions: list[Action] = field(default_factory=list)
    alerts: list[AlertEvent] = field(default_factory=list)
    _states: list[AlertState] = field(default_factory=list)
    _spent: tuple[dt.datetime, float] | None = None  # (read at, replica-months this month)
    _failure: str | None = None  # the last scaling failure posted, so a lasting one is posted once

    def __post_init__(self) -> None:
        self._states = [AlertState(rule) for rule in alert_rules(self.config)]
        self.window_minutes = max(
            self.config.backend.scale_up.for_minutes,
            self.config.backend.scale_down.for_minutes,
            self.config.alerts.cpu_for_minutes,
        )

    def run(self, *, ticks: int | None = None) -> None:
        """Tick once a minute, on the minute, forever (or `ticks` times)."""
        done = 0
        while ticks is None or done < ticks:
            self.tick()
            done += 1
            now = self.clock()
            wait = (TICK - dt.timedelta(seconds=now.second, microseconds=now.microsecond)).total_seconds()
            self.sleep(wait)

    def tick(self) -> None:
        now = self.clock()
        try:
            readings = self.railway.readings(now, self.window_minutes)
            placement = self.railway.placement()
        except ApiError as error:
            # The API's message, not the request: it names the operation and carries no token.
            log.warning("metrics unavailable this minute: %s", error)
            return
        for state in self._states:
            self._alert(state, readings, now)
        try:
            self._scale(now, readings, placement)
        except ApiError as error:
            log.error("scaling failed: %s", error)
            if str(error) != self._failure:
                self._failure = str(error)
                self.slack.send(f":warning: {self._where()}: scaling failed: {error}\n{self._link()}")
        else:
            self._failure = None

    def _link(self) -> str:
        return f"<{self.config.dashboard_url}|Railway dashboard>"

    def _where(self) -> str:
        return f"converge-nps {self.config.environment} backend"

    def _alert(self, state: AlertState, readings: Readings, now: dt.datetime) -> None:
        rule: AlertRule = state.rule
        change = state.update(rule.over(readings, now))
        if change is None:
            return
        value = rule.latest(readings) or 0.0
        self.alerts.append(AlertEvent(now, rule.key, change, value))
        limit = f"{rule.threshold:g}{rule.unit}" + (f" for {rule.minutes} min" if rule.minutes > 1 else "")
        if change == "fired":
            text = f":rotating_light: {self._where()}: {rule.title} {value:.1f}{rule.unit} (alert above {limit})"
        else:
            text = f":white_check_mark: resolved, {self._where()}: {rule.title} back to {value:.1f}{rule.unit}"
        log.warning("alert %s: %s = %.1f%s (threshold %s)", change, rule.title, value, rule.unit, limit)
        self.slack.send(f"{text}\n{self._link()}")

    def _spent_replica_months(self, now: dt.datetime) -> float:
        if self._spent is None or now - self._spent[0] >= SPENDING_REFRESH:
            start, end = month_bounds(now)
            vcpu_hours = self.railway.provisioned_vcpu_hours(start, now)
            hours = (end - start).total_seconds() / 3600
            self._spent = (now, vcpu_hours / self.config.backend.vcpu_per_replica / hours)
        return self._spent[1]

    def _scale(self, now: dt.datetime, readings: Readings, placement: Placement) -> None:
        replicas = placement.replicas
        if replicas < 1:
            log.warning("the backend's latest deployment states no replicas; not scaling")
            return
        limits: Bounds = bounds(self.config, now, spent_replica_months=self._spent_replica_months(now))
        step: Step | None = decide(
            self.config,
            now=now,
            replicas=replicas,
            last_change=placement.deployed_at,
            cpu=readings.cpu_percent,
            limits=limits,
        )
        if step is None:
            return
        deployment = self.railway.set_replicas(step.target)
        self.actions.append(Action(now, replicas, step.target, step.reason))
        cpu = readings.cpu_percent[-1].value if readings.cpu_percent else float("nan")
        log.info(
            "scaled %d -> %d replicas: %s (CPU %.1f %%, allowed %d-%d, deployment %s)",
            replicas,
            step.target,
            step.reason,
            cpu,
            limits.floor,
            limits.ceiling,
            deployment,
        )
        arrow = ":arrow_up:" if step.target > replicas else ":arrow_down:"
        self.slack.send(
            f"{arrow} {self._where()}: {replicas} -> {step.target} replicas ({step.reason}; CPU {cpu:.1f} %, "
            f"allowed {limits.floor}-{limits.ceiling})\n{self._link()}"
        )
