"""Site-wide pages (landing, health), security headers and template helpers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request, url_for
from sqlalchemy import text
from werkzeug.routing import Map, UnicodeConverter

from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.forms import render_field
from mentoring.jobs.heartbeat import SchedulerState, scheduler_health
from mentoring.money import format_money
from mentoring.timekeeping.display import format_local, format_local_date, tz_label
from mentoring.timekeeping.viewer import timezone_is_guessed, viewer_locale, viewer_timezone

bp = Blueprint("web", __name__)


class PrintableString(UnicodeConverter):
    """The string part of a path (a token, a key, a session id), without control characters.

    Every such part is looked up or compared; PostgreSQL refuses a NUL in text (a 500), and no
    link Hearth makes holds one, so such a path matches no route: 404, like any unknown link."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]")


def register_converters(app: Flask) -> None:
    """Before any blueprint: a route's converters are chosen when it is added."""
    app.url_map.converters["default"] = app.url_map.converters["string"] = PrintableString

# No list is this long; a larger `?page=` would only overflow the database's OFFSET.
MAX_PAGE = 10_000

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
# Production is served over TLS only (BASE_URL must be https): browsers remember that for two years.
HSTS = "max-age=63072000; includeSubDomains"


@bp.get("/")
def landing() -> str:
    return render_template("web/landing.html")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """The database, and whether the scheduler (which sends all mail) is beating.

    A missing heartbeat means no scheduler ever ran against this database: in production that
    is as bad as a stopped one (no mail goes out), so it fails the check; in development (a fresh
    install, `flask run` alone) it is only reported.
    """
    try:
        db.session.execute(text("SELECT 1"))
        health = scheduler_health(utcnow())
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is down for us
        db.session.rollback()
        return jsonify(status="degraded", database="down", scheduler="unknown"), 503
    body: dict[str, str] = {"database": database, "scheduler": health.state}
    if health.last_beat is not None:
        body["scheduler_last_beat"] = health.last_beat.isoformat()
    failing = health.state is SchedulerState.STALE or (
        health.state is SchedulerState.NOT_STARTED and current_app.config.get("HEARTH_ENV") == "production"
    )
    return jsonify(status="degraded" if failing else "ok", **body), (503 if failing else 200)


def public_link(endpoint: str, **values: object) -> tuple[str, str]:
    """(path, absolute URL) of a page, the absolute form built on `BASE_URL`.

    Mail and payment redirects leave Hearth, so they carry the public address the operator
    configured rather than whatever host a request happened to arrive on.
    """
    path = url_for(endpoint, _external=False, **values)
    return path, current_app.config["BASE_URL"].rstrip("/") + path


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["SETTINGS"].is_production:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def page_number() -> int:
    """The `?page=` of a list page: 1 when missing or not a number, at most MAX_PAGE."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def link_args(keys: Iterable[str]) -> dict[str, str]:
    """The non-empty query values of `keys` only, to carry into a list page's links.

    Passing the whole query string to `url_for` would hand it `_method`, `_external`,
    `_scheme` or `_anchor` (a 500, or links pointing at whatever Host the request named).
    """
    return {key: value for key in keys if (value := request.args.get(key, ""))}


def _refuse_nul_in_query() -> None:
    # PostgreSQL refuses NUL in text (a 500 wherever a query value is looked up, such as the
    # checkout's session_id or the admin's search), and no link Hearth makes carries one.
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def viewer_money(cents: int, currency: str) -> str:
    """An amount as this page's viewer reads it (templates call it as `money`)."""
    return format_money(cents, currency, locale=viewer_locale())


def nav_url(endpoint: str, **values: str) -> str:
    """`url_for` for the links every page's frame carries (the header, the stylesheet), made once
    per app, script root and values: building a URL costs more than reading one kept, and the
    frame has a dozen. Only for a fixed set of links, never for ids a request brings."""
    made = current_app.extensions.setdefault("hearth_nav_urls", {})
    key = (endpoint, request.script_root, *sorted(values.items()))
    if key not in made:
        made[key] = url_for(endpoint, **values)
    return made[key]


_ID_MARK = 987_654_321_987  # stands in for each id while a link's pattern is made


def id_url(endpoint: str, **ids: int) -> str:
    """`url_for(endpoint, **ids)` for links that take only ids (a row's "open" or "follow up"):
    the link is made once per endpoint with a mark in each id's place, and each row's ids are
    put in for the marks. A list of rows links each of them; werkzeug building every one cost
    a tenth of a dashboard. Anything but plain non-negative ids goes through `url_for`."""
    if not all(type(value) is int and value >= 0 for value in ids.values()):
        return url_for(endpoint, **ids)
    made = current_app.extensions.setdefault("hearth_id_urls", {})
    names = tuple(sorted(ids))
    key = (endpoint, request.script_root, names)
    pattern = made.get(key)
    if pattern is None:
        marks = {name: _ID_MARK + n for n, name in enumerate(names)}
        pattern = url_for(endpoint, **marks).replace("{", "{{").replace("}", "}}")
        for n, name in enumerate(names):
            pattern = pattern.replace(str(_ID_MARK + n), "{" + name + "}")
        made[key] = pattern
    return pattern.format(**ids)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_in_query)
    app.after_request(_security_headers)
    app.jinja_env.globals.update(render_field=render_field, nav_url=nav_url, id_url=id_url)
    app.jinja_env.filters["localtime"] = lambda dt, tz=None: format_local(dt, tz or viewer_timezone())
    app.jinja_env.filters["localdate"] = lambda dt, tz=None: format_local_date(
        dt, tz or viewer_timezone()
    )

    @app.context_processor
    def inject_helpers() -> dict[str, object]:
        return {"viewer_timezone": viewer_timezone, "timezone_is_guessed": timezone_is_guessed,
                "tz_label": tz_label, "money": viewer_money, "viewer_locale": viewer_locale}
