"""Admin pages: facilitator applications, accounts, circles awaiting a facilitator, the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from mentoring.accounts import roles
from mentoring.accounts.auth import role_required
from mentoring.accounts.models import Role
from mentoring.admin import service
from mentoring.admin.forms import ActionForm, ReassignCircleForm
from mentoring.circles import handover
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.forms import commit_or_flash
from mentoring.jobs.heartbeat import scheduler_health
from mentoring.notify import service as notify_service
from mentoring.web import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(Role.ADMIN)
def admins_only() -> None:
    """Every admin page is for admins only."""
    return None


@bp.get("/")
def index() -> str:
    return render_template("admin/index.html", applications=service.pending_applications(), form=ActionForm())


def _decide(decision, application_id: int, done: str) -> Response:  # noqa: ANN001
    form = ActionForm()
    if not form.validate_on_submit():
        flash("That form had expired. Please try again.", "error")
        return redirect(url_for(".index"))
    commit_or_flash(lambda: decision(application_id, admin_id=current_user.id, now=utcnow()), success=done)
    return redirect(url_for(".index"))


@bp.post("/applications/<int:application_id>/approve")
def approve_application(application_id: int) -> Response:
    return _decide(roles.approve_application, application_id, "Approved. She is now a facilitator.")


@bp.post("/applications/<int:application_id>/decline")
def decline_application(application_id: int) -> Response:
    return _decide(roles.decline_application, application_id, "Declined. We've let her know.")


@bp.get("/mail")
def undelivered_mail() -> str:
    now = utcnow()
    return render_template("admin/mail.html", mail=notify_service.undelivered_mail(page_number()),
                           backlog=notify_service.mail_backlog(now), scheduler=scheduler_health(now),
                           form=ActionForm())


@bp.post("/mail/<int:notification_id>/retry")
def retry_mail(notification_id: int) -> Response:
    if ActionForm().validate_on_submit():
        commit_or_flash(
            lambda: notify_service.retry_delivery(notification_id, actor_id=current_user.id, now=utcnow()),
            success="Queued again: the scheduler will try to send it within a minute.",
        )
    return redirect(url_for(".undelivered_mail"))


@bp.get("/users")
def users() -> str:
    query = request.args.get("q", "")[:254]
    return render_template("admin/users.html", users=service.search_users(query, page_number()), q=query,
                           form=ActionForm())


@bp.post("/users/<int:user_id>/revoke-facilitator")
def revoke_facilitator(user_id: int) -> Response:
    form = ActionForm()
    if form.validate_on_submit():
        revoked = roles.revoke_role(user_id, Role.FACILITATOR, actor_id=current_user.id, now=utcnow(),
                                    reason="revoked by an admin")
        db.session.commit()
        flash("Facilitator role revoked. Her circles wait for a new facilitator under Circles."
              if revoked else "She wasn't a facilitator.", "success")
    return redirect(url_for(".users"))


@bp.get("/circles")
def circles() -> str:
    return render_template("admin/circles.html", circles=handover.circles_awaiting_facilitator(),
                           facilitators=handover.approved_facilitators(), form=ReassignCircleForm())


@bp.post("/circles/<int:circle_id>/reassign")
def reassign_circle(circle_id: int) -> Response:
    form = ReassignCircleForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: handover.reassign_circle(circle_id, form.facilitator_id.data, actor_id=current_user.id,
                                             now=utcnow()),
            success="Reassigned. The new facilitator and the circle's members have been told.",
        )
    else:
        flash("Please choose a facilitator.", "error")
    return redirect(url_for(".circles"))


@bp.get("/audit")
def audit() -> str:
    return render_template("admin/audit.html", log=service.audit_log(page_number()))
