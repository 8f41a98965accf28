"""Periodic billing work: settle checkouts whose webhook never came."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from mentoring.billing.fulfilment import expire_payment, fulfil_payment
from mentoring.billing.gateway import GatewayError, PaymentGateway
from mentoring.billing.models import CheckoutPaymentStatus, CheckoutSessionStatus, Payment, PaymentStatus
from mentoring.billing.refunds import apply_all_waiting_refunds
from mentoring.extensions import db
from mentoring.jobs.registry import periodic

log = logging.getLogger(__name__)

# A checkout lives 31 minutes; after 35 its webhook is late enough to go and ask.
STALE_AFTER = timedelta(minutes=35)


def reconcile_pending_payments(now: datetime, gateway: PaymentGateway, *, limit: int = 100) -> dict[str, int]:
    """Ask the gateway about pending payments older than 35 minutes: fulfil the paid ones,
    expire (and release the hold of) the expired ones, leave the rest (a delayed payment
    method still settling), and apply refund events still waiting for a payment that has
    appeared since. Idempotent; returns counts by outcome."""
    stale = list(db.session.execute(
        select(Payment.id, Payment.gateway_session_id)
        .where(Payment.status == PaymentStatus.PENDING, Payment.created_at < now - STALE_AFTER)
        .order_by(Payment.id)
        .limit(limit)
    ).all())
    counts = {"fulfilled": 0, "expired": 0, "waiting": 0}
    for payment_id, session_id in stale:
        if not session_id:
            expire_payment(payment_id, now=now)
            counts["expired"] += 1
            continue
        try:
            status = gateway.retrieve_checkout(session_id)
        except GatewayError:
            log.warning("could not ask the gateway about checkout %s; will try again", session_id)
            counts["waiting"] += 1
            continue
        if status.payment_status == CheckoutPaymentStatus.PAID:
            fulfil_payment(session_id, payment_intent=status.payment_intent, now=now, gateway=gateway)
            counts["fulfilled"] += 1
        elif status.status == CheckoutSessionStatus.EXPIRED:
            expire_payment(payment_id, now=now)
            counts["expired"] += 1
        else:
            counts["waiting"] += 1
    counts["refunds_applied"] = apply_all_waiting_refunds(now=now)
    return counts


@periodic(seconds=300)
def reconcile_payments(now: datetime) -> dict[str, int]:
    return reconcile_pending_payments(now, current_app.extensions["hearth.gateway"])
