"""Which timezone a page shows times in, and which locale its amounts of money read in.

A member's own zone is in her settings. A visitor who is not logged in has none, so a small
script (static/js/app.js) stores her browser's zone in the `tz` cookie; the server accepts it
only if zoneinfo knows the name. Without JavaScript (or with a name we don't know) times are
shown in UTC, and the page says so.

Amounts follow the browser's Accept-Language among the locales below, chosen once per request;
the words stay English. Mail keeps `money.DEFAULT_LOCALE`: a recipient's locale is unknown.
"""

from __future__ import annotations

from flask import g, has_request_context, request
from flask_login import current_user

from mentoring.money import DEFAULT_LOCALE
from mentoring.timekeeping.display import is_valid_timezone

TZ_COOKIE = "tz"
FALLBACK = "UTC"
# The locales amounts are shown in (Babel has each): "de" reads "12,50 €", "en_GB" "US$12.50".
SUPPORTED_LOCALES = ("en", "en_GB", "en_CA", "en_AU", "fr", "de", "es", "pt_BR", "nl", "it")


def _visitor_choice() -> str | None:
    """A zone the visitor asked for (?tz= on the circle list) or her browser told us (cookie)."""
    for name in (request.args.get("tz", ""), request.cookies.get(TZ_COOKIE, "")):
        if is_valid_timezone(name):
            return name
    return None


def viewer_timezone() -> str:
    """Her own zone when logged in, else the browser's zone, else UTC."""
    user = current_user._get_current_object()  # once: each use of the proxy looks her up again
    if user.is_authenticated:
        return user.timezone
    return _visitor_choice() or FALLBACK


def timezone_is_guessed() -> bool:
    """True when a visitor's times fall back to UTC because we could not learn her zone."""
    return not current_user.is_authenticated and _visitor_choice() is None


def viewer_locale() -> str:
    """The locale her amounts of money read in: the best match of her browser's languages among
    SUPPORTED_LOCALES ("de-AT" gets "de"), else DEFAULT_LOCALE; also outside a request (jobs,
    mail). Decided once per request."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if "viewer_locale" not in g:
        g.viewer_locale = request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE
    return g.viewer_locale
