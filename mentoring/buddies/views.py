"""Buddy pages: the facilitator suggests, swaps and publishes; a member sees her buddy."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentoring.accounts.auth import can_manage_circle
from mentoring.buddies import (
    personal_data,  # noqa: F401 - connects her export and deletion
    practice,
    queries,
    service,
)
from mentoring.buddies.forms import ApartForm, NotesForm, OtherTimeForm, ProposeForm, SwapForm
from mentoring.buddies.models import BuddyPair
from mentoring.circles.models import Circle
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.forms import commit_or_flash, form_unit_of_work, show_error
from mentoring.growth.queries import buddy_shared
from mentoring.growth.service import is_active_member

bp = Blueprint("buddies", __name__, url_prefix="/buddies")


def _managed(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if circle is None or not can_manage_circle(current_user, circle.facilitator_id):
        abort(404)
    return circle


def _hers(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if circle is None or not is_active_member(circle_id, current_user.id):
        abort(404)
    return circle


def _render_manage(circle: Circle, form: SwapForm | None = None, status: int = 200) -> tuple[str, int]:
    pairs = queries.circle_pairs(circle)
    if form is None:
        form = SwapForm()
    form.set_members([(u.id, u.display_name) for u in queries.active_members(circle.id)])
    return render_template("buddies/manage.html", pairs=pairs, form=form), status


@bp.get("/circles/<int:circle_id>/manage")
@login_required
def manage(circle_id: int) -> tuple[str, int]:
    return _render_manage(_managed(circle_id))


@bp.post("/circles/<int:circle_id>/suggest")
@login_required
def suggest(circle_id: int) -> Response:
    _managed(circle_id)
    commit_or_flash(
        lambda: service.suggest_pairs(circle_id, now=utcnow()),
        success="Here is a suggestion. Swap anyone you like, then publish it.",
    )
    return redirect(url_for("buddies.manage", circle_id=circle_id))


@bp.post("/circles/<int:circle_id>/swap")
@login_required
def swap(circle_id: int) -> tuple[str, int] | Response:
    circle = _managed(circle_id)
    form = SwapForm()
    form.set_members([(u.id, u.display_name) for u in queries.active_members(circle_id)])
    if form.validate_on_submit():
        try:
            service.swap_members(circle_id, form.first.data or 0, form.second.data or 0, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("buddies.manage", circle_id=circle_id))
    return _render_manage(circle, form, 400)


@bp.post("/circles/<int:circle_id>/publish")
@login_required
def publish(circle_id: int) -> Response:
    _managed(circle_id)
    commit_or_flash(
        lambda: service.publish_pairs(circle_id, now=utcnow()),
        success="Published. Each member has been told who her buddy is.",
    )
    return redirect(url_for("buddies.manage", circle_id=circle_id))


def _render_mine(
    circle: Circle,
    apart_form: ApartForm | None = None,
    *,
    propose_form: ProposeForm | None = None,
    other_time_form: tuple[int, OtherTimeForm] | None = None,
    notes_form: tuple[int, NotesForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    page = queries.buddy_page(circle, current_user.id)
    apart_form = apart_form or ApartForm()
    apart_form.set_members(page.others)
    return render_template(
        "buddies/mine.html",
        page=page,
        apart_form=apart_form,
        propose_form=propose_form or ProposeForm(formdata=None),
        other_time=dict([other_time_form]) if other_time_form else {},
        blank_other_time=OtherTimeForm(formdata=None),
        notes_errors={notes_form[0]: notes_form[1].notes.errors} if notes_form else {},
        shared=buddy_shared(current_user.id, circle.id),
    ), status


@bp.get("/circles/<int:circle_id>")
@login_required
def mine(circle_id: int) -> tuple[str, int]:
    return _render_mine(_hers(circle_id))


@bp.post("/circles/<int:circle_id>/apart")
@login_required
def keep_apart(circle_id: int) -> tuple[str, int] | Response:
    circle = _hers(circle_id)
    form = ApartForm()
    if form.validate_on_submit():
        try:
            service.keep_apart(current_user.id, circle_id, form.other_id.data or 0, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("buddies.mine", circle_id=circle_id))
    return _render_mine(circle, form, status=400)


@bp.post("/circles/<int:circle_id>/apart/<int:other_id>/withdraw")
@login_required
def stop_keeping_apart(circle_id: int, other_id: int) -> Response:
    _hers(circle_id)
    commit_or_flash(lambda: service.stop_keeping_apart(current_user.id, other_id), success="Done.")
    return redirect(url_for("buddies.mine", circle_id=circle_id))


@bp.post("/circles/<int:circle_id>/change")
@login_required
def request_change(circle_id: int) -> Response:
    _hers(circle_id)
    commit_or_flash(
        lambda: service.request_change(current_user.id, circle_id, now=utcnow()),
        success="Your facilitator has been asked. Your buddy has not been told.",
    )
    return redirect(url_for("buddies.mine", circle_id=circle_id))


def _session_circle(session_id: int) -> int:
    try:
        session = practice.own_session(session_id, current_user.id)
    except NotFound:
        abort(404)
    pair = db.session.get(BuddyPair, session.pair_id)
    assert pair is not None
    return pair.circle_id


@bp.post("/circles/<int:circle_id>/sessions")
@login_required
def propose(circle_id: int) -> tuple[str, int] | Response:
    circle = _hers(circle_id)
    form = ProposeForm()
    if form.validate_on_submit():
        try:
            practice.propose_session(
                current_user.id,
                circle_id,
                form.starts_at(current_user.timezone),
                form.duration_minutes.data,
                form.topic.data or "",
                now=utcnow(),
            )
        except NotFound:
            db.session.rollback()
            abort(404)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Proposed. Your buddy has been told.", "success")
            return redirect(url_for("buddies.mine", circle_id=circle_id))
    return _render_mine(circle, propose_form=form, status=400)


@bp.post("/sessions/<int:session_id>/accept")
@login_required
def accept(session_id: int) -> Response:
    circle_id = _session_circle(session_id)
    commit_or_flash(
        lambda: practice.accept_session(session_id, current_user.id, now=utcnow()), success="Accepted."
    )
    return redirect(url_for("buddies.mine", circle_id=circle_id))


@bp.post("/sessions/<int:session_id>/other-time")
@login_required
def other_time(session_id: int) -> tuple[str, int] | Response:
    circle_id = _session_circle(session_id)
    form = OtherTimeForm()
    if form.validate_on_submit():
        with form_unit_of_work(form, success="Suggested. Your buddy has been told.") as change:
            practice.suggest_other_time(
                session_id, current_user.id, form.starts_at(current_user.timezone), now=utcnow()
            )
        if change.done:
            return redirect(url_for("buddies.mine", circle_id=circle_id))
    return _render_mine(_hers(circle_id), other_time_form=(session_id, form), status=400)


@bp.post("/sessions/<int:session_id>/done")
@login_required
def done(session_id: int) -> Response:
    circle_id = _session_circle(session_id)
    commit_or_flash(
        lambda: practice.mark_done(session_id, current_user.id, now=utcnow()), success="Marked done."
    )
    return redirect(url_for("buddies.mine", circle_id=circle_id))


@bp.post("/sessions/<int:session_id>/notes")
@login_required
def notes(session_id: int) -> tuple[str, int] | Response:
    circle_id = _session_circle(session_id)
    form = NotesForm()
    if form.validate_on_submit():
        with form_unit_of_work(form, success="Notes saved.") as change:
            practice.save_notes(session_id, current_user.id, form.notes.data or "")
        if change.done:
            return redirect(url_for("buddies.mine", circle_id=circle_id))
    return _render_mine(_hers(circle_id), notes_form=(session_id, form), status=400)
