"""Her days and hours moved into UTC: a meeting matches exactly when it falls in her window."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.display import DAY, WEEK, window_pieces


def matches(pieces: list[tuple[int | None, int, int]], weekday: int, minute: int) -> bool:
    return any((day is None or day == weekday) and lo <= minute < hi for day, lo, hi in pieces)


def test_school_hours_in_los_angeles_are_late_afternoon_to_evening_in_utc() -> None:
    # LA is UTC-8 in winter: 09:30-14:30 there is 17:30-22:30 UTC.
    assert window_pieces(None, (570, 870), 8 * 60) == [(None, 1050, 1350)]


def test_a_window_pushed_over_midnight_splits_onto_the_next_day() -> None:
    # After bedtime (20:00-22:00) in UTC-3 is 23:00-01:00 UTC, Monday into Tuesday.
    assert window_pieces(frozenset({0}), (1200, 1320), 180) == [(0, 1380, 1440), (1, 0, 60)]
    assert window_pieces(None, (1200, 1320), 180) == [(None, 1380, 1440), (None, 0, 60)]


def test_sunday_late_wraps_to_monday() -> None:
    assert window_pieces(frozenset({6}), (1200, 1320), 180) == [(6, 1380, 1440), (0, 0, 60)]


windows = st.tuples(st.integers(0, DAY - 1), st.integers(1, DAY)).filter(lambda w: w[0] < w[1])


@given(
    weekdays=st.none() | st.frozensets(st.integers(0, 6), min_size=1),
    window=st.none() | windows,
    shift=st.integers(-14 * 60, 14 * 60),
    weekday=st.integers(0, 6),
    minute=st.integers(0, DAY - 1),
)
def test_an_instant_matches_exactly_when_her_local_time_is_in_the_window(
    weekdays: frozenset[int] | None, window: tuple[int, int] | None, shift: int, weekday: int, minute: int
) -> None:
    # (weekday, minute) is in the target frame; her local time is that minus the shift.
    local_day, local_minute = divmod((weekday * DAY + minute - shift) % WEEK, DAY)
    lo, hi = window or (0, DAY)
    expected = (weekdays is None or local_day in weekdays) and lo <= local_minute < hi
    assert matches(window_pieces(weekdays, window, shift), weekday, minute) == expected
