"""Seat pools: the quote, buying by card or invoice, activation on payment or by hand.

Buying is two units of work, as joining a paid circle is: `buy_pool` records the pending pool
(the caller commits), then `open_pool_payment` asks the gateway for a checkout or an invoice,
so no gateway call runs inside a transaction. The pool activates on the gateway's verified
event (`checkout.session.completed` for a card, `invoice.paid` for an invoice), which goes
through billing's signature check and event dedup; activation is one conditional UPDATE from
pending, so a replayed or late event changes nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from mentoring.audit.service import record
from mentoring.billing.gateway import PaymentGateway, Purchase
from mentoring.billing.webhooks import register_purchase
from mentoring.circles.catalog import MAX_PRICE_CENTS
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.money import DEFAULT_LOCALE, format_money
from mentoring.sponsors.models import PoolPayment, PoolStatus, SeatPool
from mentoring.sponsors.service import get_organization

log = logging.getLogger(__name__)

PURCHASE_KIND = "seat_pool"
# A seat covers one circle term; the quote prices it as this many meetings at the cap.
TERM_MEETINGS = 8
MAX_SEATS = 5_000
VALIDITY_MONTHS = (3, 6, 12)
INVOICE_DAYS = 30


class PoolNotPending(DomainError):
    """This pool is already active."""


@dataclass(frozen=True)
class PoolQuote:
    seats: int
    months: int
    price_cap_cents: int
    currency: str
    seat_cents: int
    total_cents: int

    def description(self, locale: str = DEFAULT_LOCALE) -> str:
        """'3 seats × $160 = $480', the amounts as `locale` writes them."""
        return (
            f"{self.seats} seat{'s' if self.seats != 1 else ''} × "
            f"{format_money(self.seat_cents, self.currency, locale=locale)} "
            f"= {format_money(self.total_cents, self.currency, locale=locale)}"
        )


def quote_pool(seats: int, months: int, price_cap_cents: int, currency: str = "USD") -> PoolQuote:
    """What a pool costs: seats × (cap per meeting × TERM_MEETINGS). Raises InvalidInput."""
    if not 1 <= seats <= MAX_SEATS:
        raise InvalidInput(f"Choose between 1 and {MAX_SEATS} seats.", field="seats")
    if months not in VALIDITY_MONTHS:
        raise InvalidInput("Choose how long the seats can be claimed.", field="months")
    if not 0 <= price_cap_cents <= MAX_PRICE_CENTS:
        raise InvalidInput(
            f"The cap can be at most {format_money(MAX_PRICE_CENTS, currency)} per meeting.",
            field="price_cap",
        )
    seat_cents = price_cap_cents * TERM_MEETINGS
    return PoolQuote(seats, months, price_cap_cents, currency, seat_cents, seat_cents * seats)


def buy_pool(
    organization_id: int,
    *,
    seats: int,
    months: int,
    price_cap_cents: int,
    method: PoolPayment,
    actor_id: int,
    now: datetime,
) -> SeatPool:
    """Record a pending pool at the quoted price (audited). A pool that costs nothing (a zero
    cap, free circles only) is active at once. Raises InvalidInput, NotFound."""
    if method not in (PoolPayment.CARD, PoolPayment.INVOICE):
        raise InvalidInput("Choose how you would like to pay.", field="method")
    get_organization(organization_id)
    quote = quote_pool(seats, months, price_cap_cents)
    free = quote.total_cents == 0
    pool = SeatPool(
        organization_id=organization_id,
        seats=seats,
        price_cap_cents=price_cap_cents,
        meetings_per_seat=TERM_MEETINGS,
        currency=quote.currency,
        amount_cents=quote.total_cents,
        valid_from=now,
        valid_until=now + timedelta(days=30 * months),
        status=PoolStatus.ACTIVE if free else PoolStatus.PENDING,
        activated_at=now if free else None,
        payment_method=method,
        created_by_id=actor_id,
        created_at=now,
    )
    db.session.add(pool)
    db.session.flush()
    record(
        "sponsor.pool_bought",
        actor_id=actor_id,
        subject_type="seat_pool",
        subject_id=pool.id,
        details={
            "organization_id": organization_id,
            "seats": seats,
            "amount_cents": quote.total_cents,
            "method": str(method),
        },
        now=now,
    )
    return pool


def get_pool(pool_id: int, organization_id: int) -> SeatPool:
    """A pool of this organisation; raises NotFound for another organisation's pool."""
    pool = db.session.get(SeatPool, pool_id)
    if pool is None or pool.organization_id != organization_id:
        raise NotFound("We couldn't find that pool.")
    return pool


def pools_of(organization_id: int) -> list[SeatPool]:
    return list(
        db.session.scalars(
            select(SeatPool)
            .where(SeatPool.organization_id == organization_id)
            .order_by(SeatPool.created_at.desc(), SeatPool.id.desc())
        )
    )


