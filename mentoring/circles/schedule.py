"""Meeting dates: pure functions over plain values.

A circle meets at a local wall-clock time in its own timezone. Each meeting's instant is
computed for its actual date, so a 20:30 Tuesday circle in Europe/London is at 20:30 London time
before and after the clocks change, and its UTC instant moves instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class MeetingSlot:
    sequence: int
    local_date: date
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


def local_instant(day: date, at: time, tzname: str) -> datetime:
    """The UTC instant of a wall-clock time on a day in a zone.

    A time that does not exist that day (inside a spring-forward gap) resolves, as zoneinfo
    does with fold=0, to the offset before the change, which lands it just after the gap.
    """
    local = datetime.combine(day, at, tzinfo=ZoneInfo(tzname))
    return local.astimezone(UTC)


def weekly_slots(
    first_date: date,
    start: time,
    duration_minutes: int,
    tzname: str,
    count: int,
    *,
    skipped: Iterable[date] = (),
) -> list[MeetingSlot]:
    """`count` weekly meetings from `first_date`, stepping over skipped weeks.

    A skipped date (a holiday week) does not use up a meeting: the term moves a week later.
    """
    skip = set(skipped)
    slots: list[MeetingSlot] = []
    day = first_date
    while len(slots) < count:
        if day not in skip:
            starts = local_instant(day, start, tzname)
            slots.append(
                MeetingSlot(
                    sequence=len(slots) + 1,
                    local_date=day,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=duration_minutes),
                )
            )
        day += timedelta(days=7)
    return slots


def local_date_of(instant: datetime, tzname: str) -> date:
    """The wall-clock date of an instant in a zone."""
    return instant.astimezone(ZoneInfo(tzname)).date()


def shifted_by_weeks(instant: datetime, tzname: str, weeks: int) -> datetime:
    """The same local wall-clock time `weeks` later, recomputed for the new date (DST-safe)."""
    local = instant.astimezone(ZoneInfo(tzname))
    return local_instant(local.date() + timedelta(weeks=weeks), local.time().replace(tzinfo=None), tzname)

