"""When a meeting reminder is due, how it is keyed, and how a short circle is described."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.lifecycle import is_reminder_due, reminder_key, under_minimum_text

START = datetime(2026, 3, 3, 20, 30, tzinfo=UTC)
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1),
                        timezones=st.just(UTC))


@given(now=instants, lead=st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)))
def test_a_meeting_is_looked_at_exactly_in_the_48_hours_before_it(now: datetime, lead: timedelta) -> None:
    starts_at = now + lead
    assert is_reminder_due(starts_at, now) == (timedelta(0) < lead <= timedelta(hours=48))


def test_a_meeting_that_has_started_is_never_reminded_of() -> None:
    assert not is_reminder_due(START, START)
    assert not is_reminder_due(START, START + timedelta(seconds=1))


def test_a_scheduler_that_was_down_still_reminds_an_hour_before() -> None:
    assert is_reminder_due(START, START - timedelta(hours=1))
    assert is_reminder_due(START, START - timedelta(hours=24))
    assert is_reminder_due(START, START - timedelta(hours=48))
    assert not is_reminder_due(START, START - timedelta(hours=48, seconds=1))


def test_the_reminder_key_names_the_meeting_the_member_and_the_start_instant() -> None:
    assert reminder_key(7, 42, START) == "reminder:7:42:20260303T2030Z"
    moved = reminder_key(7, 42, START + timedelta(hours=1))
    assert moved != reminder_key(7, 42, START)
    assert moved.startswith("reminder:7:42:")


@given(needed=st.integers(min_value=1, max_value=12), data=st.data())
def test_the_short_circle_message_says_how_many_members_it_has_and_needs(
    needed: int, data: st.DataObject
) -> None:
    active = data.draw(st.integers(min_value=0, max_value=needed - 1))
    text = under_minimum_text("Back to Work", active, needed)
    assert text.startswith("Your circle Back to Work has ")
    assert str(needed) in text
    if active:
        assert f"{active} of the {needed} members it needs to run" in text


def test_the_short_circle_message_reads_naturally() -> None:
    assert under_minimum_text("Juggle", 3, 4) == "Your circle Juggle has 3 of the 4 members it needs to run."
    assert under_minimum_text("Juggle", 0, 4) == "Your circle Juggle has no members yet (it needs 4 to run)."
