"""Refunds: one row per refund decision, issued through the gateway with that decision's key.

The receivers at the bottom connect to the circles' signals when this module is imported (the
billing views import it), and run inside the sender's transaction.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from mentoring.audit.service import record
from mentoring.billing import pricing
from mentoring.billing.gateway import GatewayError, PaymentGateway
from mentoring.billing.models import (
    FULFILLABLE_STATUSES,
    KEPT_STATUSES,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from mentoring.circles import signals
from mentoring.circles.models import Circle, Enrollment, EnrollmentStatus, Meeting, MeetingStatus
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.money import format_money, parse_amount
from mentoring.notify.service import queue_notification

log = logging.getLogger(__name__)

# The notification kind of a refund notice; account deletion still mails these.
REFUND_NOTICE_KIND = "payment"
# Leaving at least this long before the next meeting refunds the meetings not yet held.
LEAVE_NOTICE = timedelta(hours=24)


class RefundFailed(DomainError):
    """We could not issue the refund just now. Nothing was changed; please try again shortly."""


class NothingToRefund(DomainError):
    """There is nothing left to refund on this payment."""

    field = "amount"


def _locked_payment(payment_id: int) -> Payment:
    payment = db.session.execute(
        select(Payment).where(Payment.id == payment_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if payment is None:
        raise NotFound("We could not find that payment.")
    return payment


def issue_refund(
    payment_id: int,
    amount_cents: int,
    *,
    reason: str,
    idempotency_key: str,
    gateway: PaymentGateway,
    now: datetime,
    meetings: int = 0,
    actor_id: int | None = None,
    note: str | None = None,
    message: str | None = None,
) -> Refund | None:
    """Refund up to `amount_cents` of a kept payment, once per `idempotency_key`.

    Guarantees: the amount is capped by what is still unrefunded (None when that is nothing,
    or when the payment is not kept); the same key never refunds twice (here or at the gateway,
    which gets the same key); the payment's refunded total and status move with the refund,
    the refund is audited (automatic ones with no actor) and she is told. If the gateway
    refuses, RefundFailed is raised and the caller rolls back, leaving no half-made refund.
    """
    payment = _locked_payment(payment_id)
    existing = _refund_by_key(idempotency_key)
    if existing is not None:
        return existing
    if payment.status not in KEPT_STATUSES:
        return None
    return _issue(payment, amount_cents, reason=reason, idempotency_key=idempotency_key, gateway=gateway,
                  now=now, meetings=meetings, actor_id=actor_id, note=note, message=message)


def refund_unkept_payment(
    payment_id: int, *, reason: str, idempotency_key: str, gateway: PaymentGateway, now: datetime,
    message: str,
) -> Refund | None:
    """Refund all that is left of money that arrived for a checkout we do not keep (a second
    payment for a place already paid for). The payment ends `refunded`. Audited, and she is
    told. Raises RefundFailed (the caller rolls back; the gateway's retry tries again)."""
    payment = _locked_payment(payment_id)
    existing = _refund_by_key(idempotency_key)
    if existing is not None:
        return existing
    if payment.status not in FULFILLABLE_STATUSES:
        return None
    refund = _issue(payment, payment.amount_cents, reason=reason, idempotency_key=idempotency_key,
                    gateway=gateway, now=now, meetings=payment.meetings_covered, message=message)
    _set_status(payment, PaymentStatus.REFUNDED)
    return refund


def _refund_by_key(idempotency_key: str) -> Refund | None:
    return db.session.execute(
        select(Refund).where(Refund.idempotency_key == idempotency_key)
    ).scalar_one_or_none()


def _issue(
    payment: Payment, amount_cents: int, *, reason: str, idempotency_key: str, gateway: PaymentGateway,
    now: datetime, meetings: int, actor_id: int | None = None, note: str | None = None,
    message: str | None = None,
) -> Refund | None:
    if not payment.gateway_payment_id:
        # Paid but with no reference to refund against: never keep the money quietly.
        log.error("payment %s is paid but has no gateway payment id; refund needs a person", payment.id)
        raise RefundFailed()
    amount = pricing.cap_refund(payment.amount_cents, payment.refunded_cents, amount_cents)
    if amount <= 0:
        return None
    refund = Refund(
        payment_id=payment.id, amount_cents=amount, meetings=meetings, reason=reason,
        idempotency_key=idempotency_key, status=RefundStatus.PENDING, created_by_id=actor_id, created_at=now,
    )
    db.session.add(refund)
    db.session.flush()
    try:
        result = gateway.refund(payment.gateway_payment_id, amount, idempotency_key=idempotency_key)
    except GatewayError as error:
        refund.status = RefundStatus.FAILED
        db.session.flush()
        raise RefundFailed() from error
    if result.status == RefundStatus.FAILED:
        refund.status = RefundStatus.FAILED
        db.session.flush()
        raise RefundFailed()
    # A refund the gateway accepted but has not settled yet ("pending") still counts.
    settled = result.status == RefundStatus.SUCCEEDED
    refund.status = RefundStatus.SUCCEEDED if settled else RefundStatus.PENDING
    refund.gateway_refund_id = result.id
    _add_refunded(payment, amount)
    _audit(refund, payment, actor_id=actor_id, note=note, now=now)
    circle = payment.enrollment.circle
    shown = format_money(amount, payment.currency)
    queue_notification(
        payment.user_id,
        REFUND_NOTICE_KIND,
        f"refund-issued:{idempotency_key}",
        subject=f"Refund of {shown} for {circle.title}",
        text=message or f"We refunded {shown} for {circle.title} to the card you paid with. "
        "It usually shows on your statement within 5-10 days.",
        link=f"/billing/payments/{payment.id}",
    )
    return refund


def _audit(
    refund: Refund, payment: Payment, *, actor_id: int | None, note: str | None, now: datetime
) -> None:
    # Every refund is audited, automatic ones (no actor) too: money leaving is always traceable.
    details: dict[str, object] = {
        "amount_cents": refund.amount_cents, "currency": payment.currency, "reason": note or refund.reason,
        "kind": refund.reason, "refund_id": refund.id, "automatic": actor_id is None,
    }
    record("payment.refund", actor_id=actor_id, subject_type="payment", subject_id=payment.id,
           details=details, now=now)


def _add_refunded(payment: Payment, amount: int) -> None:
    # An UPDATE relative to the stored value, so two refunds never overwrite each other; the
    # table's check constraint refuses a total above what was paid.
    db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id)
        .values(refunded_cents=Payment.refunded_cents + amount)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    if payment.refunded_cents >= payment.amount_cents:
        _set_status(payment, PaymentStatus.REFUNDED)
    elif payment.status in KEPT_STATUSES:
        _set_status(payment, PaymentStatus.PARTIALLY_REFUNDED)
    # Money not kept (a duplicate being refunded) keeps its status until it is refunded in full.


