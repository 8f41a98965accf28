"""After she pays: fulfilment, duplicate payments, and a checkout that ends unpaid.

The webhook, the success redirect and the reconciliation job all settle a payment through
`fulfil_payment`, which is idempotent and safe to race. The database keeps at most one payment
per membership (a partial unique index), so the second of two paid checkouts for one place is
refunded whatever the timing; refund events that came before their payment are applied here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from mentoring.billing.gateway import GatewayError, PaymentGateway
from mentoring.billing.models import FULFILLABLE_STATUSES, CheckoutPaymentStatus, Payment, PaymentStatus
from mentoring.billing.queries import DETAILS
from mentoring.billing.refunds import apply_waiting_refunds, issue_refund, refund_unkept_payment
from mentoring.circles.enrollment import confirm_held_seat, release_hold
from mentoring.circles.models import Circle, CircleStatus, Enrollment, Funding
from mentoring.db import keep_written
from mentoring.errors import NotFound
from mentoring.extensions import db
from mentoring.money import format_money
from mentoring.notify.service import queue_notification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FulfilResult:
    outcome: str  # fulfilled/already/refunded/unknown
    payment_id: int | None


def payment_for_session(session_id: str, *options: ORMOption) -> Payment | None:
    """The payment a gateway checkout belongs to, if any (loaded with `options`)."""
    return db.session.execute(
        select(Payment).where(Payment.gateway_session_id == session_id).options(*options)
    ).scalar_one_or_none()


def _claim(payment: Payment, payment_intent: str | None, now: datetime) -> str:
    """Mark a fulfillable payment paid: 'claimed', 'already' (not fulfillable any more) or
    'duplicate' (another payment is already kept for this membership: the unique index said no,
    on PostgreSQL after waiting for that payment's transaction to commit)."""
    claim = (
        update(Payment)
        .where(Payment.id == payment.id, Payment.status.in_([str(s) for s in FULFILLABLE_STATUSES]))
        .execution_options(synchronize_session=False)
    )
    intent = payment_intent or payment.gateway_payment_id
    paid = {"status": PaymentStatus.PAID, "paid_at": now, "gateway_payment_id": intent}
    try:
        with db.session.begin_nested():
            claimed = db.session.execute(claim.values(**paid)).rowcount
    except IntegrityError:
        # Record the money that arrived, still not kept; it is refunded next.
        db.session.execute(claim.values(paid_at=now, gateway_payment_id=intent))
        db.session.refresh(payment)
        return "duplicate"
    if claimed != 1:
        return "already"
    keep_written(db.session, payment, paid)  # on the locked row, unread
    return "claimed"


def fulfil_payment(
    session_id: str, *, payment_intent: str | None, now: datetime, gateway: PaymentGateway
) -> FulfilResult:
    """Record that a checkout was paid and give her the seat. Idempotent and safe to race.

    The webhook, the success redirect and the reconciliation job all call this. The payment
    row is locked and then claimed with a conditional UPDATE, so however often and in whatever
    order they arrive, exactly one call marks it paid, confirms the seat and queues one
    confirmation. The database keeps at most one payment per membership: a second paid
    checkout for the same place (two tabs, two prices, paid at the same moment) fails that
    unique index and is refunded in full, whatever the timing. Refund events that came before
    the payment was known are applied now; one that refunded it all means no seat. If the seat
    is gone (her hold lapsed and someone else took it) the payment is refunded in full and she
    is told: money is never silently kept. Raises GatewayError/RefundFailed when a refund
    cannot be made (the caller rolls back and retries).
    """
    payment = db.session.execute(
        select(Payment)
        .where(Payment.gateway_session_id == session_id)
        .options(joinedload(Payment.enrollment, innerjoin=True).joinedload(Enrollment.circle, innerjoin=True))
        .with_for_update(of=Payment)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if payment is None:
        log.warning("checkout %s paid but no payment matches it; ignored", session_id)
        return FulfilResult(outcome="unknown", payment_id=None)
    claim = _claim(payment, payment_intent, now)
    if claim == "already":
        return FulfilResult(outcome="already", payment_id=payment.id)
    if payment.gateway_payment_id and apply_waiting_refunds(payment.gateway_payment_id, now=now):
        db.session.refresh(payment)
    circle = payment.enrollment.circle
    if claim == "duplicate":
        _refund_duplicate(payment, circle, gateway=gateway, now=now)
        return FulfilResult(outcome="refunded", payment_id=payment.id)
    if payment.status == PaymentStatus.REFUNDED:
        # Refunded at the gateway before we heard it was paid: no money, no seat.
        release_hold(payment.enrollment_id, now=now)
        _tell_refunded_before_placed(payment, circle)
        return FulfilResult(outcome="refunded", payment_id=payment.id)

    price_cents, funding = payment.enrollment.price_cents, payment.enrollment.funding  # as just read
    placed = circle.status != CircleStatus.CANCELLED and confirm_held_seat(payment.enrollment_id, now=now)
    if not placed:
        release_hold(payment.enrollment_id, now=now)
        refunded = format_money(payment.amount_cents - payment.refunded_cents, payment.currency)
        issue_refund(
            payment.id,
            payment.amount_cents,
            reason="seat_unavailable",
            idempotency_key=f"refund:unplaced:{payment.id}",
            gateway=gateway,
            now=now,
            meetings=payment.meetings_covered,
            message=(
                f"Your payment for {circle.title} arrived when there was no longer a seat for you, "
                f"so we refunded you in full ({refunded}). "
                "You can join the waitlist from the circle's page."
            ),
        )
        return FulfilResult(outcome="refunded", payment_id=payment.id)

    if (price_cents, funding) != (payment.unit_amount_cents, Funding.SELF):
        # Her place records the price this payment was for (her hold usually says so already).
        db.session.execute(
            update(Enrollment)
            .where(Enrollment.id == payment.enrollment_id)
            .values(price_cents=payment.unit_amount_cents, funding=Funding.SELF)
            .execution_options(synchronize_session=False)
        )
    queue_notification(
        payment.user_id,
        "payment",
        f"payment-confirmed:{payment.id}",
        subject=f"You're in: {circle.title}",
        text=(
            f"Thank you. We received {format_money(payment.amount_cents, payment.currency)} "
            f"for {payment.meetings_covered} meetings of {circle.title}, and your place is confirmed."
        ),
        link=f"/billing/payments/{payment.id}",
    )
    return FulfilResult(outcome="fulfilled", payment_id=payment.id)


def _refund_duplicate(payment: Payment, circle: Circle, *, gateway: PaymentGateway, now: datetime) -> None:
    # Her place is already paid for by another payment: this one is returned, her seat untouched.
    shown = format_money(payment.amount_cents - payment.refunded_cents, payment.currency)
    refund_unkept_payment(
        payment.id,
        reason="duplicate",
        idempotency_key=f"refund:duplicate:{payment.id}",
        gateway=gateway,
        now=now,
        message=(
            f"We received a second payment for your place in {circle.title}, so we refunded it in "
            f"full ({shown}). Your place is paid for and stays confirmed."
        ),
    )


def _tell_refunded_before_placed(payment: Payment, circle: Circle) -> None:
    queue_notification(
        payment.user_id,
        "payment",
        f"payment-refunded-before-placed:{payment.id}",
        subject=f"Your payment for {circle.title} was refunded",
        text=(
            f"Your payment for {circle.title} was refunded in full before it reached us, so your "
            "seat was not confirmed. You can join again from the circle's page."
        ),
        link=f"/circles/{circle.id}",
    )


def settle_returning_checkout(
    session_id: str, user_id: int, *, now: datetime, gateway: PaymentGateway
) -> tuple[Payment, bool]:
    """She is back from the checkout page: if the gateway says it is paid and the webhook has
    not landed yet, fulfil it now (the same idempotent fulfilment). Returns the payment, with
    what its receipt shows loaded (`queries.DETAILS`), and whether it was fulfilled here (there
    is something to commit, after which it is read again).

    A gateway that cannot be reached leaves the payment pending (the webhook or the
    reconciliation job settles it). Raises NotFound (no such checkout, or not hers).
    """
    payment = payment_for_session(session_id, *DETAILS) if session_id else None
    if payment is None or payment.user_id != user_id:
        raise NotFound("We could not find that payment.")
    if payment.status == PaymentStatus.PENDING:
        try:
            status = gateway.retrieve_checkout(session_id)
        except GatewayError:
            status = None
        if status is not None and status.payment_status == CheckoutPaymentStatus.PAID:
            fulfil_payment(session_id, payment_intent=status.payment_intent, now=now, gateway=gateway)
            return payment, True
    return payment, False


def expire_payment(payment_id: int, *, now: datetime, status: str = PaymentStatus.EXPIRED) -> bool:
    """A checkout ended unpaid (expired or failed): close the payment and release her hold.

    Idempotent; a payment that is no longer pending is left alone. True if it changed.
    """
    changed = db.session.execute(
        update(Payment)
        .where(Payment.id == payment_id, Payment.status == PaymentStatus.PENDING)
        .values(status=status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    enrollment_id = db.session.execute(
        select(Payment.enrollment_id).where(Payment.id == payment_id)
    ).scalar_one()
    release_hold(enrollment_id, now=now)
    db.session.expire_all()
    return True
