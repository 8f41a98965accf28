"""Billing test helpers: paid circles, members mid-checkout, and webhooks signed like Stripe's."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.billing.models import Payment
from mentoring.circles.models import Circle
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import csrf_token
from tests.factories import login, make_circle, make_user
from tests.helpers import count

WEBHOOK_SECRET = "whsec_test_secret"
WEBHOOK_PATH = "/billing/stripe/webhook"


def stripe_signature(body: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>`, Stripe's scheme, written out here
    independently of the app's own signer."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def session_event(
    session_id: str,
    *,
    kind: str = "checkout.session.completed",
    payment_status: str = "paid",
    payment_intent: str = "pi_test_123",
    event_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "status": "complete",
                "payment_status": payment_status,
                "payment_intent": payment_intent,
            }
        },
    }


def post_webhook(
    client: FlaskClient, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
):  # noqa: ANN201
    body = json.dumps(event)
    return client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": stripe_signature(body, secret, timestamp)},
    )


def as_user(client: FlaskClient, user: User) -> None:
    """Log `client` in as `user`. Requests made while a test holds the app context (`ctx`) share
    its `g`, where Flask-Login caches the last request's user and Flask-WTF the last CSRF token,
    so both caches are dropped."""
    from flask import g

    login(client, user)
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def join_path(circle_id: int) -> str:
    return f"/billing/circles/{circle_id}/join"


def post_join(client: FlaskClient, circle_id: int, data: dict[str, Any] | None = None):  # noqa: ANN201
    token = csrf_token(client, join_path(circle_id))
    form = {"agree": "y", "submit": "Continue to payment", **(data or {}), "csrf_token": token}
    return client.post(join_path(circle_id), data=form)


def confirmations(user_id: int) -> int:
    return count(
        Notification, Notification.user_id == user_id, Notification.dedup_key.like("payment-confirmed:%")
    )


@pytest.fixture
def fixed_circle(ctx: None) -> Circle:
    circle = make_circle(title="Back to work", price_mode="fixed", price_cents=1500, currency="USD")
    db.session.commit()
    return circle


@pytest.fixture
def sliding_circle(ctx: None) -> Circle:
    circle = make_circle(
        title="Evenings",
        price_mode="sliding",
        currency="USD",
        sliding_min_cents=500,
        sliding_suggested_cents=1500,
        sliding_max_cents=3000,
    )
    db.session.commit()
    return circle


@pytest.fixture
def member(ctx: None) -> User:
    user = make_user(email="maya@example.com", display_name="Maya")
    db.session.commit()
    return user


@pytest.fixture
def member_client(app: Flask, member: User) -> FlaskClient:
    client = app.test_client()
    login(client, member)
    return client


@pytest.fixture
def admin_client(app: Flask, ctx: None) -> FlaskClient:
    admin = make_user(email="staff@example.com", roles=(Role.ADMIN,), timezone="UTC")
    db.session.commit()
    client = app.test_client()
    as_user(client, admin)
    return client


def pending_payment(user_id: int) -> Payment:
    db.session.expire_all()
    return (
        db.session.execute(select(Payment).where(Payment.user_id == user_id).order_by(Payment.id.desc()))
        .scalars()
        .first()
    )


def checkout(circle: Circle, user: User, *, now: Any, chosen_cents: int | None = None) -> Payment:
    """She opens a checkout (through the services, committing as the join page does), as of `now`."""
    from flask import current_app

    from mentoring.billing.checkout import open_checkout, start_checkout

    gateway = current_app.extensions["hearth.gateway"]
    started = start_checkout(
        circle.id, user.id, chosen_cents=chosen_cents, agreed=True, now=now, gateway_name=gateway.name,
    )
    db.session.commit()
    open_checkout(
        started.payment_id, gateway=gateway, replaced_session_id=started.replaced_session_id,
        success_url="http://localhost/billing/success?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="http://localhost/",
    )
    db.session.commit()
    return db.session.get(Payment, started.payment_id)


def buy(circle: Circle, user: User, *, now: Any, chosen_cents: int | None = None) -> Payment:
    """She joins and pays (through the services), as of `now`."""
    from flask import current_app

    from mentoring.billing.fulfilment import fulfil_payment

    gateway = current_app.extensions["hearth.gateway"]
    payment = checkout(circle, user, now=now, chosen_cents=chosen_cents)
    fulfil_payment(
        payment.gateway_session_id, payment_intent=f"pi_test_{payment.id}", now=now, gateway=gateway
    )
    db.session.commit()
    return payment