def _set_status(payment: Payment, status: PaymentStatus) -> None:
    payment.status = status
    db.session.flush()


def reconcile_refunded_total(payment_intent: str, amount_refunded: int, *, event_id: str,
                             now: datetime) -> bool | None:
    """The gateway says `amount_refunded` of a charge is refunded (e.g. from its dashboard).

    Records the difference as a refund row so receipts add up, and audits it. Never lowers the
    total. True if anything changed, False if nothing did, None if no payment has that id (yet).
    """
    payment = db.session.execute(
        select(Payment).where(Payment.gateway_payment_id == payment_intent).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if payment is None:
        return None
    target = min(amount_refunded, payment.amount_cents)
    missing = target - payment.refunded_cents
    if missing <= 0:
        return False
    refund = Refund(
        payment_id=payment.id, amount_cents=missing, reason="reconciled",
        idempotency_key=f"refund:gateway:{event_id}", status=RefundStatus.SUCCEEDED, created_at=now,
    )
    db.session.add(refund)
    db.session.flush()
    _add_refunded(payment, missing)
    _audit(refund, payment, actor_id=None, note=None, now=now)
    return True


def apply_waiting_refunds(payment_intent: str, *, now: datetime) -> int:
    """Apply `charge.refunded` events that arrived before their payment was known (Stripe
    delivers out of order). Each is applied once: it stops waiting in the same transaction.
    Returns how many were applied."""
    events = db.session.execute(
        select(WebhookEvent).where(WebhookEvent.waiting_for == payment_intent)
        .order_by(WebhookEvent.received_at, WebhookEvent.id).with_for_update()
    ).scalars().all()
    applied = 0
    for event in events:
        charge = json.loads(event.payload or "{}")
        if reconcile_refunded_total(payment_intent, int(charge.get("amount_refunded") or 0),
                                    event_id=event.id, now=now) is None:
            continue
        event.waiting_for, event.payload = None, None
        applied += 1
    db.session.flush()
    return applied


def apply_all_waiting_refunds(*, now: datetime) -> int:
    """Catch up on waiting refund events whose payment has appeared since (a refund event and
    its payment processed at the same moment each miss the other). Idempotent."""
    intents = db.session.execute(
        select(WebhookEvent.waiting_for).distinct()
        .join(Payment, Payment.gateway_payment_id == WebhookEvent.waiting_for)
    ).scalars().all()
    return sum(apply_waiting_refunds(intent, now=now) for intent in intents)


def refund_manually(
    payment_id: int, typed_amount: str | None, *, reason: str, decision: str, admin_id: int,
    gateway: PaymentGateway, now: datetime,
) -> Refund:
    """An admin refunds part or all of a payment, the amount as she typed it ("12.50").

    Guarantees: the amount is read in the payment's currency and must be above zero and at most
    what is still unrefunded; the refund is audited and the member told. `decision` is the
    form's one-time token, so a resubmitted form refunds once. Raises InvalidAmount (a typed
    amount we cannot read), NothingToRefund (nothing left, zero, or more than is left), both on
    the `amount` field, and RefundFailed.
    """
    payment = _locked_payment(payment_id)
    key = f"refund:manual:{decision}"
    already = db.session.execute(select(Refund).where(Refund.idempotency_key == key)).scalar_one_or_none()
    if already is not None:
        return already
    left = payment.amount_cents - payment.refunded_cents
    if payment.status not in KEPT_STATUSES or left <= 0:
        raise NothingToRefund()
    # What may still be refunded is checked below with its own message, so no maximum here.
    amount_cents = parse_amount(typed_amount, currency=payment.currency, maximum_cents=None)
    if amount_cents > left:
        raise NothingToRefund(
            f"At most {format_money(left, payment.currency)} can still be refunded.", field="amount"
        )
    if amount_cents <= 0:
        raise NothingToRefund("Please enter an amount above zero.", field="amount")
    refund = issue_refund(
        payment_id, amount_cents, reason="manual", idempotency_key=key,
        gateway=gateway, now=now, actor_id=admin_id, note=reason,
    )
    if refund is None:
        raise NothingToRefund()
    return refund


def _paid_payments(enrollment_ids: list[int]) -> list[Payment]:
    """Kept payments for these places' current memberships. A payment for an earlier
    membership (she left late, unrefunded, then rejoined) was settled when she left."""
    if not enrollment_ids:
        return []
    return list(db.session.execute(
        select(Payment)
        .join(Enrollment, Enrollment.id == Payment.enrollment_id)
        .where(Payment.enrollment_id.in_(enrollment_ids),
               Payment.status.in_([str(s) for s in KEPT_STATUSES]),
               Payment.membership_number == Enrollment.membership_number)
        .order_by(Payment.id)
    ).scalars())


def _unheld_covered(circle_id: int, first_sequence: int, now: datetime) -> int:
    """Meetings a payment covers that are still to come (cancelled ones were refunded already)."""
    return db.session.execute(
        select(func.count(Meeting.id)).where(
            Meeting.circle_id == circle_id, Meeting.sequence >= first_sequence,
            Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now,
        )
    ).scalar_one()


@dataclass(frozen=True)
class LeavingRefund:
    """What leaving now would give back: per paid payment, the meetings and cents."""

    in_time: bool  # at least 24 hours before the next meeting
    parts: tuple[tuple[Payment, int, int], ...] = ()  # (payment, meetings, cents)

    @property
    def amount_cents(self) -> int:
        return sum(cents for _, _, cents in self.parts)

    @property
    def meetings(self) -> int:
        return max((meetings for _, meetings, _ in self.parts), default=0)

    @property
    def currency(self) -> str | None:
        return self.parts[0][0].currency if self.parts else None


def leaving_refund(enrollment_id: int, *, now: datetime) -> LeavingRefund:
    """What she would get back if she left at `now` (read only; the leave page shows it)."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None:
        return LeavingRefund(in_time=False)
    next_start = db.session.execute(
        select(func.min(Meeting.starts_at)).where(
            Meeting.circle_id == enrollment.circle_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
        )
    ).scalar_one_or_none()
    if next_start is None or next_start - now < LEAVE_NOTICE:
        return LeavingRefund(in_time=False)
    parts = []
    for payment in _paid_payments([enrollment_id]):
        meetings = _unheld_covered(enrollment.circle_id, payment.first_sequence, now)
        cents = pricing.cap_refund(
            payment.amount_cents, payment.refunded_cents,
            pricing.refund_for_leaving(payment.amount_cents, payment.meetings_covered, meetings),
        )
        if cents > 0:
            parts.append((payment, meetings, cents))
    return LeavingRefund(in_time=True, parts=tuple(parts))


def refund_for_leaving(enrollment_id: int, *, now: datetime, gateway: PaymentGateway) -> int:
    """She left: if that is at least 24 hours before the next meeting, refund the meetings not
    yet held; later than that, nothing. Returns the cents refunded. Raises RefundFailed."""
    total = 0
    for payment, meetings, cents in leaving_refund(enrollment_id, now=now).parts:
        refund = issue_refund(
            payment.id, cents, reason="left", idempotency_key=f"refund:leave:{enrollment_id}:{payment.id}",
            gateway=gateway, now=now, meetings=meetings,
        )
        total += refund.amount_cents if refund else 0
    return total


def refund_cancelled_meeting(meeting_id: int, *, now: datetime, gateway: PaymentGateway) -> int:
    """A meeting was cancelled: each member whose payment covers it gets that meeting back."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        return 0
    enrollment_ids = list(db.session.execute(
        select(Enrollment.id).where(
            Enrollment.circle_id == meeting.circle_id, Enrollment.status == EnrollmentStatus.ACTIVE
        )
    ).scalars())
    total = 0
    for payment in _paid_payments(enrollment_ids):
        if payment.first_sequence > meeting.sequence:
            continue
        amount = pricing.per_meeting_refund(payment.amount_cents, payment.meetings_covered)
        refund = issue_refund(
            payment.id, amount, reason="meeting_cancelled",
            idempotency_key=f"refund:meeting:{meeting_id}:{payment.id}", gateway=gateway, now=now, meetings=1,
        )
        total += refund.amount_cents if refund else 0
    return total


def refund_cancelled_circle(circle_id: int, *, now: datetime, gateway: PaymentGateway) -> int:
    """The circle was cancelled: every paying member keeps paying only for meetings already
    held; everything else is refunded."""
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        return 0
    enrollment_ids = list(db.session.execute(
        select(Enrollment.id).where(
            Enrollment.circle_id == circle_id, Enrollment.status != EnrollmentStatus.LEFT
        )
    ).scalars())
    total = 0
    for payment in _paid_payments(enrollment_ids):
        held = db.session.execute(
            select(func.count(Meeting.id)).where(
                Meeting.circle_id == circle_id, Meeting.sequence >= payment.first_sequence,
                Meeting.status != MeetingStatus.CANCELLED, Meeting.starts_at <= now,
            )
        ).scalar_one()
        kept = pricing.refund_for_leaving(payment.amount_cents, payment.meetings_covered, held)
        amount = payment.amount_cents - payment.refunded_cents - kept
        refund = issue_refund(
            payment.id, amount, reason="circle_cancelled",
            idempotency_key=f"refund:circle:{circle_id}:{payment.id}", gateway=gateway, now=now,
            meetings=max(payment.meetings_covered - held, 0),
        )
        total += refund.amount_cents if refund else 0
    return total


def _gateway() -> PaymentGateway:
    return current_app.extensions["hearth.gateway"]


@signals.member_left.connect
def _on_member_left(sender: object, *, enrollment_id: int, now: datetime, **_: object) -> None:
    refund_for_leaving(enrollment_id, now=now, gateway=_gateway())


@signals.meeting_cancelled.connect
def _on_meeting_cancelled(sender: object, *, meeting_id: int, now: datetime, **_: object) -> None:
    refund_cancelled_meeting(meeting_id, now=now, gateway=_gateway())


@signals.circle_cancelled.connect
def _on_circle_cancelled(sender: object, *, circle_id: int, now: datetime, **_: object) -> None:
    refund_cancelled_circle(circle_id, now=now, gateway=_gateway())
