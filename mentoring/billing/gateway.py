"""Payment gateways: Stripe Checkout, and a local stand-in with its own checkout page.

Services receive a gateway and never construct one; `create_app` builds it once from the
settings and keeps it at `app.extensions["hearth.gateway"]`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import stripe

from mentoring.db import insert_into
from mentoring.errors import DomainError

if TYPE_CHECKING:
    from mentoring.billing.models import Payment

log = logging.getLogger(__name__)


class GatewayError(DomainError):
    """We could not reach our payment provider. Nothing was charged; please try again in a moment."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class CheckoutStatus:
    status: str  # open/complete/expired
    payment_status: str  # unpaid/paid/no_payment_required
    payment_intent: str | None


@dataclass(frozen=True)
class InvoiceRef:
    id: str
    url: str | None  # where the customer can see and pay it


@dataclass(frozen=True)
class Purchase:
    """A purchase that is not a member's payment (an employer's seat pool): plain values only."""

    description: str
    amount_cents: int
    currency: str
    metadata: dict[str, str]  # comes back on the gateway's events, so they find the purchase
    idempotency_key: str
    # The local gateway's stand-in for the hosted page ("{id}" is the checkout or invoice id):
    # the purchasing feature's own page that pays it by sending the signed event.
    stand_in_url: str = ""


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str  # succeeded/pending/failed


class PaymentGateway(ABC):
    """What Hearth needs from a payment provider."""

    name: str

    @abstractmethod
    def create_checkout(
        self,
        payment: Payment,
        *,
        circle_title: str,
        success_url: str,
        cancel_url: str,
        expires_at: datetime,
        idempotency_key: str,
        customer_email: str | None = None,
    ) -> CheckoutSession:
        """Open a hosted checkout for `payment`; raises GatewayError."""

    @abstractmethod
    def retrieve_checkout(self, session_id: str) -> CheckoutStatus:
        """Ask the provider how a checkout stands; raises GatewayError."""

    @abstractmethod
    def expire_checkout(self, session_id: str) -> None:
        """Close an open checkout so it can no longer be paid. Raises GatewayError (for one
        that was completed meanwhile, too)."""

    @abstractmethod
    def refund(self, payment_intent_id: str, amount_cents: int, *, idempotency_key: str) -> RefundResult:
        """Refund part or all of a payment; the key makes a retried refund a no-op. Raises GatewayError."""

    @abstractmethod
    def create_purchase_checkout(self, purchase: Purchase, *, success_url: str, cancel_url: str,
                                 customer_email: str | None = None) -> CheckoutSession:
        """Open a hosted card checkout for `purchase`; its events carry `purchase.metadata`.
        Raises GatewayError."""

    @abstractmethod
    def create_invoice(self, purchase: Purchase, *, customer_name: str, customer_email: str,
                       days_until_due: int) -> InvoiceRef:
        """Send the customer an invoice payable within `days_until_due` days; `invoice.paid`
        carries `purchase.metadata`. Raises GatewayError."""


