"""Facilitators' side of circles: create and edit circles, run their meetings, take attendance."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from mentoring.accounts.auth import can_manage_circle, role_required
from mentoring.accounts.models import Role
from mentoring.circles import catalog, meetings, roster, service
from mentoring.circles.forms import (
    AgendaForm,
    CircleForm,
    ConfirmForm,
    MoveMeetingForm,
    ReasonForm,
    SkipWeekForm,
)
from mentoring.circles.models import AttendanceStatus, Circle, Meeting
from mentoring.conversations.absences import absences_by_meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.forms import commit_or_flash, form_unit_of_work
from mentoring.timekeeping.display import all_timezones

bp = Blueprint("manage", __name__, url_prefix="/facilitate")


# Someone else's circle answers 404 exactly like a missing one, so ids of drafts can't be probed.
def _own_circle(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if circle is None or not can_manage_circle(current_user, circle.facilitator_id):
        abort(404)
    return circle


# Built once: every facilitator's meeting page runs it.
_MEETING_WITH_CIRCLE = (
    select(Meeting).options(joinedload(Meeting.circle)).where(Meeting.id == bindparam("meeting_id"))
)


def _own_meeting(meeting_id: int, *, lock: bool = False) -> Meeting:
    # `lock`: read as a change to it reads it (meetings.find_locked_meeting), for a save.
    meeting = (meetings.find_locked_meeting(meeting_id) if lock
               else db.session.execute(_MEETING_WITH_CIRCLE, {"meeting_id": meeting_id}).scalar_one_or_none())
    if meeting is None or not can_manage_circle(current_user, meeting.circle.facilitator_id):
        abort(404)
    return meeting


def _circle_page(circle: Circle) -> Response:
    # The id from the session's identity key: after a commit has expired the circle, reading
    # `circle.id` would load the whole row again only to build this link.
    return redirect(url_for("manage.circle", circle_id=inspect(circle).identity[0]))


@bp.get("/")
@role_required(Role.FACILITATOR)
def dashboard() -> str:
    data = roster.facilitator_dashboard(current_user.id, utcnow(), all_past=request.args.get("past") == "all")
    return render_template("manage/dashboard.html", data=data, catalog=catalog, cant_come=data.cant_come)


@bp.route("/circles/new", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def new_circle() -> str | Response:
    form = CircleForm()
    if request.method == "GET":
        form.timezone.data = current_user.timezone
    if form.validate_on_submit():
        with form_unit_of_work(
            form, success="Your circle is saved as a draft. Check its meetings, then publish it."
        ) as change:
            circle = service.create_circle(current_user.id, form.to_input(), now=utcnow())
        if change.done:
            return _circle_page(circle)
    return render_template("manage/circle_form.html", form=form, circle=None, has_met=False,
                           timezones=all_timezones())


@bp.get("/circles/<int:circle_id>")
@login_required
def circle(circle_id: int) -> str:
    circle = _own_circle(circle_id)
    return render_template(
        "manage/circle.html", circle=circle, roster=roster.circle_roster(circle.id), now=utcnow(),
        catalog=catalog, confirm_form=ConfirmForm(),
    )


@bp.route("/circles/<int:circle_id>/edit", methods=["GET", "POST"])
@login_required
def edit_circle(circle_id: int) -> str | Response:
    circle = _own_circle(circle_id)
    now = utcnow()
    has_met = any(m.starts_at <= now for m in circle.meetings)
    form = CircleForm()
    if has_met:
        form.first_date.label.text = "Next meeting"
    if request.method == "GET":
        form.fill_from(circle, service.next_schedule_date(circle, list(circle.meetings), now))
    if form.validate_on_submit():
        with form_unit_of_work(form, success="Changes saved.") as change:
            service.update_circle(circle.id, current_user.id, form.to_input(), now=now)
        if change.done:
            return _circle_page(circle)
    return render_template("manage/circle_form.html", form=form, circle=circle, has_met=has_met,
                           timezones=all_timezones())


@bp.post("/circles/<int:circle_id>/publish")
@login_required
def publish(circle_id: int) -> Response:
    circle = _own_circle(circle_id)
    if ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: service.publish_circle(circle.id, current_user.id, now=utcnow()),
                        success="Published: members can now find and join your circle.")
    return _circle_page(circle)


@bp.route("/circles/<int:circle_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_circle(circle_id: int) -> str | Response:
    circle = _own_circle(circle_id)
    form = ReasonForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: service.cancel_circle(circle.id, current_user.id, form.reason.data or "", now=utcnow()),
            success="The circle is cancelled and its members have been told.",
        )
        return _circle_page(circle)
    return render_template(
        "manage/confirm.html", form=form, circle=circle, meeting=None,
        heading=f"Cancel {circle.title}?",
        explanation="Every meeting still to come is cancelled, and everyone with a place or on the "
                    "waiting list is told. This cannot be undone.",
        button="Yes, cancel the circle", danger=True,
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_meeting(meeting_id: int) -> str | Response:
    meeting = _own_meeting(meeting_id)
    circle = meeting.circle
    form = ReasonForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: meetings.cancel_meeting(meeting.id, current_user.id, form.reason.data or "",
                                            now=utcnow()),
            success="The meeting is cancelled and members have been told.",
        )
        return _circle_page(circle)
    return render_template(
        "manage/confirm.html", form=form, circle=circle, meeting=meeting,
        heading=f"Cancel meeting {meeting.sequence}?",
        explanation="Members are told, and anyone who paid for it is refunded. The term does not get "
                    "longer; to keep the number of meetings, skip the week instead.",
        button="Yes, cancel this meeting", danger=True,
    )


@bp.route("/meetings/<int:meeting_id>/skip", methods=["GET", "POST"])
@login_required
def skip_week(meeting_id: int) -> str | Response:
    meeting = _own_meeting(meeting_id)
    circle = meeting.circle
    form = SkipWeekForm()
    if request.method == "GET":
        form.starts_at.data = meeting.starts_at.isoformat()
    if form.validate_on_submit():
        try:
            seen = datetime.fromisoformat(form.starts_at.data) if form.starts_at.data else None
        except ValueError:
            seen = None
        commit_or_flash(
            lambda: meetings.skip_week(meeting.circle_id, current_user.id, meeting.id, now=utcnow(),
                                       expected_start=seen),
            success="Week skipped: this meeting and the ones after it are a week later.",
        )
        return _circle_page(circle)
    return render_template(
        "manage/confirm.html", form=form, circle=circle, meeting=meeting,
        heading=f"Skip the week of meeting {meeting.sequence}?",
        explanation="This meeting and every later one move one week later, at the same local time. "
                    "The term keeps its meetings and ends a week later. Members are told.",
        button="Skip this week", danger=False,
    )


@bp.route("/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@login_required
def move_meeting(meeting_id: int) -> str | Response:
    meeting = _own_meeting(meeting_id)
    circle = meeting.circle
    form = MoveMeetingForm()
    if request.method == "GET":
        local = meeting.starts_at.astimezone(ZoneInfo(circle.timezone))
        form.date.data, form.time.data = local.date(), local.time().replace(tzinfo=None)
    if form.validate_on_submit():
        with form_unit_of_work(form, success="Meeting moved; members have been told.") as change:
            meetings.move_meeting(meeting.id, current_user.id, form.date.data, form.time.data, now=utcnow())
        if change.done:
            return _circle_page(circle)
    return render_template("manage/move_meeting.html", form=form, circle=circle, meeting=meeting)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
@login_required
def agenda(meeting_id: int) -> str | Response:
    meeting = _own_meeting(meeting_id)
    circle = meeting.circle
    form = AgendaForm()
    if request.method == "GET":
        form.agenda.data = meeting.agenda
    if form.validate_on_submit():
        with form_unit_of_work(form, success="Agenda saved.") as change:
            meetings.set_agenda(meeting.id, current_user.id, form.agenda.data or "")
        if change.done:
            return _circle_page(circle)
    return render_template("manage/agenda.html", form=form, circle=circle, meeting=meeting)


def _attendance_marks() -> tuple[dict[int, str], dict[int, str]]:
    """The sheet's marks and notes by member id, from its fields `status-<id>` and `note-<id>`.
    `mark_attendance` refuses anyone who is not in the circle, so a save does not read the
    sheet first (only showing it again does)."""
    marks = {}
    for key, value in request.form.items():
        field, _, member = key.partition("-")
        if field == "status" and value and member.isascii() and member.isdigit():
            marks[int(member)] = value
    return marks, {member: request.form.get(f"note-{member}", "") for member in marks}


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(meeting_id: int) -> str | Response:
    # A save reads it locked, once for the check here and for mark_attendance.
    meeting = _own_meeting(meeting_id, lock=request.method == "POST")
    circle = meeting.circle  # held: after a commit, `meeting.circle` would read the meeting again
    form = ConfirmForm()
    if form.validate_on_submit():
        marks, notes = _attendance_marks()
        if commit_or_flash(
            lambda: meetings.mark_attendance(meeting.id, current_user.id, marks, notes=notes, now=utcnow(),
                                             locked=meeting),
            success="Attendance saved.",
        ):
            return _circle_page(circle)
    return render_template("manage/attendance.html", form=form, circle=circle, meeting=meeting,
                           sheet=roster.attendance_sheet(meeting), now=utcnow(),
                           statuses=list(AttendanceStatus),
                           cant_come=absences_by_meeting([meeting.id]).get(meeting.id, []))
