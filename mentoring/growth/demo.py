"""Demo goals, check-ins, streaks and one open request for support in the running circles, so
`make run` shows the between-meetings side at once. Idempotent: a member with goals is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from mentoring.circles.models import Circle, CircleStatus, Enrollment, EnrollmentStatus
from mentoring.extensions import db
from mentoring.growth.models import CheckIn, Goal, GoalNote
from mentoring.growth.queries import gaps_of_circles

GOALS = (
    (
        "Ask for a flexible Friday",
        "School pick-up on Fridays without rushing.",
        "Book 15 minutes with my manager",
        "circle",
    ),
    (
        "Sleep before 23:00 on weeknights",
        "I am kinder to everyone when I've slept.",
        "Phone out of the bedroom",
        "private",
    ),
)
WINS = ("Said no to a late meeting.", "Two lunchtime walks.", "Asked my partner to do bedtime twice.", "")
OBSTACLES = ("A sick child on Wednesday.", "Deadline week.", "", "Too tired to plan.")


def seed_growth(now: datetime) -> None:
    """Goals and check-ins for active members of running circles; flushes, never commits."""
    rows = db.session.execute(
        select(Enrollment.user_id, Circle.id)
        .join(Circle, Circle.id == Enrollment.circle_id)
        .where(Circle.status == CircleStatus.RUNNING, Enrollment.status == EnrollmentStatus.ACTIVE)
        .order_by(Circle.id, Enrollment.id)
    ).all()
    if not rows:
        return
    with_goals = set(db.session.scalars(select(Goal.user_id).where(Goal.user_id.in_({u for u, _ in rows}))))
    gaps = gaps_of_circles({c for _, c in rows})
    support_asked = False
    for n, (user_id, circle_id) in enumerate(rows):
        if user_id in with_goals:
            continue
        with_goals.add(user_id)
        for title, why, step, visibility in GOALS:
            goal = Goal(
                user_id=user_id,
                circle_id=circle_id,
                title=title,
                why=why,
                next_step=step,
                visibility=visibility,
                status="active",
                created_at=now - timedelta(days=21),
                updated_at=now - timedelta(days=7),
            )
            db.session.add(goal)
            db.session.flush()
            db.session.add(
                GoalNote(goal_id=goal.id, text="Made a start.", created_at=now - timedelta(days=10))
            )
        opened = [gap for gap in gaps.get(circle_id, []) if gap.opens_at <= now]
        for k, gap in enumerate(opened):
            # The first member asks for support in her latest gap, whatever the hour of the demo.
            ask = not support_asked and k == len(opened) - 1
            if not ask and (n + k) % 4 == 3:  # some weeks she did not check in; nothing is said about it
                continue
            support_asked = support_asked or ask
            at = min(gap.opens_at + (gap.closes_at - gap.opens_at) / 2, now)
            db.session.add(
                CheckIn(
                    user_id=user_id,
                    circle_id=circle_id,
                    after_meeting_id=gap.after_meeting_id,
                    mood=2 if ask else 3 + k % 3,
                    win=WINS[(n + k) % len(WINS)],
                    obstacle=OBSTACLES[(n + k) % len(OBSTACLES)],
                    visibility="circle" if k % 2 else "private",
                    needs_support=ask,
                    support_requested_at=at if ask else None,
                    created_at=at,
                    updated_at=at,
                )
            )
    db.session.flush()
