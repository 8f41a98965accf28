"""Joining a paid circle: the quote, the seat hold and the checkout.

Seats belong to `mentoring.circles.enrollment`; billing holds a seat while she pays and
confirms it through that module.

Paying and what follows (fulfilment, duplicates, refunds before the payment) live in
`mentoring.billing.fulfilment`.

Joining is two units of work, so that no gateway call runs while the seat ledger is locked (a
slow Stripe must never block another member's join): `start_checkout` holds her seat and
records the pending payment, the caller commits, then `open_checkout` asks the gateway for the
checkout page; if that fails, `abandon_checkout` gives the seat back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from mentoring.billing import pricing
from mentoring.billing.fulfilment import expire_payment
from mentoring.billing.gateway import GatewayError, PaymentGateway
from mentoring.billing.models import PENDING_ONLY, Payment, PaymentStatus
from mentoring.billing.pricing import Quote
from mentoring.circles.catalog import MAX_PRICE_CENTS
from mentoring.circles.enrollment import (
    AgreementRequired,
    CircleNotJoinable,
    confirm_held_seat,
    hold_seat,
)
from mentoring.circles.models import (
    LIVE_CIRCLE_STATUSES,
    Circle,
    CircleStatus,
    Enrollment,
    Funding,
    Meeting,
    PriceMode,
)
from mentoring.circles.pricing_input import PriceSettings
from mentoring.db import insert_into
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.money import amount_text, parse_amount

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

    @property
    def price_input(self) -> str:
        """What the price field starts with: on a sliding scale the quoted price per meeting as
        it is typed ("15.00"); empty otherwise, since only a sliding-scale price is hers to choose."""
        if self.terms.mode != PriceMode.SLIDING:
            return ""
        return amount_text(self.quote.unit_cents, self.terms.currency)

    def priced(self, *, chosen_cents: int | None = None, typed_amount: str | None = None) -> JoinQuote:
        """The same join at her price per meeting: `chosen_cents`, or the amount she typed
        (`typed_amount`, read as the circle's currency), else the suggested price. Only a sliding
        scale has a price of hers. Reads nothing. Raises InvalidAmount, PriceOutOfRange,
        UnknownCurrency."""
        terms = self.terms
        if typed_amount is not None and terms.mode == PriceMode.SLIDING:
            chosen_cents = parse_amount(typed_amount, currency=terms.currency, maximum_cents=MAX_PRICE_CENTS)
        if terms.mode != PriceMode.SLIDING:
            chosen_cents = None
        return replace(self, quote=pricing.quote(terms, len(self.sequences), chosen_cents),
                       chosen_cents=chosen_cents)


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

    Her price is as `JoinQuote.priced` reads it (which prices the same join again without
    reading anything). Raises NotFound, CircleNotJoinable, NothingLeftToBuy, InvalidAmount,
    PriceOutOfRange, UnknownCurrency.
    """
    circle = _circle(circle_id)
    if circle.status not in LIVE_CIRCLE_STATUSES:
        raise CircleNotJoinable()
    rows = db.session.execute(
        select(Meeting.sequence, Meeting.starts_at, Meeting.status).where(Meeting.circle_id == circle_id)
    ).all()
    sequences = pricing.meetings_left([tuple(row) for row in rows], now)
    if not sequences:
        raise NothingLeftToBuy()
    terms = price_terms(circle)
    first = min((row.starts_at for row in rows if row.sequence == sequences[0]), default=None)
    suggested = JoinQuote(
        circle_id=circle.id, title=circle.title, terms=terms,
        quote=pricing.quote(terms, len(sequences), None), sequences=tuple(sequences),
        first_starts_at=first, meeting_count=len(rows), agreement_text=circle.agreement_text,
    )
    if chosen_cents is None and typed_amount is None:
        return suggested
    return suggested.priced(chosen_cents=chosen_cents, typed_amount=typed_amount)


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
    quoted: JoinQuote | None = None,
) -> CheckoutStart:
    """Hold her seat and record one pending payment for the quoted amount. No gateway call.

    The amount is computed on the server from the circle and her price per meeting; nothing the
    form says about totals is trusted. `quoted` is the quote the caller has just computed for
    this circle at `chosen_cents` (`quote_for_circle`), so the meetings are not read again;
    without it the quote is computed here. While her checkout is live, calling this again returns the
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
    if quoted is not None and (quoted.circle_id, quoted.chosen_cents) != (circle_id, chosen_cents):
        raise ValueError("the quote is for another circle or another price")
    join = quoted or quote_for_circle(circle_id, now=now, chosen_cents=chosen_cents)
    quote = join.quote
    enrollment = hold_seat(
        circle_id, user_id, price_cents=quote.unit_cents,
        funding=Funding.SELF if quote.total_cents else Funding.FREE,
        agreed=True, now=now, hold_minutes=HOLD_MINUTES,
    )
    # hold_seat leaves her row locked until the commit: her own double-clicks take turns here
    # (PostgreSQL); SQLite has one writer.
    if quote.total_cents == 0:
        confirm_held_seat(enrollment.id, now=now)
        return CheckoutStart(checkout_url=None, payment_id=None, joined=True)

    # Usually she has no pending payment: the insert is the only statement. The
    # one-pending-payment-per-enrollment index turns it into nothing when she has one.
    values = {
        "enrollment_id": enrollment.id, "user_id": user_id, "amount_cents": quote.total_cents,
        "unit_amount_cents": quote.unit_cents, "currency": quote.currency, "meetings_covered": quote.meetings,
        "first_sequence": join.sequences[0], "membership_number": enrollment.membership_number,
        "gateway": gateway_name, "status": PaymentStatus.PENDING, "created_at": now,
        "expires_at": now + timedelta(minutes=CHECKOUT_MINUTES),
    }
    payment_id = _insert_pending(values)
    if payment_id is not None:
        return CheckoutStart(checkout_url=None, payment_id=payment_id, joined=False)
    pending = _pending_payment(enrollment.id)
    if pending is None:
        raise RuntimeError(f"enrollment {enrollment.id}: a pending payment conflicted and then vanished")
    live = pending.expires_at is not None and pending.expires_at > now
    if live and pending.amount_cents == quote.total_cents:
        return CheckoutStart(checkout_url=pending.checkout_url, payment_id=pending.id, joined=False)
    # Past its expiry, or for a price she has since changed: make room for a new checkout. It
    # is expired at the gateway too (open_checkout); should money for it still arrive, the
    # one-kept-payment index makes fulfilment refund whichever is paid second.
    pending.status = PaymentStatus.EXPIRED
    db.session.flush()
    payment_id = _insert_pending(values)
    if payment_id is None:
        raise RuntimeError(f"enrollment {enrollment.id}: a pending payment appeared while her row was locked")
    return CheckoutStart(checkout_url=None, payment_id=payment_id, joined=False,
                         replaced_session_id=pending.gateway_session_id)


def _insert_pending(values: dict[str, object]) -> int | None:
    """Record a pending payment; None (and nothing written) if the enrollment has one already."""
    return db.session.scalar(
        insert_into(db.session, Payment)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["enrollment_id"], index_where=PENDING_ONLY)
        .returning(Payment.id)
    )


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
    # Read fresh (the hold was committed) with the circle, whose title the checkout shows.
    payment = db.session.get(Payment, payment_id, populate_existing=True,
                             options=[joinedload(Payment.enrollment).joinedload(Enrollment.circle)])
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
