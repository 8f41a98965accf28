"""The rules for the pulse after each meeting and for her outcome measures.

Functions take ids and plain values, flush and never commit; the caller owns the unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentoring.circles.models import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.outcomes.models import OutcomeMeasure, Phase, PulseResponse

PULSE_DELAY = timedelta(hours=1)  # asked one hour after the meeting ends
LAST_PULSE_OPEN = timedelta(days=7)  # after the term's last meeting there is no next one to close it
END_MEASURE_OPEN = timedelta(days=30)
NOTE_MAX = 1000
PULSE_ITEMS = {
    "felt_heard": "I felt heard",
    "connected": "I felt connected to the group",
    "learned": "I learned something I can use",
}
OUTCOME_ITEMS = {
    "isolation": "I feel alone with the demands of work and family",
    "confidence": "I feel confident at work",
    "balance": "I manage to balance work and family in a way I can live with",
    "stress": "I feel stressed",
}


class NotAttended(NotFound):
    """The pulse is for members who came to that meeting; we couldn't find it among yours."""


class PulseNotOpen(DomainError):
    """The pulse for this meeting is not open: it opens an hour after the meeting ends and
    closes when the next meeting starts."""


class AlreadyAnswered(DomainError):
    """You have already answered the pulse for this meeting. Thank you."""


class MeasureNotOpen(DomainError):
    """This check is not open for you now."""


class AlreadyRated(DomainError):
    """You have already answered this one. Thank you."""


@dataclass(frozen=True)
class PulseWindow:
    meeting_id: int
    circle_id: int
    opens_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


def pulse_windows(meetings: list[tuple[int, int, datetime, datetime, str]]) -> dict[int, PulseWindow]:
    """Each held-or-scheduled meeting's pulse window, from (id, circle id, starts, ends, status)
    rows: from an hour after it ends until the next meeting of its circle that is not cancelled
    starts (a week after the last one)."""
    by_circle: dict[int, list[tuple[int, int, datetime, datetime, str]]] = {}
    for row in meetings:
        if row[4] != MeetingStatus.CANCELLED:
            by_circle.setdefault(row[1], []).append(row)
    windows = {}
    for rows in by_circle.values():
        rows.sort(key=lambda r: (r[2], r[0]))
        for i, (meeting_id, circle_id, _starts, ends, _status) in enumerate(rows):
            closes = rows[i + 1][2] if i + 1 < len(rows) else ends + LAST_PULSE_OPEN
            windows[meeting_id] = PulseWindow(meeting_id, circle_id, ends + PULSE_DELAY, closes)
    return windows


def window_of(meeting_id: int) -> PulseWindow | None:
    circle_id = db.session.scalar(select(Meeting.circle_id).where(Meeting.id == meeting_id))
    if circle_id is None:
        return None
    rows = db.session.execute(
        select(Meeting.id, Meeting.circle_id, Meeting.starts_at, Meeting.ends_at, Meeting.status).where(
            Meeting.circle_id == circle_id
        )
    ).all()
    return pulse_windows([tuple(r) for r in rows]).get(meeting_id)


def _scale(values: dict[str, int | None], items: dict[str, str], top: int) -> dict[str, int]:
    for name in items:
        value = values.get(name)
        if value is None or not 1 <= value <= top:
            raise InvalidInput(f"Please choose from 1 to {top}.", field=name)
    return {name: int(values[name]) for name in items}  # type: ignore[arg-type]


def record_pulse(
    user_id: int, meeting_id: int, answers: dict[str, int | None], note: str, *, now: datetime
) -> PulseResponse:
    """Her one pulse answer for a meeting she attended, while its window is open.

    Raises NotAttended, PulseNotOpen, InvalidInput (with the field) or AlreadyAnswered (the
    database's unique key settles a double submit); nothing is kept when it raises.
    """
    attended = db.session.scalar(
        select(Attendance.id).where(
            Attendance.meeting_id == meeting_id,
            Attendance.user_id == user_id,
            Attendance.status == AttendanceStatus.PRESENT,
        )
    )
    window = window_of(meeting_id)
    if attended is None or window is None:
        raise NotAttended()
    if not window.is_open(now):
        raise PulseNotOpen()
    values = _scale(answers, PULSE_ITEMS, 5)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"Please keep this to {NOTE_MAX} characters.", field="note")
    response = PulseResponse(
        meeting_id=meeting_id,
        circle_id=window.circle_id,
        user_id=user_id,
        note_to_facilitator=note,
        created_at=now,
        **values,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        raise AlreadyAnswered() from None
    return response


def last_meeting_end(circle_id: int) -> datetime | None:
    return db.session.scalar(
        select(Meeting.ends_at)
        .where(Meeting.circle_id == circle_id, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.ends_at.desc())
        .limit(1)
    )


def measure_open(circle_id: int, user_id: int, phase: str, now: datetime) -> bool:
    """Start: while she is an active member. End: for an active or completed member, from the
    end of the last meeting for END_MEASURE_OPEN."""
    status = db.session.scalar(
        select(Enrollment.status).where(Enrollment.circle_id == circle_id, Enrollment.user_id == user_id)
    )
    if phase == Phase.START:
        return status == EnrollmentStatus.ACTIVE
    last = last_meeting_end(circle_id)
    return (
        phase == Phase.END
        and status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)
        and last is not None
        and last <= now < last + END_MEASURE_OPEN
    )


def record_measure(
    user_id: int, circle_id: int, phase: str, answers: dict[str, int | None], *, now: datetime
) -> OutcomeMeasure:
    """Her self-rating, 1-7 on each item, at joining (start) or after the last meeting (end);
    once per phase. Raises MeasureNotOpen, InvalidInput (with the field) or AlreadyRated."""
    if phase not in set(Phase) or not measure_open(circle_id, user_id, phase, now):
        raise MeasureNotOpen()
    values = _scale(answers, OUTCOME_ITEMS, 7)
    measure = OutcomeMeasure(user_id=user_id, circle_id=circle_id, phase=phase, created_at=now, **values)
    try:
        with db.session.begin_nested():
            db.session.add(measure)
            db.session.flush()
    except IntegrityError:
        raise AlreadyRated() from None
    return measure
