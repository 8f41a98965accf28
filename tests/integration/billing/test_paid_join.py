"""Joining a paid circle: lapsed offers, a slow gateway, out-of-order refunds, a double-clicked
local Pay button, and the audit trail of automatic refunds."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.audit.models import AuditEntry
from mentoring.billing.gateway import CheckoutSession, LocalGateway, webhook_secret
from mentoring.billing.jobs import reconcile_payments
from mentoring.billing.models import LocalCheckoutSession, Payment, Refund, WebhookEvent
from mentoring.circles.enrollment import leave_circle
from mentoring.circles.models import Circle, Enrollment, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import csrf_token, requires_postgres
from tests.factories import enroll, login, make_circle, make_user
from tests.helpers import count, fresh, run_at_once
from tests.integration.billing.conftest import (
    as_user,
    buy,
    checkout,
    join_path,
    pending_payment,
    post_join,
    post_webhook,
    session_event,
)

# --- a lapsed offer --------------------------------------------------------------------------


def test_a_lapsed_offer_in_a_paid_circle_does_not_become_a_hold(
    member_client: FlaskClient, fixed_circle: Circle, member: User
) -> None:
    offer = enroll(fixed_circle, member, status="offered")
    offer.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = post_join(member_client, fixed_circle.id).get_data(as_text=True)
    assert "this offer has expired" in page
    assert count(Payment) == 0
    db.session.expire_all()
    assert db.session.get(Enrollment, offer.id).status == "offered"  # the expiry job passes it on


def test_an_offer_still_open_becomes_her_hold(
    member_client: FlaskClient, fixed_circle: Circle, member: User
) -> None:
    offer = enroll(fixed_circle, member, status="offered")
    offer.offer_expires_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    assert post_join(member_client, fixed_circle.id).status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrollment, offer.id).status == "held"
    assert db.session.get(Circle, fixed_circle.id).seats_taken == 1  # no second seat taken


# --- a slow gateway --------------------------------------------------------------------------


class StalledGateway(LocalGateway):
    """Stripe stalling on one member's checkout until the test lets it go."""

    def __init__(self, secret: str, stalled_user_id: int) -> None:
        super().__init__(secret)
        self.stalled_user_id = stalled_user_id
        self.entered = threading.Event()
        self.release = threading.Event()

    def create_checkout(self, payment: Payment, **kwargs: Any) -> CheckoutSession:
        if payment.user_id == self.stalled_user_id:
            self.entered.set()
            self.release.wait(timeout=60)
        return super().create_checkout(payment, **kwargs)


