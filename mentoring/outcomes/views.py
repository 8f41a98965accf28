"""Pulse and outcome pages: she answers and sees her own change; the facilitator sees averages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from mentoring.accounts.auth import can_manage_circle, role_required
from mentoring.accounts.models import Role
from mentoring.circles.models import Circle, Enrollment, Meeting
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.forms import form_unit_of_work, show_error
from mentoring.outcomes import (
    personal_data,  # noqa: F401 - connects her export and deletion
    queries,
    service,
)
from mentoring.outcomes.chart import Point, trend_chart
from mentoring.outcomes.figures import isolation_fell_in_circle, term_figures
from mentoring.outcomes.forms import MeasureForm, PulseForm
from mentoring.outcomes.models import Phase

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


def _member_circle(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    enrolled = db.session.scalar(
        select(Enrollment.id).where(Enrollment.circle_id == circle_id, Enrollment.user_id == current_user.id)
    )
    if circle is None or enrolled is None:
        abort(404)
    return circle


@bp.get("/circles/<int:circle_id>")
@login_required
def mine(circle_id: int) -> str:
    circle = _member_circle(circle_id)
    return render_template(
        "outcomes/mine.html", circle=circle, data=queries.my_outcomes(circle_id, current_user.id, utcnow())
    )


@bp.route("/meetings/<int:meeting_id>/pulse", methods=["GET", "POST"])
@login_required
def pulse(meeting_id: int) -> tuple[str, int] | Response:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    # Another circle's meeting looks exactly like a missing one.
    _member_circle(meeting.circle_id)
    form = PulseForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                service.record_pulse(
                    current_user.id, meeting_id, form.answers(), form.note.data or "", now=utcnow()
                )
            except NotFound:
                db.session.rollback()
                abort(404)
            except DomainError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash("Thank you. Your facilitator only ever sees averages of 3 or more answers.", "success")
                return redirect(url_for("outcomes.mine", circle_id=meeting.circle_id))
    return render_template("outcomes/pulse.html", form=form, meeting=meeting), status


@bp.route("/circles/<int:circle_id>/measure/<any(start, end):phase>", methods=["GET", "POST"])
@login_required
def measure(circle_id: int, phase: str) -> tuple[str, int] | Response:
    circle = _member_circle(circle_id)
    form = MeasureForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            with form_unit_of_work(form, success="Thank you. Only you see your answers.") as change:
                service.record_measure(current_user.id, circle_id, phase, form.answers(), now=utcnow())
            if change.done:
                return redirect(url_for("outcomes.mine", circle_id=circle_id))
    return render_template(
        "outcomes/measure.html", form=form, circle=circle, phase=phase, start=phase == Phase.START
    ), status


@bp.get("/circles/<int:circle_id>/pulse")
@login_required
def pulse_summary(circle_id: int) -> str:
    circle = db.session.get(Circle, circle_id)
    if circle is None or not can_manage_circle(current_user, circle.facilitator_id):
        abort(404)
    return render_template(
        "outcomes/pulse_summary.html",
        circle=circle,
        summary=queries.pulse_summary(circle, utcnow()),
        minimum=queries.MIN_PULSE_ANSWERS,
        outcome=isolation_fell_in_circle(circle_id, utcnow()),
    )


@bp.get("/programme")
@role_required(Role.ADMIN)
def programme() -> str:
    rows = term_figures()
    terms, total = rows[:-1], rows[-1]
    chart = trend_chart(
        "Share of members whose isolation fell, by term (%)",
        [Point(r.key, r.percent) for r in terms],
        low=0,
        high=100,
    )
    return render_template("outcomes/programme.html", terms=terms, total=total, chart=chart)
