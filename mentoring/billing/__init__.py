"""Billing: quotes, Stripe Checkout, webhooks, refunds and receipts.

The refund receivers for the circles' signals live in `refunds.py`, which the billing views
import, so they are connected in every app `create_app` builds.
"""
