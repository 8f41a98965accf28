"""Login sessions kept on the server.

A session cookie (and a remember-me cookie, which lasts a year) carries her id and a random
token; the server keeps the token's digest in `user_sessions`. Logging out deletes that row, so
a copied cookie stops working at once; "log out everywhere", a new password and deleting the
account delete all of her rows. Functions flush and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import joinedload

from mentoring.accounts.models import User, UserSession
from mentoring.extensions import db
from mentoring.notify.models import Notification

# A remember-me cookie lasts a year (Flask-Login's default); no session outlives it.
SESSION_LIFETIME = timedelta(days=365)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user_id: int, *, now: datetime) -> str:
    """Open a session for her and return its token (for `User.session_token`)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user_id, token_hash=_digest(token), created_at=now))
    db.session.flush()
    return token


# Her unread notifications that are due by now, for the header every page shows.
_UNREAD = (
    select(func.count(Notification.id))
    .where(Notification.user_id == User.id, Notification.visible_at <= bindparam("now"),
           Notification.read_at.is_(None))
    .correlate(User)
    .scalar_subquery()
)
# Built once: every request of a logged-in member runs it, and building a statement costs more
# than running it. Only the bound values change.
_SESSION_USER = (
    select(User, _UNREAD).options(joinedload(User.roles))
    .join(UserSession, UserSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), UserSession.token_hash == bindparam("token_hash"),
           User.deleted_at.is_(None), UserSession.created_at >= bindparam("since"))
)


def user_for_session(session_id: str, *, now: datetime) -> User | None:
    """The live account a session id ("<user id>:<token>") belongs to, with her roles and her
    unread notifications' count, in one query; None once the session has ended (or is older
    than SESSION_LIFETIME) or the account is deleted."""
    user_part, _, token = session_id.partition(":")
    if not user_part.isdigit() or not token:
        return None
    row = db.session.execute(
        _SESSION_USER,
        {"user_id": int(user_part), "token_hash": _digest(token), "since": now - SESSION_LIFETIME,
         "now": now},
    ).unique().one_or_none()
    if row is None:
        return None
    user, user.unread_notifications = row
    user.session_token = token
    return user


def end_session(token: str | None) -> None:
    """End one session (logging out on this device); an unknown token is ignored."""
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def end_all_sessions(user_id: int, *, keep: str | None = None) -> int:
    """End every session of hers except `keep` (the one she is using, if any); returns how many."""
    statement = delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        statement = statement.where(UserSession.token_hash != _digest(keep))
    return db.session.execute(statement).rowcount


def end_expired_sessions(now: datetime) -> int:
    """End the sessions older than SESSION_LIFETIME (never logged out: a closed browser, a lost
    phone); returns how many. Idempotent."""
    return db.session.execute(
        delete(UserSession).where(UserSession.created_at < now - SESSION_LIFETIME)
    ).rowcount


def session_history(user_id: int) -> list[datetime]:
    """When each of her open sessions began, oldest first (for her data export)."""
    return list(db.session.execute(
        select(UserSession.created_at).where(UserSession.user_id == user_id).order_by(UserSession.created_at)
    ).scalars())
