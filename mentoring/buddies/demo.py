"""Demo practice buddies, practice sessions, pulse answers and outcome measures in the running
and completed circles, so the charts show something in `make run`. Idempotent: a circle that
already has buddies is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.buddies.matching import Candidate, suggest_buddies
from mentoring.buddies.models import BuddyPair, BuddyPairMember, PracticeSession, SessionStatus
from mentoring.circles.models import (
    Attendance,
    AttendanceStatus,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
)
from mentoring.extensions import db
from mentoring.outcomes.models import OutcomeMeasure, Phase, PulseResponse

TOPICS = ("Asking to leave at 4 on Fridays", "Saying no to a late meeting", "Handing over bedtime")


def seed_buddies_and_outcomes(now: datetime) -> None:
    """Flushes, never commits."""
    circles = db.session.scalars(
        select(Circle)
        .where(Circle.status.in_((CircleStatus.RUNNING, CircleStatus.COMPLETED)))
        .order_by(Circle.id)
    ).all()
    seeded = set(db.session.scalars(select(BuddyPair.circle_id)))
    for circle in circles:
        if circle.id in seeded:
            continue
        members = db.session.scalars(
            select(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(
                Enrollment.circle_id == circle.id,
                Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)),
            )
            .order_by(User.id)
        ).all()
        if len(members) < 2:
            continue
        since = circle.published_at or now - timedelta(days=30)
        suggestion = suggest_buddies([Candidate(m.id, m.display_name, m.timezone) for m in members])
        for n, group in enumerate(suggestion.groups):
            pair = BuddyPair(
                circle_id=circle.id, reasons="\n".join(group.reasons), active_from=since, created_at=since
            )
            pair.members = [BuddyPairMember(user_id=user_id) for user_id in group.members]
            db.session.add(pair)
            db.session.flush()
            db.session.add_all(
                [
                    PracticeSession(
                        pair_id=pair.id,
                        proposed_by_id=group.members[0],
                        starts_at=now - timedelta(days=4, hours=n),
                        duration_minutes=20,
                        topic=TOPICS[n % len(TOPICS)],
                        status=SessionStatus.ACCEPTED,
                        done_at=now - timedelta(days=4),
                        notes="Practised it twice; felt less awkward the second time.",
                    ),
                    PracticeSession(
                        pair_id=pair.id,
                        proposed_by_id=group.members[1],
                        starts_at=now + timedelta(days=2, hours=n),
                        duration_minutes=15,
                        topic=TOPICS[(n + 1) % len(TOPICS)],
                        status=SessionStatus.ACCEPTED
                        if circle.status == CircleStatus.RUNNING
                        else SessionStatus.PROPOSED,
                    ),
                ]
            )
        present = db.session.execute(
            select(Attendance.meeting_id, Attendance.user_id, Meeting.sequence)
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Meeting.circle_id == circle.id, Attendance.status == AttendanceStatus.PRESENT)
        ).all()
        for meeting_id, user_id, sequence in present:
            lift = min(sequence // 2, 2)  # the circle warms up over the term
            db.session.add(
                PulseResponse(
                    meeting_id=meeting_id,
                    circle_id=circle.id,
                    user_id=user_id,
                    felt_heard=min(3 + lift + user_id % 2, 5),
                    connected=min(2 + lift + user_id % 2, 5),
                    learned=min(3 + lift, 5),
                    created_at=now,
                )
            )
        for k, member in enumerate(members):
            db.session.add(
                OutcomeMeasure(
                    user_id=member.id,
                    circle_id=circle.id,
                    phase=Phase.START,
                    isolation=5 + k % 3,
                    confidence=3 + k % 2,
                    balance=2 + k % 3,
                    stress=6 - k % 2,
                    created_at=since,
                )
            )
            if circle.status == CircleStatus.COMPLETED:
                db.session.add(
                    OutcomeMeasure(
                        user_id=member.id,
                        circle_id=circle.id,
                        phase=Phase.END,
                        isolation=5 + k % 3 - (2 if k % 3 else 0),  # some feel no less alone
                        confidence=4 + k % 3,
                        balance=3 + k % 3,
                        stress=4 + k % 2,
                        created_at=now,
                    )
                )
    db.session.flush()
