"""When the JWT secrets rotate, and how long the secrets they replace stay valid.

Rotations are due every `days` from the anchor. One that falls inside an event window is postponed to the
day after that window (after every window it runs into): a rotation replaces the secrets every session was
signed with, and the conference is when those sessions matter most. After a rotation the previous
generation stays valid for `overlap_days` (the backend verifies with both, docs/secrets.md); the end of the
overlap is postponed the same way, because it is when sessions still signed with the old secret stop
working.

Generations are counted from the anchor, so the same date always gives the same answer: the program needs
no memory of earlier runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

DAY = dt.timedelta(days=1)


class Window(Protocol):
    """Days (both inclusive) during which nothing may rotate: settings.model.EventWindow."""

    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...


def postponed(day: dt.date, windows: Sequence[Window]) -> dt.date:
    """`day`, or the first day after the event windows it falls in (windows may chain or overlap)."""
    moved = True
    while moved:
        moved = False
        for window in windows:
            if window.start <= day <= window.end:
                day, moved = window.end + DAY, True
    return day


@dataclass(frozen=True)
class Rotation:
    """The generation of the secrets in use on one day."""

    generation: int  # 0 from the anchor (and before it); +1 on every rotation
    started: dt.date  # the day this generation took over
    next_rotation: dt.date
    # The day the generation before this one took over; None for the first generation.
    previous_started: dt.date | None
    # The first day the previous generation's secrets are no longer set; None for the first generation.
    previous_until: dt.date | None
    # The previous generation's secrets still verify (its overlap has not ended).
    overlapping: bool


def rotation_on(
    today: dt.date, *, anchor: dt.date, days: int, overlap_days: int, windows: Sequence[Window]
) -> Rotation:
    """Which generation is in use on `today`."""
    period = dt.timedelta(days=days)
    starts = [postponed(anchor, windows)]
    due = anchor
    # Postponed rotations can land on the same day (a window longer than `days`): that is one rotation.
    while starts[-1] <= today or len(starts) < 2:
        due += period
        start = postponed(due, windows)
        if start != starts[-1]:
            starts.append(start)
    generation = max(0, sum(1 for start in starts if start <= today) - 1)
    started = starts[generation]
    previous_started = starts[generation - 1] if generation > 0 else None
    previous_until = (
        postponed(started + dt.timedelta(days=overlap_days), windows) if previous_started is not None else None
    )
    return Rotation(
        generation=generation,
        started=started,
        next_rotation=starts[generation + 1],
        previous_started=previous_started,
        previous_until=previous_until,
        overlapping=previous_until is not None and today < previous_until,
    )
