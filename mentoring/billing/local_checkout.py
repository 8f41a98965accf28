"""The local gateway's checkout page, for development without Stripe.

"Pay" sends a Stripe-shaped, Stripe-signed `checkout.session.completed` event through the same
`handle_webhook` the real endpoint uses, in-process: an HTTP call to ourselves would deadlock
the single-threaded development server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from mentoring.billing.gateway import PaymentGateway
from mentoring.billing.models import CheckoutPaymentStatus, CheckoutSessionStatus, LocalCheckoutSession
from mentoring.billing.webhooks import handle_webhook
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db


class CheckoutClosed(DomainError):
    """This checkout has expired or was already paid. Please start again from the circle's page."""


def sign(body: str, secret: str, timestamp: int) -> str:
    """A `Stripe-Signature` header value, made exactly as Stripe makes it."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def local_session(session_id: str) -> LocalCheckoutSession:
    """A local checkout by id; raises NotFound."""
    session = db.session.get(LocalCheckoutSession, session_id)
    if session is None:
        raise NotFound("We could not find that checkout.")
    return session


def pay_local_checkout(session_id: str, *, secret: str, gateway: PaymentGateway, now: datetime) -> str:
    """Pay a local checkout and deliver its signed webhook; returns where to send her next.

    As at Stripe, a checkout is paid once: the open checkout is claimed with one conditional
    UPDATE, so a double-clicked Pay charges once, keeps the first payment reference and sends
    one event; the second click goes to the success page. Raises NotFound, CheckoutClosed.
    """
    session = local_session(session_id)
    paid = {"status": CheckoutSessionStatus.COMPLETE, "payment_status": CheckoutPaymentStatus.PAID,
            "payment_intent": f"pi_local_{secrets.token_hex(12)}"}
    claimed = db.session.execute(
        update(LocalCheckoutSession)
        .where(LocalCheckoutSession.id == session_id,
               LocalCheckoutSession.status == CheckoutSessionStatus.OPEN,
               LocalCheckoutSession.expires_at > now)
        .values(**paid)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(session)
        if session.payment_status == CheckoutPaymentStatus.PAID:
            return _success_url(session)
        raise CheckoutClosed()
    for name, value in paid.items():  # what this UPDATE wrote, kept on the loaded row unread
        set_committed_value(session, name, value)
    timestamp = int(now.timestamp())
    event = {
        "id": f"evt_local_{secrets.token_hex(12)}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": timestamp,
        "livemode": False,
        "data": {
            "object": {
                "id": session.id,
                "object": "checkout.session",
                "status": CheckoutSessionStatus.COMPLETE,
                "payment_status": CheckoutPaymentStatus.PAID,
                "payment_intent": session.payment_intent,
                "amount_total": session.amount_cents,
                "currency": session.currency.lower(),
                "client_reference_id": str(session.payment_id),
                "metadata": {"payment_id": str(session.payment_id)},
            }
        },
    }
    body = json.dumps(event)
    handle_webhook(body, sign(body, secret, timestamp), secret=secret, gateway=gateway, now=now)
    return _success_url(session)


def _success_url(session: LocalCheckoutSession) -> str:
    return session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id)
