"""Demo weeks for every demo member, and members interested in the demo draft circle, so
find-a-time shows a real ranking in `make run`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.availability.models import AvailabilityWindow, CircleInterest
from mentoring.availability.windows import PRESETS, merge_windows
from mentoring.circles.models import Circle, CircleStatus
from mentoring.extensions import db

# One of these weeks per member, in turn: evenings after bedtime, school hours, nap time...
WEEKS: tuple[tuple[str, ...], ...] = (
    ("after_bedtime", "default_blocks"),
    ("school_hours", "default_blocks"),
    ("nap_time", "after_bedtime"),
    ("after_bedtime",),
    ("school_hours", "nap_time", "default_blocks"),
)
DRAFT_TITLE = "Stepping Up: First-Time Managers"
INTERESTED = 8


def seed_availability(now: datetime) -> None:
    """Give each demo member without a week one of WEEKS, and mark the first INTERESTED members
    interested in the demo draft. Looks rows up first, so a second run changes nothing. Flushes."""
    members = list(db.session.scalars(
        select(User).where(User.email.like("member%@demo.hearth")).order_by(User.id)))
    has_week = set(db.session.scalars(
        select(AvailabilityWindow.user_id).where(AvailabilityWindow.user_id.in_([m.id for m in members]))))
    for index, member in enumerate(members):
        if member.id in has_week:
            continue
        windows = merge_windows(w for key in WEEKS[index % len(WEEKS)] for w in PRESETS[key].windows)
        db.session.add_all(
            AvailabilityWindow(user_id=member.id, weekday=w.weekday, start_minute=w.start, end_minute=w.end,
                               kind=w.kind, hard=w.hard, label=w.label)
            for w in windows
        )
    draft = db.session.scalar(select(Circle).where(Circle.title == DRAFT_TITLE,
                                                   Circle.status == CircleStatus.DRAFT))
    if draft is not None:
        interested = set(db.session.scalars(
            select(CircleInterest.user_id).where(CircleInterest.circle_id == draft.id)))
        db.session.add_all(CircleInterest(circle_id=draft.id, user_id=m.id, created_at=now)
                           for m in members[:INTERESTED] if m.id not in interested)
    db.session.flush()
