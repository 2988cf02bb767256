"""Which backups to keep: the newest backup of each recent hour, day and ISO week.

Buckets are calendar windows counted back from `now` (UTC): the current hour and the `hourly - 1` before it,
today and the `daily - 1` days before it, this ISO week and the `weekly - 1` weeks before it. In each bucket
that has backups the newest one is kept. On top of that the newest backup overall is always kept (so a
stack whose backups stopped never loses its last one) and so is anything stamped later than `now` (clock
skew is no reason to delete).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .naming import BackupRef
from .policy import Retention


@dataclass(frozen=True)
class Decision:
    ref: BackupRef
    keep: bool
    reasons: tuple[str, ...]


def _hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def _week(t: datetime) -> tuple[int, int]:
    iso = t.isocalendar()
    return (iso.year, iso.week)


def _day(t: datetime) -> date:
    return t.date()


def plan(backups: Iterable[BackupRef], policy: Retention, now: datetime) -> list[Decision]:
    """Keep/delete decisions for every backup, newest first."""
    now = now.astimezone(UTC)
    ordered = sorted(backups, reverse=True)
    reasons: dict[str, list[str]] = {ref.key: [] for ref in ordered}

    def keep_newest_per_bucket(label: str, bucket: Callable[[datetime], Hashable], window: set[Hashable]) -> None:
        seen: set[Hashable] = set()
        for ref in ordered:
            b = bucket(ref.created_at.astimezone(UTC))
            if b in window and b not in seen:
                seen.add(b)
                reasons[ref.key].append(label)

    hours: set[Hashable] = {_hour(now) - timedelta(hours=i) for i in range(policy.hourly)}
    days: set[Hashable] = {_day(now) - timedelta(days=i) for i in range(policy.daily)}
    weeks: set[Hashable] = {_week(now - timedelta(weeks=i)) for i in range(policy.weekly)}
    keep_newest_per_bucket("hourly", _hour, hours)
    keep_newest_per_bucket("daily", _day, days)
    keep_newest_per_bucket("weekly", _week, weeks)

    decisions: list[Decision] = []
    for index, ref in enumerate(ordered):
        why = reasons[ref.key]
        if index == 0:
            why.insert(0, "newest")
        if ref.created_at > now:
            why.append("in the future")
        decisions.append(Decision(ref=ref, keep=bool(why), reasons=tuple(why)))
    return decisions
