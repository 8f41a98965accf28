"""Finding a weekly time for a circle: pure functions over plain values.

Each candidate is a weekly start (weekday and local time in the circle's zone) on the 30-minute
grid. It is judged on every actual date of the term: the date's start instant is computed in
the circle's zone, then turned into each member's own wall clock for that date, so clock
changes in different zones on different dates are each taken where they fall. A member can
attend a candidate when, on every date, the meeting lies inside her available time and touches
none of her hard blocks. Candidates rank by

1. how many members can attend on every date,
2. fewer soft-block clashes (member-dates),
3. fewer minutes in the school-run and bedtime rush (each member's own zone),

then by weekday and time, so the order is total and does not depend on the members' order.
What comes out names members by id and counts dates: never a label of anyone's week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentoring.availability.windows import DAY, STEP, WeekIndex, Window
from mentoring.errors import InvalidInput

# Candidates start no earlier than this and end no later than that, in the circle's zone.
EARLIEST_START = 6 * 60
LATEST_END = 23 * 60


class DurationDoesNotFit(InvalidInput):
    """That length does not fit in a day."""

    field = "duration"


@dataclass(frozen=True)
class MemberWeek:
    member_id: int
    timezone: str
    windows: tuple[Window, ...]


@dataclass(frozen=True)
class Candidate:
    weekday: int  # Monday 0, in the circle's zone
    start: int  # minutes after midnight, circle's zone

    @property
    def start_time(self) -> time:
        return time(self.start // 60, self.start % 60)


@dataclass(frozen=True)
class SlotResult:
    candidate: Candidate
    dates: tuple[date, ...]  # the term's dates in the circle's zone
    starts: tuple[datetime, ...]  # the same dates as UTC instants
    can_attend: tuple[int, ...]  # member ids, ascending
    busy_dates: tuple[tuple[int, int], ...]  # (member id, dates she can't make), ascending ids
    soft_clashes: int
    rush_minutes: int

    @property
    def rank_key(self) -> tuple[int, int, int, int, int]:
        return (-len(self.can_attend), self.soft_clashes, self.rush_minutes,
                self.candidate.weekday, self.candidate.start)

    def reason(self, member_id: int) -> str:
        """Why she can't come, in neutral words ('busy on 3 of 8 dates'); '' if she can."""
        busy = dict(self.busy_dates).get(member_id, 0)
        return f"busy on {busy} of {len(self.dates)} dates" if busy else ""


def term_dates(first_date: date, weekday: int, count: int) -> list[date]:
    """`count` weekly dates on `weekday`, from the first such day on or after `first_date`."""
    first = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
    return [first + timedelta(weeks=n) for n in range(count)]


def candidates(duration: int, *, earliest: int = EARLIEST_START,
               latest_end: int = LATEST_END) -> list[Candidate]:
    """Every weekly start on the 30-minute grid whose meeting fits between `earliest` and
    `latest_end`. Raises DurationDoesNotFit when none does."""
    if duration <= 0 or earliest + duration > latest_end:
        raise DurationDoesNotFit(
            f"A {duration}-minute meeting does not fit between {earliest // 60:02d}:00 and "
            f"{latest_end // 60:02d}:00. Please choose a shorter length.")
    return [Candidate(day, start) for day in range(7)
            for start in range(earliest, latest_end - duration + 1, STEP)]


def _start_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


def _week_minute(instant: datetime, zone: ZoneInfo) -> int:
    local = instant.astimezone(zone)
    return local.weekday() * DAY + local.hour * 60 + local.minute


def judge_slot(candidate: Candidate, members: Sequence[MemberWeek], indexes: dict[int, WeekIndex], *,
               circle_tz: str, first_date: date, count: int, duration: int) -> SlotResult:
    """One candidate judged on each date of the term for each member (see the module docstring)."""
    circle_zone = ZoneInfo(circle_tz)
    dates = term_dates(first_date, candidate.weekday, count)
    starts = [_start_instant(day, candidate.start, circle_zone) for day in dates]
    can_attend: list[int] = []
    busy_dates: list[tuple[int, int]] = []
    soft_clashes = rush_minutes = 0
    for member in sorted(members, key=lambda m: m.member_id):
        zone = ZoneInfo(member.timezone)
        index = indexes[member.member_id]
        busy = 0
        for instant in starts:
            free, hard, soft, rush = index.judge(_week_minute(instant, zone), duration)
            busy += not free or hard
            soft_clashes += soft
            rush_minutes += rush
        if busy:
            busy_dates.append((member.member_id, busy))
        else:
            can_attend.append(member.member_id)
    return SlotResult(candidate=candidate, dates=tuple(dates), starts=tuple(starts),
                      can_attend=tuple(can_attend), busy_dates=tuple(busy_dates),
                      soft_clashes=soft_clashes, rush_minutes=rush_minutes)


def find_times(members: Sequence[MemberWeek], *, circle_tz: str, first_date: date, count: int,
               duration: int) -> list[SlotResult]:
    """Every candidate for the term, best first (see the module docstring for the order).

    Each member's week is indexed once, so the work grows linearly with members x dates x
    candidates. Raises DurationDoesNotFit.
    """
    pool = candidates(duration)
    indexes = {m.member_id: WeekIndex.of(m.windows) for m in members}
    results = [judge_slot(c, members, indexes, circle_tz=circle_tz, first_date=first_date, count=count,
                          duration=duration) for c in pool]
    return sorted(results, key=lambda r: r.rank_key)
