"""Pages for "can't come", private threads with the facilitator, announcements and reports.

Every page about a thread answers 404 to anyone but its two people: whether a thread exists is
itself private.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentoring.accounts.auth import role_required
from mentoring.accounts.models import Role
from mentoring.conversations import (
    absences,
    announcements,
    personal_data,  # noqa: F401 - connects her export and deletion
    threads,
)
from mentoring.conversations.forms import ActionForm, AnnouncementForm, CantComeForm, MessageForm
from mentoring.conversations.rules import absence_reason
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.forms import form_unit_of_work, show_error

bp = Blueprint("conversations", __name__, url_prefix="/talk")


def _back(where: str, circle_id: int) -> Response:
    if where == "circle":
        return redirect(url_for("circles.detail", circle_id=circle_id))
    return redirect(url_for("circles.dashboard"))


# --- can't come ------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/cant-come", methods=["GET", "POST"])
@login_required
def cant_come(meeting_id: int) -> str | Response | tuple[str, int]:
    now = utcnow()
    try:
        meeting = absences.her_upcoming_meeting(meeting_id, current_user.id, now)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(error.message, "warning")
        return redirect(url_for("circles.dashboard"))
    form = CantComeForm()
    if not form.is_submitted():
        form.back.data = request.args.get("back", "dashboard")
    if form.validate_on_submit():
        try:
            reason = absence_reason(form.reason.data, form.own_words.data)
            absences.cant_come(meeting.id, current_user.id, reason, now=now)
        except NotFound:
            abort(404)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Thank you for telling us. Your facilitator knows you can't come; it counts as "
                  "excused. You can undo it until the meeting starts.", "success")
            return _back(form.back_to(), meeting.circle_id)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("conversations/cant_come.html", form=form, meeting=meeting,
                           circle=meeting.circle), status


@bp.post("/meetings/<int:meeting_id>/can-come")
@login_required
def undo_cant_come(meeting_id: int) -> Response:
    form = CantComeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        meeting = absences.her_upcoming_meeting(meeting_id, current_user.id, utcnow())
        absences.undo_cant_come(meeting.id, current_user.id, now=utcnow())
    except NotFound:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for("circles.dashboard"))
    db.session.commit()
    flash("Good news: you are expected at the meeting again.", "success")
    return _back(form.back_to(), meeting.circle_id)


@bp.route("/cant-come/<token>", methods=["GET", "POST"])
def cant_come_from_email(token: str) -> str | Response | tuple[str, int]:
    """The one-tap link in her reminder: no login needed (the signed link says who she is and
    which meeting), and nothing changes until she confirms on this page."""
    now = utcnow()
    try:
        user_id, meeting = absences.read_cant_come_link(token, secret=current_app.config["SECRET_KEY"],
                                                        now=now)
    except DomainError as error:
        return render_template("accounts/link_problem.html", message=error.message,
                               retry_url=url_for("circles.dashboard"), retry_label="Go to my circles"), 400
    form = CantComeForm()
    if form.validate_on_submit():
        try:
            reason = absence_reason(form.reason.data, form.own_words.data)
            absences.cant_come(meeting.id, user_id, reason, now=now)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return render_template("conversations/cant_come_done.html", circle=meeting.circle,
                                   meeting=meeting)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("conversations/cant_come.html", form=form, meeting=meeting, circle=meeting.circle,
                           from_email=True), status


# --- threads -----------------------------------------------------------------------------------


@bp.get("/")
@login_required
def inbox() -> str:
    return render_template("conversations/threads.html", threads=threads.threads_of(current_user.id))


@bp.route("/circles/<int:circle_id>/facilitator", methods=["GET", "POST"])
@login_required
def write(circle_id: int) -> str | Response | tuple[str, int]:
    try:
        circle = threads.circle_to_write_about(circle_id, current_user.id)
    except NotFound:
        abort(404)
    existing = threads.member_thread(circle.id, current_user.id)
    form = MessageForm()
    if existing is not None and not form.is_submitted():
        return redirect(url_for(".thread", thread_id=existing.id))
    if form.validate_on_submit():
        sent = f"Sent. {circle.facilitator.display_name} will answer here."
        with form_unit_of_work(form, success=sent, missing_is_404=True) as change:
            message = threads.write_to_facilitator(circle.id, current_user.id, form.body.data or "",
                                                   now=utcnow())
        if change.done:
            return redirect(url_for(".thread", thread_id=message.thread_id))
    status = 400 if form.is_submitted() else 200
    return render_template("conversations/write.html", form=form, circle=circle), status


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
@login_required
def thread(thread_id: int) -> str | Response | tuple[str, int]:
    try:
        found = threads.thread_for(thread_id, current_user.id)
    except NotFound:
        abort(404)
    form = MessageForm()
    if form.validate_on_submit():
        with form_unit_of_work(form, success="Sent.", missing_is_404=True) as change:
            threads.reply(found.id, current_user.id, form.body.data or "", now=utcnow())
        if change.done:
            return redirect(url_for(".thread", thread_id=found.id))
    status = 400 if form.is_submitted() else 200
    return render_template("conversations/thread.html", thread=found, form=form, action=ActionForm(),
                           me=current_user.id), status


@bp.post("/messages/<int:message_id>/report")
@login_required
def report(message_id: int) -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message_thread = threads.report_message(message_id, current_user.id, now=utcnow())
    except NotFound:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for(".inbox"))
    db.session.commit()
    flash("Thank you. The Hearth team will look at that message (and only that message)."
          if message_thread else "You have already reported that message.", "success")
    return redirect(url_for(".inbox"))


@bp.get("/reports")
@role_required(Role.ADMIN)
def reports() -> str:
    return render_template("conversations/reports.html", reports=threads.reported_messages())


# --- announcements -----------------------------------------------------------------------------


@bp.route("/circles/<int:circle_id>/announce", methods=["GET", "POST"])
@login_required
def announce(circle_id: int) -> str | Response | tuple[str, int]:
    circle = announcements.circle_to_announce_to(circle_id, current_user.id)
    if circle is None:
        abort(404)
    form = AnnouncementForm()
    if form.validate_on_submit():
        posted = "Announcement posted. Every member has been told."
        with form_unit_of_work(form, success=posted, missing_is_404=True) as change:
            announcements.post_announcement(circle.id, current_user.id, form.body.data or "", now=utcnow())
        if change.done:
            return redirect(url_for("circles.detail", circle_id=circle.id))
    status = 400 if form.is_submitted() else 200
    return render_template("conversations/announce.html", form=form, circle=circle), status
