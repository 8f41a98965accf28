"""The .ics file of a circle's meetings, read back the way a calendar app reads it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar, Event

from mentoring.circles.calendar import (
    CircleSchedule,
    MeetingTime,
    calendar_filename,
    circle_calendar,
    schedule_sequence,
)
from mentoring.circles.schedule import local_instant, weekly_slots

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
ZONES = ["Europe/London", "America/New_York", "America/Sao_Paulo", "Australia/Sydney", "Asia/Kolkata", "UTC"]


def london_circle(first: date = date(2026, 10, 13), count: int = 4,
                  skipped: tuple[date, ...] = ()) -> tuple[CircleSchedule, list[MeetingTime]]:
    """A 20:30 Tuesday circle in London; by default its term spans the October clock change."""
    circle = CircleSchedule(id=7, title="Back to work", timezone="Europe/London", weekday=first.weekday(),
                            start_time=time(20, 30), duration_minutes=60, first_date=first,
                            page_url="https://hearth.example/circles/7")
    slots = weekly_slots(first, time(20, 30), 60, "Europe/London", count, skipped=skipped)
    return circle, [MeetingTime(s.sequence, s.starts_at, s.ends_at) for s in slots]


def cancel(meetings: list[MeetingTime], sequence: int) -> list[MeetingTime]:
    return [replace(m, cancelled=True) if m.sequence == sequence else m for m in meetings]


def move(meetings: list[MeetingTime], sequence: int, starts_at: datetime) -> list[MeetingTime]:
    return [replace(m, starts_at=starts_at, ends_at=starts_at + (m.ends_at - m.starts_at))
            if m.sequence == sequence else m for m in meetings]


def build(circle: CircleSchedule, meetings: list[MeetingTime], location: str | None = None) -> Calendar:
    return Calendar.from_ical(circle_calendar(circle, meetings, include_location=location, now=NOW))


def series_of(calendar: Calendar) -> Event:
    series = [e for e in calendar.events if "RECURRENCE-ID" not in e]
    assert len(series) == 1
    return series[0]


def overrides_of(calendar: Calendar) -> list[Event]:
    return [e for e in calendar.events if "RECURRENCE-ID" in e]


def exdates_of(event: Event) -> list[datetime]:
    return [d for dates in event.exdates for d in ([dates] if isinstance(dates, datetime) else dates)]


def expand(calendar: Calendar) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every meeting the calendar shows, as an app expands it (dateutil).

    The weekly rule from DTSTART, minus EXDATEs, each instance replaced by the override whose
    RECURRENCE-ID names it. Every override must name an instance of the rule.
    """
    series = series_of(calendar)
    length = series.end.astimezone(UTC) - series.start.astimezone(UTC)
    excluded = {d.replace(tzinfo=None) for d in exdates_of(series)}
    replaced = {e["RECURRENCE-ID"].dt.replace(tzinfo=None): e for e in overrides_of(calendar)}
    shown = []
    for instance in rrulestr(series["RRULE"].to_ical().decode(), dtstart=series.start):
        wall = instance.replace(tzinfo=None)
        if wall in excluded:
            assert wall not in replaced, wall
            continue
        if wall in replaced:
            override = replaced.pop(wall)
            shown.append((override.start.astimezone(UTC), override.end.astimezone(UTC)))
        else:
            start = instance.astimezone(UTC)
            shown.append((start, start + length))
    assert not replaced, f"overrides of no instance: {list(replaced)}"
    return sorted(shown)


def scheduled(meetings: list[MeetingTime]) -> list[tuple[datetime, datetime]]:
    return sorted((m.starts_at, m.ends_at) for m in meetings if not m.cancelled)


# --- the shape of the file -------------------------------------------------------------------


