"""The local gateway's own checkout page, paying through the real webhook path."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.billing.models import Payment, WebhookEvent
from mentoring.circles.models import Circle, Enrollment
from mentoring.extensions import db
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.helpers import count
from tests.integration.billing.conftest import as_user, confirmations, pending_payment, post_join


@pytest.fixture
def checkout_path(member_client: FlaskClient, fixed_circle: Circle) -> str:
    return post_join(member_client, fixed_circle.id).headers["Location"]


def test_paying_on_the_local_page_fulfils_through_a_signed_webhook(
    member_client: FlaskClient, checkout_path: str, member: User
) -> None:
    page = member_client.get(checkout_path).get_data(as_text=True)
    assert "Pay $120<" in page
    assert "no real money moves" in page
    token = csrf_token(member_client, checkout_path)
    response = member_client.post(checkout_path + "/pay", data={"csrf_token": token})
    assert response.status_code == 302
    payment = pending_payment(member.id)
    assert (
        response.headers["Location"]
        == f"http://localhost/billing/success?session_id={payment.gateway_session_id}"
    )
    assert payment.status == "paid"
    assert payment.gateway_payment_id.startswith("pi_local_")
    assert db.session.execute(select(WebhookEvent.type)).scalar_one() == "checkout.session.completed"
    assert db.session.execute(select(Enrollment.status)).scalar_one() == "active"
    assert confirmations(member.id) == 1

    success = member_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You're in!" in success
    assert confirmations(member.id) == 1
    # Paying a paid checkout again (as at Stripe) charges nothing more and shows the outcome.
    again = member_client.post(checkout_path + "/pay", data={"csrf_token": token})
    assert again.headers["Location"] == response.headers["Location"]
    assert count(Payment, Payment.status == "paid") == 1
    assert count(WebhookEvent) == 1


def test_pay_needs_the_csrf_token(member_client: FlaskClient, checkout_path: str, member: User) -> None:
    assert member_client.post(checkout_path + "/pay").status_code == 400
    assert pending_payment(member.id).status == "pending"


def test_cancel_goes_back_to_the_quote_with_nothing_charged(
    member_client: FlaskClient, checkout_path: str, fixed_circle: Circle, member: User
) -> None:
    token = csrf_token(member_client, checkout_path)
    response = member_client.post(checkout_path + "/cancel", data={"csrf_token": token})
    assert (
        response.headers["Location"] == f"http://localhost/billing/circles/{fixed_circle.id}/join?cancelled=1"
    )
    page = member_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was charged" in page
    assert pending_payment(member.id).status == "pending"


def test_someone_else_cannot_open_her_checkout(app: Flask, checkout_path: str) -> None:
    other = make_user()
    db.session.commit()
    client = app.test_client()
    as_user(client, other)
    assert client.get(checkout_path).status_code == 404


def test_the_local_checkout_does_not_exist_with_stripe(
    app: Flask, member_client: FlaskClient, checkout_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PAYMENT_GATEWAY", "stripe")
    assert member_client.get(checkout_path).status_code == 404
