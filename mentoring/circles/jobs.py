"""Periodic circle work: let lapsed holds and offers go, so seats reach the waitlist.

Both jobs are idempotent and safe beside a second scheduler: each row changes through a
conditional UPDATE on its status and expiry, so only one run ever processes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mentoring.circles.enrollment import expire_hold, expire_offer
from mentoring.circles.models import Enrollment, EnrollmentStatus
from mentoring.extensions import db
from mentoring.jobs.registry import periodic


@periodic(seconds=60)
def release_expired_holds(now: datetime) -> int:
    """Holds whose checkout time ran out become `left`; their seats go to the waitlist."""
    due = db.session.scalars(
        select(Enrollment.id)
        .where(Enrollment.status == EnrollmentStatus.HELD, Enrollment.hold_expires_at <= now)
        .order_by(Enrollment.hold_expires_at, Enrollment.id)
    ).all()
    return sum(1 for enrollment_id in due if expire_hold(enrollment_id, now=now))


@periodic(seconds=60)
def expire_lapsed_offers(now: datetime) -> int:
    """Offers not answered within 48 hours lapse; the next person on the waitlist is offered."""
    due = db.session.scalars(
        select(Enrollment.id)
        .where(Enrollment.status == EnrollmentStatus.OFFERED, Enrollment.offer_expires_at <= now)
        .order_by(Enrollment.offer_expires_at, Enrollment.id)
    ).all()
    return sum(1 for enrollment_id in due if expire_offer(enrollment_id, now=now))
