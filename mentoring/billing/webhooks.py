"""Stripe webhook events: verified, recorded once, and acted on in the same transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import stripe

from mentoring.billing.fulfilment import expire_payment, fulfil_payment, payment_for_session
from mentoring.billing.gateway import PaymentGateway
from mentoring.billing.models import CheckoutPaymentStatus, PaymentStatus, WebhookEvent
from mentoring.billing.refunds import reconcile_refunded_total
from mentoring.db import insert_into
from mentoring.errors import DomainError
from mentoring.extensions import db

log = logging.getLogger(__name__)


class InvalidSignature(DomainError):
    """The webhook's signature is missing, wrong or too old."""


class MalformedEvent(DomainError):
    """The webhook's body is not a gateway event (signed, but not an object with an id, a type and
    data.object): retrying it can't help, so it is refused rather than failed."""


def _parsed_event(payload: bytes | str) -> dict[str, Any]:
    try:
        event = json.loads(payload)
    except ValueError as error:
        raise MalformedEvent() from error
    data = event.get("data") if isinstance(event, dict) else None
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str) and event["id"]
        and isinstance(event.get("type"), str)
        and isinstance(data, dict) and isinstance(data.get("object"), dict)
    ):
        raise MalformedEvent()
    return event


def _record_event(event_id: str, event_type: str, now: datetime) -> bool:
    """Insert the event's id; False if it was already there (processed before, or right now
    by a concurrent delivery, whose transaction this waits for on PostgreSQL)."""
    statement = (
        insert_into(db.session, WebhookEvent)
        .values(id=event_id, type=event_type[:80], received_at=now)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(WebhookEvent.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None


def handle_webhook(
    payload: bytes | str, signature: str | None, *, secret: str, gateway: PaymentGateway, now: datetime
) -> str:
    """Verify and apply one gateway event; returns what happened ('duplicate', 'ignored', ...).

    The event id is recorded first, in the caller's transaction, so an event is applied at most
    once even when it is delivered many times at once; if the work fails, the caller rolls back
    the record with it and the gateway's retry applies it. Raises InvalidSignature or
    MalformedEvent (nothing is touched) and lets any other failure propagate for a rollback and
    a 500.
    """
    try:
        # The signature alone (with its five-minute tolerance); the body is read below, so that a
        # signed body that is no event is refused instead of failing inside Stripe's event builder.
        stripe.WebhookSignature.verify_header(payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidSignature() from error
    event = _parsed_event(payload)
    event_type = event["type"]
    if not _record_event(event["id"], event_type, now):
        return "duplicate"
    handler = HANDLERS.get(event_type)
    if handler is None:
        return "ignored"
    return handler(event["data"]["object"], event, gateway=gateway, now=now)


def _session_completed(obj: dict[str, Any], event: dict[str, Any], *, gateway: PaymentGateway,
                       now: datetime) -> str:
    if obj.get("payment_status") != CheckoutPaymentStatus.PAID:
        return "awaiting payment"  # a delayed method (bank debit): async_payment_* follows
    purchase = PURCHASE_HANDLERS.get(str((obj.get("metadata") or {}).get("purchase", "")))
    if purchase is not None:
        return purchase(obj, event, gateway=gateway, now=now)
    return _fulfil(obj, gateway=gateway, now=now)


def _fulfil(obj: dict[str, Any], *, gateway: PaymentGateway, now: datetime) -> str:
    result = fulfil_payment(obj["id"], payment_intent=obj.get("payment_intent"), now=now, gateway=gateway)
    return result.outcome


def _async_succeeded(obj: dict[str, Any], event: dict[str, Any], *, gateway: PaymentGateway,
                     now: datetime) -> str:
    return _fulfil(obj, gateway=gateway, now=now)


def _closed_unpaid(status: str):  # noqa: ANN202 - a handler
    def handler(obj: dict[str, Any], event: dict[str, Any], *, gateway: PaymentGateway, now: datetime) -> str:
        payment = payment_for_session(obj["id"])
        if payment is None:
            log.warning("%s for unknown checkout %s ignored", event.get("type"), obj["id"])
            return "unknown"
        return status if expire_payment(payment.id, now=now, status=status) else "already"

    return handler


def _charge_refunded(obj: dict[str, Any], event: dict[str, Any], *, gateway: PaymentGateway,
                     now: datetime) -> str:
    intent = obj.get("payment_intent")
    if not intent:
        return "ignored"
    refunded = int(obj.get("amount_refunded") or 0)
    changed = reconcile_refunded_total(intent, refunded, event_id=event["id"], now=now)
    if changed is None:
        # Its checkout.session.completed has not come yet: keep the event, and fulfilment (or
        # the reconciliation job) applies it once the payment is known. Never dropped.
        _wait_for(event["id"], intent, {"amount_refunded": refunded})
        return "waiting"
    return "reconciled" if changed else "already"


def _wait_for(event_id: str, payment_intent: str, facts: dict[str, Any]) -> None:
    # Only the figures the event will need, never the charge object: it carries her card
    # holder's name and email, which have no business in this table.
    event = db.session.get(WebhookEvent, event_id)
    event.waiting_for = payment_intent
    event.payload = json.dumps(facts)
    db.session.flush()


Handler = Callable[..., str]
# Purchases other than a member's place (an employer's seat pool) name their kind in the
# checkout's metadata ("purchase"); their feature registers what a paid checkout does.
PURCHASE_HANDLERS: dict[str, Handler] = {}


def register_purchase(kind: str, *, paid_checkout: Handler, events: dict[str, Handler]) -> None:
    """A feature that sells through the gateway: its paid checkouts, and further event types
    (such as `invoice.paid`), go to its handlers after the same signature check and dedup."""
    PURCHASE_HANDLERS[kind] = paid_checkout
    HANDLERS.update(events)


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _closed_unpaid(PaymentStatus.FAILED),
    "checkout.session.expired": _closed_unpaid(PaymentStatus.EXPIRED),
    "charge.refunded": _charge_refunded,
}
