"""When the JWT secrets rotate: every `days` from the anchor, never inside an event window, with the previous
generation kept for the overlap. The program's own runs across these dates are in tests/test_program.py."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from components.app_secrets.rotation import postponed, rotation_on
from settings.model import EventWindow

D = dt.date
ANCHOR = D(2026, 1, 1)
EVENT = EventWindow(start=D(2027, 4, 5), end=D(2027, 4, 23))  # the rotation due 2027-03-27 + 90 is 2027-06-25


def on(today: dt.date, *windows: EventWindow, overlap_days: int = 7) -> tuple[dt.date, dt.date, bool]:
    rotation = rotation_on(today, anchor=ANCHOR, days=90, overlap_days=overlap_days, windows=windows)
    return rotation.started, rotation.next_rotation, rotation.overlapping


def test_without_windows_every_90_days_from_the_anchor() -> None:
    assert on(D(2026, 12, 26)) == (D(2026, 9, 28), D(2026, 12, 27), False)
    assert on(D(2026, 12, 27)) == (D(2026, 12, 27), D(2027, 3, 27), True)
    assert on(D(2027, 1, 2)) == (D(2026, 12, 27), D(2027, 3, 27), True)
    assert on(D(2027, 1, 3)) == (D(2026, 12, 27), D(2027, 3, 27), False)


def test_a_rotation_due_inside_a_window_waits_for_the_day_after_it() -> None:
    window = EventWindow(start=D(2027, 3, 20), end=D(2027, 3, 31))
    assert on(D(2027, 3, 19), window) == (D(2026, 12, 27), D(2027, 4, 1), False)
    assert on(D(2027, 3, 27), window) == (D(2026, 12, 27), D(2027, 4, 1), False)
    assert on(D(2027, 3, 31), window) == (D(2026, 12, 27), D(2027, 4, 1), False)
    assert on(D(2027, 4, 1), window) == (D(2027, 4, 1), D(2027, 6, 25), True)
    assert on(D(2027, 4, 8), window) == (D(2027, 4, 1), D(2027, 6, 25), False)


def test_a_window_away_from_the_due_date_changes_nothing() -> None:
    assert on(D(2027, 4, 10), EVENT) == on(D(2027, 4, 10))


def test_the_overlap_does_not_end_inside_a_window() -> None:
    """Sessions still signed with the previous secret stop working when the overlap ends: not mid-event."""
    window = EventWindow(start=D(2026, 12, 30), end=D(2027, 1, 10))
    assert on(D(2027, 1, 3), window)[2] is True
    assert on(D(2027, 1, 10), window)[2] is True
    assert on(D(2027, 1, 11), window)[2] is False


def test_chained_windows_postpone_past_all_of_them() -> None:
    first = EventWindow(start=D(2027, 3, 25), end=D(2027, 3, 28))
    second = EventWindow(start=D(2027, 3, 29), end=D(2027, 4, 2))
    assert postponed(D(2027, 3, 27), [second, first]) == D(2027, 4, 3)


def test_a_window_longer_than_the_period_makes_one_rotation_of_two_due_dates() -> None:
    window = EventWindow(start=D(2027, 3, 1), end=D(2027, 7, 1))
    rotation = rotation_on(D(2027, 7, 2), anchor=ANCHOR, days=90, overlap_days=7, windows=[window])
    assert (rotation.started, rotation.previous_started) == (D(2027, 7, 2), D(2026, 12, 27))


windows = st.lists(
    st.builds(
        lambda start, length: EventWindow(start=start, end=start + dt.timedelta(days=length)),
        st.dates(D(2026, 1, 1), D(2029, 12, 31)),
        st.integers(0, 120),
    ),
    max_size=4,
)


@given(
    today=st.dates(D(2026, 1, 2), D(2030, 12, 31)),
    windows=windows,
    days=st.integers(1, 90),
    overlap=st.integers(0, 90),
)
def test_no_day_inside_an_event_window_starts_a_generation_or_ends_an_overlap(
    today: dt.date, windows: list[EventWindow], days: int, overlap: int
) -> None:
    rotation = rotation_on(today, anchor=ANCHOR, days=days, overlap_days=overlap, windows=windows)
    yesterday = rotation_on(
        today - dt.timedelta(days=1), anchor=ANCHOR, days=days, overlap_days=overlap, windows=windows
    )
    inside = any(w.start <= today <= w.end for w in windows)
    if inside:
        # The secrets in use, and whether the previous ones still verify, are yesterday's.
        assert (rotation.started, rotation.overlapping) == (yesterday.started, yesterday.overlapping)
    assert rotation.started <= today or rotation.generation == 0
    assert not any(w.start <= rotation.started <= w.end for w in windows)
    assert rotation.next_rotation > today
    assert rotation.next_rotation - rotation.started >= dt.timedelta(days=1)
