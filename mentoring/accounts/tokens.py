"""Signed, expiring tokens for links sent by email.

Each purpose has its own salt, so a token made for one purpose never opens another. The clock
is passed in (`now`), so a token's age is judged against the same instant as the rule using it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from mentoring.errors import DomainError

VERIFY_EMAIL = "verify-email"
CHANGE_EMAIL = "change-email"
RESET_PASSWORD = "reset-password"
SPONSOR_INVITE = "sponsor-invite"
WORK_EMAIL = "work-email"
# The one-click link in an email's footer and List-Unsubscribe header: turns off one kind.
UNSUBSCRIBE = "unsubscribe"
# The one-tap "can't come" link in a meeting reminder (it asks her to confirm).
CANT_COME = "cant-come"
PURPOSES = (VERIFY_EMAIL, CHANGE_EMAIL, RESET_PASSWORD, SPONSOR_INVITE, WORK_EMAIL, UNSUBSCRIBE, CANT_COME)


class TokenInvalid(DomainError):
    """This link isn't valid. Please check you copied all of it, or ask for a new one."""


class TokenExpired(TokenInvalid):
    """This link has expired. Please ask for a new one."""


def _serializer(secret: str, purpose: str, now: datetime) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(secret, salt=f"hearth.{purpose}", signer=ClockSigner)


def make_token(purpose: str, payload: dict[str, Any], *, secret: str, now: datetime) -> str:
    """A URL-safe token carrying `payload`, signed for `purpose` at `now`."""
    return _serializer(secret, purpose, now).dumps(payload)


def read_token(purpose: str, token: str, *, secret: str, max_age: timedelta, now: datetime) -> dict[str, Any]:
    """The payload of a token made for `purpose` at most `max_age` before `now`.

    Raises TokenExpired when it is too old and TokenInvalid when it was altered, made for
    another purpose, or is not a token at all.
    """
    serializer = _serializer(secret, purpose, now)
    try:
        payload = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise TokenExpired() from error
    except BadSignature as error:
        raise TokenInvalid() from error
    if not isinstance(payload, dict):
        raise TokenInvalid()
    return payload


def fingerprint(*parts: object) -> str:
    """A short digest of the account state a token depends on; when that changes, the token dies."""
    joined = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(joined.encode()).hexdigest()[:20]
