"""Her week (the availability editor) and her calendar feed settings."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentoring.availability import service
from mentoring.availability.forms import WindowForm
from mentoring.availability.windows import DAY, PRESETS, STEP, WeekGrid, hhmm, parse_hhmm
from mentoring.circles.catalog import WEEKDAYS
from mentoring.errors import DomainError
from mentoring.extensions import db
from mentoring.forms import commit_or_flash, show_error

bp = Blueprint("availability", __name__, url_prefix="/my-week")


def _render_week(form: WindowForm, status: int = 200) -> tuple[str, int]:
    rows = service.window_rows(current_user.id)
    grid = WeekGrid.of(service.week_of(current_user.id))
    return render_template("availability/week.html", form=form, rows=rows, grid=grid, presets=PRESETS,
                           weekdays=WEEKDAYS, hhmm=hhmm, step=STEP, day=DAY), status


@bp.get("/")
@login_required
def week() -> tuple[str, int]:
    form = WindowForm(formdata=None)
    # A tapped grid cell comes back as ?day=&at=: the form starts there (works without JS).
    day, at = request.args.get("day", ""), parse_hhmm(request.args.get("at", ""))
    if day.isdigit() and int(day) < 7 and at is not None and at < DAY:
        form.weekdays.data = [day]
        form.start.data, form.end.data = hhmm(at), hhmm(min(at + 2 * STEP, DAY))
    return _render_week(form)


@bp.post("/windows")
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


@bp.post("/presets/<key>")
@login_required
def apply_preset(key: str) -> Response:
    if key not in PRESETS:
        abort(404)
    commit_or_flash(lambda: service.apply_preset(current_user.id, key),
                    success=f"Added: {PRESETS[key].title}. You can adjust it below.")
    return redirect(url_for("availability.week"))


@bp.post("/windows/<int:window_id>/remove")
@login_required
def remove_window(window_id: int) -> Response:
    commit_or_flash(lambda: service.remove_window(current_user.id, window_id), success="Removed.")
    return redirect(url_for("availability.week"))


@bp.post("/clear")
@login_required
def clear() -> Response:
    commit_or_flash(lambda: service.clear_week(current_user.id), success="Your week is empty again.")
    return redirect(url_for("availability.week"))
