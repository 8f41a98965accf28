"""Employees' sponsor pages: linking to her employer (invite code or work email), unlinking,
claiming a sponsored seat when she joins, and "What my employer sees".

Nothing here is shown to anyone but her: the circle's other members and its facilitator never
reach these pages or anything they write.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentoring.accounts.auth import verified_required
from mentoring.circles.enrollment import CircleFull
from mentoring.circles.models import Circle
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db, limiter
from mentoring.forms import commit_or_flash, show_error
from mentoring.sponsors import (
    claims,
    eligibility,
    personal_data,  # noqa: F401 - connects her export and deletion
    reports,
)
from mentoring.sponsors.forms import ButtonForm, ClaimForm, RedeemCodeForm, WorkEmailForm

bp = Blueprint("employees", __name__, url_prefix="/sponsors")



def _account_key() -> str:
    return f"account:{current_user.get_id()}" if current_user.is_authenticated else get_remote_address()


@bp.get("/employer")
@login_required
def employer() -> str:
    link = eligibility.live_link(current_user.id)
    return render_template(
        "sponsors/employer.html",
        link=link,
        code_form=RedeemCodeForm(),
        email_form=WorkEmailForm(),
        button=ButtonForm(),
    )


@bp.post("/employer/code")
@login_required
@limiter.limit("10/hour", methods=["POST"], key_func=_account_key)
@limiter.limit("30/hour", methods=["POST"])
def redeem_code() -> str | Response:
    form = RedeemCodeForm()
    if form.validate_on_submit():
        try:
            link = eligibility.redeem_invite_code(current_user.id, form.code.data, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                f"You are linked to {link.organization.name}. "
                "Sponsored seats are offered when you join a circle.",
                "success",
            )
            return redirect(request.args.get("next") if _safe_next() else url_for(".employer"))
    return render_template(
        "sponsors/employer.html",
        link=eligibility.live_link(current_user.id),
        code_form=form,
        email_form=WorkEmailForm(),
        button=ButtonForm(),
    ), 400


def _safe_next() -> bool:
    target = request.args.get("next", "")
    return target.startswith("/") and not target.startswith("//")


@bp.post("/employer/work-email")
@login_required
@limiter.limit("5/hour", methods=["POST"], key_func=_account_key)
def work_email() -> str | Response:
    form = WorkEmailForm()
    if form.validate_on_submit():
        try:
            eligibility.send_work_email_link(current_user.id, form.work_email.data, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                "We sent a link to your work address. Open it within 48 hours while logged in here.",
                "success",
            )
            return redirect(url_for(".employer"))
    return render_template(
        "sponsors/employer.html",
        link=eligibility.live_link(current_user.id),
        code_form=RedeemCodeForm(),
        email_form=form,
        button=ButtonForm(),
    ), 400


@bp.get("/employer/work-email/<token>")
@login_required
def confirm_work_email(token: str) -> str | Response:
    try:
        link = eligibility.confirm_work_email(token, current_user.id, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        return render_template("sponsors/link_problem.html", message=error.message), 400
    db.session.commit()
    flash(f"You are linked to {link.organization.name}.", "success")
    return redirect(url_for(".employer"))


@bp.post("/employer/unlink")
@login_required
def unlink() -> Response:
    if ButtonForm().validate_on_submit():
        commit_or_flash(
            lambda: eligibility.unlink(current_user.id, now=utcnow()),
            success="You are no longer linked. From now on nothing you do feeds your employer's report.",
        )
    return redirect(url_for(".employer"))


@bp.get("/employer/report")
@login_required
def what_my_employer_sees() -> str:
    now = utcnow()
    mine = reports.own_contribution(current_user.id, now)
    report = reports.sponsor_report(mine.organization_id, now) if mine else None
    return render_template("sponsors/what_employer_sees.html", mine=mine, report=report)


@bp.route("/circles/<int:circle_id>/claim", methods=["GET", "POST"])
@verified_required
def claim(circle_id: int) -> str | Response:
    now = utcnow()
    offer = claims.sponsored_offer(current_user.id, circle_id, now)
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            claims.claim_sponsored_seat(circle_id, current_user.id, agreed=True, now=now)
        except NotFound:
            abort(404)
        except CircleFull as error:
            db.session.rollback()
            flash(error.message, "warning")
            return redirect(url_for("circles.detail", circle_id=circle_id))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("You're in, on a seat your employer sponsors. You pay nothing.", "success")
            return redirect(url_for("circles.detail", circle_id=circle_id, sponsored=1))
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        abort(404)
    return render_template("sponsors/claim.html", circle=circle, offer=offer, form=form), (
        400 if form.errors or form.form_errors else 200
    )
