"""Billing: quotes, Stripe Checkout, webhooks, refunds and receipts.

Settings (see `mentoring/config.py`):
- PAYMENT_GATEWAY: `local` (development: Hearth's own checkout page, no money moves) or
  `stripe` (required in production).
- STRIPE_SECRET_KEY: the Stripe API key; STRIPE_API_BASE points the client elsewhere (tests).
- STRIPE_WEBHOOK_SECRET: the endpoint's signing secret (`whsec_...`). Required in production.
  In development, when it is empty, a secret is derived from SECRET_KEY so the local gateway
  can sign the events it sends to its own webhook handler.

Point Stripe's webhook endpoint at `/billing/stripe/webhook` and send it
`checkout.session.completed`, `checkout.session.async_payment_succeeded`,
`checkout.session.async_payment_failed`, `checkout.session.expired` and `charge.refunded`.
Stripe delivers them in any order: a `charge.refunded` for a payment not yet known waits in
`webhook_events` and is applied when the payment is fulfilled (or by the reconciliation job),
never dropped.

The refund receivers for the circles' signals live in `refunds.py`, which the billing views
import, so they are connected in every app `create_app` builds.
"""
