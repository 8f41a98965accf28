"""Reading what Hearth queued for a member, the way her inbox would show it."""

from __future__ import annotations

import re

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.extensions import db
from mentoring.notify.models import Notification

STRONG = "plum kettle orbit 42"


def notifications(user_id: int, subject_contains: str = "") -> list[Notification]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    ).scalars().all()
    return [n for n in rows if subject_contains.lower() in n.payload["subject"].lower()]


def link_in(notification: Notification) -> str:
    """The path of the link a notification carries (its text has the absolute form)."""
    link = notification.payload["link"]
    assert f"http://localhost{link}" in notification.payload["text"]
    return link


def token_in(notification: Notification) -> str:
    match = re.search(r"/([^/]+)$", link_in(notification))
    assert match
    return match.group(1)


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