def _purchase(pool: SeatPool, stand_in_url: str) -> Purchase:
    return Purchase(
        description=f"Hearth sponsored seats: {pool.seats} for {pool.organization.name}",
        amount_cents=pool.amount_cents,
        currency=pool.currency,
        metadata={"purchase": PURCHASE_KIND, "seat_pool_id": str(pool.id)},
        idempotency_key=f"seat-pool-{pool.id}",
        stand_in_url=stand_in_url,
    )


def open_pool_payment(
    pool_id: int,
    organization_id: int,
    *,
    gateway: PaymentGateway,
    success_url: str,
    cancel_url: str,
    stand_in_url: str,
    customer_email: str | None,
) -> str | None:
    """Ask the gateway for the pool's card checkout, or send its invoice (30-day terms).

    Call after `buy_pool` was committed. Safe to repeat: the idempotency key returns the same
    checkout or invoice. Returns where to send her (None: nowhere, an invoice has no page).
    Raises NotFound, PoolNotPending, GatewayError.
    """
    pool = get_pool(pool_id, organization_id)
    if pool.status != PoolStatus.PENDING:
        raise PoolNotPending()
    if pool.checkout_url:
        return pool.checkout_url
    purchase = _purchase(pool, stand_in_url)
    if pool.payment_method == PoolPayment.CARD:
        session = gateway.create_purchase_checkout(
            purchase, success_url=success_url, cancel_url=cancel_url, customer_email=customer_email
        )
        values: dict[str, Any] = {"gateway_session_id": session.id, "checkout_url": session.url}
    else:
        invoice = gateway.create_invoice(
            purchase,
            customer_name=pool.organization.name,
            customer_email=pool.organization.billing_email,
            days_until_due=INVOICE_DAYS,
        )
        values = {"gateway_invoice_id": invoice.id, "checkout_url": invoice.url}
    db.session.execute(
        update(SeatPool)
        .where(SeatPool.id == pool.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(pool)
    return values["checkout_url"]


def _activate(pool_id: int, now: datetime) -> bool:
    return (
        db.session.execute(
            update(SeatPool)
            .where(SeatPool.id == pool_id, SeatPool.status == PoolStatus.PENDING)
            .values(status=PoolStatus.ACTIVE, activated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def activate_pool_by_hand(pool_id: int, *, admin_id: int, reason: str, now: datetime) -> SeatPool:
    """An admin activates a pending pool for an offline contract; audited with her reason.
    Raises NotFound, InvalidInput (no reason), PoolNotPending."""
    pool = db.session.get(SeatPool, pool_id)
    if pool is None:
        raise NotFound("We couldn't find that pool.")
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise InvalidInput("Please give the contract or reason (up to 300 characters).", field="reason")
    if not _activate(pool_id, now):
        raise PoolNotPending()
    record(
        "sponsor.pool_activated_by_hand",
        actor_id=admin_id,
        subject_type="seat_pool",
        subject_id=pool_id,
        details={"organization_id": pool.organization_id, "reason": reason},
        now=now,
    )
    db.session.refresh(pool)
    return pool


def pending_pools() -> list[SeatPool]:
    return list(
        db.session.scalars(
            select(SeatPool).where(SeatPool.status == PoolStatus.PENDING).order_by(SeatPool.created_at)
        )
    )


# --- gateway events -------------------------------------------------------------------------


def _pool_paid(obj: dict[str, Any], amount: int, now: datetime) -> str:
    """Activate the pool an event's metadata names, if the amount is the pool's. Events find
    the pool by its id in the metadata, so one that arrives before we stored the gateway's id
    is applied all the same."""
    try:
        pool_id = int((obj.get("metadata") or {}).get("seat_pool_id", ""))
    except ValueError:
        return "ignored"
    pool = db.session.get(SeatPool, pool_id)
    if pool is None:
        log.warning("payment for unknown seat pool %s ignored", pool_id)
        return "unknown"
    if amount != pool.amount_cents or str(obj.get("currency", "")).upper() != pool.currency:
        log.warning(
            "payment for seat pool %s has amount %s %s; pool costs %s",
            pool_id,
            amount,
            obj.get("currency"),
            pool.amount_cents,
        )
        return "amount mismatch"
    if not _activate(pool_id, now):
        return "already"
    record(
        "sponsor.pool_paid",
        actor_id=None,
        subject_type="seat_pool",
        subject_id=pool_id,
        details={"organization_id": pool.organization_id, "gateway_id": obj.get("id")},
        now=now,
    )
    return "pool activated"


def _checkout_paid(
    obj: dict[str, Any], event: dict[str, Any], *, gateway: PaymentGateway, now: datetime
) -> str:
    return _pool_paid(obj, int(obj.get("amount_total") or 0), now)


def _invoice_paid(
    obj: dict[str, Any], event: dict[str, Any], *, gateway: PaymentGateway, now: datetime
) -> str:
    if (obj.get("metadata") or {}).get("purchase") != PURCHASE_KIND:
        return "ignored"
    return _pool_paid(obj, int(obj.get("amount_paid") or 0), now)


register_purchase(PURCHASE_KIND, paid_checkout=_checkout_paid, events={"invoice.paid": _invoice_paid})
