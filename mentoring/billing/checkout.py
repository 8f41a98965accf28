"""Joining a paid circle: the quote, the checkout, and fulfilment once the money lands.

Seats belong to `mentoring.circles.enrollment` (imported lazily, at call time); billing holds a
seat while she pays and confirms it through the same module.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from mentoring.billing import pricing
from mentoring.billing.gateway import PaymentGateway
from mentoring.billing.models import Payment
from mentoring.billing.pricing import Quote
from mentoring.circles.models import Circle, CircleStatus, Enrollment, EnrollmentStatus, Meeting
from mentoring.circles.pricing_input import PriceSettings
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.money import format_money
from mentoring.notify.service import queue_notification

log = logging.getLogger(__name__)

# Stripe refuses a checkout that expires less than 30 minutes after it reaches Stripe's clock,
# so the checkout gets a minute of slack and the seat hold outlives the checkout.
CHECKOUT_MINUTES = 31
HOLD_MINUTES = 32
JOINABLE = (CircleStatus.OPEN, CircleStatus.FULL, CircleStatus.RUNNING)
FULFILLABLE = ("pending", "expired", "failed")


class CircleNotJoinable(DomainError):
    """This circle is not taking new members."""


class NothingLeftToBuy(DomainError):
    """This circle has no meetings left in its term, so there is nothing to join."""


class AlreadyMember(DomainError):
    """You are already a member of this circle."""


class AgreementRequired(DomainError):
    """Please agree to keep what is shared in the circle confidential."""

    field = "agree"


@dataclass(frozen=True)
class JoinQuote:
    circle_id: int
    title: str
    terms: PriceSettings
    quote: Quote
    sequences: tuple[int, ...]  # the meetings she would buy
    first_starts_at: datetime | None
    meeting_count: int
    agreement_text: str


@dataclass(frozen=True)
class CheckoutStart:
    """Where to send her: a checkout page, or (nothing to pay) straight into the circle."""

    checkout_url: str | None
    payment_id: int | None
    joined: bool


@dataclass(frozen=True)
class FulfilResult:
    outcome: str  # fulfilled/already/refunded/unknown
    payment_id: int | None


def price_terms(circle: Circle) -> PriceSettings:
    """A circle's price settings as the plain values pricing works on."""
    return PriceSettings(
        mode=circle.price_mode,
        currency=circle.currency,
        price_cents=circle.price_cents,
        sliding_min_cents=circle.sliding_min_cents,
        sliding_suggested_cents=circle.sliding_suggested_cents,
        sliding_max_cents=circle.sliding_max_cents,
    )


def _circle(circle_id: int) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if circle is None or circle.status == CircleStatus.DRAFT:
        raise NotFound("We could not find that circle.")
    return circle


def quote_for_circle(circle_id: int, *, now: datetime, chosen_cents: int | None = None) -> JoinQuote:
    """What joining costs now: the meetings left in the term × her price per meeting.

    Raises NotFound, CircleNotJoinable, NothingLeftToBuy, PriceOutOfRange, UnknownCurrency.
    """
    circle = _circle(circle_id)
    if circle.status not in JOINABLE:
        raise CircleNotJoinable()
    rows = db.session.execute(
        select(Meeting.sequence, Meeting.starts_at, Meeting.status).where(Meeting.circle_id == circle_id)
    ).all()
    sequences = pricing.meetings_left([tuple(row) for row in rows], now)
    if not sequences:
        raise NothingLeftToBuy()
    terms = price_terms(circle)
    quote = pricing.quote(terms, len(sequences), chosen_cents)
    first = min((row.starts_at for row in rows if row.sequence == sequences[0]), default=None)
    return JoinQuote(
        circle_id=circle.id, title=circle.title, terms=terms, quote=quote, sequences=tuple(sequences),
        first_starts_at=first, meeting_count=len(rows), agreement_text=circle.agreement_text,
    )


def _enrollment_module():  # noqa: ANN202 - a module
    # Imported when called: the membership feature owns seats, and billing must not fix the
    # import order between the two.
    from mentoring.circles import enrollment

    return enrollment


