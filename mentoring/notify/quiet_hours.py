"""Quiet hours: wall-clock windows in her own timezone when Hearth does not email her.

Pure functions over plain values. A window is `start`..`end` local time; `start > end` crosses
midnight (21:30-07:00), `start < end` lies within one day (13:00-15:00 for a nap), and
`start == end` or a missing bound means quiet hours are off. Wall-clock time is what counts, so
on daylight-saving days the window is as long as the clock says, not a fixed number of hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone(tzname: str) -> ZoneInfo:
    # A stored zone that the machine no longer knows must not stop her mail: read it as UTC.
    try:
        return ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _require_aware(now_utc: datetime) -> None:
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")


def is_quiet_at(wall: time, start: time | None, end: time | None) -> bool:
    """Whether the local wall-clock time `wall` falls in the window [start, end)."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end


def in_quiet_hours(now_utc: datetime, tzname: str, start: time | None, end: time | None) -> bool:
    """Whether the instant `now_utc` falls in her quiet hours, read on her own clock."""
    _require_aware(now_utc)
    wall = now_utc.astimezone(_zone(tzname)).time()
    return is_quiet_at(wall, start, end)


def _first_instants_at(day: date, wall: time, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants at which the clock in `zone` first reads `wall` or later on `day`.

    Usually one instant; two when the clock falls back and shows `wall` twice; and when the
    clock springs forward over `wall` (it never shows it), the moment of the jump.
    """
    naive = datetime.combine(day, wall)
    earlier_offset = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later_offset = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if earlier_offset.astimezone(zone).replace(tzinfo=None) == naive:
        return sorted({earlier_offset, later_offset})
    # In a spring-forward gap: find the jump between the two readings. Zone transitions fall
    # on whole seconds, so a search over whole seconds finds it exactly.
    low, high = sorted(int(instant.timestamp()) for instant in (earlier_offset, later_offset))
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return [datetime.fromtimestamp(high, UTC)]


def quiet_hours_end(now_utc: datetime, tzname: str, start: time | None, end: time | None) -> datetime:
    """The first instant (UTC) at or after `now_utc` that is outside her quiet hours.

    `now_utc` itself when she is not in quiet hours. Otherwise the next time her clock reads
    `end` -- or, on a spring-forward night that skips `end`, the moment the clock jumps past it.
    """
    _require_aware(now_utc)
    if not in_quiet_hours(now_utc, tzname, start, end):
        return now_utc
    assert end is not None  # in quiet hours, so the window is on
    zone = _zone(tzname)
    today = now_utc.astimezone(zone).date()
    # Today's or tomorrow's end, normally. A third day only if a clock change swallowed the
    # whole free time between two windows (a free window shorter than the jump).
    for days in range(3):
        for candidate in _first_instants_at(today + timedelta(days=days), end, zone):
            if candidate > now_utc and not in_quiet_hours(candidate, tzname, start, end):
                return candidate
    raise ValueError("quiet hours that never end")  # unreachable while start != end


def quiet_hours_start(now_utc: datetime, tzname: str, start: time | None, end: time | None) -> datetime:
    """The instant (UTC) her quiet hours holding `now_utc` began: the last time at or before it
    that her clock first read `start`. `now_utc` itself when she is not in quiet hours."""
    _require_aware(now_utc)
    if not in_quiet_hours(now_utc, tzname, start, end):
        return now_utc
    assert start is not None  # in quiet hours, so the window is on
    zone = _zone(tzname)
    today = now_utc.astimezone(zone).date()
    for days in range(3):
        began = [c for c in _first_instants_at(today - timedelta(days=days), start, zone)
                 if c <= now_utc and in_quiet_hours(c, tzname, start, end)]
        if began:
            return max(began)
    raise ValueError("quiet hours that never began")  # unreachable while start != end
