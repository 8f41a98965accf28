"""Billing pages: the quote and checkout, the webhook, receipts, and the admin's payments."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentoring.accounts.auth import is_admin, role_required, verified_required
from mentoring.accounts.models import Role
from mentoring.billing import local_checkout, queries
from mentoring.billing import refunds as refund_service  # noqa: F401 - connects the signal receivers
from mentoring.billing.checkout import (
    JoinQuote,
    abandon_checkout,
    open_checkout,
    quote_for_circle,
    start_checkout,
)
from mentoring.billing.forms import JoinForm, PaymentFilterForm, RefundForm
from mentoring.billing.fulfilment import settle_returning_checkout
from mentoring.billing.gateway import GatewayError, PaymentGateway, webhook_secret
from mentoring.billing.models import Payment
from mentoring.billing.webhooks import InvalidSignature, MalformedEvent, handle_webhook
from mentoring.circles.enrollment import CircleFull
from mentoring.circles.models import Circle
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import csrf, db
from mentoring.forms import show_error
from mentoring.sponsors.claims import sponsored_offer
from mentoring.web import link_args, page_number, public_link

log = logging.getLogger(__name__)
bp = Blueprint("billing", __name__, url_prefix="/billing")


REFUND_REASONS = {
    "left": "You left the circle",
    "meeting_cancelled": "A meeting was cancelled",
    "circle_cancelled": "The circle was cancelled",
    "seat_unavailable": "Your seat was no longer free",
    "manual": "Refunded by Hearth",
    "reconciled": "Refunded by Hearth",
}


@bp.app_context_processor
def _billing_helpers() -> dict[str, object]:
    return {"refund_reasons": REFUND_REASONS}


def _gateway() -> PaymentGateway:
    return current_app.extensions["hearth.gateway"]


@bp.route("/circles/<int:circle_id>/join", methods=["GET", "POST"])
@verified_required
def quote(circle_id: int) -> str | Response:
    now = utcnow()
    # The session keeps what it loaded only while something refers to it: held here, the circle
    # is read once for the quotes, the seat hold and the agreement instead of once for each.
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        abort(404)
    try:
        join = quote_for_circle(circle_id, now=now)
    except NotFound:
        abort(404)
    except DomainError as error:
        return render_template("billing/unavailable.html", circle_id=circle_id, message=error.message)
    form = JoinForm()
    if request.method == "GET":
        form.amount.data = join.price_input
    shown = join
    if request.method == "POST":
        valid = form.validate()
        try:
            # Only her price per meeting is read from the form; the total is always recomputed.
            shown = join.priced(typed_amount=form.amount.data)
        except DomainError as error:
            show_error(form, error)
            valid = False
        if form.update.data:
            form.agree.errors = []
        elif valid:
            try:
                return _start(shown, agreed=bool(form.agree.data))
            except CircleFull:
                db.session.rollback()
                return render_template("billing/full.html", circle_id=circle_id, title=join.title)
            except DomainError as error:
                db.session.rollback()
                show_error(form, error)
    return render_template("billing/quote.html", join=join, shown=shown.quote, form=form,
                           cancelled=request.args.get("cancelled") == "1",
                           sponsored=sponsored_offer(current_user.id, circle_id, now))


def _start(join: JoinQuote, *, agreed: bool) -> Response:
    # Two units of work: the seat hold is committed before the gateway is called, so a slow
    # gateway never keeps the circle's seat ledger locked.
    circle_id, email = join.circle_id, current_user.email  # read before the commit expires her
    started = start_checkout(circle_id, current_user.id, chosen_cents=join.chosen_cents, agreed=agreed,
                             now=utcnow(), gateway_name=_gateway().name, quoted=join)
    db.session.commit()
    if started.joined:
        flash("You're in. Welcome to the circle.", "success")
        return redirect(url_for("circles.detail", circle_id=circle_id))
    url = started.checkout_url
    if url is None:
        try:
            url = open_checkout(
                started.payment_id, gateway=_gateway(),
                success_url=public_link("billing.success")[1] + "?session_id={CHECKOUT_SESSION_ID}",
                cancel_url=public_link("billing.quote", circle_id=circle_id, cancelled=1)[1],
                replaced_session_id=started.replaced_session_id, customer_email=email,
            )
            db.session.commit()
        except GatewayError:
            db.session.rollback()
            abandon_checkout(started.payment_id, now=utcnow())
            db.session.commit()
            raise
    return redirect(url)


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> tuple[str, int]:
    db.session.rollback()
    return render_template("billing/unavailable.html", circle_id=None, message=error.message), 409


@bp.get("/success")
@login_required
def success() -> str:
    try:
        payment, fulfilled = settle_returning_checkout(request.args.get("session_id", ""), current_user.id,
                                                       now=utcnow(), gateway=_gateway())
        if fulfilled:  # usually the webhook has paid it already: nothing to commit, nothing to reload
            payment_id = payment.id
            db.session.commit()
            payment = queries.payment_with_details(payment_id)
    except NotFound:
        abort(404)
    return render_template("billing/success.html", payment=payment)


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook() -> tuple[str, int]:
    try:
        outcome = handle_webhook(
            request.get_data(), request.headers.get("Stripe-Signature"),
            secret=webhook_secret(current_app.config), gateway=_gateway(), now=utcnow(),
        )
        db.session.commit()
    except InvalidSignature:
        db.session.rollback()
        log.warning("webhook with a bad signature refused")
        return "bad signature", 400
    except MalformedEvent:
        db.session.rollback()
        log.warning("signed webhook that is not an event refused")
        return "not an event", 400
    except Exception:
        db.session.rollback()
        log.exception("webhook failed; the gateway will retry it")
        return "error", 500
    log.info("webhook handled: %s", outcome)
    return outcome, 200


def _local_only() -> None:
    if current_app.config.get("PAYMENT_GATEWAY") != "local":
        abort(404)


def _own_local_session(session_id: str):  # noqa: ANN202
    _local_only()
    try:
        session = local_checkout.local_session(session_id)
    except NotFound:
        abort(404)
    payment = db.session.get(Payment, session.payment_id)
    if payment is None or payment.user_id != current_user.id:
        abort(404)
    return session


@bp.get("/local-checkout/<session_id>")
@login_required
def local_checkout_page(session_id: str) -> str:
    session = _own_local_session(session_id)
    return render_template("billing/local_checkout.html", session=session, now=utcnow())


@bp.post("/local-checkout/<session_id>/pay")
@login_required
def local_checkout_pay(session_id: str) -> Response:
    # Held while it is paid, so `pay_local_checkout` finds it in the session (which keeps what
    # it loaded only while something refers to it) instead of reading it again.
    checkout = _own_local_session(session_id)
    gateway = _gateway()
    next_url = local_checkout.pay_local_checkout(
        checkout.id, secret=webhook_secret(current_app.config), gateway=gateway, now=utcnow()
    )
    db.session.commit()
    return redirect(next_url)


@bp.post("/local-checkout/<session_id>/cancel")
@login_required
def local_checkout_cancel(session_id: str) -> Response:
    session = _own_local_session(session_id)
    return redirect(session.cancel_url)


@bp.get("/payments")
@login_required
def payments() -> str:
    return render_template("billing/payments.html", payments=queries.payments_of(current_user.id))


@bp.get("/payments/<int:payment_id>")
@login_required
def receipt(payment_id: int) -> str:
    payment = queries.payment_with_details(payment_id)
    if payment is None or (payment.user_id != current_user.id and not is_admin(current_user)):
        abort(404)
    return render_template("billing/receipt.html", payment=payment)


@bp.get("/admin/payments")
@role_required(Role.ADMIN)
def admin_payments() -> str:
    form = PaymentFilterForm(request.args)
    valid = form.validate()
    page = queries.search_payments(
        status=form.status.data if valid else None,
        date_from=form.date_from.data if valid else None,
        date_to=form.date_to.data if valid else None,
        email=form.email.data if valid else None,
        tzname=current_user.timezone,
        page=page_number(),
    )
    args = link_args(form._fields)
    return render_template("billing/admin_payments.html", form=form, page=page, args=args)


@bp.route("/admin/payments/<int:payment_id>/refund", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_refund(payment_id: int) -> str | Response:
    payment = queries.payment_with_details(payment_id)
    if payment is None:
        abort(404)
    form = RefundForm()
    if request.method == "GET":
        form.decision.data = secrets.token_urlsafe(16)
    if form.validate_on_submit():
        try:
            refund_service.refund_manually(
                payment_id, form.amount.data, reason=form.reason.data,
                decision=form.decision.data or secrets.token_urlsafe(16),
                admin_id=current_user.id, gateway=_gateway(), now=utcnow(),
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            payment = queries.payment_with_details(payment_id)
        else:
            flash("Refund issued. The member has been told.", "success")
            return redirect(url_for("billing.receipt", payment_id=payment_id))
    return render_template("billing/admin_refund.html", form=form, payment=payment)