def test_times_carry_the_circle_zone_and_the_file_defines_it() -> None:
    circle, meetings = london_circle()
    calendar = build(circle, meetings)
    series = series_of(calendar)
    assert series["DTSTART"].params["TZID"] == "Europe/London"
    assert series["DTEND"].params["TZID"] == "Europe/London"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_the_term_is_one_weekly_series_with_a_stable_uid() -> None:
    circle, meetings = london_circle(count=8)
    first = build(circle, meetings)
    later = Calendar.from_ical(circle_calendar(circle, meetings, include_location=None,
                                               now=NOW + timedelta(days=30)))
    series = series_of(first)
    assert len(first.events) == 1
    assert series["RRULE"]["FREQ"] == ["WEEKLY"]
    assert series["RRULE"]["COUNT"] == [8]
    assert str(series["UID"]) == str(series_of(later)["UID"]) == "circle-7@hearth"
    assert series["DTSTAMP"].dt == NOW


def test_the_series_starts_at_2030_local_and_every_meeting_stays_2030_across_the_october_change() -> None:
    circle, meetings = london_circle(date(2026, 10, 13), count=4)
    calendar = build(circle, meetings)
    series = series_of(calendar)
    assert series.start.replace(tzinfo=None) == datetime(2026, 10, 13, 20, 30)
    assert series.end.replace(tzinfo=None) == datetime(2026, 10, 13, 21, 30)
    shown = expand(calendar)
    assert [start.astimezone(LONDON).strftime("%a %H:%M") for start, _ in shown] == ["Tue 20:30"] * 4
    # Clocks go back on 25 October: the same 20:30 is 19:30 UTC before and 20:30 UTC after.
    assert [start.hour for start, _ in shown] == [19, 19, 20, 20]
    assert shown == scheduled(meetings)


def test_summary_and_description_hold_the_title_and_the_circle_page_only() -> None:
    circle, meetings = london_circle()
    series = series_of(build(circle, meetings))
    assert str(series["SUMMARY"]) == "Back to work"
    assert "https://hearth.example/circles/7" in str(series["DESCRIPTION"])
    for private in ("ATTENDEE", "ORGANIZER", "CONTACT", "LOCATION"):
        assert private not in series


def test_there_is_no_location_unless_one_is_given() -> None:
    circle, meetings = london_circle()
    meetings = move(meetings, 2, local_instant(date(2026, 10, 22), time(19, 0), "Europe/London"))
    without = build(circle, meetings)
    assert all("LOCATION" not in event for event in without.events)
    with_link = build(circle, meetings, location="https://meet.example.com/circle-7")
    assert [str(event["LOCATION"]) for event in with_link.events] == ["https://meet.example.com/circle-7"] * 2


# --- changes to the schedule -----------------------------------------------------------------


def test_a_cancelled_meeting_is_an_exdate_of_the_series() -> None:
    circle, meetings = london_circle(count=4)
    meetings = cancel(meetings, 3)
    calendar = build(circle, meetings)
    series = series_of(calendar)
    assert series["RRULE"]["COUNT"] == [4]
    assert [d.replace(tzinfo=None) for d in exdates_of(series)] == [datetime(2026, 10, 27, 20, 30)]
    assert exdates_of(series)[0].tzinfo == LONDON
    assert expand(calendar) == scheduled(meetings)


def test_a_skipped_week_is_an_exdate_and_the_term_runs_a_week_longer() -> None:
    circle, meetings = london_circle(count=4, skipped=(date(2026, 10, 27),))
    calendar = build(circle, meetings)
    series = series_of(calendar)
    assert series["RRULE"]["COUNT"] == [5]
    assert [d.replace(tzinfo=None) for d in exdates_of(series)] == [datetime(2026, 10, 27, 20, 30)]
    assert expand(calendar) == scheduled(meetings)


