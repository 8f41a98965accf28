"""Payments, refunds and the webhook dedup record."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.accounts.models import User
from mentoring.circles.models import Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class RefundStatus(enum.StrEnum):
    PENDING = "pending"  # the gateway accepted it but has not settled it yet; it still counts
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class CheckoutSessionStatus(enum.StrEnum):
    """A checkout session's state, as Stripe names it (the local gateway keeps the same)."""

    OPEN = "open"
    COMPLETE = "complete"
    EXPIRED = "expired"


class CheckoutPaymentStatus(enum.StrEnum):
    """Whether a checkout session's money arrived, as Stripe names it."""

    UNPAID = "unpaid"
    PAID = "paid"


# Money we keep (all or part of it): at most one such payment per membership.
KEPT_STATUSES = (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED)
# A checkout that may still turn into money: Stripe can complete a session we already gave up on.
FULFILLABLE_STATUSES = (PaymentStatus.PENDING, PaymentStatus.EXPIRED, PaymentStatus.FAILED)


# The one-pending-payment index covers these rows; an INSERT ... ON CONFLICT names it with the
# same words (the database matches a partial index by its predicate).
PENDING_ONLY = text("status = 'pending'")


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refund_bounded"),
        # At most one open checkout per enrollment: a double-clicked "Continue to payment" that
        # slips past the row lock still cannot create a second one.
        Index(
            "uq_payments_one_pending_per_enrollment",
            "enrollment_id",
            unique=True,
            sqlite_where=PENDING_ONLY,
            postgresql_where=PENDING_ONLY,
        ),
        # At most one kept payment per membership, whatever the timing of two paid checkouts:
        # the loser's claim fails here and it is refunded. A fully refunded payment is not kept,
        # so it never blocks; a partially refunded one still pays for the place. Scoped to the
        # membership (not the enrollment row, which a rejoin reuses) so paying again after
        # leaving is not a duplicate.
        Index(
            "uq_payments_one_kept_per_membership",
            "enrollment_id",
            "membership_number",
            unique=True,
            sqlite_where=text("status IN ('paid', 'partially_refunded')"),
            postgresql_where=text("status IN ('paid', 'partially_refunded')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount_cents: Mapped[int]
    unit_amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    meetings_covered: Mapped[int]
    first_sequence: Mapped[int]  # the first meeting (by sequence) this payment covers
    # Enrollment.membership_number when the checkout started: which membership this pays for.
    membership_number: Mapped[int] = mapped_column(default=1, server_default="1")
    gateway: Mapped[str] = mapped_column(String(10))
    gateway_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    gateway_payment_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.PENDING, index=True)
    refunded_cents: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]

    enrollment: Mapped[Enrollment] = relationship()
    user: Mapped[User] = relationship()
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_cents: Mapped[int]
    meetings: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(40))  # left/meeting_cancelled/circle_cancelled/...
    # One key per refund decision, so a retried refund is never issued twice.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    gateway_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=RefundStatus.PENDING)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class WebhookEvent(db.Model):
    __tablename__ = "webhook_events"

    # The gateway's event id: inserting it twice fails, which is the dedup.
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An event about a payment we do not know yet (Stripe delivers out of order): the gateway
    # payment id it waits for, and the figures it carries (JSON), applied when it appears.
    waiting_for: Mapped[str | None] = mapped_column(String(255), index=True)
    payload: Mapped[str | None] = mapped_column(Text)


class LocalCheckoutSession(db.Model):
    """A checkout on the local (development) gateway: what Stripe would remember for us."""

    __tablename__ = "local_checkout_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=CheckoutSessionStatus.OPEN)
    payment_status: Mapped[str] = mapped_column(String(10), default=CheckoutPaymentStatus.UNPAID)
    payment_intent: Mapped[str | None] = mapped_column(String(64))
    success_url: Mapped[str] = mapped_column(Text)
    cancel_url: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
