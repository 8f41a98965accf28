"""Sponsor pages: admins manage organisations; sponsor admins buy pools, make codes and read the
report. (Employees' pages are in `employee_views`.)

Every sponsor admin page is scoped to an organisation she acts for by her live role; any other
organisation is a 404, so she cannot even tell which exist.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from mentoring.accounts import sessions
from mentoring.accounts.auth import role_required
from mentoring.accounts.models import Role
from mentoring.accounts.service import EmailUnavailable
from mentoring.accounts.tokens import TokenInvalid
from mentoring.billing.gateway import GatewayError, PaymentGateway, webhook_secret
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.forms import commit_or_flash, show_error
from mentoring.money import parse_amount
from mentoring.sponsors import eligibility, pools, reports, service
from mentoring.sponsors.forms import (
    ActivateForm,
    ButtonForm,
    InviteAccountForm,
    InviteAdminForm,
    InviteCodeForm,
    OrganizationForm,
    PoolForm,
)
from mentoring.sponsors.local_payment import pay_pool_locally
from mentoring.sponsors.models import Organization, PoolPayment, PoolStatus
from mentoring.web import public_link

bp = Blueprint("sponsors", __name__, url_prefix="/sponsors")
bp.add_app_template_filter(reports.seat_range, "seat_range")


def _gateway() -> PaymentGateway:
    return current_app.extensions["hearth.gateway"]


def _org(organization_id: int) -> Organization:
    # Her roles were loaded from the database for this request (load_user), so this is her
    # live role: a revoked sponsor admin is refused on her next request.
    if organization_id not in service.sponsored_organizations(current_user):
        abort(404)
    try:
        return service.get_organization(organization_id)
    except NotFound:
        abort(404)


# --- admins ---------------------------------------------------------------------------------


@bp.route("/admin/organizations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_organizations() -> str | Response:
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            organization = service.create_organization(
                form.name.data,
                form.domains.data,
                form.billing_email.data,
                admin_id=current_user.id,
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"{organization.name} was added.", "success")
            return redirect(url_for(".admin_organization", organization_id=organization.id))
    return render_template(
        "sponsors/admin_organizations.html",
        form=form,
        organizations=service.organizations(),
        pending=pools.pending_pools(),
        activate_form=ActivateForm(),
    )


@bp.get("/admin/organizations/<int:organization_id>")
@role_required(Role.ADMIN)
def admin_organization(organization_id: int) -> str:
    try:
        organization = service.get_organization(organization_id)
    except NotFound:
        abort(404)
    return render_template(
        "sponsors/admin_organization.html",
        organization=organization,
        form=InviteAdminForm(),
        pools=pools.pools_of(organization_id),
        activate_form=ActivateForm(),
        now=utcnow(),
    )


@bp.post("/admin/organizations/<int:organization_id>/invite")
@role_required(Role.ADMIN)
def admin_invite(organization_id: int) -> str | Response:
    return _invite(organization_id, "sponsors.admin_organization")


@bp.post("/admin/pools/<int:pool_id>/activate")
@role_required(Role.ADMIN)
def admin_activate_pool(pool_id: int) -> Response:
    form = ActivateForm()
    if not form.validate_on_submit():
        flash("Please give the contract or reason for activating the pool by hand.", "error")
    else:
        commit_or_flash(
            lambda: pools.activate_pool_by_hand(
                pool_id, admin_id=current_user.id, reason=form.reason.data, now=utcnow()
            ),
            success="The pool is active. Its employees can claim seats now.",
        )
    return redirect(request.referrer or url_for(".admin_organizations"))


def _invite(organization_id: int, back: str) -> str | Response:
    form = InviteAdminForm()
    if form.validate_on_submit():
        if commit_or_flash(
            lambda: service.invite_sponsor_admin(
                organization_id, form.email.data, actor_id=current_user.id, now=utcnow()
            ),
            success="Invitation sent. The link reaches her by email and works for 7 days.",
        ):
            return redirect(url_for(back, organization_id=organization_id))
    else:
        flash(next(iter(form.errors.values()))[0] if form.errors else "Please try again.", "error")
    return redirect(url_for(back, organization_id=organization_id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invite(token: str) -> str | Response | tuple[str, int]:
    # Open to anyone holding the link: it reached the invited mailbox. Someone logged in accepts
    # with a click; an invitee with an account logs in first; one without creates it here.
    now = utcnow()
    try:
        invite = service.open_invite(token, now=now)
    except TokenInvalid as error:
        return render_template("sponsors/invite_problem.html", message=error.message), 400
    if current_user.is_authenticated:
        form = ButtonForm()
        if form.validate_on_submit():
            try:
                organization = service.accept_invite(token, current_user.id, now=now)
            except TokenInvalid as error:
                db.session.rollback()
                return render_template("sponsors/invite_problem.html", message=error.message), 400
            db.session.commit()
            flash(f"You now act for {organization.name}.", "success")
            return redirect(url_for(".dashboard", organization_id=organization.id))
        return render_template("sponsors/accept_invite.html", form=form, token=token)
    if service.invitee_has_account(invite):
        flash("Please log in with the address the invitation was sent to, then accept it.", "info")
        return redirect(url_for("accounts.login", next=request.path))
    form = InviteAccountForm()
    if form.validate_on_submit():
        try:
            user = service.accept_invite_with_new_account(
                token,
                display_name=form.display_name.data,
                timezone=form.timezone.data,
                password=form.password.data,
                now=now,
            )
        except EmailUnavailable:
            db.session.rollback()
            return redirect(url_for("accounts.login", next=request.path))
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, TokenInvalid):
                return render_template("sponsors/invite_problem.html", message=error.message), 400
            show_error(form, error)
        else:
            user.session_token = sessions.start_session(user.id, now=now)
            db.session.commit()
            login_user(user)
            flash("Welcome to Hearth. You now manage your organisation's sponsored seats.", "success")
            return redirect(url_for(".dashboard", organization_id=invite.organization_id))
    return render_template("sponsors/invite_signup.html", form=form, email=invite.email)


# --- sponsor admins -------------------------------------------------------------------------


@bp.get("/")
@role_required(Role.SPONSOR_ADMIN)
def home() -> str | Response:
    ids = service.sponsored_organizations(current_user)
    if len(ids) == 1:
        return redirect(url_for(".dashboard", organization_id=ids[0]))
    return render_template("sponsors/home.html", organizations=[service.get_organization(i) for i in ids])


@bp.get("/<int:organization_id>/")
@login_required
def dashboard(organization_id: int) -> str:
    organization = _org(organization_id)
    report = reports.sponsor_report(organization.id, utcnow())
    return render_template(
        "sponsors/dashboard.html",
        organization=organization,
        report=report,
        codes=eligibility.invite_codes(organization.id),
        code_form=InviteCodeForm(),
        invite_form=InviteAdminForm(),
        now=utcnow(),
    )


@bp.get("/<int:organization_id>/report.csv")
@login_required
def report_csv(organization_id: int) -> Response:
    organization = _org(organization_id)
    now = utcnow()
    rows = reports.export_report(organization.id, actor_id=current_user.id, now=now)
    db.session.commit()
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(
        out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="hearth-sponsor-report-{now:%Y-%m-%d}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.post("/<int:organization_id>/admins/invite")
@login_required
def invite_admin(organization_id: int) -> str | Response:
    _org(organization_id)
    return _invite(organization_id, "sponsors.dashboard")


@bp.post("/<int:organization_id>/codes")
@login_required
def create_code(organization_id: int) -> Response:
    organization = _org(organization_id)
    form = InviteCodeForm()
    if form.validate_on_submit():
        commit_or_flash(
            lambda: eligibility.create_invite_code(
                organization.id,
                max_uses=form.max_uses.data,
                days=form.days.data,
                actor_id=current_user.id,
                now=utcnow(),
            ),
            success="Code created. Share it with your employees.",
        )
    else:
        flash(next(iter(form.errors.values()))[0] if form.errors else "Please try again.", "error")
    return redirect(url_for(".dashboard", organization_id=organization.id) + "#codes")


@bp.route("/<int:organization_id>/pools/new", methods=["GET", "POST"])
@login_required
def new_pool(organization_id: int) -> str | Response:
    organization = _org(organization_id)
    form = PoolForm()
    quote = None
    if form.validate_on_submit():
        try:
            cap = parse_amount(form.price_cap.data, currency="USD", maximum_cents=None, field="price_cap")
            quote = pools.quote_pool(form.seats.data, form.months.data, cap)
        except DomainError as error:
            show_error(form, error)
        else:
            if form.submit.data:
                try:
                    pool = pools.buy_pool(
                        organization.id,
                        seats=quote.seats,
                        months=quote.months,
                        price_cap_cents=quote.price_cap_cents,
                        method=PoolPayment(form.method.data),
                        actor_id=current_user.id,
                        now=utcnow(),
                    )
                except DomainError as error:
                    db.session.rollback()
                    show_error(form, error)
                else:
                    db.session.commit()
                    if pool.status == PoolStatus.ACTIVE:
                        flash("Your seats are ready to claim.", "success")
                        return redirect(url_for(".pool", organization_id=organization.id, pool_id=pool.id))
                    return _pay(organization.id, pool.id)
    return render_template("sponsors/new_pool.html", organization=organization, form=form, quote=quote)


def _pay(organization_id: int, pool_id: int) -> Response:
    # The pool was committed before the gateway is called: no transaction waits on Stripe.
    pool_page = url_for(".pool", organization_id=organization_id, pool_id=pool_id)
    try:
        url = pools.open_pool_payment(
            pool_id,
            organization_id,
            gateway=_gateway(),
            success_url=public_link(".pool", organization_id=organization_id, pool_id=pool_id, paid=1)[1],
            cancel_url=public_link(".pool", organization_id=organization_id, pool_id=pool_id)[1],
            stand_in_url=url_for(".local_payment", organization_id=organization_id, pool_id=pool_id),
            customer_email=current_user.email,
        )
        db.session.commit()
    except GatewayError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(pool_page)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "info")
        return redirect(pool_page)
    pool = pools.get_pool(pool_id, organization_id)
    if pool.payment_method == PoolPayment.INVOICE:
        flash(
            "Your invoice is on its way to your billing contact. The seats activate when it is paid.",
            "success",
        )
        return redirect(pool_page)
    return redirect(url or pool_page)


@bp.get("/<int:organization_id>/pools/<int:pool_id>")
@login_required
def pool(organization_id: int, pool_id: int) -> str:
    organization = _org(organization_id)
    try:
        seat_pool = pools.get_pool(pool_id, organization.id)
    except NotFound:
        abort(404)
    report = reports.sponsor_report(organization.id, utcnow())
    line = next(line for line in report.pools if line.pool_id == seat_pool.id)
    return render_template(
        "sponsors/pool.html",
        organization=organization,
        pool=seat_pool,
        line=line,
        form=ButtonForm(),
        local=current_app.config.get("PAYMENT_GATEWAY") == "local",
        paid=request.args.get("paid") == "1",
    )


@bp.post("/<int:organization_id>/pools/<int:pool_id>/pay")
@login_required
def pay_pool(organization_id: int, pool_id: int) -> Response:
    _org(organization_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _pay(organization_id, pool_id)


def _local_pool(organization_id: int, pool_id: int):  # noqa: ANN202 - a SeatPool
    if current_app.config.get("PAYMENT_GATEWAY") != "local":
        abort(404)
    _org(organization_id)
    try:
        return pools.get_pool(pool_id, organization_id)
    except NotFound:
        abort(404)


@bp.route("/<int:organization_id>/pools/<int:pool_id>/local-payment", methods=["GET", "POST"])
@login_required
def local_payment(organization_id: int, pool_id: int) -> str | Response:
    """The local gateway's stand-in for Stripe's checkout page and for an invoice being paid."""
    seat_pool = _local_pool(organization_id, pool_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            pay_pool_locally(
                seat_pool, secret=webhook_secret(current_app.config), gateway=_gateway(), now=utcnow()
            )
        except NotFound:
            abort(404)
        db.session.commit()
        return redirect(url_for(".pool", organization_id=organization_id, pool_id=pool_id, paid=1))
    return render_template("sponsors/local_payment.html", pool=seat_pool, form=form)
