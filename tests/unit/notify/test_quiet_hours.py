"""Quiet hours: read on her own clock, across midnight and across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mentoring.notify.quiet_hours import in_quiet_hours, is_quiet_at, quiet_hours_end

EVENING = (time(21, 30), time(7, 0))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("wall", "quiet"),
    [(time(21, 29), False), (time(21, 30), True), (time(23, 59), True), (time(0, 0), True),
     (time(6, 59), True), (time(7, 0), False), (time(12, 0), False)],
)
def test_a_window_across_midnight_covers_late_evening_and_early_morning(wall: time, quiet: bool) -> None:
    assert is_quiet_at(wall, *EVENING) is quiet


@pytest.mark.parametrize(
    ("wall", "quiet"),
    [(time(12, 59), False), (time(13, 0), True), (time(14, 59), True), (time(15, 0), False)],
)
def test_a_window_within_a_day_covers_only_its_hours(wall: time, quiet: bool) -> None:
    assert is_quiet_at(wall, time(13, 0), time(15, 0)) is quiet


@pytest.mark.parametrize(("start", "end"), [(None, None), (time(22, 0), None), (None, time(7, 0)),
                                            (time(22, 0), time(22, 0))])
def test_missing_or_empty_windows_mean_quiet_hours_are_off(start: time | None, end: time | None) -> None:
    now = utc(2026, 1, 15, 23, 0)
    assert not in_quiet_hours(now, "Europe/London", start, end)
    assert quiet_hours_end(now, "Europe/London", start, end) == now


def test_the_same_instant_is_quiet_in_london_and_not_in_new_york() -> None:
    ten_pm_london = utc(2026, 1, 15, 22, 0)
    assert in_quiet_hours(ten_pm_london, "Europe/London", *EVENING)
    assert not in_quiet_hours(ten_pm_london, "America/New_York", *EVENING)
    assert quiet_hours_end(ten_pm_london, "Europe/London", *EVENING) == utc(2026, 1, 16, 7, 0)
    assert quiet_hours_end(ten_pm_london, "America/New_York", *EVENING) == ten_pm_london


def test_in_summer_the_end_is_seven_on_her_clock_not_seven_utc() -> None:
    # 22:00 BST; the window ends at 07:00 BST, which is 06:00 UTC.
    assert quiet_hours_end(utc(2026, 7, 15, 21, 0), "Europe/London", *EVENING) == utc(2026, 7, 16, 6, 0)


def test_the_night_the_clocks_go_forward_ends_at_seven_on_the_new_clock() -> None:
    # London goes from GMT to BST at 01:00 UTC on 29 March 2026: the night is an hour shorter.
    assert quiet_hours_end(utc(2026, 3, 28, 23, 0), "Europe/London", *EVENING) == utc(2026, 3, 29, 6, 0)


def test_an_end_the_clock_skips_is_reached_when_the_clock_jumps() -> None:
    # New York skips 02:00-03:00 on 8 March 2026 (07:00 UTC); a window ending at 02:30 ends then.
    now = utc(2026, 3, 8, 6, 0)  # 01:00 EST
    assert quiet_hours_end(now, "America/New_York", time(0, 0), time(2, 30)) == utc(2026, 3, 8, 7, 0)


def test_when_the_clock_falls_back_the_repeated_hour_is_quiet_both_times() -> None:
    # New York repeats 01:00-02:00 on 1 November 2026 (EDT, then EST).
    window = (time(22, 0), time(1, 30))
    first_pass = utc(2026, 11, 1, 5, 10)  # 01:10 EDT
    second_pass = utc(2026, 11, 1, 6, 10)  # 01:10 EST
    assert quiet_hours_end(first_pass, "America/New_York", *window) == utc(2026, 11, 1, 5, 30)
    assert not in_quiet_hours(utc(2026, 11, 1, 5, 45), "America/New_York", *window)
    assert quiet_hours_end(second_pass, "America/New_York", *window) == utc(2026, 11, 1, 6, 30)


def test_a_free_spell_swallowed_by_the_clock_change_moves_to_the_next_day() -> None:
    # Free only 02:30-02:45, and on 8 March 2026 New York's clock never shows those minutes.
    now = utc(2026, 3, 8, 6, 50)  # 01:50 EST
    assert quiet_hours_end(now, "America/New_York", time(2, 45), time(2, 30)) == utc(2026, 3, 9, 6, 30)


def test_an_unknown_zone_is_read_as_utc() -> None:
    assert in_quiet_hours(utc(2026, 1, 15, 22, 0), "Mars/Olympus_Mons", *EVENING)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        in_quiet_hours(datetime(2026, 1, 15, 22, 0), "UTC", *EVENING)


# Zones with daylight saving in both hemispheres, a half-hour shift (Lord Howe), odd offsets.
ZONES = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Sao_Paulo",
         "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Auckland", "Pacific/Chatham",
         "Asia/Kolkata", "Asia/Tehran", "America/St_Johns", "Africa/Casablanca"]

instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31),
                        timezones=st.just(UTC))
minute_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@given(now=instants, tzname=st.sampled_from(ZONES), start=minute_times, end=minute_times)
def test_quiet_hours_end_is_never_early_is_outside_quiet_hours_and_within_a_day(
    now: datetime, tzname: str, start: time, end: time
) -> None:
    quiet_minutes = ((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)) % (24 * 60)
    # Someone who wants fewer than two free hours a day is not a real case; with that much free
    # time a clock change can never swallow it, and the end always comes within a day.
    assume(0 < quiet_minutes <= 22 * 60)
    end_at = quiet_hours_end(now, tzname, start, end)
    assert end_at >= now
    assert not in_quiet_hours(end_at, tzname, start, end)
    assert end_at - now <= timedelta(hours=24)
    if in_quiet_hours(now, tzname, start, end):
        # ...and it is the first free moment: a second earlier she was still in quiet hours.
        assert in_quiet_hours(end_at - timedelta(seconds=1), tzname, start, end)
    else:
        assert end_at == now
