""""I can't come this week": a member tells her facilitator ahead of a meeting.

Policy: saying "can't come" pre-fills her attendance at that meeting as excused, with the reason
(if any) as the attendance note, which only the facilitator reads. Excused never counts as
missed (`circles.roster.missed_two_in_a_row`). She can undo it until the meeting starts; after
that the facilitator's attendance sheet is the record. When fewer active members than the
circle's `min_to_run` can come, the facilitator is told at once, once per meeting and start
time (dedup key `meeting-short:...`): a moved meeting can warn again, a member undoing and
redoing cannot.

Before a meeting starts the facilitator cannot mark attendance (`meetings.mark_attendance`
refuses), so an excused row for a meeting still to come is always a "can't come".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, delete, func, select
from sqlalchemy.orm import joinedload

from mentoring.accounts.models import User
from mentoring.accounts.tokens import CANT_COME, TokenInvalid, make_token, read_token
from mentoring.circles.models import (
    Attendance,
    AttendanceStatus,
    Circle,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.db import insert_into
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.reads import read_rows
from mentoring.timekeeping.display import format_local

SHORT_KIND = "circle_update"


class MeetingNotFound(NotFound):
    """We could not find that meeting among your circles' meetings."""


class MeetingAlreadyStarted(DomainError):
    """That meeting has already started, so your answer can no longer change. Your facilitator
    takes attendance now."""


class MeetingNotGoingAhead(DomainError):
    """That meeting was cancelled, so there is nothing to miss."""


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def her_upcoming_meeting(meeting_id: int, user_id: int, now: datetime) -> Meeting:
    """The meeting (its circle loaded), if she has an active place in its circle and it is
    still to come. Raises MeetingNotFound, MeetingNotGoingAhead, MeetingAlreadyStarted."""
    meeting = db.session.execute(
        select(Meeting)
        .options(joinedload(Meeting.circle))
        .join(Enrollment, Enrollment.circle_id == Meeting.circle_id)
        .where(Meeting.id == meeting_id, Enrollment.user_id == user_id,
               Enrollment.status == EnrollmentStatus.ACTIVE)
    ).scalar_one_or_none()
    if meeting is None:
        raise MeetingNotFound()
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingNotGoingAhead()
    if meeting.starts_at <= now:
        raise MeetingAlreadyStarted()
    return meeting


def cant_come(meeting_id: int, user_id: int, reason: str | None, *, now: datetime) -> Attendance:
    """Record that she can't come to a meeting still to come: her attendance there is excused,
    with `reason` (already cleaned, at most 120 characters) as the note only the facilitator sees.

    Saying it again changes the reason. Tells the facilitator, once, when fewer than the
    circle's minimum can come. Raises MeetingNotFound (not her meeting, or no active place),
    MeetingNotGoingAhead, MeetingAlreadyStarted.
    """
    meeting = her_upcoming_meeting(meeting_id, user_id, now)
    values = {"meeting_id": meeting.id, "user_id": user_id, "status": AttendanceStatus.EXCUSED,
              "note": reason, "marked_at": now}
    # One statement, so a double tap (two requests at once) cannot trip the unique key.
    db.session.execute(
        insert_into(db.session, Attendance).values(**values).on_conflict_do_update(
            index_elements=["meeting_id", "user_id"],
            set_={"status": AttendanceStatus.EXCUSED, "note": reason, "marked_at": now},
        )
    )
    db.session.expire_all()
    _warn_if_short(meeting, now)
    return db.session.execute(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.user_id == user_id)
    ).scalar_one()


def undo_cant_come(meeting_id: int, user_id: int, *, now: datetime) -> bool:
    """She can come after all: her pre-filled excused mark goes. True if there was one.

    Raises MeetingNotFound, MeetingNotGoingAhead, MeetingAlreadyStarted (then the mark stays).
    """
    meeting = her_upcoming_meeting(meeting_id, user_id, now)
    removed = db.session.execute(
        delete(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.user_id == user_id,
                                 Attendance.status == AttendanceStatus.EXCUSED)
        .execution_options(synchronize_session=False)
    ).rowcount
    return removed == 1


def short_key(meeting_id: int, starts_at: datetime) -> str:
    """One warning per meeting and start instant."""
    return f"meeting-short:{meeting_id}:{_aware(starts_at):%Y%m%dT%H%MZ}"


def expected_count(meeting_id: int, circle_id: int) -> int:
    """How many active members have not said they can't come."""
    active = select(Enrollment.user_id).where(Enrollment.circle_id == circle_id,
                                              Enrollment.status == EnrollmentStatus.ACTIVE)
    excused = db.session.execute(
        select(func.count()).select_from(Attendance)
        .where(Attendance.meeting_id == meeting_id, Attendance.status == AttendanceStatus.EXCUSED,
               Attendance.user_id.in_(active))
    ).scalar_one()
    total = db.session.execute(select(func.count()).select_from(active.subquery())).scalar_one()
    return total - excused


