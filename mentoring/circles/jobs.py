"""Periodic circle work: lapsed holds and offers let go, circles started and completed,
facilitators warned of a circle too small to run, members reminded of meetings.

Every job is idempotent and safe beside a second scheduler: each row changes through a
conditional UPDATE on its status (and expiry), so only one run ever processes it, and each
notification has a unique dedup key. The rules themselves live in `enrollment` and `lifecycle`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mentoring.circles import lifecycle
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


@periodic(seconds=300)
def start_running_circles(now: datetime) -> int:
    """Open or full circles whose first meeting has started become `running`."""
    return len(lifecycle.start_running_circles(now))


@periodic(seconds=300)
def complete_finished_circles(now: datetime) -> int:
    """Circles whose last meeting has ended become `completed`; their places are closed."""
    return len(lifecycle.complete_finished_circles(now))


@periodic(seconds=900)
def warn_facilitators_of_small_circles(now: datetime) -> int:
    """48 hours before a first meeting, tell the facilitator of a circle short of members."""
    return lifecycle.warn_facilitators_of_small_circles(now)


@periodic(seconds=300)
def queue_meeting_reminders(now: datetime) -> int:
    """Remind members and facilitators of meetings starting within 24 hours."""
    return lifecycle.queue_meeting_reminders(now)