def test_a_meeting_moved_off_the_pattern_overrides_its_week_with_the_same_uid() -> None:
    circle, meetings = london_circle(count=4)
    thursday = local_instant(date(2026, 10, 22), time(19, 0), "Europe/London")
    meetings = move(meetings, 2, thursday)
    calendar = build(circle, meetings)
    series, (moved,) = series_of(calendar), overrides_of(calendar)
    assert str(moved["UID"]) == str(series["UID"])
    assert moved["RECURRENCE-ID"].dt.replace(tzinfo=None) == datetime(2026, 10, 20, 20, 30)
    assert moved["RECURRENCE-ID"].params["TZID"] == "Europe/London"
    assert moved.start.replace(tzinfo=None) == datetime(2026, 10, 22, 19, 0)
    assert moved.end.replace(tzinfo=None) == datetime(2026, 10, 22, 20, 0)
    assert moved["SEQUENCE"] == series["SEQUENCE"]
    assert exdates_of(series) == []
    assert expand(calendar) == scheduled(meetings)


def test_two_meetings_in_one_week_still_make_one_series() -> None:
    circle, meetings = london_circle(count=3)
    # Meeting 2 brought forward to the Thursday after meeting 1: both are nearest week one.
    meetings = move(meetings, 2, local_instant(date(2026, 10, 15), time(20, 30), "Europe/London"))
    calendar = build(circle, meetings)
    assert {str(e["UID"]) for e in calendar.events} == {"circle-7@hearth"}
    assert expand(calendar) == scheduled(meetings)


def test_meetings_held_before_a_schedule_edit_keep_their_old_time_and_length() -> None:
    circle, meetings = london_circle(count=4)
    # Meeting 1 met at 19:00 and meeting 2 at 20:30, both for 90 minutes; then the facilitator
    # made the term 20:30 for 60 minutes. Both held meetings keep what they were.
    for sequence, day, at in ((1, date(2026, 10, 13), time(19, 0)), (2, date(2026, 10, 20), time(20, 30))):
        start = local_instant(day, at, "Europe/London")
        meetings = [replace(m, starts_at=start, ends_at=start + timedelta(minutes=90))
                    if m.sequence == sequence else m for m in meetings]
    calendar = build(circle, meetings)
    assert [(e.start.strftime("%H:%M"), e.end.strftime("%H:%M")) for e in overrides_of(calendar)] == [
        ("19:00", "20:30"), ("20:30", "22:00")]
    assert expand(calendar) == scheduled(meetings)


def test_a_circle_with_every_meeting_cancelled_is_a_cancelled_series_with_nothing_shown() -> None:
    circle, meetings = london_circle(count=3)
    for sequence in (1, 2, 3):
        meetings = cancel(meetings, sequence)
    calendar = build(circle, meetings)
    assert series_of(calendar)["STATUS"] == "CANCELLED"
    assert expand(calendar) == []


def test_a_circle_without_meetings_is_an_empty_calendar() -> None:
    circle, _ = london_circle()
    assert build(circle, []).events == []


# --- SEQUENCE --------------------------------------------------------------------------------


def test_sequence_starts_at_zero_for_the_term_as_planned() -> None:
    circle, meetings = london_circle(count=8)
    assert series_of(build(circle, meetings))["SEQUENCE"] == 0


def test_sequence_rises_after_a_cancellation_a_skipped_week_and_a_later_move() -> None:
    circle, meetings = london_circle(count=4)
    planned = schedule_sequence(circle, meetings)
    cancelled = cancel(meetings, 2)
    assert schedule_sequence(circle, cancelled) > planned
    _, skipped = london_circle(count=4, skipped=(date(2026, 10, 27),))
    assert schedule_sequence(circle, cancel(skipped, 2)) > schedule_sequence(circle, cancelled)
    later = move(cancelled, 3, meetings[2].starts_at + timedelta(minutes=30))
    assert schedule_sequence(circle, later) > schedule_sequence(circle, cancelled)
    assert series_of(build(circle, later))["SEQUENCE"] == schedule_sequence(circle, later)


