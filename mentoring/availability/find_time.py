"""Find a time: the facilitator fits her people to a weekly slot, then sets the schedule.

The people are a draft's interested members or a live circle's active members. What the
facilitator gets back names people and counts dates ("busy on 3 of 8 dates"); it never carries
a label or a window of anyone's week. Choosing a slot goes through the circle's own schedule
edit (`circles.service.update_circle`), which regenerates the meetings to come and tells
members, so there is one way to change a schedule.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentoring.accounts.models import User
from mentoring.availability.models import CircleInterest
from mentoring.availability.service import weeks_of
from mentoring.availability.slots import MemberWeek, SlotResult, find_times, term_dates
from mentoring.availability.windows import DAY, STEP
from mentoring.circles.circle_input import circle_input_of
from mentoring.circles.models import Circle, CircleStatus, Enrollment, EnrollmentStatus, MeetingStatus
from mentoring.circles.service import circle_meetings, require_manager, update_circle
from mentoring.errors import InvalidInput, NotFound
from mentoring.extensions import db


class SlotOutsideTheDay(InvalidInput):
    """That time is not on the half-hour grid of one day. Please pick a time from the list."""


@dataclass(frozen=True)
class Person:
    user_id: int
    display_name: str
    timezone: str


@dataclass(frozen=True)
class TimeSearch:
    circle: Circle
    people: list[Person]  # everyone she could fit
    chosen: list[Person]  # the ones fitted this time
    results: list[SlotResult]  # best first
    duration: int
    first_date: date
    count: int

    def name(self, user_id: int) -> str:
        return next((p.display_name for p in self.people if p.user_id == user_id), "")

    def best(self, limit: int = 5) -> list[SlotResult]:
        """The best times to offer: never one that none of the chosen people can make (those
        filled the list with 06:00 slots, each with its own "Use this time", when few times fit).
        With nobody chosen, every time is as good, so the first ones stand."""
        if not self.chosen:
            return self.results[:limit]
        return [r for r in self.results if r.can_attend][:limit]

    def heat(self) -> list[tuple[int, list[SlotResult | None]]]:
        """The week as a grid in the circle's zone: for each start time, each weekday's result."""
        by_cell = {(r.candidate.weekday, r.candidate.start): r for r in self.results}
        starts = sorted({r.candidate.start for r in self.results})
        return [(start, [by_cell.get((day, start)) for day in range(7)]) for start in starts]

    def at(self, cell: str) -> SlotResult | None:
        """The result for a tapped cell, 'weekday-minute' (None for anything else)."""
        # ASCII digits only: str.isdigit() takes '²' and 100k digits, which int() refuses.
        match = re.fullmatch(r"([0-6])-([0-9]{1,4})", cell)
        if match is None:
            return None
        return next((r for r in self.results
                     if (r.candidate.weekday, r.candidate.start) == (int(match[1]), int(match[2]))), None)

    def local_times(self, result: SlotResult) -> list[tuple[Person, datetime]]:
        """Each chosen person's first meeting of that slot, as an instant to show in her zone."""
        return [(p, result.starts[0]) for p in self.chosen]


