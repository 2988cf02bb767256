"""The watchdog's decisions, as pure functions of what it read: alerts, replica bounds, scale steps.

Nothing here talks to Railway or Slack, so every seed rule can be tested minute by minute.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from watchdog.contract import WatchdogConfig
from watchdog.railway import MinuteSample, Readings

# Minutes a condition must stay clear before its alert resolves: one good minute inside a bad spell
# must not produce a resolve and a second alert.
RESOLVE_AFTER_MINUTES = 3
# A reading older than this is stale (Railway's metrics lag the clock by up to a minute).
FRESH_SECONDS = 150


def held(
    samples: Sequence[MinuteSample],
    *,
    minutes: int,
    now: dt.datetime,
    since: dt.datetime | None,
    above: float | None = None,
    below: float | None = None,
) -> bool:
    """True when the last `minutes` one-minute samples are consecutive, fresh, measured after `since`
    (a replica change makes older samples describe another capacity), and all above/below the threshold."""
    recent = [s for s in samples if since is None or s.ts >= since.timestamp()][-minutes:]
    if len(recent) < minutes or now.timestamp() - (recent[-1].ts + 60) > FRESH_SECONDS:
        return False
    if any(b.ts - a.ts != 60 for a, b in itertools.pairwise(recent)):
        return False
    return all((above is None or s.value > above) and (below is None or s.value < below) for s in recent)


@dataclass(frozen=True)
class AlertRule:
    key: str
    title: str
    threshold: float
    unit: str
    minutes: int  # how long the threshold must be passed before the alert fires

    def over(self, readings: Readings, now: dt.datetime) -> bool | None:
        """True once the threshold has been passed for `minutes`, False when the latest minute is back
        under it, None in between or without fresh data (nothing changes then)."""
        samples = self.samples(readings)
        if not samples or now.timestamp() - (samples[-1].ts + 60) > FRESH_SECONDS:
            return None
        if held(samples, minutes=self.minutes, now=now, since=None, above=self.threshold):
            return True
        return None if samples[-1].value > self.threshold else False

    def samples(self, readings: Readings) -> tuple[MinuteSample, ...]:
        return getattr(readings, self.key)

    def latest(self, readings: Readings) -> float | None:
        samples = self.samples(readings)
        return samples[-1].value if samples else None


def alert_rules(config: WatchdogConfig) -> tuple[AlertRule, ...]:
    alerts = config.alerts
    return (
        AlertRule("cpu_percent", "CPU", alerts.cpu_percent, "%", alerts.cpu_for_minutes),
        AlertRule("memory_percent", "Memory", alerts.memory_percent, "%", 1),
        AlertRule("error_rate_percent", "Error rate", alerts.error_rate_percent, "%", 1),
        AlertRule("p95_ms", "p95 response time", alerts.p95_latency_ms, " ms", 1),
    )


@dataclass
class AlertState:
    """Fires once when its rule starts holding, resolves once when it has stopped holding."""

    rule: AlertRule
    firing: bool = False
    clear_minutes: int = 0

    def update(self, over: bool | None) -> str | None:
        """Feed one minute's verdict; returns "fired", "resolved" or None (nothing to say)."""
        if over is None:
            return None
        if over:
            self.clear_minutes = 0
            if not self.firing:
                self.firing = True
                return "fired"
            return None
        if self.firing:
            self.clear_minutes += 1
            if self.clear_minutes >= RESOLVE_AFTER_MINUTES:
                self.firing = False
                self.clear_minutes = 0
                return "resolved"
        return None


@dataclass(frozen=True)
class Bounds:
    floor: int
    ceiling: int
    why_floor: str
    why_ceiling: str


def month_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    utc = now.astimezone(dt.UTC)
    start = utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(utc.year, utc.month)[1]
    return start, start + dt.timedelta(days=days)


