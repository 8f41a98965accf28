"""A circle's meetings as an iCalendar file: pure functions over plain values.

The file holds ONE recurring event per circle, so a calendar app shows the term as a series and
takes later downloads as updates of it:

- `DTSTART`/`DTEND` are wall-clock times with the circle's `TZID` (and its `VTIMEZONE`), and the
  series repeats with a weekly `RRULE;COUNT=n`, so a 20:30 Tuesday circle stays at 20:30 in its
  own zone across daylight-saving changes, as the meetings themselves do.
- The series runs weekly from the meeting slot (the circle's weekday and start time) nearest the
  first meeting. Each meeting still to happen claims one slot of it: a meeting on the pattern
  (same weekday, start time and length) claims its own slot; a meeting moved off it claims the
  free slot nearest its date and becomes a `RECURRENCE-ID` override (same UID) at its real time.
  Every slot no meeting claims -- a cancelled meeting, a skipped week -- is an `EXDATE`.
  Because any set of meetings can be laid out this way, there is no per-meeting fallback and
  the UID never changes for a circle.
- `SEQUENCE` (see `schedule_sequence`) rises when a meeting is cancelled, a week is skipped or a
  meeting moves later, so calendar apps replace what they imported before.

Nothing private is written: the title, times, a link to the circle page and, only when the
caller passes it, the meeting link or address. Never anyone's name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//Hearth//Circle meetings//EN"


@dataclass(frozen=True)
class CircleSchedule:
    """What the calendar needs to know about a circle."""

    id: int
    title: str
    timezone: str  # IANA name
    weekday: int  # Monday is 0
    start_time: time  # local wall-clock time in `timezone`
    duration_minutes: int
    first_date: date  # the term's first date as planned: the baseline for SEQUENCE
    page_url: str  # the circle page, absolute


@dataclass(frozen=True)
class MeetingTime:
    """One meeting: its instants in UTC and whether it was cancelled."""

    sequence: int
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    cancelled: bool = False


@dataclass(frozen=True)
class Override:
    recurrence_id: datetime  # the slot it replaces, local wall time
    meeting: MeetingTime


@dataclass(frozen=True)
class SeriesLayout:
    """The weekly series: where it starts, how many slots, which are excluded or replaced."""

    first_start: datetime  # local wall time, tz-aware
    first_end: datetime
    count: int
    exdates: list[datetime]
    overrides: list[Override]

    @property
    def all_cancelled(self) -> bool:
        return len(self.exdates) == self.count


def _slot_index(day: date, anchor: date) -> int:
    """The weekly slot nearest `day` (ties, 3.5 days away, cannot happen with whole days)."""
    return ((day - anchor).days + 3) // 7


def _nearest_free(wanted: int, taken: set[int]) -> int:
    """`wanted` if free, else the closest free slot (later first), never before slot 0."""
    distance = 0
    while True:
        for candidate in (wanted + distance, wanted - distance):
            if candidate >= 0 and candidate not in taken:
                return candidate
        distance += 1


def series_layout(circle: CircleSchedule, meetings: Sequence[MeetingTime]) -> SeriesLayout | None:
    """Lay the meetings out as one weekly series with exclusions and overrides (None if no meetings).

    Guarantees: expanding the series (COUNT slots from `first_start`), dropping `exdates` and
    putting each override at its own time gives exactly the start and end of every meeting that
    is not cancelled, in the circle's wall-clock time.
    """
    if not meetings:
        return None
    zone = ZoneInfo(circle.timezone)
    ordered = sorted(meetings, key=lambda m: m.starts_at)
    first_day = ordered[0].starts_at.astimezone(zone).date()
    # The date with the circle's weekday nearest the first meeting (at most 3 days away).
    offset = (circle.weekday - first_day.weekday()) % 7
    anchor = first_day + timedelta(days=offset if offset <= 3 else offset - 7)
    length = timedelta(minutes=circle.duration_minutes)

    def slot_start(index: int) -> datetime:
        return datetime.combine(anchor + timedelta(weeks=index), circle.start_time, tzinfo=zone)

    live = [m for m in ordered if not m.cancelled]
    claimed: dict[int, MeetingTime] = {}
    moved: list[MeetingTime] = []
    for meeting in live:
        local = meeting.starts_at.astimezone(zone)
        index = _slot_index(local.date(), anchor)
        on_pattern = (
            local.replace(tzinfo=None) == slot_start(index).replace(tzinfo=None)
            and meeting.ends_at - meeting.starts_at == length
        )
        if on_pattern:
            claimed[index] = meeting
        else:
            moved.append(meeting)
    overrides: list[Override] = []
    for meeting in moved:
        index = _nearest_free(_slot_index(meeting.starts_at.astimezone(zone).date(), anchor), set(claimed))
        claimed[index] = meeting
        overrides.append(Override(recurrence_id=slot_start(index), meeting=meeting))
    # The series reaches every meeting's week, cancelled ones too: cancelling the last meeting is
    # an EXDATE like any other, not a shorter term.
    last = max([*claimed, *(_slot_index(m.starts_at.astimezone(zone).date(), anchor) for m in ordered)])
    first_start = slot_start(0)
    # The end is the start's instant plus the length (elapsed time), shown in the circle's zone.
    first_end = (first_start.astimezone(UTC) + length).astimezone(zone)
    return SeriesLayout(
        first_start=first_start,
        first_end=first_end,
        count=last + 1,
        exdates=[slot_start(i) for i in range(last + 1) if i not in claimed],
        overrides=sorted(overrides, key=lambda o: o.recurrence_id),
    )


def schedule_sequence(circle: CircleSchedule, meetings: Sequence[MeetingTime]) -> int:
    """The series' SEQUENCE, derived from the meetings alone (nothing is stored).

    It is the number of cancelled meetings plus, for each meeting, the minutes by which it now
    starts later than the term as first laid out (the n-th meeting at `first_date` + n-1 weeks,
    at the start time, wall clock); a meeting that is earlier counts 0. So cancelling a meeting
    adds 1, skipping a week adds a week's minutes for each meeting it pushes back, and moving a
    meeting later adds the minutes it moved: none of these can lower it. Moving a meeting
    earlier, or rewriting the whole schedule, may leave it equal or lower; there DTSTAMP (the
    download time) still marks the newer file.
    """
    zone = ZoneInfo(circle.timezone)
    baseline = datetime.combine(circle.first_date, circle.start_time)
    ordered = sorted(meetings, key=lambda m: m.sequence)
    late = 0
    for position, meeting in enumerate(ordered):
        planned = baseline + timedelta(weeks=position)
        actual = meeting.starts_at.astimezone(zone).replace(tzinfo=None)
        late += max(int((actual - planned).total_seconds() // 60), 0)
    return sum(1 for m in meetings if m.cancelled) + late


def _event(circle: CircleSchedule, *, start: datetime, end: datetime, sequence: int,
           include_location: str | None, now: datetime) -> Event:
    event = Event.new(
        uid=f"circle-{circle.id}@hearth",
        start=start,
        end=end,
        summary=circle.title,
        description=f"Your Hearth circle. Details and any changes: {circle.page_url}",
        url=circle.page_url,
        sequence=sequence,
        stamp=now.astimezone(UTC),
    )
    if include_location:
        event.add("location", include_location)
    return event


@dataclass(frozen=True)
class CircleSeries:
    """One circle's part of a calendar: its schedule, meetings and (for those allowed) place."""

    circle: CircleSchedule
    meetings: list[MeetingTime]
    include_location: str | None = None