@given(
    count=st.integers(1, 12),
    changes=st.lists(
        st.tuples(st.sampled_from(["cancel", "later"]), st.integers(0, 11), st.integers(1, 4 * 24 * 60)),
        max_size=12,
    ),
)
def test_sequence_never_goes_down_when_meetings_are_cancelled_or_moved_later(
    count: int, changes: list[tuple[str, int, int]]
) -> None:
    circle, meetings = london_circle(date(2026, 3, 17), count=count)
    sequence = schedule_sequence(circle, meetings)
    for change, index, minutes in changes:
        target = meetings[index % count]
        if change == "cancel":
            meetings = cancel(meetings, target.sequence)
        else:
            meetings = move(meetings, target.sequence, target.starts_at + timedelta(minutes=minutes))
        after = schedule_sequence(circle, meetings)
        assert after >= sequence
        if change == "later" or not target.cancelled:
            assert after > sequence
        sequence = after


# --- every schedule the facilitator can make comes out right ----------------------------------


@st.composite
def schedules(draw: st.DrawFn) -> tuple[CircleSchedule, list[MeetingTime]]:
    """A term as the facilitator may shape it: skipped weeks, cancellations, moved meetings.

    Moves keep the meetings in order and apart, as `move_meeting` requires.
    """
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)))
    start = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
    duration = draw(st.sampled_from([45, 60, 90, 120]))
    count = draw(st.integers(1, 12))
    skipped = draw(st.sets(st.integers(0, count + 3), max_size=3))
    slots = weekly_slots(first, start, duration, zone, count,
                         skipped=[first + timedelta(weeks=w) for w in skipped])
    meetings = [MeetingTime(s.sequence, s.starts_at, s.ends_at) for s in slots]
    length = timedelta(minutes=duration)
    for index in draw(st.lists(st.integers(0, count - 1), max_size=4)):
        earliest = meetings[index - 1].ends_at if index else meetings[index].starts_at - timedelta(days=6)
        latest = (meetings[index + 1].starts_at if index + 1 < count
                  else meetings[index].starts_at + timedelta(days=6)) - length
        room = int((latest - earliest).total_seconds() // 60) // 15
        moved_to = earliest + timedelta(minutes=15 * draw(st.integers(0, room)))
        meetings = move(meetings, meetings[index].sequence, moved_to)
    for sequence in draw(st.sets(st.integers(1, count))):
        meetings = cancel(meetings, sequence)
    circle = CircleSchedule(id=3, title="Evening circle", timezone=zone, weekday=first.weekday(),
                            start_time=start, duration_minutes=duration, first_date=first,
                            page_url="https://hearth.example/circles/3")
    return circle, meetings


@given(schedules())
def test_the_calendar_shows_exactly_the_meetings_still_scheduled(
    schedule: tuple[CircleSchedule, list[MeetingTime]],
) -> None:
    circle, meetings = schedule
    calendar = build(circle, meetings)
    assert {str(e["UID"]) for e in calendar.events} <= {"circle-3@hearth"}
    if any(not m.cancelled for m in meetings):
        assert expand(calendar) == scheduled(meetings)


@given(count=st.integers(1, 12), cancelled=st.data())
def test_the_exdates_of_an_unmoved_term_are_exactly_its_cancelled_meetings(
    count: int, cancelled: st.DataObject
) -> None:
    circle, meetings = london_circle(date(2027, 3, 2), count=count)
    chosen = cancelled.draw(st.sets(st.integers(1, count), max_size=count - 1))
    for sequence in chosen:
        meetings = cancel(meetings, sequence)
    series = series_of(build(circle, meetings))
    assert {d.astimezone(UTC) for d in exdates_of(series)} == {
        m.starts_at for m in meetings if m.cancelled
    }


# --- the file name ---------------------------------------------------------------------------


def test_the_file_name_is_the_title_as_an_ascii_slug() -> None:
    assert calendar_filename("Back to work: évenings & weekends", 7) == "back-to-work-evenings-weekends.ics"
    assert calendar_filename("\u5988\u5988", 7) == "circle-7.ics"
    assert calendar_filename('"; rm -rf /', 9) == "rm-rf.ics"
