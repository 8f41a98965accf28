"""Demo conversations in a running circle: a "can't come", a thread and an announcement.

Written directly (not through the services, which would queue mail for the demo people), and
idempotent: a circle that already has the demo announcement is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from mentoring.circles.models import (
    Attendance,
    AttendanceStatus,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.conversations.models import Announcement, Message, Thread
from mentoring.extensions import db

ANNOUNCEMENT = "Bring a notebook next week: we will write down one small goal each."


def seed_conversations(now: datetime) -> None:
    """In the first running circle with two members and a meeting to come, add the demo rows."""
    for circle in db.session.execute(
        select(Circle).where(Circle.status == CircleStatus.RUNNING, Circle.facilitator_id.is_not(None))
        .order_by(Circle.id)
    ).scalars():
        members = db.session.execute(
            select(Enrollment.user_id).where(Enrollment.circle_id == circle.id,
                                             Enrollment.status == EnrollmentStatus.ACTIVE)
            .order_by(Enrollment.id).limit(2)
        ).scalars().all()
        meeting = db.session.execute(
            select(Meeting).where(Meeting.circle_id == circle.id, Meeting.status == MeetingStatus.SCHEDULED,
                                  Meeting.starts_at > now).order_by(Meeting.starts_at).limit(1)
        ).scalar_one_or_none()
        if len(members) < 2 or meeting is None:
            continue
        if db.session.execute(select(Announcement.id).where(Announcement.circle_id == circle.id,
                                                            Announcement.body == ANNOUNCEMENT)).first():
            return
        _seed(circle, members[0], members[1], meeting, now)
        return


def _seed(circle: Circle, absent_id: int, writer_id: int, meeting: Meeting, now: datetime) -> None:
    existing = db.session.execute(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.user_id == absent_id)
    ).scalar_one_or_none()
    if existing is None:
        db.session.add(Attendance(meeting_id=meeting.id, user_id=absent_id, status=AttendanceStatus.EXCUSED,
                                  note="Sick child", marked_at=now))
    facilitator_id = circle.facilitator_id
    assert facilitator_id is not None  # chosen above
    thread = Thread(circle_id=circle.id, member_id=writer_id, facilitator_id=facilitator_id,
                    created_at=now - timedelta(hours=3), last_message_at=now - timedelta(hours=1))
    db.session.add(thread)
    db.session.flush()
    db.session.add_all([
        Message(thread_id=thread.id, author_id=writer_id, created_at=now - timedelta(hours=3),
                body="Could we talk about something I'm not ready to share in the circle yet?"),
        Message(thread_id=thread.id, author_id=facilitator_id, created_at=now - timedelta(hours=1),
                body="Of course. Write whenever it suits you; I read these in the evenings."),
    ])
    db.session.add(Announcement(circle_id=circle.id, author_id=facilitator_id, body=ANNOUNCEMENT,
                                created_at=now - timedelta(days=1)))
