"""Circle announcements: the facilitator tells the whole circle something practical.

Members read them; nobody replies to all. This is not a group chat: what is said in the circle
stays in the meeting, and a member who wants to answer writes to the facilitator privately.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.circles.models import LIVE_CIRCLE_STATUSES, Circle, Enrollment, EnrollmentStatus
from mentoring.conversations.models import Announcement
from mentoring.conversations.rules import ANNOUNCEMENT_MAX, clean_text
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification

ANNOUNCEMENT_KIND = "announcement"


class CircleNotYours(NotFound):
    """We could not find that circle among the circles you facilitate."""


class CircleEnded(DomainError):
    """This circle has ended, so there is nobody to announce to."""


def post_announcement(circle_id: int, author_id: int, body: str, *, now: datetime) -> Announcement:
    """Post an announcement to a live circle she facilitates; every active member is told
    in-app and by email (once each, by dedup key), and it shows on the circle page.

    Raises CircleNotYours (not her circle), CircleEnded, InvalidInput (empty, over 2,000 characters).
    """
    circle = db.session.get(Circle, circle_id)
    if circle is None or circle.facilitator_id != author_id:
        raise CircleNotYours()
    if circle.status not in LIVE_CIRCLE_STATUSES:
        raise CircleEnded()
    text = clean_text(body, limit=ANNOUNCEMENT_MAX, what="announcement")
    announcement = Announcement(circle_id=circle.id, author_id=author_id, body=text, created_at=now)
    db.session.add(announcement)
    db.session.flush()
    members = db.session.execute(
        select(Enrollment.user_id).join(User, User.id == Enrollment.user_id)
        .where(Enrollment.circle_id == circle.id, Enrollment.status == EnrollmentStatus.ACTIVE,
               User.deleted_at.is_(None))
    ).scalars().all()
    for user_id in members:
        queue_notification(
            user_id,
            ANNOUNCEMENT_KIND,
            f"announcement:{announcement.id}:{user_id}",
            subject=f"News from {circle.title}",
            text=text,
            link=f"/circles/{circle.id}",
            extra={"circle_id": circle.id},
        )
    return announcement


def circle_to_announce_to(circle_id: int, author_id: int) -> Circle | None:
    """Her circle, if she is its facilitator."""
    circle = db.session.get(Circle, circle_id)
    return circle if circle is not None and circle.facilitator_id == author_id else None


def recent_announcements(circle_id: int, *, limit: int = 5) -> list[Announcement]:
    """The circle's latest announcements, newest first."""
    return list(db.session.execute(
        select(Announcement).where(Announcement.circle_id == circle_id)
        .order_by(Announcement.created_at.desc(), Announcement.id.desc()).limit(limit)
    ).scalars())