def affordable_replicas(
    *,
    limit_usd: float,
    other_monthly_usd: float,
    spent_replica_months: float,
    price_per_replica_monthly_usd: float,
    floor: float,
    hold_months: float,
    remaining_months: float,
) -> int:
    """Most replicas the month can still pay for: spending so far, then `hold_months` at that count (the
    soonest the watchdog could step back down), then the floor for the rest of the month."""
    left = (
        limit_usd
        - other_monthly_usd
        - price_per_replica_monthly_usd * (spent_replica_months + floor * max(0.0, remaining_months - hold_months))
    )
    return max(0, math.floor(left / (price_per_replica_monthly_usd * hold_months) + 1e-9))


def bounds(config: WatchdogConfig, now: dt.datetime, *, spent_replica_months: float) -> Bounds:
    """The replica range allowed now: event floor or minimum, up to the maximum, off-hours and budgets."""
    backend = config.backend
    event = config.event_mode_at(now)
    floor, why_floor = (
        (max(backend.event_replicas, backend.min_replicas), "event floor")
        if event
        else (backend.min_replicas, "minimum")
    )
    ceiling, why_ceiling = backend.max_replicas, "maximum"
    off_hours = config.watchdog.off_hours
    if not event and off_hours is not None and off_hours.covers(now) and off_hours.max_replicas < ceiling:
        ceiling, why_ceiling = off_hours.max_replicas, "off-hours"
    start, end = month_bounds(now)
    month = (end - start).total_seconds()
    common = {
        "spent_replica_months": spent_replica_months,
        "price_per_replica_monthly_usd": config.price_per_replica_monthly_usd,
        "floor": floor,
        "hold_months": (config.watchdog.cooldown_minutes + backend.scale_down.for_minutes) * 60 / month,
        "remaining_months": (end - now).total_seconds() / month,
    }
    caps = [
        (
            affordable_replicas(
                limit_usd=config.budget.monthly_usd, other_monthly_usd=config.other_monthly_usd, **common
            ),
            "budget",
        )
    ]
    if config.railway_hard_limit_usd is not None:
        caps.append(
            (
                affordable_replicas(
                    limit_usd=config.railway_hard_limit_usd,
                    other_monthly_usd=config.railway_other_monthly_usd,
                    **common,
                ),
                "Railway hard limit",
            )
        )
    for cap, why in caps:
        if cap < ceiling:
            ceiling, why_ceiling = cap, why
    # Spending beats the floor: Railway's hard limit takes every workload offline.
    if ceiling < floor:
        floor, why_floor = ceiling, why_ceiling
    return Bounds(floor=max(floor, 1), ceiling=max(ceiling, 1), why_floor=why_floor, why_ceiling=why_ceiling)


@dataclass(frozen=True)
class Step:
    target: int
    reason: str


def decide(
    config: WatchdogConfig,
    *,
    now: dt.datetime,
    replicas: int,
    last_change: dt.datetime | None,
    cpu: Sequence[MinuteSample],
    limits: Bounds,
) -> Step | None:
    """At most one step of one replica, never inside the cooldown after the last change."""
    cooldown = dt.timedelta(minutes=config.watchdog.cooldown_minutes)
    if last_change is not None and now - last_change < cooldown:
        return None
    up, down = config.backend.scale_up, config.backend.scale_down
    if replicas < limits.floor:
        return Step(replicas + 1, f"below the {limits.why_floor} ({limits.floor})")
    if replicas > limits.ceiling:
        return Step(replicas - 1, f"above the {limits.why_ceiling} ({limits.ceiling})")
    if replicas < limits.ceiling and held(
        cpu, minutes=up.for_minutes, now=now, since=last_change, above=up.cpu_percent
    ):
        return Step(replicas + 1, f"CPU above {up.cpu_percent} % for {up.for_minutes} min")
    if replicas > limits.floor and held(
        cpu, minutes=down.for_minutes, now=now, since=last_change, below=down.cpu_percent
    ):
        return Step(replicas - 1, f"CPU below {down.cpu_percent} % for {down.for_minutes} min")
    return None