@requires_postgres
@pytest.mark.postgres
def test_a_stalled_gateway_call_does_not_block_another_members_join_on_postgres(
    app: Flask, fixed_circle: Circle, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = make_user(), make_user()
    db.session.commit()
    gateway = StalledGateway(webhook_secret(app.config), stalled_user_id=first.id)
    monkeypatch.setitem(app.extensions, "hearth.gateway", gateway)
    clients, tokens = {}, {}
    for user in (first, second):
        clients[user.id] = app.test_client()
        as_user(clients[user.id], user)  # also drops the CSRF token cached for the other one
        tokens[user.id] = csrf_token(clients[user.id], join_path(fixed_circle.id))
    order: list[str] = []
    codes: dict[int, int] = {}

    def join(user_id: int) -> None:
        response = clients[user_id].post(join_path(fixed_circle.id), data={
            "agree": "y", "submit": "Continue to payment", "csrf_token": tokens[user_id]})
        codes[user_id] = response.status_code
        order.append(f"join {user_id} done")

    stalled = threading.Thread(target=join, args=(first.id,))
    stalled.start()
    assert gateway.entered.wait(timeout=60), "the first join never reached the gateway"
    other = threading.Thread(target=join, args=(second.id,))
    other.start()
    other.join(timeout=20)  # a guard against hanging, not a measurement: the order is asserted
    order.append("gateway released")
    gateway.release.set()
    stalled.join()
    other.join()
    assert order == [f"join {second.id} done", "gateway released", f"join {first.id} done"]
    assert codes == {first.id: 302, second.id: 302}
    db.session.expire_all()
    assert db.session.get(Circle, fixed_circle.id).seats_taken == 2


def test_a_failed_gateway_call_gives_the_held_seat_back(
    app: Flask, member_client: FlaskClient, fixed_circle: Circle, member: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mentoring.billing.gateway import GatewayError

    class DownGateway(LocalGateway):
        def create_checkout(self, payment: Payment, **kwargs: Any) -> CheckoutSession:
            raise GatewayError()

    monkeypatch.setitem(app.extensions, "hearth.gateway", DownGateway(webhook_secret(app.config)))
    page = post_join(member_client, fixed_circle.id).get_data(as_text=True)
    assert "We could not reach our payment provider" in page
    db.session.expire_all()
    assert pending_payment(member.id).status == "failed"
    assert db.session.execute(select(Enrollment.status)).scalar_one() == "left"
    assert db.session.get(Circle, fixed_circle.id).seats_taken == 0


# --- a refund event before its payment -------------------------------------------------------


def _charge_refunded(intent: str, refunded: int, event_id: str = "evt_early_refund") -> dict[str, Any]:
    return {
        "id": event_id, "object": "event", "type": "charge.refunded",
        "data": {"object": {"id": "ch_1", "object": "charge", "payment_intent": intent,
                            "amount": 12000, "amount_refunded": refunded}},
    }


@pytest.fixture
def open_checkout_payment(member_client: FlaskClient, fixed_circle: Circle, member: User) -> Payment:
    post_join(member_client, fixed_circle.id)
    return pending_payment(member.id)


def test_a_full_refund_that_arrives_before_the_payment_is_applied_and_no_seat_is_kept(
    client: FlaskClient, open_checkout_payment: Payment, member: User
) -> None:
    assert post_webhook(client, _charge_refunded("pi_early", 12000)).status_code == 200
    completed = session_event(open_checkout_payment.gateway_session_id, payment_intent="pi_early")
    assert post_webhook(client, completed).status_code == 200
    db.session.expire_all()
    payment = fresh(open_checkout_payment)
    assert (payment.status, payment.refunded_cents) == ("refunded", 12000)
    assert [r.reason for r in payment.refunds] == ["reconciled"]
    assert db.session.get(Enrollment, payment.enrollment_id).status == "left"
    assert db.session.get(Circle, payment.enrollment.circle_id).seats_taken == 0
    assert db.session.get(WebhookEvent, "evt_early_refund").waiting_for is None


def test_a_partial_refund_that_arrives_before_the_payment_is_applied_and_she_keeps_her_seat(
    client: FlaskClient, open_checkout_payment: Payment, member: User
) -> None:
    post_webhook(client, _charge_refunded("pi_early", 3000))
    post_webhook(client, session_event(open_checkout_payment.gateway_session_id, payment_intent="pi_early"))
    db.session.expire_all()
    payment = fresh(open_checkout_payment)
    assert (payment.status, payment.refunded_cents) == ("partially_refunded", 3000)
    assert db.session.get(Enrollment, payment.enrollment_id).status == "active"


def test_reconciliation_applies_a_waiting_refund_whose_payment_appeared_meanwhile(
    fixed_circle: Circle, member: User
) -> None:
    """A refund event and its payment handled at the same moment each miss the other."""
    paid = buy(fixed_circle, member, now=utcnow())
    db.session.add(WebhookEvent(id="evt_missed", type="charge.refunded", waiting_for=paid.gateway_payment_id,
                                payload=json.dumps({"payment_intent": paid.gateway_payment_id,
                                                    "amount_refunded": 1500})))
    db.session.commit()
    assert reconcile_payments(utcnow())["refunds_applied"] == 1
    db.session.commit()
    assert reconcile_payments(utcnow())["refunds_applied"] == 0
    assert fresh(paid).refunded_cents == 1500


# --- the local checkout's Pay button ---------------------------------------------------------


def _click_twice(app: Flask, client: FlaskClient, path: str) -> list[str | None]:
    """The same browser posting Pay twice at once; returns where each click was sent."""
    token = csrf_token(client, path)
    cookie = client.get_cookie("session", domain="localhost").value
    locations: list[str | None] = []

    def click() -> None:
        browser = app.test_client()
        browser.set_cookie("session", cookie, domain="localhost")
        locations.append(browser.post(path + "/pay", data={"csrf_token": token}).headers.get("Location"))

    assert run_at_once(app, [click] * 2) == []
    return locations


@requires_postgres
@pytest.mark.postgres
def test_a_double_clicked_local_pay_button_pays_once_and_keeps_one_reference_on_postgres(
    app: Flask, member: User
) -> None:
    client = app.test_client()
    login(client, member)
    for _ in range(5):
        circle = make_circle(price_mode="fixed", price_cents=1500, currency="USD")
        db.session.commit()
        payment = checkout(circle, db.session.get(User, member.id), now=utcnow())
        locations = _click_twice(app, client, payment.checkout_url)
        db.session.expire_all()
        paid = db.session.get(Payment, payment.id)
        session = db.session.get(LocalCheckoutSession, payment.gateway_session_id)
        assert len(set(locations)) == 1 and locations[0] is not None
        assert paid.status == "paid"
        assert session.payment_intent == paid.gateway_payment_id
    assert count(WebhookEvent) == 5


# --- every refund is audited -----------------------------------------------------------------


def test_an_automatic_refund_on_leaving_is_audited(fixed_circle: Circle, member: User) -> None:
    first = db.session.execute(
        select(Meeting.starts_at).where(Meeting.circle_id == fixed_circle.id, Meeting.sequence == 1)
    ).scalar_one()
    paid = buy(fixed_circle, member, now=first - timedelta(days=3))
    leave_circle(paid.enrollment_id, member.id, now=first - timedelta(days=2))
    db.session.commit()
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "payment.refund")).scalar_one()
    refund = db.session.execute(select(Refund)).scalar_one()
    assert (entry.actor_id, entry.subject_id) == (None, paid.id)
    assert entry.details == {"amount_cents": 12000, "currency": "USD", "reason": "left", "kind": "left",
                             "refund_id": refund.id, "automatic": True}