def circle_calendar(circle: CircleSchedule, meetings: list[MeetingTime], *, include_location: str | None,
                    now: datetime) -> bytes:
    """The circle's meetings as an .ics file (see the module docstring for its shape).

    `include_location` (the meeting link or address) is written only when given: pass it only
    to those allowed to see it. `now` is the file's DTSTAMP.
    """
    return circles_calendar([CircleSeries(circle, meetings, include_location)], now=now)


@dataclass(frozen=True)
class SingleEvent:
    """One event beside the circles' series in a member's feed (a practice session), in UTC."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    url: str
    tentative: bool = False


def circles_calendar(series: Sequence[CircleSeries], *, now: datetime,
                     events: Sequence[SingleEvent] = ()) -> bytes:
    """Several circles in one .ics file (a member's feed): each circle is its own series, laid
    out exactly as `circle_calendar` lays out one, with one VTIMEZONE per zone used; `events`
    are added as they are, in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    years = [span for item in series if (span := _add_series(calendar, item, now)) is not None]
    for single in events:
        event = Event.new(uid=single.uid, start=single.starts_at.astimezone(UTC),
                          end=single.ends_at.astimezone(UTC), summary=single.summary, url=single.url,
                          stamp=now.astimezone(UTC))
        event.add("status", "TENTATIVE" if single.tentative else "CONFIRMED")
        calendar.add_component(event)
    if years:
        # The zones' rules for the years the terms touch, not all of 1970-2038: a smaller file.
        calendar.add_missing_timezones(first_date=date(min(y[0] for y in years) - 1, 1, 1),
                                       last_date=date(max(y[1] for y in years) + 2, 1, 1))
    return calendar.to_ical()


def _add_series(calendar: Calendar, item: CircleSeries, now: datetime) -> tuple[int, int] | None:
    """Add the circle's series to the calendar; the first and last year it touches (None: empty)."""
    circle, meetings, include_location = item.circle, item.meetings, item.include_location
    layout = series_layout(circle, meetings)
    if layout is not None:
        sequence = schedule_sequence(circle, meetings)
        series = _event(circle, start=layout.first_start, end=layout.first_end, sequence=sequence,
                        include_location=include_location, now=now)
        series.add("rrule", {"freq": "weekly", "count": layout.count})
        if layout.exdates:
            series.add("exdate", layout.exdates)
        if layout.all_cancelled:
            series.add("status", "CANCELLED")
        calendar.add_component(series)
        zone = ZoneInfo(circle.timezone)
        for override in layout.overrides:
            moved = _event(circle, start=override.meeting.starts_at.astimezone(zone),
                           end=override.meeting.ends_at.astimezone(zone), sequence=sequence,
                           include_location=include_location, now=now)
            moved.add("recurrence-id", override.recurrence_id)
            calendar.add_component(moved)
        return layout.first_start.year, max(m.ends_at for m in meetings).year
    return None


def calendar_filename(title: str, circle_id: int) -> str:
    """A safe ASCII file name for the download: the title as a slug, e.g. `back-to-work.ics`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"{slug or f'circle-{circle_id}'}.ics"
