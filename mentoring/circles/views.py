"""Members' side of circles: find one, join it, see her place, leave; facilitators remove members."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from mentoring.accounts.auth import can_manage_circle, verified_required
from mentoring.availability.service import week_of
from mentoring.billing.refunds import leaving_refund
from mentoring.circles import agreement
from mentoring.circles import enrollment as seats
from mentoring.circles.calendar import circle_calendar
from mentoring.circles.member_forms import CircleFilterForm, JoinForm, RemoveMemberForm
from mentoring.circles.models import (
    LIVE_CIRCLE_STATUSES,
    LIVE_ENROLLMENT_STATUSES,
    Circle,
    EnrollmentStatus,
    PriceMode,
)
from mentoring.circles.queries import (
    CircleView,
    browse_circles,
    circle_calendar_data,
    circle_page,
    enrollment_in_circle,
    member_dashboard,
)
from mentoring.conversations.forms import CantComeForm
from mentoring.conversations.panels import circle_panel
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound, PermissionDenied
from mentoring.extensions import db
from mentoring.forms import commit_or_flash
from mentoring.sponsors.claims import SponsoredOffer, sponsored_offer
from mentoring.timekeeping.viewer import viewer_timezone
from mentoring.web import link_args, page_number, public_link

bp = Blueprint("circles", __name__, url_prefix="/circles")


def _viewer_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _circle_page(circle_id: int) -> CircleView:
    try:
        return circle_page(circle_id, _viewer_id(), utcnow())
    except NotFound:
        abort(404)


def _render_circle(circle_id: int, form: JoinForm | None = None, status: int = 200) -> tuple[str, int]:
    view = _circle_page(circle_id)
    talk = circle_panel(circle_id, _viewer_id(), [m.id for m in view.upcoming],
                        is_member=view.state.status == EnrollmentStatus.ACTIVE,
                        is_facilitator=view.state.is_facilitator)
    if form is None and _shows_join_form(view.state):
        form = JoinForm()
    return render_template("circles/detail.html", view=view, circle=view.circle, state=view.state,
                           form=form, viewer_tz=viewer_timezone(), talk=talk,
                           now=utcnow(), action=CantComeForm(formdata=None, back="circle"),
                           sponsored=_free_circle_offer(view)), status


def _shows_join_form(state: seats.ViewerState) -> bool:
    # The agreement form (a changed agreement to accept) or the join form (anyone without a
    # place); members, the facilitator and those holding a place see neither, and building a
    # form (its CSRF token, its fields) is a good part of the page's cost.
    return state.agreement_to_accept or not state.has_place


def _free_circle_offer(view: CircleView) -> SponsoredOffer | None:
    # A paid circle offers the sponsored seat on its payment page; a free one has none, so its
    # join panel does. Asked only when that panel shows the join form (one query), so members,
    # the facilitator and visitors cost nothing more.
    circle, state = view.circle, view.state
    joinable = (
        current_user.is_authenticated
        and circle.price_mode == PriceMode.FREE
        and not state.has_place
        and circle.status in LIVE_CIRCLE_STATUSES
        and bool(view.upcoming)
        and circle.seats_taken < circle.capacity
    )
    return sponsored_offer(current_user.id, circle.id, utcnow()) if joinable else None


@bp.get("/")
def browse() -> str:
    form = CircleFilterForm(formdata=request.args)
    form.validate()
    ignored = [form[name].label.text for name in form.errors]
    viewer_tz = viewer_timezone()
    result = browse_circles(form.filters(), viewer_tz=viewer_tz, now=utcnow(), viewer_id=_viewer_id(),
                            page=page_number())
    args = link_args(name for name in form._fields if name != "page")
    active_filters = sum(1 for name, value in args.items() if value and name != "tz")
    return render_template("circles/browse.html", form=form, result=result, viewer_tz=viewer_tz,
                           ignored=ignored, page_args=args, active_filters=active_filters)


@bp.get("/<int:circle_id>")
def detail(circle_id: int) -> tuple[str, int]:
    return _render_circle(circle_id)


@bp.post("/<int:circle_id>/join")
@verified_required
def join(circle_id: int) -> Response | tuple[str, int]:
    form = JoinForm()
    if not form.validate():
        return _render_circle(circle_id, form, 400)
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        abort(404)
    try:
        if circle.price_mode == PriceMode.FREE:
            enrollment = seats.join_free_circle(circle_id, current_user.id, agreed=True, now=utcnow())
        elif circle.seats_taken >= circle.capacity:
            enrollment = seats.join_waitlist(circle_id, current_user.id, agreed=True, now=utcnow())
        else:
            return redirect(url_for("billing.quote", circle_id=circle_id))
    except NotFound:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        if error.field == "agree":
            form.agree.errors = [error.message]
            return _render_circle(circle_id, form, 400)
        flash(error.message, "warning")
        return redirect(url_for("circles.detail", circle_id=circle_id))
    db.session.commit()
    if enrollment.status == EnrollmentStatus.ACTIVE:
        flash("Welcome to the circle. The meeting details are below.", "success")
        if not week_of(current_user.id):
            # Asked gently, only while her week is empty; nothing depends on an answer.
            ask = Markup('If you like, tell Hearth <a href="{}">when your children let you come</a>: '
                         "it helps you find circles that fit. Never required.")
            flash(ask.format(url_for("availability.week")), "info")
    else:
        flash("You are on the waitlist. We will tell you as soon as a seat is free.", "success")
    return redirect(url_for("circles.detail", circle_id=circle_id))


@bp.get("/<int:circle_id>/calendar.ics")
@login_required
def calendar(circle_id: int) -> Response:
    """The circle's meetings as a file for her own calendar app."""
    try:
        data = circle_calendar_data(circle_id, current_user.id,
                                    public_link("circles.detail", circle_id=circle_id)[1])
    except NotFound:
        abort(404)
    body = circle_calendar(data.circle, data.meetings, include_location=data.location, now=utcnow())
    return Response(body, content_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{data.filename}"',
        # It may carry the meeting link: no shared cache keeps a copy.
        "Cache-Control": "private, no-store",
    })


