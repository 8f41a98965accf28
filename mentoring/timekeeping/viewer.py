"""Which timezone a page shows times in.

A member's own zone is in her settings. A visitor who is not logged in has none, so a small
script (static/js/app.js) stores her browser's zone in the `tz` cookie; the server accepts it
only if zoneinfo knows the name. Without JavaScript (or with a name we don't know) times are
shown in UTC, and the page says so.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from mentoring.timekeeping.display import is_valid_timezone

TZ_COOKIE = "tz"
FALLBACK = "UTC"


def _visitor_choice() -> str | None:
    """A zone the visitor asked for (?tz= on the circle list) or her browser told us (cookie)."""
    for name in (request.args.get("tz", ""), request.cookies.get(TZ_COOKIE, "")):
        if is_valid_timezone(name):
            return name
    return None


def viewer_timezone() -> str:
    """Her own zone when logged in, else the browser's zone, else UTC."""
    if current_user.is_authenticated:
        return current_user.timezone
    return _visitor_choice() or FALLBACK


def timezone_is_guessed() -> bool:
    """True when a visitor's times fall back to UTC because we could not learn her zone."""
    return not current_user.is_authenticated and _visitor_choice() is None