def test_a_refund_made_at_the_gateway_is_audited(
    client: FlaskClient, fixed_circle: Circle, member: User
) -> None:
    paid = buy(fixed_circle, member, now=utcnow())
    post_webhook(client, _charge_refunded(paid.gateway_payment_id, 1500))
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "payment.refund")).scalar_one()
    assert (entry.details["kind"], entry.details["amount_cents"]) == ("reconciled", 1500)
    assert entry.actor_id is None


# --- amount fields on phones -----------------------------------------------------------------


def _amount_input(page: str) -> str:
    tag = re.search(r'<input[^>]*id="amount"[^>]*>', page)
    assert tag is not None
    return tag.group(0)


def test_the_sliding_scale_amount_brings_up_a_number_pad(
    member_client: FlaskClient, sliding_circle: Circle
) -> None:
    page = member_client.get(join_path(sliding_circle.id)).get_data(as_text=True)
    assert 'inputmode="decimal"' in _amount_input(page)


def test_the_refund_amount_brings_up_a_number_pad(app: Flask, fixed_circle: Circle, member: User) -> None:
    paid = buy(fixed_circle, member, now=utcnow())
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    client = app.test_client()
    as_user(client, admin)
    page = client.get(f"/billing/admin/payments/{paid.id}/refund").get_data(as_text=True)
    assert 'inputmode="decimal"' in _amount_input(page)
