from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.schedule import local_date_of, shifted_by_weeks

ZONES = ["Europe/London", "America/New_York", "America/Sao_Paulo", "Europe/Berlin", "Australia/Sydney"]


def test_skipping_a_week_across_the_autumn_change_keeps_the_local_time() -> None:
    # Tue 20 Oct 2026 20:30 BST is 19:30 UTC; a week later it is GMT, so 20:30 UTC.
    before = datetime(2026, 10, 20, 19, 30, tzinfo=UTC)
    after = shifted_by_weeks(before, "Europe/London", 1)
    assert after == datetime(2026, 10, 27, 20, 30, tzinfo=UTC)


def test_local_date_is_the_circles_date_not_utcs() -> None:
    late_evening_in_la = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    assert local_date_of(late_evening_in_la, "America/Los_Angeles").isoformat() == "2026-11-24"


@given(zone=st.sampled_from(ZONES),
       start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)),
       weeks=st.integers(min_value=1, max_value=20))
def test_shifting_keeps_weekday_and_wall_clock_time(zone: str, start: datetime, weeks: int) -> None:
    instant = start.replace(hour=19, minute=30, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    moved = shifted_by_weeks(instant, zone, weeks).astimezone(ZoneInfo(zone))
    original = instant.astimezone(ZoneInfo(zone))
    assert moved.date() == original.date().fromordinal(original.date().toordinal() + 7 * weeks)
    assert (moved.hour, moved.minute) == (original.hour, original.minute)
