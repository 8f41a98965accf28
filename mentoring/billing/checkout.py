"""Joining a paid circle: the quote, the checkout, and fulfilment once the money lands.

Seats belong to `mentoring.circles.enrollment`; billing holds a seat while she pays and
confirms it through that module.

Joining is two units of work, so that no gateway call runs while the seat ledger is locked (a
slow Stripe must never block another member's join): `start_checkout` holds her seat and
records the pending payment, the caller commits, then `open_checkout` asks the gateway for the
checkout page; if that fails, `abandon_checkout` gives the seat back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from mentoring.billing import pricing
from mentoring.billing.gateway import GatewayError, PaymentGateway
from mentoring.billing.models import FULFILLABLE_STATUSES, Payment, PaymentStatus
from mentoring.billing.pricing import Quote
from mentoring.billing.refunds import apply_waiting_refunds, issue_refund, refund_unkept_payment
from mentoring.circles.catalog import MAX_PRICE_CENTS
from mentoring.circles.enrollment import (
    AgreementRequired,
    AlreadyEnrolled,
    CircleNotJoinable,
    confirm_held_seat,
    hold_seat,
    release_hold,
)
from mentoring.circles.models import (
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Funding,
    Meeting,
    PriceMode,
)
from mentoring.circles.pricing_input import PriceSettings
from mentoring.circles.seating import JOINABLE_STATUSES
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.money import format_money, parse_amount
from mentoring.notify.service import queue_notification

log = logging.getLogger(__name__)

# Stripe refuses a checkout that expires less than 30 minutes after it reaches Stripe's clock,
# so the checkout gets a minute of slack and the seat hold outlives the checkout.
CHECKOUT_MINUTES = 31
HOLD_MINUTES = 32


class NothingLeftToBuy(DomainError):
    """This circle has no meetings left in its term, so there is nothing to join."""


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
    chosen_cents: int | None = None  # her sliding-scale price, when she typed one


@dataclass(frozen=True)
class CheckoutStart:
    """Where to send her: a checkout page, or (nothing to pay) straight into the circle.

    `checkout_url` is None while the gateway has not been asked yet (call `open_checkout`).
    `replaced_session_id` is a checkout she abandoned for this one, to be expired at the gateway.
    """

    checkout_url: str | None
    payment_id: int | None
    joined: bool
    replaced_session_id: str | None = None


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


def quote_for_circle(
    circle_id: int, *, now: datetime, chosen_cents: int | None = None, typed_amount: str | None = None
) -> JoinQuote:
    """What joining costs now: the meetings left in the term × her price per meeting.

    On a sliding scale her price is `chosen_cents`, or the amount she typed (`typed_amount`,
    read as the circle's currency), else the suggested price. Raises NotFound,
    CircleNotJoinable, NothingLeftToBuy, InvalidAmount, PriceOutOfRange, UnknownCurrency.
    """
    circle = _circle(circle_id)
    if circle.status not in JOINABLE_STATUSES:
        raise CircleNotJoinable()
    rows = db.session.execute(
        select(Meeting.sequence, Meeting.starts_at, Meeting.status).where(Meeting.circle_id == circle_id)
    ).all()
    sequences = pricing.meetings_left([tuple(row) for row in rows], now)
    if not sequences:
        raise NothingLeftToBuy()
    terms = price_terms(circle)
    if typed_amount is not None and terms.mode == PriceMode.SLIDING:
        chosen_cents = parse_amount(typed_amount, currency=terms.currency, maximum_cents=MAX_PRICE_CENTS)
    if terms.mode != PriceMode.SLIDING:
        chosen_cents = None
    quote = pricing.quote(terms, len(sequences), chosen_cents)
    first = min((row.starts_at for row in rows if row.sequence == sequences[0]), default=None)
    return JoinQuote(
        circle_id=circle.id, title=circle.title, terms=terms, quote=quote, sequences=tuple(sequences),
        first_starts_at=first, meeting_count=len(rows), agreement_text=circle.agreement_text,
        chosen_cents=chosen_cents,
    )


def _pending_payment(enrollment_id: int) -> Payment | None:
    return db.session.execute(
        select(Payment)
        .where(Payment.enrollment_id == enrollment_id, Payment.status == PaymentStatus.PENDING)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def start_checkout(
    circle_id: int,
    user_id: int,
    *,
    chosen_cents: int | None,
    agreed: bool,
    now: datetime,
    gateway_name: str,
) -> CheckoutStart:
    """Hold her seat and record one pending payment for the quoted amount. No gateway call.

    The amount is recomputed here from the circle and her price per meeting; nothing the form
    says about totals is trusted. While her checkout is live, calling this again returns the
    same payment (her enrollment row is locked, and a unique index allows one pending payment
    per enrollment; a concurrent click that slips past both finds the winner's row). A pending
    checkout for another price is expired and named in `replaced_session_id`. A quote of zero
    joins her without a checkout. The caller commits, then calls `open_checkout` unless
    `checkout_url` is already known.
    Raises AgreementRequired, AlreadyEnrolled, CircleFull, OfferExpired, PriceOutOfRange,
    NothingLeftToBuy, CircleNotJoinable.
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
        raise AlreadyEnrolled()
    join = quote_for_circle(circle_id, now=now, chosen_cents=chosen_cents)
    quote = join.quote
    enrollment = hold_seat(
        circle_id, user_id, price_cents=quote.unit_cents,
        funding=Funding.SELF if quote.total_cents else Funding.FREE,
        agreed=True, now=now, hold_minutes=HOLD_MINUTES,
    )
    # Serialise her own double-clicks on the enrollment row (PostgreSQL); SQLite has one writer.
    db.session.execute(select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update())
    if quote.total_cents == 0:
        confirm_held_seat(enrollment.id, now=now)
        return CheckoutStart(checkout_url=None, payment_id=None, joined=True)

    replaced = None
    pending = _pending_payment(enrollment.id)
    if pending is not None:
        live = pending.expires_at is not None and pending.expires_at > now
        if live and pending.amount_cents == quote.total_cents:
            return CheckoutStart(checkout_url=pending.checkout_url, payment_id=pending.id, joined=False)
        # Past its expiry, or for a price she has since changed: make room for a new checkout.
        # It is expired at the gateway too (open_checkout); should money for it still arrive,
        # the one-kept-payment index makes fulfilment refund whichever is paid second.
        pending.status = PaymentStatus.EXPIRED
        replaced = pending.gateway_session_id
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
        membership_number=enrollment.membership_number,
        gateway=gateway_name,
        status=PaymentStatus.PENDING,
        created_at=now,
        expires_at=expires_at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:
        # A concurrent click of hers committed a pending payment first: use that one.
        winner = _pending_payment(enrollment.id)
        if winner is None:
            raise
        return CheckoutStart(checkout_url=winner.checkout_url, payment_id=winner.id, joined=False)
    return CheckoutStart(checkout_url=None, payment_id=payment.id, joined=False,
                         replaced_session_id=replaced)


def open_checkout(
    payment_id: int,
    *,
    gateway: PaymentGateway,
    success_url: str,
    cancel_url: str,
    replaced_session_id: str | None = None,
    customer_email: str | None = None,
) -> str:
    """Ask the gateway for the checkout page of a pending payment; returns its address.

    Call it after `start_checkout` was committed: no lock is held while the gateway answers.
    Safe to repeat (a double-click): the gateway gets the payment's idempotency key, so it
    returns the same checkout. A replaced checkout is expired at the gateway first, so it can
    no longer be paid (if it was paid a moment ago, fulfilment refunds the second payment).
    Raises NotFound, GatewayError (the caller rolls back and calls `abandon_checkout`).
    """
    payment = db.session.get(Payment, payment_id, populate_existing=True)
    if payment is None or payment.status != PaymentStatus.PENDING or payment.expires_at is None:
        raise NotFound("We could not find that checkout. Please start again from the circle's page.")
    if payment.checkout_url:
        return payment.checkout_url
    if replaced_session_id:
        try:
            gateway.expire_checkout(replaced_session_id)
        except GatewayError:
            log.warning("could not expire replaced checkout %s; a payment for it will be refunded",
                        replaced_session_id)
    session = gateway.create_checkout(
        payment,
        circle_title=payment.enrollment.circle.title,
        success_url=success_url,
        cancel_url=cancel_url,
        expires_at=payment.expires_at,
        idempotency_key=f"payment-{payment.id}",
        customer_email=customer_email,
    )
    db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id)
        .values(gateway_session_id=session.id, checkout_url=session.url)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(payment)
    return session.url


def abandon_checkout(payment_id: int, *, now: datetime) -> None:
    """The gateway could not open her checkout: close the payment as failed, free her seat.

    Idempotent (a payment no longer pending is left alone).
    """
    expire_payment(payment_id, now=now, status=PaymentStatus.FAILED)


def payment_for_session(session_id: str) -> Payment | None:
    """The payment a gateway checkout belongs to, if any."""
    return db.session.execute(
        select(Payment).where(Payment.gateway_session_id == session_id)
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
    try:
        with db.session.begin_nested():
            claimed = db.session.execute(
                claim.values(status=PaymentStatus.PAID, paid_at=now, gateway_payment_id=intent)
            ).rowcount
    except IntegrityError:
        # Record the money that arrived, still not kept; it is refunded next.
        db.session.execute(claim.values(paid_at=now, gateway_payment_id=intent))
        db.session.refresh(payment)
        return "duplicate"
    db.session.refresh(payment)
    return "claimed" if claimed == 1 else "already"


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
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if payment is None:
        log.warning("checkout %s paid but no payment matches it; ignored", session_id)
        return FulfilResult(outcome="unknown", payment_id=None)
    claim = _claim(payment, payment_intent, now)
    if claim == "already":
        return FulfilResult(outcome="already", payment_id=payment.id)
    if payment.gateway_payment_id:
        apply_waiting_refunds(payment.gateway_payment_id, now=now)
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
) -> int:
    """She is back from the checkout page: if the gateway says it is paid and the webhook has
    not landed yet, fulfil it now (the same idempotent fulfilment). Returns the payment id.

    A gateway that cannot be reached leaves the payment pending (the webhook or the
    reconciliation job settles it). Raises NotFound (no such checkout, or not hers).
    """
    payment = payment_for_session(session_id) if session_id else None
    if payment is None or payment.user_id != user_id:
        raise NotFound("We could not find that payment.")
    if payment.status == PaymentStatus.PENDING:
        try:
            status = gateway.retrieve_checkout(session_id)
        except GatewayError:
            status = None
        if status is not None and status.payment_status == "paid":
            fulfil_payment(session_id, payment_intent=status.payment_intent, now=now, gateway=gateway)
    return payment.id


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
