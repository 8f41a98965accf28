"""The Stripe gateway against a local server that answers like Stripe's API: the real `stripe`
library makes real HTTP requests, and we check what it sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer

from mentoring.accounts.models import User
from mentoring.billing.gateway import GatewayError, LocalGateway, StripeGateway, build_gateway
from mentoring.billing.models import Payment
from mentoring.circles.models import Circle
from tests.integration.billing.conftest import pending_payment, post_join

EXPIRES = datetime(2026, 3, 3, 12, 31, tzinfo=UTC)


def gateway_for(httpserver: HTTPServer) -> StripeGateway:
    return StripeGateway("sk_test_hearth", api_base=httpserver.url_for("").rstrip("/"), max_network_retries=0)


def sent_form(httpserver: HTTPServer, index: int = 0) -> dict[str, list[str]]:
    request, _ = httpserver.log[index]
    return parse_qs(request.get_data(as_text=True))


def test_checkout_is_created_with_the_quote_as_line_items(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {
            "id": "cs_test_1",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/pay/cs_test_1",
        }
    )
    payment = Payment(
        id=42, enrollment_id=7, currency="USD", unit_amount_cents=1500, meetings_covered=5, amount_cents=7500
    )
    session = gateway_for(httpserver).create_checkout(
        payment,
        circle_title="Evenings circle",
        success_url="https://hearth.example/billing/success?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://hearth.example/billing/circles/3/join",
        expires_at=EXPIRES,
        idempotency_key="payment-42",
        customer_email="maya@example.com",
    )
    assert (session.id, session.url) == ("cs_test_1", "https://checkout.stripe.com/c/pay/cs_test_1")
    request, _ = httpserver.log[0]
    assert request.headers["Idempotency-Key"] == "payment-42"
    assert request.headers["Authorization"] == "Bearer sk_test_hearth"
    assert request.content_type.startswith("application/x-www-form-urlencoded")
    form = sent_form(httpserver)
    assert form["mode"] == ["payment"]
    assert form["line_items[0][price_data][currency]"] == ["usd"]
    assert form["line_items[0][price_data][unit_amount]"] == ["1500"]
    assert form["line_items[0][price_data][product_data][name]"] == ["Evenings circle"]
    assert form["line_items[0][quantity]"] == ["5"]
    assert form["expires_at"] == [str(int(EXPIRES.timestamp()))]
    assert form["metadata[payment_id]"] == ["42"]
    assert form["metadata[enrollment_id]"] == ["7"]
    assert form["client_reference_id"] == ["42"]
    assert form["customer_email"] == ["maya@example.com"]
    assert form["success_url"] == ["https://hearth.example/billing/success?session_id={CHECKOUT_SESSION_ID}"]


def test_checkout_status_is_read_back(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/checkout/sessions/cs_test_1", method="GET").respond_with_json(
        {
            "id": "cs_test_1",
            "object": "checkout.session",
            "status": "complete",
            "payment_status": "paid",
            "payment_intent": "pi_test_9",
        }
    )
    status = gateway_for(httpserver).retrieve_checkout("cs_test_1")
    assert (status.status, status.payment_status, status.payment_intent) == ("complete", "paid", "pi_test_9")


def test_a_refund_carries_its_decision_key(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_json(
        {"id": "re_test_1", "object": "refund", "status": "succeeded", "amount": 1500}
    )
    result = gateway_for(httpserver).refund("pi_test_9", 1500, idempotency_key="refund:meeting:5:42")
    assert (result.id, result.status) == ("re_test_1", "succeeded")
    request, _ = httpserver.log[0]
    assert request.headers["Idempotency-Key"] == "refund:meeting:5:42"
    assert sent_form(httpserver) == {"payment_intent": ["pi_test_9"], "amount": ["1500"]}


@pytest.mark.parametrize("status", [400, 402, 500])
def test_stripe_errors_become_a_gateway_error(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/v1/refunds", method="POST").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}, status=status
    )
    with pytest.raises(GatewayError):
        gateway_for(httpserver).refund("pi_missing", 100, idempotency_key="k")


def test_build_gateway_follows_the_setting() -> None:
    stripe_gateway = build_gateway(
        {
            "PAYMENT_GATEWAY": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_x",
            "STRIPE_API_BASE": "http://127.0.0.1:9",
        }
    )
    assert isinstance(stripe_gateway, StripeGateway)
    local = build_gateway({"PAYMENT_GATEWAY": "local", "STRIPE_WEBHOOK_SECRET": "", "SECRET_KEY": "k" * 40})
    assert isinstance(local, LocalGateway)
    assert local.webhook_secret.startswith("whsec_local_")


def test_joining_sends_her_to_stripe_checkout(
    app: Flask,
    member_client: FlaskClient,
    fixed_circle: Circle,
    member: User,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpserver.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {
            "id": "cs_test_77",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/pay/cs_test_77",
        }
    )
    monkeypatch.setitem(app.extensions, "hearth.gateway", gateway_for(httpserver))
    response = post_join(member_client, fixed_circle.id)
    assert response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_77"
    payment = pending_payment(member.id)
    assert (payment.gateway, payment.gateway_session_id) == ("stripe", "cs_test_77")
    form = sent_form(httpserver)
    assert form["line_items[0][quantity]"] == ["8"]
    assert form["success_url"] == ["http://localhost/billing/success?session_id={CHECKOUT_SESSION_ID}"]
    request, _ = httpserver.log[0]
    assert request.headers["Idempotency-Key"] == f"payment-{payment.id}"
    expires = int(form["expires_at"][0])
    assert (
        timedelta(minutes=30)
        < datetime.fromtimestamp(expires, UTC) - payment.created_at
        <= timedelta(minutes=31)
    )


def test_when_stripe_is_down_nothing_is_held(
    app: Flask,
    member_client: FlaskClient,
    fixed_circle: Circle,
    member: User,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpserver.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {"error": {"type": "api_error", "message": "down"}}, status=500
    )
    monkeypatch.setitem(app.extensions, "hearth.gateway", gateway_for(httpserver))
    page = post_join(member_client, fixed_circle.id).get_data(as_text=True)
    assert "We could not reach our payment provider" in page
    assert pending_payment(member.id).status == "failed"  # the attempt is kept, closed
    from mentoring.extensions import db

    assert db.session.get(Circle, fixed_circle.id).seats_taken == 0


def test_a_replaced_checkout_is_expired_at_stripe(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/checkout/sessions/cs_test_old/expire", method="POST").respond_with_json(
        {"id": "cs_test_old", "object": "checkout.session", "status": "expired"}
    )
    gateway_for(httpserver).expire_checkout("cs_test_old")
    assert len(httpserver.log) == 1


def test_a_checkout_stripe_will_not_expire_is_a_gateway_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/checkout/sessions/cs_test_paid/expire", method="POST").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": "already complete"}}, status=400
    )
    with pytest.raises(GatewayError):
        gateway_for(httpserver).expire_checkout("cs_test_paid")
