"""Her week (the availability editor), interest in planned circles, find-a-time, and her calendar feed."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

# `joining` connects the welcome email (with the .ics) to circles.signals.member_joined.
from mentoring.availability import find_time, joining, service  # noqa: F401
from mentoring.availability.feed import (
    feed_calendar,
    feed_owner,
    feed_token,
    her_feed,
    regenerate_feed,
    revoke_feed,
    without_stamps,
)
from mentoring.availability.forms import ChooseTimeForm, FindTimeForm, InterestForm, WindowForm
from mentoring.availability.models import CalendarFeed
from mentoring.availability.windows import DAY, PRESETS, STEP, WeekGrid, hhmm, parse_hhmm
from mentoring.circles.catalog import WEEKDAYS
from mentoring.circles.models import Circle
from mentoring.circles.service import require_manager
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound, PermissionDenied
from mentoring.extensions import db, limiter
from mentoring.forms import ascii_number, commit_or_flash, show_error
from mentoring.web import public_link

bp = Blueprint("availability", __name__)


def _render_week(form: WindowForm, status: int = 200) -> tuple[str, int]:
    rows = service.window_rows(current_user.id)
    grid = WeekGrid.of(service.week_of(current_user.id))
    return render_template("availability/week.html", form=form, rows=rows, grid=grid, presets=PRESETS,
                           weekdays=WEEKDAYS, hhmm=hhmm, step=STEP, day=DAY), status


@bp.get("/my-week/")
@login_required
def week() -> tuple[str, int]:
    form = WindowForm(formdata=None)
    # A tapped grid cell comes back as ?day=&at=: the form starts there (works without JS).
    day, at = request.args.get("day", ""), parse_hhmm(request.args.get("at", ""))
    weekday = ascii_number(day)
    if weekday is not None and weekday < 7 and at is not None and at < DAY:
        form.weekdays.data = [day]
        form.start.data, form.end.data = hhmm(at), hhmm(min(at + 2 * STEP, DAY))
    return _render_week(form)


@bp.post("/my-week/windows")
@login_required
def add_window() -> Response | tuple[str, int]:
    form = WindowForm()
    if form.validate():
        start, end = form.minutes()
        try:
            service.add_windows(current_user.id, form.days(), start, end, form.kind.data or "",
                                hard=bool(form.hard.data), label=form.label.data or "")
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("availability.week"))
    return _render_week(form, 400)


@bp.post("/my-week/presets/<key>")
@login_required
def apply_preset(key: str) -> Response:
    if key not in PRESETS:
        abort(404)
    commit_or_flash(lambda: service.apply_preset(current_user.id, key),
                    success=f"Added: {PRESETS[key].title}. You can adjust it below.")
    return redirect(url_for("availability.week"))


@bp.post("/my-week/windows/<int:window_id>/remove")
@login_required
def remove_window(window_id: int) -> Response:
    commit_or_flash(lambda: service.remove_window(current_user.id, window_id), success="Removed.")
    return redirect(url_for("availability.week"))


@bp.post("/my-week/clear")
@login_required
def clear() -> Response:
    commit_or_flash(lambda: service.clear_week(current_user.id), success="Your week is empty again.")
    return redirect(url_for("availability.week"))


# --- interest in a planned circle ------------------------------------------------------------


def _planned(circle_id: int, key: str) -> Circle:
    try:
        return find_time.planned_circle(circle_id, key, current_app.config["SECRET_KEY"])
    except NotFound:
        abort(404)


@bp.app_context_processor
def _interest_link() -> dict[str, object]:
    def interest_link(circle_id: int, external: bool = False) -> str:
        key = find_time.interest_key(circle_id, current_app.config["SECRET_KEY"])
        return url_for("availability.interest", circle_id=circle_id, key=key, _external=external)

    return {"interest_link": interest_link}


@bp.get("/circles/<int:circle_id>/interest/<key>")
@login_required
def interest(circle_id: int, key: str) -> str:
    """The page a facilitator shares while planning: the draft itself stays hers alone."""
    circle = _planned(circle_id, key)
    return render_template("availability/interest.html", circle=circle, form=InterestForm(), key=key,
                           interested=find_time.is_interested(circle_id, current_user.id))


@bp.post("/circles/<int:circle_id>/interest/<key>")
@login_required
def mark_interest(circle_id: int, key: str) -> Response:
    _planned(circle_id, key)
    form = InterestForm()
    if not form.validate():
        abort(400)
    interested = request.form.get("interested") == "yes"
    commit_or_flash(
        lambda: find_time.set_interest(circle_id, current_user.id, interested=interested, now=utcnow()),
        success=("Thank you: the facilitator will try to find a time that suits you." if interested
                 else "You are no longer marked as interested."),
    )
    return redirect(url_for("availability.interest", circle_id=circle_id, key=key))


# --- find a time (facilitators) --------------------------------------------------------------


def _search_form(circle: Circle, people: list[find_time.Person]) -> FindTimeForm:
    form = FindTimeForm(formdata=request.args if request.args else None)
    form.people.choices = [SelectChoice(str(p.user_id), p.display_name) for p in people]
    if not request.args:
        form.people.data = [str(p.user_id) for p in people]
        form.first_date.data, form.count.data = find_time.term_to_plan(circle, utcnow())
        form.duration.data = circle.duration_minutes
    return form


# Someone else's circle answers 404 exactly like a missing one, as on the other facilitator
# pages, so walking ids doesn't tell which drafts exist.
def _own_circle(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        abort(404)
    try:
        require_manager(circle, current_user.id)
    except PermissionDenied:
        abort(404)
    return circle


@bp.get("/facilitate/circles/<int:circle_id>/find-a-time")
@login_required
def find_a_time(circle_id: int) -> tuple[str, int]:
    circle = _own_circle(circle_id)
    people = find_time.people_to_fit(circle)
    form = _search_form(circle, people)
    search = None
    # The first visit searches with the circle's own settings; a sent form is checked first.
    if not request.args or form.validate():
        wanted = [n for i in form.people.data or [] if (n := ascii_number(i)) is not None]
        try:
            search = find_time.search_times(circle.id, current_user.id, user_ids=wanted,
                                            duration=form.duration.data, first_date=form.first_date.data,
                                            count=form.count.data)
        except DomainError as error:
            show_error(form, error)
    picked = search.at(request.args.get("cell", "")) if search else None
    return render_template("availability/find_time.html", circle=circle, form=form, search=search,
                           picked=picked, weekdays=WEEKDAYS, hhmm=hhmm,
                           choose_form=ChooseTimeForm(), people=people,
                           cell_args={k: request.args.getlist(k) for k in request.args if k != "cell"}
                           ), 200 if search or not request.args else 400


@bp.post("/facilitate/circles/<int:circle_id>/find-a-time")
@login_required
def choose_a_time(circle_id: int) -> Response:
    circle = _own_circle(circle_id)
    form = ChooseTimeForm()
    if not form.validate() or None in (form.weekday.data, form.start.data, form.duration.data):
        flash("Please choose a time from the list.", "error")
        return redirect(url_for("availability.find_a_time", circle_id=circle.id))
    if commit_or_flash(
        lambda: find_time.choose_time(circle.id, current_user.id, weekday=form.weekday.data,
                                      start=form.start.data, duration=form.duration.data,
                                      from_date=form.from_date.data, now=utcnow()),
        success="The new time is set; members with a place have been told.",
    ):
        return redirect(url_for("manage.circle", circle_id=circle.id))
    return redirect(url_for("availability.find_a_time", circle_id=circle.id))


# --- her calendar feed -------------------------------------------------------------------------


FEED_RATE = "60/hour"  # a calendar app polls every few hours; this is far beyond any honest one


def _feed_urls(feed: CalendarFeed | None) -> tuple[str, str] | None:
    if feed is None or feed.revoked_at is not None:
        return None
    https = public_link("availability.feed", token=feed_token(feed, current_app.config["SECRET_KEY"]))[1]
    return https, "webcal://" + https.split("://", 1)[1]


@bp.get("/my-calendar")
@login_required
def calendar_settings() -> str:
    feed = her_feed(current_user.id)
    return render_template("availability/calendar.html", urls=_feed_urls(feed), feed=feed)


@bp.post("/my-calendar/new-link")
@login_required
def new_feed_link() -> Response:
    commit_or_flash(lambda: regenerate_feed(current_user.id, now=utcnow()),
                    success="Your calendar link is ready. Any link you had before no longer works.")
    return redirect(url_for("availability.calendar_settings"))


@bp.post("/my-calendar/turn-off")
@login_required
def revoke_feed_link() -> Response:
    commit_or_flash(lambda: revoke_feed(current_user.id, now=utcnow()),
                    success="Your calendar link is turned off. Calendars using it stop updating.")
    return redirect(url_for("availability.calendar_settings"))


def _feed_key() -> str:
    return "feed:" + str((request.view_args or {}).get("token", ""))


@bp.get("/calendar/<token>.ics")
@limiter.limit(FEED_RATE, key_func=_feed_key)
def feed(token: str) -> Response:
    """Her feed, without a login: the token in the URL is the key (calendar apps send no cookies)."""
    try:
        user_id = feed_owner(token, current_app.config["SECRET_KEY"])
    except NotFound:
        abort(404)
    page_url = public_link("circles.detail", circle_id=0)[1].replace("/0", "/{id}")
    body = feed_calendar(user_id, page_url=page_url, now=utcnow())
    etag = hashlib.sha256(without_stamps(body)).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Cache-Control": "private, no-cache"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    return Response(body, content_type="text/calendar; charset=utf-8", headers=headers)
