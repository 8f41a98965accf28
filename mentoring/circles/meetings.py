"""Facilitators changing one meeting: cancel, skip a week, move, agenda, attendance.

Like `service.py`: ids and plain values plus `now`, the actor must run the circle (or be an
admin), flush and never commit, and members hear of each change once through its dedup key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import joinedload

from mentoring.circles import signals
from mentoring.circles.agenda import default_agenda
from mentoring.circles.lifecycle import withdraw_reminders
from mentoring.circles.models import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.circles.schedule import local_instant, shifted_by_weeks
from mentoring.circles.service import (
    MEETING_AUDIENCE,
    audience,
    circle_meetings,
    circle_path,
    notify_members,
    require_manager,
    require_open_for_changes,
)
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.reads import read_rows
from mentoring.timekeeping.display import format_local

MARKABLE = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)

class MeetingAlreadyStarted(DomainError):
    """This meeting has already started, so it can no longer be changed."""


class MeetingAlreadyCancelled(DomainError):
    """This meeting is already cancelled."""


class MeetingChangedMeanwhile(DomainError):
    """This meeting has already moved (perhaps the form was sent twice). Please check the schedule."""


class MeetingCollision(InvalidInput):
    """That time overlaps another meeting of this circle."""


class MeetingOutOfOrder(InvalidInput):
    """A meeting can only move between the meetings before and after it."""


class MeetingNotStarted(DomainError):
    """Attendance can be marked once the meeting has started."""


class NotInCircle(InvalidInput):
    """Attendance can only be marked for members of this circle."""


# Built once: every change to a meeting runs it. Read afresh and locked like the circle: a skip
# sent twice at once must see the first skip's new date. Its circle, which every change checks
# (is she its facilitator, is it open for changes), comes in the same statement, not locked.
_LOCKED_MEETING = (
    select(Meeting).options(joinedload(Meeting.circle)).where(Meeting.id == bindparam("meeting_id"))
    .with_for_update(of=Meeting).execution_options(populate_existing=True)
)


def find_locked_meeting(meeting_id: int) -> Meeting | None:
    """The meeting, with its circle, locked until the transaction ends (None: no such meeting)."""
    return db.session.execute(_LOCKED_MEETING, {"meeting_id": meeting_id}).scalar_one_or_none()


def _meeting(meeting_id: int) -> Meeting:
    meeting = find_locked_meeting(meeting_id)
    if meeting is None:
        raise NotFound("We could not find that meeting.")
    return meeting


def _changeable_meeting(meeting_id: int, actor_id: int, now: datetime) -> Meeting:
    meeting = _meeting(meeting_id)
    require_manager(meeting.circle, actor_id)
    require_open_for_changes(meeting.circle)
    if meeting.starts_at <= now:
        raise MeetingAlreadyStarted()
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingAlreadyCancelled()
    return meeting


def cancel_meeting(meeting_id: int, actor_id: int, reason: str, *, now: datetime) -> Meeting:
    """Cancel one meeting still to come; its members hear when (in their own time) and why.

    Sends `meeting_cancelled` (billing refunds that meeting). The term does not grow: to keep
    the number of meetings, skip the week instead.
    Raises NotYourCircle, CircleClosed, MeetingAlreadyStarted, MeetingAlreadyCancelled.
    """
    meeting = _changeable_meeting(meeting_id, actor_id, now)
    circle = meeting.circle
    reason = reason.strip()[:300]
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason or None
    withdraw_reminders([meeting.id])
    db.session.flush()
    because = f" The facilitator says: {reason}" if reason else ""
    notify_members(
        audience(circle.id, MEETING_AUDIENCE), f"meeting-cancelled:{meeting.id}",
        subject=f"{circle.title}: a meeting is cancelled",
        link=circle_path(circle),
        body=lambda at: (
            f"The {circle.title} meeting on {at(meeting.starts_at)} (your time) is cancelled.{because}"
        ),
    )
    signals.meeting_cancelled.send(None, meeting_id=meeting.id, now=now)
    return meeting


def skip_week(circle_id: int, actor_id: int, meeting_id: int, *, now: datetime,
              expected_start: datetime | None = None) -> list[Meeting]:
    """A holiday week: this meeting and every later one move one week later, same local time.

    The term keeps its number of meetings and ends a week later. Returns the moved meetings.
    `expected_start` (the start she saw when she asked) makes a form sent twice skip once.
    Raises NotYourCircle, CircleClosed, NotFound (meeting of another circle),
    MeetingAlreadyStarted, MeetingAlreadyCancelled, MeetingChangedMeanwhile.
    """
    meeting = _changeable_meeting(meeting_id, actor_id, now)
    if meeting.circle_id != circle_id:
        raise NotFound("We could not find that meeting in this circle.")
    if expected_start is not None and meeting.starts_at != expected_start:
        raise MeetingChangedMeanwhile()
    circle = meeting.circle
    old_start = meeting.starts_at
    moved = [m for m in circle_meetings(circle.id) if m.sequence >= meeting.sequence]
    for m in moved:
        m.starts_at = shifted_by_weeks(m.starts_at, circle.timezone, 1)
        m.ends_at = m.starts_at + timedelta(minutes=circle.duration_minutes)
    withdraw_reminders(m.id for m in moved)
    db.session.flush()
    notify_members(
        audience(circle.id, MEETING_AUDIENCE),
        f"meeting-skipped:{meeting.id}:{meeting.starts_at:%Y%m%dT%H%M}",
        subject=f"{circle.title}: a week off",
        link=circle_path(circle),
        body=lambda at: (
            f"{circle.title} takes a week off: there is no meeting on {at(old_start)}. The next meeting is "
            f"{at(meeting.starts_at)} (your time), and every later meeting moves a week later; the last one "
            f"is now {at(moved[-1].starts_at)}."
        ),
    )
    return moved


def move_meeting(meeting_id: int, actor_id: int, new_local_date: date, new_local_time: time, *,
                 now: datetime) -> Meeting:
    """Move one meeting to another local date and time in the circle's zone.

    It must stay in the future, keep its place between the meetings before and after it, and
    overlap no other meeting. Raises NotYourCircle, CircleClosed, MeetingAlreadyStarted,
    MeetingAlreadyCancelled, InvalidInput (in the past), MeetingOutOfOrder, MeetingCollision.
    """
    meeting = _changeable_meeting(meeting_id, actor_id, now)
    circle = meeting.circle
    starts = local_instant(new_local_date, new_local_time, circle.timezone)
    ends = starts + timedelta(minutes=circle.duration_minutes)
    if starts <= now:
        raise InvalidInput("Please choose a time that is still to come.", field="date")
    others = [m for m in circle_meetings(circle.id) if m.id != meeting.id]
    for other in others:
        if other.status != MeetingStatus.CANCELLED and starts < other.ends_at and other.starts_at < ends:
            raise MeetingCollision(
                f"That overlaps meeting {other.sequence} ({format_local(other.starts_at, circle.timezone)}).",
                field="date",
            )
    before = [m for m in others if m.sequence < meeting.sequence]
    after = [m for m in others if m.sequence > meeting.sequence]
    if (before and starts <= before[-1].starts_at) or (after and starts >= after[0].starts_at):
        raise MeetingOutOfOrder(
            "A meeting can only move between the meetings before and after it. "
            "To take a week off, use \u201cSkip this week\u201d instead.",
            field="date",
        )
    old_start = meeting.starts_at
    if starts == old_start:
        return meeting
    meeting.starts_at, meeting.ends_at = starts, ends
    withdraw_reminders([meeting.id])
    db.session.flush()
    notify_members(
        audience(circle.id, MEETING_AUDIENCE), f"meeting-moved:{meeting.id}:{starts:%Y%m%dT%H%M}",
        subject=f"{circle.title}: a meeting has moved",
        link=circle_path(circle),
        body=lambda at: (
            f"The {circle.title} meeting on {at(old_start)} has moved to {at(starts)} (your time)."
        ),
    )
    return meeting


def set_agenda(meeting_id: int, actor_id: int, text: str) -> Meeting:
    """Replace a meeting's agenda; an empty agenda goes back to the guide for its position.

    Raises NotYourCircle, InvalidInput (over 5,000 characters).
    """
    meeting = _meeting(meeting_id)
    circle = meeting.circle
    require_manager(circle, actor_id)
    text = text.strip()
    if len(text) > 5000:
        raise InvalidInput("Please keep the agenda under 5,000 characters.", field="agenda")
    meeting.agenda = text or default_agenda(meeting.sequence, circle.meeting_count)
    db.session.flush()
    return meeting


# Built once: a facilitator saves attendance for every meeting. Each member who can be marked,
# with her mark's id when she has one, in one statement.
_MARKABLE_MEMBERS = (
    select(Enrollment.user_id, Attendance.id)
    .outerjoin(Attendance, and_(Attendance.meeting_id == bindparam("meeting_id"),
                                Attendance.user_id == Enrollment.user_id))
    .where(Enrollment.circle_id == bindparam("circle_id"), Enrollment.status.in_([str(s) for s in MARKABLE]))
)

# Its SET clause comes from each row's keys (status, note, marked_at).
_UPDATE_MARK = update(Attendance.__table__).where(Attendance.__table__.c.id == bindparam("mark_id"))


def mark_attendance(meeting_id: int, actor_id: int, marks: Mapping[int, str], *, now: datetime,
                    notes: Mapping[int, str] | None = None, locked: Meeting | None = None) -> None:
    """Record present / absent / excused per member (upsert); the meeting becomes "held".

    Only members enrolled in the circle (active or completed) can be marked. Excused (with an
    optional note such as "sick child") never counts as missed. The meeting is locked first, so
    two saves of one sheet take turns: `locked` is the meeting when the caller has read it FOR
    UPDATE in this transaction already. Raises NotYourCircle, MeetingNotStarted,
    MeetingAlreadyCancelled, InvalidInput, NotInCircle.
    """
    if locked is not None and locked.id != meeting_id:
        raise ValueError("the locked meeting is another one")
    meeting = locked if locked is not None else _meeting(meeting_id)
    circle = meeting.circle
    require_manager(circle, actor_id)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingAlreadyCancelled()
    if meeting.starts_at > now:
        raise MeetingNotStarted()
    if any(status not in list(AttendanceStatus) for status in marks.values()):
        raise InvalidInput("Attendance is present, absent or excused.")
    members = dict(read_rows(_MARKABLE_MEMBERS, {"circle_id": circle.id, "meeting_id": meeting.id}))
    if set(marks) - members.keys():
        raise NotInCircle()
    marked = {user_id: mark_id for user_id, mark_id in members.items() if mark_id is not None}
    changed: list[dict[str, object]] = []
    new: list[dict[str, object]] = []
    for user_id, status in marks.items():
        values = {"status": status, "note": ((notes or {}).get(user_id) or "").strip()[:120] or None,
                  "marked_at": now}
        if user_id in marked:
            changed.append({"mark_id": marked[user_id], **values})
        else:
            new.append({"meeting_id": meeting.id, "user_id": user_id, **values})
    # Every row in one batch each (the same columns for all), not one statement per member, on
    # the session's connection: nothing loaded needs the ORM's bookkeeping (read_rows flushed).
    connection = db.session.connection()
    if changed:
        connection.execute(_UPDATE_MARK, changed)
    if new:
        connection.execute(insert(Attendance.__table__), new)
    if marks:
        meeting.status = MeetingStatus.HELD
    db.session.flush()