class StripeGateway(PaymentGateway):
    """Stripe Checkout through the official library's `StripeClient`."""

    name = "stripe"

    def __init__(self, api_key: str, *, api_base: str = "", max_network_retries: int = 2) -> None:
        options: dict[str, Any] = {"max_network_retries": max_network_retries}
        if api_base:
            options["base_addresses"] = {"api": api_base}
        self.client = stripe.StripeClient(api_key, **options)

    def create_checkout(
        self,
        payment: Payment,
        *,
        circle_title: str,
        success_url: str,
        cancel_url: str,
        expires_at: datetime,
        idempotency_key: str,
        customer_email: str | None = None,
    ) -> CheckoutSession:
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": payment.currency.lower(),
                        "unit_amount": payment.unit_amount_cents,
                        "product_data": {"name": circle_title},
                    },
                    "quantity": payment.meetings_covered,
                }
            ],
            "expires_at": int(expires_at.timestamp()),
            "metadata": {"payment_id": str(payment.id), "enrollment_id": str(payment.enrollment_id)},
            "client_reference_id": str(payment.id),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_email:
            params["customer_email"] = customer_email
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            log.warning("stripe checkout for payment %s failed: %s", payment.id, error)
            raise GatewayError() from error
        return CheckoutSession(id=session.id, url=session.url)

    def retrieve_checkout(self, session_id: str) -> CheckoutStatus:
        try:
            session = self.client.v1.checkout.sessions.retrieve(session_id)
        except stripe.StripeError as error:
            log.warning("stripe retrieve of %s failed: %s", session_id, error)
            raise GatewayError() from error
        data = session.to_dict()
        intent = data.get("payment_intent")
        if isinstance(intent, dict):  # expanded
            intent = intent.get("id")
        return CheckoutStatus(
            status=data.get("status") or "open",
            payment_status=data.get("payment_status") or "unpaid",
            payment_intent=intent,
        )

    def expire_checkout(self, session_id: str) -> None:
        try:
            self.client.v1.checkout.sessions.expire(session_id)
        except stripe.StripeError as error:
            log.warning("stripe expire of %s failed: %s", session_id, error)
            raise GatewayError() from error

    def refund(self, payment_intent_id: str, amount_cents: int, *, idempotency_key: str) -> RefundResult:
        try:
            refund = self.client.v1.refunds.create(
                params={"payment_intent": payment_intent_id, "amount": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            log.warning("stripe refund of %s failed: %s", payment_intent_id, error)
            raise GatewayError("We could not issue the refund just now. Please try again shortly.") from error
        return RefundResult(id=refund.id, status=refund.to_dict().get("status") or "pending")

    def create_purchase_checkout(self, purchase: Purchase, *, success_url: str, cancel_url: str,
                                 customer_email: str | None = None) -> CheckoutSession:
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [{
                "price_data": {"currency": purchase.currency.lower(), "unit_amount": purchase.amount_cents,
                               "product_data": {"name": purchase.description}},
                "quantity": 1,
            }],
            "metadata": purchase.metadata,
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_email:
            params["customer_email"] = customer_email
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": purchase.idempotency_key})
        except stripe.StripeError as error:
            log.warning("stripe checkout for %s failed: %s", purchase.idempotency_key, error)
            raise GatewayError() from error
        return CheckoutSession(id=session.id, url=session.url)

    def create_invoice(self, purchase: Purchase, *, customer_name: str, customer_email: str,
                       days_until_due: int) -> InvoiceRef:
        key = purchase.idempotency_key
        try:
            customer = self.client.v1.customers.create(
                params={"name": customer_name, "email": customer_email},
                options={"idempotency_key": f"{key}-customer"})
            invoice = self.client.v1.invoices.create(
                params={"customer": customer.id, "collection_method": "send_invoice",
                        "days_until_due": days_until_due, "currency": purchase.currency.lower(),
                        "metadata": purchase.metadata},
                options={"idempotency_key": f"{key}-invoice"})
            self.client.v1.invoice_items.create(
                params={"customer": customer.id, "invoice": invoice.id, "amount": purchase.amount_cents,
                        "currency": purchase.currency.lower(), "description": purchase.description},
                options={"idempotency_key": f"{key}-item"})
            self.client.v1.invoices.finalize_invoice(invoice.id,
                                                     options={"idempotency_key": f"{key}-finalize"})
            sent = self.client.v1.invoices.send_invoice(invoice.id,
                                                        options={"idempotency_key": f"{key}-send"})
        except stripe.StripeError as error:
            log.warning("stripe invoice for %s failed: %s", key, error)
            raise GatewayError() from error
        return InvoiceRef(id=invoice.id, url=sent.to_dict().get("hosted_invoice_url"))


class LocalGateway(PaymentGateway):
    """Offline development: checkouts are rows paid on Hearth's own page (`/billing/local-checkout/...`).

    Paying there sends a signed `checkout.session.completed` event through the same webhook
    handler Stripe's events go through, so development exercises the real fulfilment path.
    """

    name = "local"

    def __init__(self, webhook_secret: str) -> None:
        self.webhook_secret = webhook_secret

    def create_checkout(
        self,
        payment: Payment,
        *,
        circle_title: str,
        success_url: str,
        cancel_url: str,
        expires_at: datetime,
        idempotency_key: str,
        customer_email: str | None = None,
    ) -> CheckoutSession:
        from mentoring.billing.models import (
            CheckoutPaymentStatus,
            CheckoutSessionStatus,
            LocalCheckoutSession,
        )
        from mentoring.extensions import db

        # Like Stripe's idempotency key: the same key gives the same checkout, even for two
        # requests at once (the id is derived from the key, and the primary key settles the race).
        digest = hmac.new(self.webhook_secret.encode(), idempotency_key.encode(), hashlib.sha256)
        session_id = f"cs_local_{digest.hexdigest()[:32]}"
        db.session.execute(
            insert_into(db.session, LocalCheckoutSession)
            .values(
                id=session_id,
                payment_id=payment.id,
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                title=circle_title,
                status=CheckoutSessionStatus.OPEN,
                payment_status=CheckoutPaymentStatus.UNPAID,
                success_url=success_url,
                cancel_url=cancel_url,
                expires_at=expires_at,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["id"])
        )
        return CheckoutSession(id=session_id, url=f"/billing/local-checkout/{session_id}")

    def retrieve_checkout(self, session_id: str) -> CheckoutStatus:
        from mentoring.billing.models import CheckoutSessionStatus, LocalCheckoutSession
        from mentoring.db import utcnow
        from mentoring.extensions import db

        session = db.session.get(LocalCheckoutSession, session_id)
        if session is None:
            raise GatewayError("That checkout does not exist.")
        status = session.status
        if status == CheckoutSessionStatus.OPEN and session.expires_at <= utcnow():
            status = CheckoutSessionStatus.EXPIRED
        return CheckoutStatus(status=status, payment_status=session.payment_status,
                              payment_intent=session.payment_intent)

    def expire_checkout(self, session_id: str) -> None:
        from sqlalchemy import update

        from mentoring.billing.models import CheckoutSessionStatus, LocalCheckoutSession
        from mentoring.extensions import db

        # As at Stripe, only an open checkout can be expired; a paid one is an error.
        expired = db.session.execute(
            update(LocalCheckoutSession)
            .where(LocalCheckoutSession.id == session_id,
                   LocalCheckoutSession.status != CheckoutSessionStatus.COMPLETE)
            .values(status=CheckoutSessionStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        ).rowcount
        if expired != 1:
            raise GatewayError("That checkout was already completed or does not exist.")

    def refund(self, payment_intent_id: str, amount_cents: int, *, idempotency_key: str) -> RefundResult:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        return RefundResult(id=f"re_local_{digest}", status="succeeded")

    # Purchases keep their state on their own rows (a seat pool): the local gateway only names
    # them, and the purchasing feature's own stand-in page sends the signed event on "Pay".
    def create_purchase_checkout(self, purchase: Purchase, *, success_url: str, cancel_url: str,
                                 customer_email: str | None = None) -> CheckoutSession:
        session_id = f"cs_local_{self._digest(purchase.idempotency_key)}"
        return CheckoutSession(id=session_id, url=purchase.stand_in_url.replace("{id}", session_id))

    def create_invoice(self, purchase: Purchase, *, customer_name: str, customer_email: str,
                       days_until_due: int) -> InvoiceRef:
        invoice_id = f"in_local_{self._digest(purchase.idempotency_key)}"
        return InvoiceRef(id=invoice_id, url=purchase.stand_in_url.replace("{id}", invoice_id))

    def _digest(self, key: str) -> str:
        return hmac.new(self.webhook_secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]


def webhook_secret(config: Any) -> str:
    """The secret webhooks are signed with. Without STRIPE_WEBHOOK_SECRET (development only;
    production refuses to start without it) one is derived from SECRET_KEY, so the local
    gateway can sign its events and the webhook can check them."""
    configured = config.get("STRIPE_WEBHOOK_SECRET") or ""
    if configured:
        return configured
    derived = hmac.new(str(config["SECRET_KEY"]).encode(), b"hearth-local-webhook", hashlib.sha256)
    return "whsec_local_" + derived.hexdigest()


def build_gateway(config: Any) -> PaymentGateway:
    """The gateway named by PAYMENT_GATEWAY ('stripe' or 'local')."""
    if config.get("PAYMENT_GATEWAY") == "stripe":
        return StripeGateway(
            config.get("STRIPE_SECRET_KEY") or "", api_base=config.get("STRIPE_API_BASE") or ""
        )
    return LocalGateway(webhook_secret(config))
