from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.schedule import weekly_slots

ZONES = ["Europe/London", "America/New_York", "America/Sao_Paulo", "Europe/Berlin",
         "America/Los_Angeles", "Australia/Sydney", "Asia/Kolkata"]


def test_tuesday_2030_in_london_stays_2030_across_october_change() -> None:
    slots = weekly_slots(date(2026, 10, 13), time(20, 30), 60, "Europe/London", 4)
    assert [s.starts_at.hour for s in slots] == [19, 19, 20, 20]  # BST then GMT, in UTC
    for slot in slots:
        local = slot.starts_at.astimezone(ZoneInfo("Europe/London"))
        assert (local.hour, local.minute, local.weekday()) == (20, 30, 1)


def test_march_change_moves_the_utc_instant_not_the_local_time() -> None:
    slots = weekly_slots(date(2027, 3, 16), time(20, 30), 60, "Europe/London", 3)
    assert [s.starts_at for s in slots] == [
        datetime(2027, 3, 16, 20, 30, tzinfo=UTC),
        datetime(2027, 3, 23, 20, 30, tzinfo=UTC),
        datetime(2027, 3, 30, 19, 30, tzinfo=UTC),
    ]


def test_a_skipped_week_moves_the_term_a_week_later() -> None:
    slots = weekly_slots(date(2026, 12, 1), time(9, 30), 90, "UTC", 4, skipped=[date(2026, 12, 22)])
    assert [s.local_date for s in slots] == [
        date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 29)]
    assert [s.sequence for s in slots] == [1, 2, 3, 4]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in slots)


@given(
    zone=st.sampled_from(ZONES),
    first=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(min_value=6, max_value=22),
    minute=st.sampled_from([0, 15, 30, 45]),
    count=st.integers(min_value=4, max_value=16),
)
def test_local_wall_clock_time_is_kept_for_every_meeting(zone: str, first: date, hour: int,
                                                         minute: int, count: int) -> None:
    slots = weekly_slots(first, time(hour, minute), 60, zone, count)
    assert len(slots) == count
    for k, slot in enumerate(slots):
        local = slot.starts_at.astimezone(ZoneInfo(zone))
        assert local.date() == first + timedelta(weeks=k)
        assert (local.hour, local.minute) == (hour, minute)
        assert slot.starts_at.tzinfo is not None
