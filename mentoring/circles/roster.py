"""What a facilitator reads: her circles, her week, a circle's roster and attendance.

Reads only, each in a fixed handful of queries whatever the size of the circle. Names, never
emails: a facilitator sees display names (DESIGN.md section 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Row, bindparam, case, func, literal, select, union_all

from mentoring.accounts.models import User
from mentoring.circles.agreement import members_yet_to_accept
from mentoring.circles.models import (
    LIVE_CIRCLE_STATUSES,
    Attendance,
    AttendanceStatus,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.conversations.absences import Absence, absences_among, absences_from
from mentoring.extensions import db
from mentoring.reads import NO_INT, NO_TEXT, NO_TIME, constant, read_rows, utc_aware

ROSTER_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def missed_two_in_a_row(marks: Sequence[str | None]) -> bool:
    """Her last two held meetings were both plain absences.

    `marks` are her statuses at the circle's held meetings in order (None: not marked).
    Excused never counts as missed and, like being present, breaks the run.
    """
    return len(marks) >= 2 and marks[-1] == AttendanceStatus.ABSENT and marks[-2] == AttendanceStatus.ABSENT


@dataclass(frozen=True)
class CircleSummary:
    circle: Row  # id, title, theme, status, seats_taken, capacity, first_date
    waitlisted: int


class Upcoming(NamedTuple):
    """One of her next meetings, for her dashboard."""

    id: int
    circle_id: int
    sequence: int
    starts_at: datetime
    title: str
    meeting_count: int


@dataclass(frozen=True)
class Dashboard:
    circles: list[CircleSummary]  # her current circles: drafts, open, full, running
    upcoming: list[Upcoming]
    cant_come: dict[int, list[Absence]]  # who said she can't come, by meeting (upcoming ones)
    # Completed or cancelled (rows as CircleSummary.circle), newest first: the latest PAST_SHOWN
    # unless all were asked for.
    past: list[Row]
    past_total: int

    @property
    def more_past(self) -> int:
        return self.past_total - len(self.past)


PAST_SHOWN = 5
PAST_ALL = 1_000  # "all": more terms than anyone leads in a working life
PAST_STATUSES = (CircleStatus.COMPLETED, CircleStatus.CANCELLED)


# The dashboard's statements, built once (a facilitator opens it many times a day, and building
# a statement costs more than running it); only the bound values change.
_MINE = Circle.facilitator_id == bindparam("facilitator_id")
_IS_PAST = case((Circle.status.in_([constant(str(s)) for s in PAST_STATUSES]), constant(1)),
                else_=constant(0))
# Her circles with the columns the page shows, ranked within current and past, newest first,
# with how many of each there are: read once from her circles (no join back to the table).
_RANKED = (
    select(
        Circle.id, Circle.title, Circle.theme, Circle.status, Circle.seats_taken, Circle.capacity,
        Circle.first_date, Circle.created_at,
        _IS_PAST.label("past"),
        func.row_number().over(partition_by=_IS_PAST, order_by=(Circle.created_at.desc(), Circle.id.desc()))
        .label("rank"),
        func.count().over(partition_by=_IS_PAST).label("of_kind"),
    )
    .where(_MINE)
    .subquery()
)
_WAITLISTED = (
    select(func.count(Enrollment.id))
    .where(Enrollment.circle_id == _RANKED.c.id,
           Enrollment.status == constant(str(EnrollmentStatus.WAITLISTED)))
    .correlate(_RANKED)
    .scalar_subquery()
)
# Every current circle and the latest `past_limit` past ones, with the waitlists: the columns the
# page shows, as rows (the page changes nothing, so no model objects to track).
_CIRCLES = (
    select(_RANKED.c.id, _RANKED.c.title, _RANKED.c.theme, _RANKED.c.status, _RANKED.c.seats_taken,
           _RANKED.c.capacity, _RANKED.c.first_date, _RANKED.c.past, _RANKED.c.of_kind,
           _WAITLISTED.label("waitlisted"))
    .where((_RANKED.c.past == constant(0)) | (_RANKED.c.rank <= bindparam("past_limit")))
    .order_by(_RANKED.c.created_at.desc(), _RANKED.c.id.desc())
)
# Her next meetings in her live circles, whose ids the circles query has just read. Her
# circles' meetings are found first, on their own (MATERIALIZED), then sorted: once PostgreSQL
# runs the statement prepared, a generic plan for "soonest first, LIMIT 12" walked every
# meeting in the database by start time until it had found twelve of hers, 25 times slower.
_HER_NEXT = (
    select(Meeting.id, Meeting.circle_id, Meeting.sequence, Meeting.starts_at)
    .where(
        Meeting.circle_id.in_(bindparam("circle_ids", expanding=True)),
        Meeting.status == constant(str(MeetingStatus.SCHEDULED)),
        Meeting.ends_at > bindparam("now"),
    )
    .cte("her_next_meetings")
    .prefix_with("MATERIALIZED")
)
# The soonest ones first, then their circles' titles: only the meetings shown are joined.
_SOONEST = (
    select(_HER_NEXT).order_by(_HER_NEXT.c.starts_at).limit(bindparam("upcoming_limit")).cte("soonest")
)
_ABSENT = absences_among(select(_SOONEST.c.id)).subquery()
# The meetings shown (the columns the page shows, as rows: it changes nothing, so no model
# objects to track) and who said she can't come to them, in one statement.
_UPCOMING = union_all(
    select(literal("meeting").label("what"), _SOONEST.c.id.label("id"),
           _SOONEST.c.circle_id.label("circle_id"), _SOONEST.c.sequence.label("sequence"),
           _SOONEST.c.starts_at.label("starts_at"), Circle.title.label("title"),
           Circle.meeting_count.label("meeting_count"), NO_INT.label("user_id"),
           NO_TEXT.label("display_name"), NO_TEXT.label("note"), NO_INT.label("rank"))
    .join(Circle, Circle.id == _SOONEST.c.circle_id),
    select(literal("absence"), _ABSENT.c.meeting_id, NO_INT, NO_INT, NO_TIME, NO_TEXT, NO_INT,
           _ABSENT.c.user_id, _ABSENT.c.display_name, _ABSENT.c.note, _ABSENT.c.rank),
)
_LIVE = frozenset(str(s) for s in LIVE_CIRCLE_STATUSES)


def facilitator_dashboard(
    facilitator_id: int, now: datetime, *, upcoming_limit: int = 12, all_past: bool = False
) -> Dashboard:
    """Her current circles (newest first) with waitlist counts, her latest past circles (all of
    them with `all_past`) and how many there are, and her next meetings in published circles.
    Two queries (one when none of her circles is live), however many terms she has led."""
    values = {"facilitator_id": facilitator_id, "now": now, "upcoming_limit": upcoming_limit,
              "past_limit": PAST_ALL if all_past else PAST_SHOWN}
    circles = read_rows(_CIRCLES, values)
    live = [row.id for row in circles if row.status in _LIVE]
    rows = read_rows(_UPCOMING, {**values, "circle_ids": live}) if live else []
    upcoming = sorted((row for row in rows if row.what == "meeting"), key=lambda row: (row.starts_at, row.id))
    return Dashboard(
        circles=[CircleSummary(circle=row, waitlisted=row.waitlisted) for row in circles if not row.past],
        upcoming=[Upcoming(row.id, row.circle_id, row.sequence, utc_aware(row.starts_at), row.title,
                           row.meeting_count) for row in upcoming],
        cant_come=absences_from((row.id, row.user_id, row.display_name, row.note, row.rank)
                                for row in rows if row.what == "absence"),
        past=[row for row in circles if row.past],
        past_total=next((row.of_kind for row in circles if row.past), 0),
    )


@dataclass
class RosterRow:
    enrollment: Enrollment
    name: str
    marks: list[Attendance | None] = field(default_factory=list)  # one per held meeting
    missed_two: bool = False
    agreement_to_accept: bool = False  # the circle's agreement changed since she accepted it


@dataclass(frozen=True)
class Roster:
    meetings: list[Meeting]
    held: list[Meeting]
    rows: list[RosterRow]
    waitlisted: int


def circle_roster(circle_id: int) -> Roster:
    """The circle's meetings, its members (active or completed) and their attendance grid."""
    meetings = list(db.session.execute(
        select(Meeting).where(Meeting.circle_id == circle_id).order_by(Meeting.sequence)
    ).scalars())
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    pairs = db.session.execute(
        select(Enrollment, User.display_name)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.circle_id == circle_id, Enrollment.status.in_([str(s) for s in ROSTER_STATUSES]))
        .order_by(func.lower(User.display_name), Enrollment.id)
    ).all()
    waitlisted = db.session.execute(
        select(func.count()).select_from(Enrollment)
        .where(Enrollment.circle_id == circle_id, Enrollment.status == EnrollmentStatus.WAITLISTED)
    ).scalar_one()
    marks: dict[tuple[int, int], Attendance] = {}
    if held:
        for row in db.session.execute(
            select(Attendance).where(Attendance.meeting_id.in_([m.id for m in held]))
        ).scalars():
            marks[(row.meeting_id, row.user_id)] = row
    yet_to_accept = members_yet_to_accept(circle_id)
    rows = []
    for enrollment, name in pairs:
        her = [marks.get((m.id, enrollment.user_id)) for m in held]
        rows.append(RosterRow(
            enrollment=enrollment, name=name, marks=her,
            missed_two=missed_two_in_a_row([a.status if a else None for a in her]),
            agreement_to_accept=enrollment.id in yet_to_accept,
        ))
    return Roster(meetings=meetings, held=held, rows=rows, waitlisted=waitlisted)


class Mark(NamedTuple):
    """Her attendance mark so far at one meeting."""

    status: str
    note: str | None


# Built once: the facilitator's attendance page runs it each time, and building a statement
# costs more than running it.
_ATTENDANCE_SHEET = (
    select(Enrollment.user_id, User.display_name, Attendance.status, Attendance.note)
    .join(User, User.id == Enrollment.user_id)
    .outerjoin(Attendance, (Attendance.user_id == Enrollment.user_id)
               & (Attendance.meeting_id == bindparam("meeting_id")))
    .where(Enrollment.circle_id == bindparam("circle_id"),
           Enrollment.status.in_([constant(str(s)) for s in ROSTER_STATUSES]))
    .order_by(func.lower(User.display_name), Enrollment.id)
)


def attendance_sheet(meeting: Meeting) -> list[tuple[int, str, Mark | None]]:
    """(user id, display name, her mark so far) for each member who can be marked at a meeting."""
    sheet = read_rows(_ATTENDANCE_SHEET, {"meeting_id": meeting.id, "circle_id": meeting.circle_id})
    return [(user_id, name, Mark(status, note) if status else None) for user_id, name, status, note in sheet]
