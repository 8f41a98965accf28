"""The seat ledger: taking and freeing seats, and handing a freed seat to the waitlist.

`Circle.seats_taken` counts held, offered and active enrollments. It only changes here: a seat
is taken with one conditional UPDATE (`seats_taken < capacity`), so the database settles every
race for the last seat, on SQLite (writers are serialised) and on PostgreSQL (the row is locked
by the UPDATE) alike. Enrollment rows change with `transition`, a conditional UPDATE on their
current status, so two requests or two schedulers never process the same row twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, update

from mentoring.circles.models import (
    LIVE_CIRCLE_STATUSES,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
)
from mentoring.db import keep_written
from mentoring.extensions import db
from mentoring.notify.service import queue_notification

OFFER_HOURS = 48
# A running circle stays `running` when its last seat goes: fullness is `seats_taken >= capacity`
# (see mentoring.circles.lifecycle), so take_seat and give_back_seat only switch open <-> full.


def _forget_circle_counts(circle_id: int) -> None:
    """The conditional UPDATEs bypass the ORM; make a loaded Circle re-read its counters."""
    circle = db.session.identity_map.get(db.session.identity_key(Circle, circle_id))
    if circle is not None:
        db.session.expire(circle, ["seats_taken", "status"])


def take_seat(circle_id: int) -> bool:
    """Take one seat if one is free. One statement, so the database settles every race."""
    result = db.session.execute(
        update(Circle)
        .where(Circle.id == circle_id, Circle.seats_taken < Circle.capacity)
        .values(
            seats_taken=Circle.seats_taken + 1,
            status=case(
                (
                    and_(Circle.status == CircleStatus.OPEN, Circle.seats_taken + 1 >= Circle.capacity),
                    CircleStatus.FULL,
                ),
                else_=Circle.status,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    _forget_circle_counts(circle_id)
    return result.rowcount == 1


def give_back_seat(circle_id: int) -> None:
    db.session.execute(
        update(Circle)
        .where(Circle.id == circle_id, Circle.seats_taken > 0)
        .values(
            seats_taken=Circle.seats_taken - 1,
            status=case((Circle.status == CircleStatus.FULL, CircleStatus.OPEN), else_=Circle.status),
        )
        .execution_options(synchronize_session=False)
    )
    _forget_circle_counts(circle_id)


def has_future_meeting(circle_id: int, now: datetime) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Meeting.circle_id == circle_id,
                    Meeting.starts_at > now,
                    Meeting.status == "scheduled",
                )
            )
        )
    )


def is_joinable(circle: Circle, now: datetime) -> bool:
    return circle.status in LIVE_CIRCLE_STATUSES and has_future_meeting(circle.id, now)


def offer_freed_seat(circle_id: int, now: datetime) -> Enrollment | None:
    """A held, offered or active seat was given up: offer it to the waitlist, else free it.

    The seat stays counted while it is offered, so nobody can take it from under the person
    at the front of the queue. Returns the new offer, if any.
    """
    circle = db.session.get(Circle, circle_id)
    if circle is not None and is_joinable(circle, now):
        while True:
            candidate = db.session.scalar(
                select(Enrollment)
                .where(Enrollment.circle_id == circle_id, Enrollment.status == EnrollmentStatus.WAITLISTED)
                .order_by(Enrollment.waitlisted_at, Enrollment.id)
                .limit(1)
            )
            if candidate is None:
                break
            expires = now + timedelta(hours=OFFER_HOURS)
            if transition(candidate.id, (EnrollmentStatus.WAITLISTED,), status=EnrollmentStatus.OFFERED,
                           offer_expires_at=expires):
                _notify_offer(candidate, circle, expires)
                return candidate
    give_back_seat(circle_id)
    return None


def _notify_offer(enrollment: Enrollment, circle: Circle, expires: datetime) -> None:
    queue_notification(
        enrollment.user_id,
        "waitlist_offer",
        f"waitlist-offer:{enrollment.id}:{expires.isoformat()}",
        subject=f"A seat is free in {circle.title}",
        text=(
            f"Good news: a seat has opened up in {circle.title} and it is kept for you for "
            f"{OFFER_HOURS} hours. Open the circle's page to accept or decline it."
        ),
        link=f"/circles/{circle.id}",
        extra={"circle_id": circle.id, "offer_expires_at": expires.isoformat()},
    )


def transition(enrollment_id: int, from_statuses: tuple[str, ...], *conditions: ColumnElement[bool],
               **values: object) -> bool:
    """Change a row only if it is still in one of `from_statuses` (and meets `conditions`, such as a
    deadline having passed); True if this call did it, so two schedulers never both act."""
    result = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment_id, Enrollment.status.in_([str(s) for s in from_statuses]),
               *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    enrollment = db.session.identity_map.get(db.session.identity_key(Enrollment, enrollment_id))
    if enrollment is not None:
        if result.rowcount == 1:
            keep_written(db.session, enrollment, values)
        else:
            db.session.expire(enrollment)
    return result.rowcount == 1


def waitlist_position(enrollment: Enrollment) -> int:
    """1 for the front of the queue. Order is (waitlisted_at, id): positions never collide."""
    ahead = db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.circle_id == enrollment.circle_id,
            Enrollment.status == EnrollmentStatus.WAITLISTED,
            or_(
                Enrollment.waitlisted_at < enrollment.waitlisted_at,
                and_(Enrollment.waitlisted_at == enrollment.waitlisted_at, Enrollment.id < enrollment.id),
            ),
        )
    )
    return int(ahead or 0) + 1
