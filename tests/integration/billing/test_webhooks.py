"""Webhooks signed with Stripe's real algorithm, delivered as Stripe delivers them: repeatedly,
concurrently and in any order relative to her return to the success page."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.billing.gateway import GatewayError
from mentoring.billing.models import LocalCheckoutSession, Payment, Refund, WebhookEvent
from mentoring.circles.models import Circle, Enrollment
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import requires_postgres
from tests.factories import enroll, make_circle, make_user
from tests.helpers import run_at_once
from tests.integration.billing.conftest import (
    WEBHOOK_PATH,
    as_user,
    confirmations,
    count,
    pending_payment,
    post_join,
    post_webhook,
    session_event,
    stripe_signature,
)


@pytest.fixture
def checkout(member_client: FlaskClient, fixed_circle: Circle, member: User) -> Payment:
    post_join(member_client, fixed_circle.id)
    return pending_payment(member.id)


def _state(member: User) -> tuple[list[str], list[str], int]:
    db.session.expire_all()
    payments = sorted(
        db.session.execute(select(Payment.status).where(Payment.user_id == member.id)).scalars()
    )
    enrollments = sorted(
        db.session.execute(select(Enrollment.status).where(Enrollment.user_id == member.id)).scalars()
    )
    return payments, enrollments, confirmations(member.id)


def _mark_paid_at_gateway(session_id: str, intent: str = "pi_test_123") -> None:
    session = db.session.get(LocalCheckoutSession, session_id)
    session.status, session.payment_status, session.payment_intent = "complete", "paid", intent
    db.session.commit()


def test_a_paid_checkout_confirms_her_seat_once(client: FlaskClient, checkout: Payment, member: User) -> None:
    response = post_webhook(client, session_event(checkout.gateway_session_id))
    assert response.status_code == 200
    assert _state(member) == (["paid"], ["active"], 1)
    payment = db.session.get(Payment, checkout.id)
    assert payment.gateway_payment_id == "pi_test_123"
    assert payment.paid_at is not None
    notes = db.session.execute(select(Notification).where(Notification.user_id == member.id)
                               .order_by(Notification.kind)).scalars().all()
    # Her welcome to the circle (with its calendar file) comes beside the payment confirmation.
    assert [n.kind for n in notes] == ["joined", "payment"]
    assert notes[1].dedup_key == f"payment-confirmed:{checkout.id}"


def test_one_event_replayed_ten_times_fulfils_once(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    event = session_event(checkout.gateway_session_id)
    statuses = [post_webhook(client, event).status_code for _ in range(10)]
    assert statuses == [200] * 10
    assert _state(member) == (["paid"], ["active"], 1)
    assert count(WebhookEvent) == 1


def _replay_concurrently(app: Flask, event: dict[str, Any], times: int = 10) -> list[int]:
    codes: list[int] = []

    def deliver() -> None:
        codes.append(post_webhook(app.test_client(), event).status_code)

    assert run_at_once(app, [deliver] * times) == []
    return codes


def test_one_event_from_ten_threads_fulfils_once(app: Flask, checkout: Payment, member: User) -> None:
    codes = _replay_concurrently(app, session_event(checkout.gateway_session_id))
    assert codes == [200] * 10
    assert _state(member) == (["paid"], ["active"], 1)


@requires_postgres
@pytest.mark.postgres
def test_distinct_events_for_one_checkout_from_ten_threads_fulfil_once_on_postgres(
    app: Flask, checkout: Payment, member: User
) -> None:
    """Different event ids (completed and async_payment_succeeded, retried) get past the event
    dedup, so the payment row lock is what keeps fulfilment single."""
    codes: list[int] = []
    session_id = checkout.gateway_session_id

    def deliver(kind: str) -> None:
        codes.append(post_webhook(app.test_client(), session_event(session_id, kind=kind)).status_code)

    kinds = ["checkout.session.completed", "checkout.session.async_payment_succeeded"] * 5
    assert run_at_once(app, [partial(deliver, kind) for kind in kinds]) == []
    assert sorted(codes) == [200] * 10
    assert _state(member) == (["paid"], ["active"], 1)
    assert db.session.get(Circle, checkout.enrollment.circle_id).seats_taken == 1


def test_distinct_events_for_one_checkout_fulfil_once(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    for kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded") * 3:
        assert post_webhook(client, session_event(checkout.gateway_session_id, kind=kind)).status_code == 200
    assert _state(member) == (["paid"], ["active"], 1)


def test_a_forged_signature_is_refused_and_changes_nothing(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    response = post_webhook(client, session_event(checkout.gateway_session_id), secret="whsec_someone_else")
    assert response.status_code == 400
    assert _state(member) == (["pending"], ["held"], 0)
    assert count(WebhookEvent) == 0


def test_an_old_signature_is_refused_and_changes_nothing(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    response = post_webhook(
        client, session_event(checkout.gateway_session_id), timestamp=int(time.time()) - 600
    )
    assert response.status_code == 400
    assert _state(member) == (["pending"], ["held"], 0)


def test_a_tampered_body_is_refused(client: FlaskClient, checkout: Payment, member: User) -> None:
    signed = '{"id": "evt_1", "type": "charge.refunded"}'
    body = signed.replace("charge.refunded", "checkout.session.completed")
    response = client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": stripe_signature(signed)},
    )
    assert response.status_code == 400
    missing = client.post(WEBHOOK_PATH, data=signed, content_type="application/json")
    assert missing.status_code == 400
    assert count(WebhookEvent) == 0


def test_redirect_first_then_webhook_fulfils_once(
    member_client: FlaskClient, client: FlaskClient, checkout: Payment, member: User
) -> None:
    _mark_paid_at_gateway(checkout.gateway_session_id)
    page = member_client.get(f"/billing/success?session_id={checkout.gateway_session_id}").get_data(
        as_text=True
    )
    assert "You're in!" in page
    assert _state(member) == (["paid"], ["active"], 1)
    assert post_webhook(client, session_event(checkout.gateway_session_id)).status_code == 200
    assert _state(member) == (["paid"], ["active"], 1)


def test_webhook_first_then_redirect_fulfils_once(
    member_client: FlaskClient, client: FlaskClient, checkout: Payment, member: User
) -> None:
    _mark_paid_at_gateway(checkout.gateway_session_id)
    assert post_webhook(client, session_event(checkout.gateway_session_id)).status_code == 200
    for _ in range(2):
        page = member_client.get(f"/billing/success?session_id={checkout.gateway_session_id}")
        assert "You're in!" in page.get_data(as_text=True)
    assert _state(member) == (["paid"], ["active"], 1)


def test_success_page_before_the_money_lands_says_so(
    member_client: FlaskClient, checkout: Payment, member: User
) -> None:
    page = member_client.get(f"/billing/success?session_id={checkout.gateway_session_id}").get_data(
        as_text=True
    )
    assert "We're confirming your payment" in page
    assert _state(member) == (["pending"], ["held"], 0)


def test_someone_elses_success_page_is_not_found(app: Flask, checkout: Payment) -> None:
    other = make_user()
    db.session.commit()
    client = app.test_client()
    as_user(client, other)
    assert client.get(f"/billing/success?session_id={checkout.gateway_session_id}").status_code == 404


def test_a_delayed_payment_waits_for_its_async_result(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    sid = checkout.gateway_session_id
    assert post_webhook(client, session_event(sid, payment_status="unpaid")).status_code == 200
    assert _state(member) == (["pending"], ["held"], 0)
    assert (
        post_webhook(client, session_event(sid, kind="checkout.session.async_payment_succeeded")).status_code
        == 200
    )
    assert _state(member) == (["paid"], ["active"], 1)


def test_a_failed_delayed_payment_releases_the_hold(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    event = session_event(
        checkout.gateway_session_id, kind="checkout.session.async_payment_failed", payment_status="unpaid"
    )
    assert post_webhook(client, event).status_code == 200
    assert _state(member) == (["failed"], ["left"], 0)
    assert db.session.get(Circle, checkout.enrollment.circle_id).seats_taken == 0


def test_an_expired_checkout_releases_the_hold(client: FlaskClient, checkout: Payment, member: User) -> None:
    event = session_event(
        checkout.gateway_session_id, kind="checkout.session.expired", payment_status="unpaid"
    )
    assert post_webhook(client, event).status_code == 200
    assert _state(member) == (["expired"], ["left"], 0)
    assert db.session.get(Circle, checkout.enrollment.circle_id).seats_taken == 0


def _expire_and_fill(client: FlaskClient, checkout: Payment) -> None:
    event = session_event(
        checkout.gateway_session_id, kind="checkout.session.expired", payment_status="unpaid"
    )
    assert post_webhook(client, event).status_code == 200
    circle = db.session.get(Circle, checkout.enrollment.circle_id)
    while circle.seats_taken < circle.capacity:
        enroll(circle, make_user())
    db.session.commit()


def test_a_late_payment_after_the_seat_went_to_someone_else_is_refunded_in_full(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    _expire_and_fill(client, checkout)
    assert post_webhook(client, session_event(checkout.gateway_session_id)).status_code == 200
    db.session.expire_all()
    payment = db.session.get(Payment, checkout.id)
    assert (payment.status, payment.refunded_cents) == ("refunded", payment.amount_cents)
    refund = db.session.execute(select(Refund)).scalar_one()
    assert (refund.reason, refund.status, refund.amount_cents) == ("seat_unavailable", "succeeded", 12000)
    assert refund.gateway_refund_id.startswith("re_local_")
    note = db.session.execute(select(Notification).where(Notification.user_id == member.id)).scalar_one()
    assert "refunded you in full" in note.payload["text"]
    assert _state(member)[1:] == (["left"], 0)


def test_a_late_payment_takes_a_seat_that_is_still_free(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    event = session_event(
        checkout.gateway_session_id, kind="checkout.session.expired", payment_status="unpaid"
    )
    post_webhook(client, event)
    assert post_webhook(client, session_event(checkout.gateway_session_id)).status_code == 200
    assert _state(member) == (["paid"], ["active"], 1)
    assert db.session.get(Circle, checkout.enrollment.circle_id).seats_taken == 1


def test_our_own_failure_answers_500_and_rolls_back_so_stripe_retries(
    app: Flask, client: FlaskClient, checkout: Payment, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _expire_and_fill(client, checkout)
    gateway = app.extensions["hearth.gateway"]

    def refuse(*args: object, **kwargs: object) -> None:
        raise GatewayError()

    monkeypatch.setattr(gateway, "refund", refuse)
    event = session_event(checkout.gateway_session_id)
    assert post_webhook(client, event).status_code == 500
    db.session.expire_all()
    assert db.session.get(Payment, checkout.id).status == "expired"
    assert db.session.get(WebhookEvent, event["id"]) is None
    assert count(Refund) == 0

    monkeypatch.undo()
    assert post_webhook(client, event).status_code == 200
    db.session.expire_all()
    assert db.session.get(Payment, checkout.id).status == "refunded"


def test_a_webhook_for_an_unknown_checkout_is_logged_and_changes_nothing(
    client: FlaskClient, checkout: Payment, member: User, caplog: pytest.LogCaptureFixture
) -> None:
    response = post_webhook(client, session_event("cs_test_not_ours"))
    assert response.status_code == 200
    assert "cs_test_not_ours" in caplog.text
    assert _state(member) == (["pending"], ["held"], 0)


def test_an_unknown_event_type_is_acknowledged_and_ignored(
    client: FlaskClient, checkout: Payment, member: User
) -> None:
    event = {
        "id": "evt_other",
        "object": "event",
        "type": "customer.created",
        "data": {"object": {"id": "cus_1"}},
    }
    response = post_webhook(client, event)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ignored"
    assert _state(member) == (["pending"], ["held"], 0)


def test_a_refund_made_at_stripe_is_reconciled(client: FlaskClient, checkout: Payment, member: User) -> None:
    post_webhook(client, session_event(checkout.gateway_session_id, payment_intent="pi_abc"))
    charge = {
        "id": "evt_refund",
        "object": "event",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": "pi_abc",
                "amount": 12000,
                "amount_refunded": 3000,
            }
        },
    }
    for _ in range(2):
        assert post_webhook(client, charge).status_code == 200
    charge["id"] = "evt_refund_again"
    assert post_webhook(client, charge).status_code == 200
    db.session.expire_all()
    payment = db.session.get(Payment, checkout.id)
    assert (payment.status, payment.refunded_cents) == ("partially_refunded", 3000)
    assert [r.amount_cents for r in payment.refunds] == [3000]


def test_two_members_paying_for_the_last_seat_both_end_up_whole(app: Flask, member: User) -> None:
    """The hold decides who gets the last seat; the other is never charged without a place."""
    circle = make_circle(capacity=4, price_mode="fixed", price_cents=1000, currency="USD")
    for _ in range(3):
        enroll(circle, make_user())
    rival = make_user()
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    as_user(first, member)
    assert post_join(first, circle.id).status_code == 302
    as_user(second, rival)
    assert "is full just now" in post_join(second, circle.id).get_data(as_text=True)
    assert count(Payment) == 1


def test_a_payment_for_a_circle_cancelled_meanwhile_is_refunded_in_full(
    member_client: FlaskClient, client: FlaskClient, checkout: Payment, member: User
) -> None:
    db.session.get(Circle, checkout.enrollment.circle_id).status = "cancelled"
    db.session.commit()
    _mark_paid_at_gateway(checkout.gateway_session_id)
    page = member_client.get(f"/billing/success?session_id={checkout.gateway_session_id}").get_data(
        as_text=True
    )
    assert "we refunded you in full ($120)" in page
    assert post_webhook(client, session_event(checkout.gateway_session_id)).status_code == 200
    payment = db.session.get(Payment, checkout.id)
    assert (payment.status, payment.refunded_cents) == ("refunded", 12000)
    assert count(Refund) == 1
    assert _state(member)[1:] == (["left"], 0)


def test_if_both_of_her_checkouts_are_paid_the_second_is_refunded(
    member_client: FlaskClient, client: FlaskClient, sliding_circle: Circle, member: User
) -> None:
    post_join(member_client, sliding_circle.id, {"amount": "10.00"})
    post_join(member_client, sliding_circle.id, {"amount": "12.00"})
    old, new = db.session.execute(select(Payment).order_by(Payment.id)).scalars().all()
    assert (
        post_webhook(client, session_event(old.gateway_session_id, payment_intent="pi_old")).status_code
        == 200
    )
    assert (
        post_webhook(client, session_event(new.gateway_session_id, payment_intent="pi_new")).status_code
        == 200
    )
    db.session.expire_all()
    assert (db.session.get(Payment, old.id).status, db.session.get(Payment, new.id).status) == (
        "paid",
        "refunded",
    )
    enrollment = db.session.execute(select(Enrollment).where(Enrollment.user_id == member.id)).scalar_one()
    assert (enrollment.status, enrollment.price_cents) == ("active", 1000)
    assert confirmations(member.id) == 1
