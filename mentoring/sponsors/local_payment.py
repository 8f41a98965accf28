"""The local gateway's stand-in for paying a seat pool, for development without Stripe.

"Pay" (a card checkout) or "Mark as paid" (an invoice) sends a Stripe-shaped, signed event
through billing's `handle_webhook`, in-process, so development exercises the real path.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from mentoring.billing.gateway import PaymentGateway
from mentoring.billing.local_checkout import sign
from mentoring.billing.webhooks import handle_webhook
from mentoring.errors import NotFound
from mentoring.sponsors.models import PoolPayment, PoolStatus, SeatPool
from mentoring.sponsors.pools import PURCHASE_KIND


def pool_event(pool: SeatPool, *, now: datetime) -> dict:
    """The event Stripe would send when this pool is paid."""
    metadata = {"purchase": PURCHASE_KIND, "seat_pool_id": str(pool.id)}
    if pool.payment_method == PoolPayment.CARD:
        event_type = "checkout.session.completed"
        obj = {
            "id": pool.gateway_session_id,
            "object": "checkout.session",
            "status": "complete",
            "payment_status": "paid",
            "amount_total": pool.amount_cents,
            "currency": pool.currency.lower(),
            "metadata": metadata,
        }
    else:
        event_type = "invoice.paid"
        obj = {
            "id": pool.gateway_invoice_id,
            "object": "invoice",
            "status": "paid",
            "amount_paid": pool.amount_cents,
            "currency": pool.currency.lower(),
            "metadata": metadata,
        }
    return {
        "id": f"evt_local_{secrets.token_hex(12)}",
        "object": "event",
        "type": event_type,
        "created": int(now.timestamp()),
        "livemode": False,
        "data": {"object": obj},
    }


def pay_pool_locally(pool: SeatPool, *, secret: str, gateway: PaymentGateway, now: datetime) -> str:
    """Pay a pending pool through a signed event; returns what the webhook did. Raises NotFound
    for a pool that has no local checkout or invoice."""
    if pool.status != PoolStatus.PENDING:
        return "already"
    if not (pool.gateway_session_id or pool.gateway_invoice_id):
        raise NotFound("This pool has no checkout or invoice yet.")
    body = json.dumps(pool_event(pool, now=now))
    timestamp = int(now.timestamp())
    return handle_webhook(body, sign(body, secret, timestamp), secret=secret, gateway=gateway, now=now)