def _own_place(circle_id: int) -> seats.ViewerState:
    state = seats.viewer_state(circle_id, current_user.id)
    if state.enrollment_id is None:
        abort(404)
    return state


@bp.get("/<int:circle_id>/leave")
@login_required
def leave_confirm(circle_id: int) -> Response | str:
    view = _circle_page(circle_id)
    if view.state.status not in LIVE_ENROLLMENT_STATUSES:
        flash("You don't have a place in this circle to give up.", "info")
        return redirect(url_for("circles.detail", circle_id=circle_id))
    # What leaving would give back is billing's to say; the page shows it before she decides.
    refund = leaving_refund(view.state.enrollment_id, now=utcnow())
    return render_template("circles/leave.html", circle=view.circle, state=view.state, refund=refund)


@bp.post("/<int:circle_id>/leave")
@login_required
def leave(circle_id: int) -> Response:
    state = _own_place(circle_id)
    if commit_or_flash(lambda: seats.leave_circle(state.enrollment_id, current_user.id, now=utcnow()),
                       success="You have left the circle. Thank you for the time you shared."):
        return redirect(url_for("circles.dashboard"))
    return redirect(url_for("circles.detail", circle_id=circle_id))


@bp.post("/<int:circle_id>/agreement")
@login_required
def accept_agreement(circle_id: int) -> Response | tuple[str, int]:
    state = _own_place(circle_id)
    form = JoinForm()
    if not form.validate():
        return _render_circle(circle_id, form, 400)
    commit_or_flash(
        lambda: agreement.accept_agreement(state.enrollment_id, current_user.id, agreed=True, now=utcnow()),
        success="Thank you for accepting the circle's agreement.",
    )
    return redirect(url_for("circles.detail", circle_id=circle_id))


@bp.post("/<int:circle_id>/offer/accept")
@verified_required
def accept_offer(circle_id: int) -> Response:
    state = _own_place(circle_id)
    try:
        seats.accept_offer(state.enrollment_id, current_user.id, now=utcnow())
    except seats.PaymentRequired:
        db.session.rollback()
        return redirect(url_for("billing.quote", circle_id=circle_id))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for("circles.detail", circle_id=circle_id))
    db.session.commit()
    flash("The seat is yours. Welcome to the circle.", "success")
    return redirect(url_for("circles.detail", circle_id=circle_id))


@bp.post("/<int:circle_id>/offer/decline")
@login_required
def decline_offer(circle_id: int) -> Response:
    state = _own_place(circle_id)
    if commit_or_flash(lambda: seats.decline_offer(state.enrollment_id, current_user.id, now=utcnow()),
                       success="You have declined the seat. It goes to the next person waiting."):
        return redirect(url_for("circles.dashboard"))
    return redirect(url_for("circles.detail", circle_id=circle_id))


@bp.get("/mine")
@login_required
def dashboard() -> str:
    board = member_dashboard(current_user.id, utcnow())
    return render_template("circles/dashboard.html", board=board, viewer_tz=current_user.timezone,
                           cant_come=board.cant_come, action=CantComeForm(formdata=None))


def _removable(circle_id: int, enrollment_id: int):  # noqa: ANN202 - an Enrollment
    try:
        enrollment = enrollment_in_circle(circle_id, enrollment_id)
    except NotFound:
        abort(404)
    if not can_manage_circle(current_user, enrollment.circle.facilitator_id):
        abort(404)
    return enrollment


@bp.get("/<int:circle_id>/members/<int:enrollment_id>/remove")
@login_required
def remove_member_confirm(circle_id: int, enrollment_id: int) -> str:
    enrollment = _removable(circle_id, enrollment_id)
    return render_template("circles/remove_member.html", enrollment=enrollment, form=RemoveMemberForm())


@bp.post("/<int:circle_id>/members/<int:enrollment_id>/remove")
@login_required
def remove_member(circle_id: int, enrollment_id: int) -> Response | tuple[str, int]:
    enrollment = _removable(circle_id, enrollment_id)
    form = RemoveMemberForm()
    if form.validate():
        try:
            seats.remove_member(enrollment_id, current_user.id, form.reason.data, now=utcnow())
        except PermissionDenied:
            abort(403)
        except DomainError as error:
            db.session.rollback()
            form.reason.errors = [error.message]
        else:
            db.session.commit()
            flash("The member has been removed and told kindly. Her seat goes to the waitlist.", "success")
            return redirect(url_for("circles.detail", circle_id=circle_id))
    return render_template("circles/remove_member.html", enrollment=enrollment, form=form), 400
