"""Test factories: rows built directly, so a test states only what it cares about."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from mentoring.accounts.models import Role, RoleAssignment, User
from mentoring.circles.agreement import version_to_accept
from mentoring.circles.models import Circle, CircleStatus, Enrollment, Meeting
from mentoring.circles.schedule import weekly_slots
from mentoring.db import utcnow
from mentoring.extensions import db

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
# Hashing is slow on purpose; tests share one hash of PASSWORD.
_PASSWORD_HASH: str | None = None


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = generate_password_hash(PASSWORD)
    return _PASSWORD_HASH


def make_user(
    email: str | None = None,
    *,
    display_name: str | None = None,
    timezone: str = "Europe/London",
    verified: bool = True,
    roles: tuple[Role, ...] = (),
    bio: str | None = None,
) -> User:
    n = next(_counter)
    user = User(
        email=(email or f"user{n}@example.com").lower(),
        password_hash=password_hash(),
        display_name=display_name or f"Member {n}",
        timezone=timezone,
        email_verified_at=utcnow() if verified else None,
        bio=bio,
    )
    db.session.add(user)
    db.session.flush()
    for role in roles:
        db.session.add(RoleAssignment(user_id=user.id, role=str(role)))
    db.session.flush()
    db.session.refresh(user)
    return user


def make_circle(
    facilitator: User | None = None,
    *,
    title: str | None = None,
    status: str = CircleStatus.OPEN,
    capacity: int = 8,
    timezone: str = "Europe/London",
    first_date: date | None = None,
    start_time: time = time(20, 30),
    meeting_count: int = 8,
    duration_minutes: int = 60,
    price_mode: str = "free",
    **fields: object,
) -> Circle:
    """An open circle with its meetings, starting next week unless told otherwise."""
    facilitator = facilitator or make_user(roles=(Role.FACILITATOR,))
    first = first_date or (utcnow().date() + timedelta(days=7))
    circle = Circle(
        facilitator_id=facilitator.id,
        title=title or f"Circle {next(_counter)}",
        theme=fields.pop("theme", "returning_to_work"),
        description=fields.pop("description", "A circle for mothers going back to work."),
        capacity=capacity,
        timezone=timezone,
        weekday=first.weekday(),
        start_time=start_time,
        duration_minutes=duration_minutes,
        first_date=first,
        meeting_count=meeting_count,
        status=status,
        agreement_text=fields.pop("agreement_text", "What is said here stays here."),
        price_mode=price_mode,
        published_at=utcnow() if status != CircleStatus.DRAFT else None,
        **fields,
    )
    db.session.add(circle)
    db.session.flush()
    for slot in weekly_slots(first, start_time, duration_minutes, timezone, meeting_count):
        db.session.add(
            Meeting(circle_id=circle.id, sequence=slot.sequence, starts_at=slot.starts_at,
                    ends_at=slot.ends_at)
        )
    db.session.flush()
    return circle


def enroll(circle: Circle, user: User, *, status: str = "active", price_cents: int = 0,
           now: datetime | None = None) -> Enrollment:
    """Put a member straight into a circle, keeping the seat count true."""
    now = now or utcnow()
    enrollment = Enrollment(
        circle_id=circle.id, user_id=user.id, status=status, price_cents=price_cents,
        agreed_at=now, agreement_version=version_to_accept(circle.id),
        joined_at=now if status == "active" else None,
        waitlisted_at=now if status == "waitlisted" else None,
        funding="free" if price_cents == 0 else "self",
    )
    db.session.add(enrollment)
    if status in ("active", "held", "offered"):
        circle.seats_taken += 1
    db.session.flush()
    return enrollment


def login(client: FlaskClient, user: User) -> None:
    """Log a user in by session, for tests that are not about logging in."""
    from flask import has_app_context

    from mentoring.accounts.sessions import start_session

    # The session must exist on the server (committed) before the client's requests look for it.
    if has_app_context():
        token = start_session(user.id, now=utcnow())
        db.session.commit()
    else:
        with client.application.app_context():
            token = start_session(user.id, now=utcnow())
            db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{token}"
        session["_fresh"] = True


def make_notification(
    user: User,
    *,
    key: str | None = None,
    kind: str = "circle_reminder",
    subject: str = "Your circle meets tomorrow",
    text: str = "Your circle meets tomorrow at 20:30.",
    link: str | None = "/circles/1",
    due_at: datetime | None = None,
    channel: str = "email",
):  # noqa: ANN201 - returns a Notification
    """Queue a notification through the one real way, and return its row."""
    from sqlalchemy import select

    from mentoring.notify.models import Notification
    from mentoring.notify.service import queue_notification

    key = key or f"test:{next(_counter)}"
    queue_notification(user.id, kind, key, subject=subject, text=text, link=link, due_at=due_at,
                       channel=channel)
    return db.session.execute(select(Notification).where(Notification.dedup_key == key)).scalar_one()


def make_pair(circle: Circle, *members: User, published: bool = True, at: datetime | None = None):  # noqa: ANN201
    """Practice buddies in `circle`, published (active) unless told otherwise."""
    from mentoring.buddies.models import BuddyPair, BuddyPairMember

    pair = BuddyPair(circle_id=circle.id, reasons="", active_from=(at or utcnow()) if published else None)
    pair.members = [BuddyPairMember(user_id=m.id) for m in members]
    db.session.add(pair)
    db.session.flush()
    return pair
