"""One-click unsubscribe (RFC 8058): a signed link that turns off one kind of email for her.

The link carries her id and the kind, signed with the app's secret for this purpose alone, so
it works without a login (a mail provider's one-click POST has none) and cannot be forged or
pointed at another person or another kind. It turns that kind off and nothing else; she turns
it back on in her settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mentoring.accounts.models import User
from mentoring.accounts.service import EMAIL_KINDS, OPTIONAL_EMAIL_KINDS
from mentoring.accounts.tokens import UNSUBSCRIBE, TokenInvalid, make_token, read_token
from mentoring.extensions import db

# An email can sit in her inbox a long time; a link older than this sends her to her settings.
LINK_MAX_AGE = timedelta(days=365)
UNSUBSCRIBE_PATH = "/notifications/unsubscribe/"


def can_unsubscribe(kind: str) -> bool:
    """Whether an email of this kind carries an unsubscribe link (account and payment mail don't)."""
    return kind in OPTIONAL_EMAIL_KINDS


def unsubscribe_url(user_id: int, kind: str, *, secret: str, base_url: str, now: datetime) -> str | None:
    """The absolute one-click link that turns off `kind` for her; None for a kind she can't turn off."""
    if not can_unsubscribe(kind):
        return None
    token = make_token(UNSUBSCRIBE, {"u": user_id, "k": kind}, secret=secret, now=now)
    return f"{base_url.rstrip('/')}{UNSUBSCRIBE_PATH}{token}"


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    kind: str
    label: str  # what she turned off, in the words of her settings page


def read_unsubscribe_link(token: str, *, secret: str, now: datetime) -> Unsubscription:
    """What a link would turn off, without changing anything.

    Raises TokenInvalid (forged, altered, another purpose, a kind she can't turn off, an account
    that is gone) or TokenExpired.
    """
    payload = read_token(UNSUBSCRIBE, token, secret=secret, max_age=LINK_MAX_AGE, now=now)
    user_id, kind = payload.get("u"), payload.get("k")
    if not isinstance(user_id, int) or not isinstance(kind, str) or not can_unsubscribe(kind):
        raise TokenInvalid()
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise TokenInvalid()
    return Unsubscription(user_id, kind, EMAIL_KINDS[kind])


def unsubscribe(token: str, *, secret: str, now: datetime) -> Unsubscription:
    """Turn off the one kind the link names for the one person it names; doing it twice is the
    same as once. Flushes, never commits. Raises TokenInvalid or TokenExpired (nothing changes)."""
    found = read_unsubscribe_link(token, secret=secret, now=now)
    user = db.session.get(User, found.user_id, with_for_update=True)
    assert user is not None  # checked just above, in this transaction
    user.email_opt_out = sorted({*(user.email_opt_out or []), found.kind})
    db.session.flush()
    return found