def start_checkout(
    circle_id: int,
    user_id: int,
    *,
    chosen_cents: int | None,
    agreed: bool,
    now: datetime,
    gateway: PaymentGateway,
    success_url: str,
    cancel_url: str,
    customer_email: str | None = None,
) -> CheckoutStart:
    """Hold her seat and open one checkout for the quoted amount.

    The amount is recomputed here from the circle and her price per meeting; nothing the form
    says about totals is trusted. While her checkout is live, calling this again returns the
    same checkout (her enrollment row is locked, and a unique index allows one pending payment
    per enrollment). A quote of zero joins her without a checkout.
    Raises AgreementRequired, AlreadyMember, CircleFull, PriceOutOfRange, NothingLeftToBuy,
    CircleNotJoinable, GatewayError.
    """
    if not agreed:
        raise AgreementRequired()
    already = db.session.execute(
        select(Enrollment.id).where(
            Enrollment.circle_id == circle_id,
            Enrollment.user_id == user_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
    ).scalar_one_or_none()
    if already is not None:
        raise AlreadyMember()
    join = quote_for_circle(circle_id, now=now, chosen_cents=chosen_cents)
    quote = join.quote
    seats = _enrollment_module()
    enrollment = seats.hold_seat(
        circle_id, user_id, price_cents=quote.unit_cents, funding="self" if quote.total_cents else "free",
        agreed=True, now=now, hold_minutes=HOLD_MINUTES,
    )
    # Serialise her own double-clicks on the enrollment row (PostgreSQL); SQLite has one writer.
    db.session.execute(select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update())
    if quote.total_cents == 0:
        seats.confirm_held_seat(enrollment.id, now=now)
        return CheckoutStart(checkout_url=None, payment_id=None, joined=True)

    pending = db.session.execute(
        select(Payment)
        .where(Payment.enrollment_id == enrollment.id, Payment.status == "pending")
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if pending is not None:
        live = pending.expires_at is not None and pending.expires_at > now and pending.checkout_url
        if live and pending.amount_cents == quote.total_cents:
            return CheckoutStart(checkout_url=pending.checkout_url, payment_id=pending.id, joined=False)
        # Past its expiry, or for a price she has since changed: make room for a new checkout.
        # Should money for the old one still arrive, fulfilment refunds it (see _is_duplicate).
        pending.status = "expired"
        db.session.flush()

    expires_at = now + timedelta(minutes=CHECKOUT_MINUTES)
    payment = Payment(
        enrollment_id=enrollment.id,
        user_id=user_id,
        amount_cents=quote.total_cents,
        unit_amount_cents=quote.unit_cents,
        currency=quote.currency,
        meetings_covered=quote.meetings,
        first_sequence=join.sequences[0],
        gateway=gateway.name,
        status="pending",
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(payment)
    db.session.flush()
    session = gateway.create_checkout(
        payment,
        circle_title=join.title,
        success_url=success_url,
        cancel_url=cancel_url,
        expires_at=expires_at,
        idempotency_key=f"payment-{payment.id}",
        customer_email=customer_email,
    )
    payment.gateway_session_id = session.id
    payment.checkout_url = session.url
    db.session.flush()
    return CheckoutStart(checkout_url=session.url, payment_id=payment.id, joined=False)


def payment_for_session(session_id: str) -> Payment | None:
    """The payment a gateway checkout belongs to, if any."""
    return db.session.execute(
        select(Payment).where(Payment.gateway_session_id == session_id)
    ).scalar_one_or_none()


def _is_duplicate(payment: Payment) -> bool:
    """Another payment already paid for this place (an old checkout paid late)."""
    other = db.session.execute(
        select(Payment.id).where(
            Payment.enrollment_id == payment.enrollment_id,
            Payment.id != payment.id,
            Payment.status.in_(("paid", "partially_refunded")),
        )
    ).first()
    return other is not None


def fulfil_payment(
    session_id: str, *, payment_intent: str | None, now: datetime, gateway: PaymentGateway
) -> FulfilResult:
    """Record that a checkout was paid and give her the seat. Idempotent and safe to race.

    The webhook and the success redirect both call this. The payment row is locked and then
    claimed with a conditional UPDATE, so however often and in whatever order they arrive,
    exactly one call marks it paid, confirms the seat and queues one confirmation. If the
    seat is gone (her hold lapsed and someone else took it) the payment is refunded in full
    and she is told: money is never silently kept. Raises GatewayError/RefundFailed when that
    refund cannot be made (the caller rolls back and retries).
    """
    from mentoring.billing.refunds import issue_refund

    payment = db.session.execute(
        select(Payment)
        .where(Payment.gateway_session_id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if payment is None:
        log.warning("checkout %s paid but no payment matches it; ignored", session_id)
        return FulfilResult(outcome="unknown", payment_id=None)
    claimed = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status.in_(FULFILLABLE))
        .values(status="paid", paid_at=now, gateway_payment_id=payment_intent or payment.gateway_payment_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(payment)
    if claimed != 1:
        return FulfilResult(outcome="already", payment_id=payment.id)

    circle = payment.enrollment.circle
    placed = (
        circle.status != CircleStatus.CANCELLED
        and not _is_duplicate(payment)
        and _enrollment_module().confirm_held_seat(payment.enrollment_id, now=now)
    )
    if not placed:
        _enrollment_module().release_hold(payment.enrollment_id, now=now)
        refunded = format_money(payment.amount_cents, payment.currency)
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

    db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == payment.enrollment_id)
        .values(price_cents=payment.unit_amount_cents, funding="self")
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


def expire_payment(payment_id: int, *, now: datetime, status: str = "expired") -> bool:
    """A checkout ended unpaid (expired or failed): close the payment and release her hold.

    Idempotent; a payment that is no longer pending is left alone. True if it changed.
    """
    changed = db.session.execute(
        update(Payment)
        .where(Payment.id == payment_id, Payment.status == "pending")
        .values(status=status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    enrollment_id = db.session.execute(
        select(Payment.enrollment_id).where(Payment.id == payment_id)
    ).scalar_one()
    _enrollment_module().release_hold(enrollment_id, now=now)
    db.session.expire_all()
    return True
