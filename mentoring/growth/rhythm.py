"""The rhythm between meetings, as pure functions over plain values.

A *gap* runs from the end of one of the circle's meetings to the start of the next one that
is not cancelled: a cancelled meeting joins its two gaps into one, a moved meeting moves the
gap's ends, and a skipped week (the term pushed a week later) is simply a longer gap. A gap is
named by the meeting it follows, so a check-in keeps its gap when later meetings change.

The streak counts consecutive gaps with a check-in, newest first. A gap she was excused from
(an excused absence at either meeting around it) and the gap still open are passed over, never
counted against her.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_PROMPT_TIME = time(20, 30)  # after bedtime
REMINDER_LEAD = timedelta(hours=24)


@dataclass(frozen=True)
class MeetingSlot:
    id: int
    starts_at: datetime
    ends_at: datetime
    cancelled: bool = False


@dataclass(frozen=True)
class Gap:
    after_meeting_id: int
    before_meeting_id: int
    opens_at: datetime  # the end of the meeting it follows
    closes_at: datetime  # the start of the next meeting: check-ins can be changed until then

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


def gaps_between(meetings: Iterable[MeetingSlot]) -> list[Gap]:
    """The gaps between consecutive meetings that are not cancelled, in time order."""
    held = sorted((m for m in meetings if not m.cancelled), key=lambda m: (m.starts_at, m.id))
    return [Gap(a.id, b.id, a.ends_at, b.starts_at) for a, b in zip(held, held[1:], strict=False)]


def open_gap(gaps: Sequence[Gap], now: datetime) -> Gap | None:
    """The gap a check-in written at `now` belongs to, or None (before the first meeting ends,
    during a meeting, after the last one)."""
    return next((gap for gap in gaps if gap.is_open(now)), None)


def opened_gaps(gaps: Sequence[Gap], now: datetime) -> list[Gap]:
    """Gaps that have opened by `now`: those a member could have checked in for."""
    return [gap for gap in gaps if gap.opens_at <= now]


def excused_gaps(gaps: Sequence[Gap], excused_meeting_ids: set[int]) -> set[int]:
    """The gaps (by the meeting they follow) next to a meeting she was excused from."""
    return {
        gap.after_meeting_id
        for gap in gaps
        if gap.after_meeting_id in excused_meeting_ids or gap.before_meeting_id in excused_meeting_ids
    }


def streak(gaps: Sequence[Gap], checked_in: set[int], excused: set[int], now: datetime) -> int:
    """Consecutive gaps with a check-in, counted back from the newest gap that has opened.

    A missing check-in in an excused gap or in the gap still open neither counts nor breaks it.
    """
    count = 0
    for gap in reversed(opened_gaps(gaps, now)):
        if gap.after_meeting_id in checked_in:
            count += 1
        elif gap.after_meeting_id in excused or gap.is_open(now):
            continue
        else:
            break
    return count


def gone_quiet(gaps: Sequence[Gap], checked_in: set[int], last_attendance: str | None, now: datetime) -> bool:
    """No check-in in either of the last two gaps that have closed, and absent (not excused)
    from the last meeting held."""
    closed = [gap for gap in gaps if gap.closes_at <= now]
    if len(closed) < 2 or last_attendance != "absent":
        return False
    return not any(gap.after_meeting_id in checked_in for gap in closed[-2:])


def _zone(tzname: str) -> ZoneInfo:
    try:
        return ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def prompt_at(gap: Gap, tzname: str, prompt_time: time | None) -> datetime:
    """When to ask for her check-in: the first time her clock reads her check-in time at or
    after the middle of the gap."""
    wall = prompt_time or DEFAULT_PROMPT_TIME
    zone = _zone(tzname)
    middle = gap.opens_at + (gap.closes_at - gap.opens_at) / 2
    day = middle.astimezone(zone).date()
    candidate = _local_instant(day, wall, zone)
    if candidate < middle:
        candidate = _local_instant(day + timedelta(days=1), wall, zone)
    return candidate


def reminder_at(gap: Gap) -> datetime:
    """When to remind her if she has not checked in: a day before the next meeting."""
    return gap.closes_at - REMINDER_LEAD


def may_read(
    visibility: str,
    *,
    owner_id: int,
    viewer_id: int | None,
    shares_circle: bool,
    owners_buddies: Collection[int],
) -> bool:
    """Whether `viewer_id` may read a goal or check-in of `owner_id` shared with `visibility`.

    private: only her. buddy: her and her practice buddies (`owners_buddies`, from the buddies
    feature; with no buddy it is private). circle: her, her buddies and the members of the circle
    it belongs to (`shares_circle`). Anything else (an unknown visibility) is private.
    """
    if viewer_id is None:
        return False
    if viewer_id == owner_id:
        return True
    is_buddy = viewer_id in owners_buddies
    if visibility == "buddy":
        return is_buddy
    if visibility == "circle":
        return is_buddy or shares_circle
    return False