def _managed_circle(circle_id: int, actor_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        raise NotFound("We could not find that circle.")
    require_manager(circle, actor_id)
    return circle


def people_to_fit(circle: Circle) -> list[Person]:
    """A draft's interested members, or the active members of a published circle, by name."""
    if circle.status == CircleStatus.DRAFT:
        statement = select(User.id, User.display_name, User.timezone).join(
            CircleInterest, CircleInterest.user_id == User.id).where(CircleInterest.circle_id == circle.id)
    else:
        statement = select(User.id, User.display_name, User.timezone).join(
            Enrollment, Enrollment.user_id == User.id).where(
            Enrollment.circle_id == circle.id, Enrollment.status == EnrollmentStatus.ACTIVE)
    rows = db.session.execute(statement.where(User.deleted_at.is_(None)).order_by(User.display_name, User.id))
    return [Person(*row) for row in rows]


def term_to_plan(circle: Circle, now: datetime) -> tuple[date, int]:
    """Where a search starts by default: (first date, meetings). A draft plans its whole term
    from its first date; a circle that has met re-plans the meetings still to come, from today."""
    meetings = circle_meetings(circle.id)
    if not any(m.starts_at <= now for m in meetings):
        return max(circle.first_date, now.astimezone(ZoneInfo(circle.timezone)).date()), circle.meeting_count
    to_come = sum(1 for m in meetings if m.starts_at > now and m.status == MeetingStatus.SCHEDULED)
    return now.astimezone(ZoneInfo(circle.timezone)).date(), max(to_come, 1)


def search_times(circle_id: int, actor_id: int, *, user_ids: list[int] | None, duration: int,
                 first_date: date, count: int) -> TimeSearch:
    """Every weekly start for the chosen people, ranked (see `availability.slots`).

    `user_ids` None means everyone she could fit; ids outside that list are ignored.
    Two queries for the people and their weeks, whatever their number.
    Raises NotFound, NotYourCircle, DurationDoesNotFit.
    """
    circle = _managed_circle(circle_id, actor_id)
    people = people_to_fit(circle)
    chosen = [p for p in people if user_ids is None or p.user_id in set(user_ids)]
    weeks = weeks_of([p.user_id for p in chosen])
    members = [MemberWeek(p.user_id, p.timezone, tuple(weeks[p.user_id])) for p in chosen]
    results = find_times(members, circle_tz=circle.timezone, first_date=first_date, count=count,
                         duration=duration)
    return TimeSearch(circle=circle, people=people, chosen=chosen, results=results, duration=duration,
                      first_date=first_date, count=count)


def choose_time(circle_id: int, actor_id: int, *, weekday: int, start: int, duration: int, from_date: date,
                now: datetime) -> Circle:
    """Set the circle's weekly time to a found slot: the first such weekday on or after
    `from_date`, at `start` (minutes, the circle's zone) for `duration` minutes.

    Goes through `update_circle`, so its checks (a date in the past, a term shorter than the
    meetings already held) and its notice to members apply. Raises SlotOutsideTheDay, NotFound,
    NotYourCircle and whatever `update_circle` raises.
    """
    if weekday not in range(7) or start % STEP or not start >= 0 or start + duration > DAY:
        raise SlotOutsideTheDay()
    circle = _managed_circle(circle_id, actor_id)
    first = term_dates(from_date, weekday, 1)[0]
    data = replace(circle_input_of(circle, first), start_time=time(start // 60, start % 60),
                   duration_minutes=duration)
    return update_circle(circle.id, actor_id, data, now=now)


# --- interest in a draft ---------------------------------------------------------------------


def interest_key(circle_id: int, secret_key: str) -> str:
    """The secret part of a draft's interest link: a draft stays unseen except by those its
    facilitator shares the link with, so ids can't be walked to read planned circles."""
    digest = hmac.new(secret_key.encode(), f"circle-interest:{circle_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def planned_circle(circle_id: int, key: str, secret_key: str) -> Circle:
    """A circle still being planned, for its interest link. Raises NotFound for a wrong key or
    any circle that is not a draft."""
    circle = db.session.get(Circle, circle_id)
    if (circle is None or circle.status != CircleStatus.DRAFT
            # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
            or not hmac.compare_digest(interest_key(circle_id, secret_key).encode(), key.encode())):
        raise NotFound("We could not find a circle being planned at that address.")
    return circle


def is_interested(circle_id: int, user_id: int) -> bool:
    return db.session.scalar(select(CircleInterest.id).where(
        CircleInterest.circle_id == circle_id, CircleInterest.user_id == user_id)) is not None


def set_interest(circle_id: int, user_id: int, *, interested: bool, now: datetime) -> None:
    """Mark or unmark her interest in a draft (the caller has checked its link with
    `planned_circle`). Repeating either is harmless. Raises NotFound once it is no draft."""
    circle = db.session.get(Circle, circle_id)
    if circle is None or circle.status != CircleStatus.DRAFT:
        raise NotFound("We could not find a circle being planned at that address.")
    existing = db.session.scalar(select(CircleInterest).where(
        CircleInterest.circle_id == circle_id, CircleInterest.user_id == user_id))
    if interested and existing is None:
        try:
            # A second tap racing the first meets the unique key, and is the same answer.
            with db.session.begin_nested():
                db.session.add(CircleInterest(circle_id=circle_id, user_id=user_id, created_at=now))
        except IntegrityError:
            pass
    elif not interested and existing is not None:
        db.session.delete(existing)
    db.session.flush()
