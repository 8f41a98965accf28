"""Links and dedup keys for account mail."""

from __future__ import annotations

from datetime import datetime

from flask import current_app


def token_secret() -> str:
    """The key account tokens are signed with."""
    return current_app.config["SECRET_KEY"]




def minute_key(now: datetime) -> str:
    """The minute `now` falls in, for dedup keys.

    A double-submitted form sends once, a new request a minute later sends again. Addresses go
    into keys as fingerprints, which keeps keys short (the column holds 200 characters).
    """
    return now.strftime("%Y%m%d%H%M")
