"""A running circle caught between meetings, and rows written the way the services would."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from mentoring.accounts.models import Role, User
from mentoring.circles.models import Attendance, Circle, CircleStatus, Meeting
from mentoring.extensions import db
from mentoring.growth.models import CheckIn, Goal
from tests.factories import enroll, make_circle, make_user

# Thursday 5 March 2026, noon UTC. The circle met Mondays 16 Feb, 23 Feb and 2 March at 20:30
# London time (= UTC in winter); the gap after the third meeting is open until 9 March 20:30.
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
FIRST_MONDAY = date(2026, 2, 16)


def running_circle(facilitator: User | None = None, **fields: object) -> Circle:
    facilitator = facilitator or make_user(display_name="Fran the facilitator", roles=(Role.FACILITATOR,))
    return make_circle(
        facilitator,
        first_date=FIRST_MONDAY,
        start_time=time(20, 30),
        **{"status": CircleStatus.RUNNING, **fields},
    )


def meeting(circle: Circle, sequence: int) -> Meeting:
    return next(m for m in circle.meetings if m.sequence == sequence)


def member_of(circle: Circle, **fields: object) -> User:
    user = make_user(**fields)
    enroll(circle, user)
    return user


def goal(
    user: User, circle: Circle | None, title: str, *, visibility: str = "private", **fields: object
) -> Goal:
    row = Goal(
        user_id=user.id,
        circle_id=circle.id if circle else None,
        title=title,
        visibility=visibility,
        why=fields.pop("why", ""),
        next_step=fields.pop("next_step", ""),
        status=fields.pop("status", "active"),
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def check_in(
    user: User,
    circle: Circle,
    after_sequence: int,
    *,
    win: str = "",
    obstacle: str = "",
    visibility: str = "private",
    needs_support: bool = False,
    at: datetime = NOW,
) -> CheckIn:
    row = CheckIn(
        user_id=user.id,
        circle_id=circle.id,
        after_meeting_id=meeting(circle, after_sequence).id,
        mood=3,
        win=win,
        obstacle=obstacle,
        visibility=visibility,
        needs_support=needs_support,
        support_requested_at=at if needs_support else None,
        created_at=at,
        updated_at=at,
    )
    db.session.add(row)
    db.session.flush()
    return row


def attended(user: User, circle: Circle, sequence: int, status: str) -> None:
    db.session.add(Attendance(meeting_id=meeting(circle, sequence).id, user_id=user.id, status=status))
    db.session.flush()