def _warn_if_short(meeting: Meeting, now: datetime) -> bool:
    circle = db.session.get(Circle, meeting.circle_id)
    assert circle is not None  # a meeting always has its circle
    coming = expected_count(meeting.id, circle.id)
    if coming >= circle.min_to_run:
        return False
    facilitator = db.session.get(User, circle.facilitator_id) if circle.facilitator_id else None
    if facilitator is None or facilitator.deleted_at is not None:
        return False
    when = format_local(meeting.starts_at, facilitator.timezone)
    people = "1 member" if coming == 1 else f"{coming} members"
    return queue_notification(
        facilitator.id,
        SHORT_KIND,
        short_key(meeting.id, meeting.starts_at),
        subject=f"Only {people} can come to {circle.title} on {when}",
        text=(f"Members told you they can't come to meeting {meeting.sequence} of {circle.title} "
              f"({when}, your time). {people.capitalize()} can still come, fewer than the "
              f"{circle.min_to_run} the circle needs. You decide: go ahead with who can come, or "
              "move the meeting (members are told)."),
        link=f"/facilitate/meetings/{meeting.id}/attendance",
        due_at=now,
        extra={"circle_id": circle.id, "meeting_id": meeting.id},
    )


@dataclass(frozen=True)
class Absence:
    user_id: int
    name: str
    reason: str | None  # for the facilitator's eyes only


def absences_among(meeting_ids: BindParameter[Any] | Select) -> Select:
    """Who said she can't come to the meetings `meeting_ids` names (a bound list, or a select of
    ids when another statement folds this in; only active members): the meeting's id, her id,
    name and reason, and `rank`, the order they are shown in (by name)."""
    return (
        select(Attendance.meeting_id, User.id.label("user_id"), User.display_name, Attendance.note,
               func.row_number().over(order_by=(func.lower(User.display_name), User.id)).label("rank"))
        .join(User, User.id == Attendance.user_id)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Enrollment, (Enrollment.circle_id == Meeting.circle_id) & (Enrollment.user_id == User.id))
        .where(Attendance.meeting_id.in_(meeting_ids),
               Attendance.status == AttendanceStatus.EXCUSED,
               Meeting.status == MeetingStatus.SCHEDULED, Enrollment.status == EnrollmentStatus.ACTIVE)
    )


def absences_from(rows: Iterable[tuple[int, int, str, str | None, int]]) -> dict[int, list[Absence]]:
    """`absences_among`'s rows (meeting id, her id, name, reason, rank) by meeting, in order."""
    found: dict[int, list[Absence]] = defaultdict(list)
    for meeting_id, user_id, name, note, _rank in sorted(rows, key=lambda row: row[4]):
        found[meeting_id].append(Absence(user_id, name, note))
    return dict(found)


# Built once: the circle page and the attendance sheet ask; only the meeting ids change.
_ABSENCES = absences_among(bindparam("meeting_ids", expanding=True))


def absences_by_meeting(meeting_ids: list[int]) -> dict[int, list[Absence]]:
    """Who said she can't come, per meeting (only active members), in one query."""
    if not meeting_ids:
        return {}
    return absences_from(read_rows(_ABSENCES, {"meeting_ids": meeting_ids}))


# --- the one-tap link in a reminder ----------------------------------------------------------

# Reminders go out at most a day ahead; a week's margin covers a reminder read late. After the
# meeting starts the link stops working anyway (MeetingAlreadyStarted).
LINK_MAX_AGE = timedelta(days=8)
LINK_PATH = "/talk/cant-come/"


def cant_come_url(user_id: int, meeting_id: int, *, secret: str, base_url: str, now: datetime) -> str:
    """The signed link in her reminder that opens the "can't come" page for this meeting,
    without a login; it asks her to confirm before anything changes."""
    token = make_token(CANT_COME, {"u": user_id, "m": meeting_id}, secret=secret, now=now)
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


def read_cant_come_link(token: str, *, secret: str, now: datetime) -> tuple[int, Meeting]:
    """(her id, the meeting) a link names, if the meeting is still hers and still to come.

    Raises TokenInvalid / TokenExpired (altered, forged, too old), MeetingNotFound,
    MeetingNotGoingAhead, MeetingAlreadyStarted.
    """
    payload = read_token(CANT_COME, token, secret=secret, max_age=LINK_MAX_AGE, now=now)
    user_id, meeting_id = payload.get("u"), payload.get("m")
    if not isinstance(user_id, int) or not isinstance(meeting_id, int):
        raise TokenInvalid()
    return user_id, her_upcoming_meeting(meeting_id, user_id, now)
