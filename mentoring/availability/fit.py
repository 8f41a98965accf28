"""Does a circle fit her? SQL conditions over each meeting still to come, in HER zone on ITS date.

The circle list asks two things of every meeting still to come: does it start on her chosen day
and hours, and does it fit her week (inside her free time, clear of her hard blocks)? Both are
judged in her wall-clock time on the meeting's own date. Her zone's UTC offset is not one
number: `offset_periods` lists the offsets it takes from now on (a handful of clock changes a
year), and the SQL picks the one in force at each meeting's instant with a CASE. So a London
member looking at a New York circle in the weeks between the two countries' changes sees those
meetings an hour off, as they will be.

Everything is one correlated NOT EXISTS per circle in the list's single statement: no query per
circle. "Fits my week" reads her windows once (one query, whatever the number of circles) and
binds them as a minute-by-minute map (`windows.fit_map`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, LargeBinary, and_, bindparam, case, cast, exists, func, not_

from mentoring.availability.windows import DAY, WEEK
from mentoring.circles.models import Circle, Meeting, MeetingStatus

HORIZON = timedelta(days=3 * 366)  # further ahead than any term can be planned

Periods = tuple[tuple[datetime | None, int], ...]  # (in force until, offset minutes); last: None


def _offset(zone: ZoneInfo, instant: datetime) -> int:
    return int((instant.astimezone(zone).utcoffset() or timedelta(0)).total_seconds() // 60)


@lru_cache(maxsize=512)
def offset_periods(tzname: str, start: datetime, horizon: timedelta = HORIZON) -> Periods:
    """The zone's UTC offsets from `start` on: ((until, minutes), ..., (None, minutes)).

    Found by stepping a day at a time and bisecting each change to the minute; beyond the
    horizon the last offset holds. Pure; cached (callers pass `start` rounded to the day).
    """
    zone = ZoneInfo(tzname)
    periods: list[tuple[datetime | None, int]] = []
    day, end = start, start + horizon
    current = _offset(zone, day)
    while day < end:
        following = day + timedelta(days=1)
        if _offset(zone, following) != current:
            lo, hi = 0, DAY  # minutes after `day`: the change lies in (lo, hi]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if _offset(zone, day + timedelta(minutes=mid)) == current else (lo, mid)
            change = day + timedelta(minutes=hi)
            periods.append((change, current))
            current = _offset(zone, change)
        day = following
    periods.append((None, current))
    return tuple(periods)


def periods_from(tzname: str, now: datetime) -> Periods:
    """`offset_periods` from the start of `now`'s UTC day (so one cache entry serves a day)."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return offset_periods(tzname, day)


def _utc_week_minute(instant: ColumnElement, dialect: str) -> ColumnElement[int]:
    """Minutes since Monday 00:00 UTC of the instant's week."""
    if dialect == "postgresql":
        utc = func.timezone("UTC", instant)
        parts = [cast(func.extract(part, utc), Integer) for part in ("isodow", "hour", "minute")]
        return (parts[0] - 1) * DAY + parts[1] * 60 + parts[2]
    # SQLite keeps instants as UTC text; %w counts from Sunday 0.
    day, hour, minute = (cast(func.strftime(fmt, instant), Integer) for fmt in ("%w", "%H", "%M"))
    return ((day + 6) % 7) * DAY + hour * 60 + minute


def local_week_minute(instant: ColumnElement, periods: Periods, dialect: str) -> ColumnElement[int]:
    """Minutes since Monday 00:00 of her week, on her clock at that instant."""
    *changes, (_, last) = periods
    offset = (case(*[(instant < until, minutes) for until, minutes in changes], else_=last)
              if changes else last)
    return (_utc_week_minute(instant, dialect) + offset + WEEK) % WEEK


def _meetings_to_come(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Meeting.circle_id == Circle.id, Meeting.status == MeetingStatus.SCHEDULED,
                          Meeting.starts_at > bindparam("now"), *conditions)


def starts_within(weekday: int | None, window: tuple[int, int] | None, periods: Periods,
                  dialect: str) -> ColumnElement[bool]:
    """Every meeting to come starts on her `weekday` (None: any) within `window` [from, until)
    minutes of her day (None: any time), and at least one is to come."""
    local = local_week_minute(Meeting.starts_at, periods, dialect)
    lo, hi = window or (0, DAY)
    if weekday is None:
        inside = and_(local % DAY >= lo, local % DAY < hi)
    else:
        inside = and_(local >= weekday * DAY + lo, local < weekday * DAY + hi)
    return and_(_meetings_to_come(), not_(_meetings_to_come(not_(inside))))


def fits_her_week(periods: Periods, dialect: str) -> ColumnElement[bool]:
    """Every meeting to come lies inside her free time (all of it when she marked none) and
    touches none of her hard blocks, in her zone on its date, and at least one is to come.

    Her week arrives as `:fit_map` (see `windows.fit_map`, bound per request) and `:fit_ones`
    (as many b"1" as the longest meeting): a meeting fits when its stretch of the map is all
    ones. Her local start is computed once per meeting, so the test costs the same whatever
    her week holds.
    """
    start = local_week_minute(Meeting.starts_at, periods, dialect)
    stretch = func.substr(bindparam("fit_map", type_=LargeBinary), start + 1, Circle.duration_minutes)
    fits = stretch == func.substr(bindparam("fit_ones", type_=LargeBinary), 1, Circle.duration_minutes)
    return and_(_meetings_to_come(), not_(_meetings_to_come(not_(fits))))
