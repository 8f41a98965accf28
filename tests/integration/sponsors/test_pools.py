"""Seat pools: the quote, card checkout and invoice through the gateway, webhooks with replays,
and activation by hand."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.sponsors.local_payment import pool_event
from mentoring.sponsors.models import SeatPool
from mentoring.sponsors.pools import PoolNotPending, activate_pool_by_hand
from tests.conftest import csrf_token, post_form
from tests.factories import login, make_user
from tests.helpers import audit_actions, fresh
from tests.integration.billing.conftest import post_webhook
from tests.integration.sponsors.conftest import make_org, make_sponsor_admin


@pytest.fixture
def hr(client: FlaskClient, ctx: None):  # noqa: ANN201
    org = make_org()
    user = make_sponsor_admin(org)
    db.session.commit()
    login(client, user)
    return user, org


def _buy(client: FlaskClient, org_id: int, method: str, **extra: str):  # noqa: ANN202
    path = f"/sponsors/{org_id}/pools/new"
    return post_form(
        client,
        path,
        {
            "seats": "10",
            "months": "6",
            "price_cap": "20",
            "method": method,
            "submit": "Buy the seats",
            **extra,
        },
    )


def test_the_quote_shows_the_total_before_she_pays(client: FlaskClient, hr) -> None:  # noqa: ANN001
    _, org = hr
    response = post_form(
        client,
        f"/sponsors/{org.id}/pools/new",
        {"seats": "10", "months": "6", "price_cap": "20", "method": "card", "update": "Show"},
    )
    assert "10 seats × $160 = $1,600" in response.get_data(as_text=True)
    assert db.session.scalars(select(SeatPool)).all() == []


def test_a_cap_above_the_maximum_is_refused_next_to_the_field(client: FlaskClient, hr) -> None:  # noqa: ANN001
    _, org = hr
    response = _buy(client, org.id, "card", price_cap="9999")
    assert "The cap can be at most" in response.get_data(as_text=True)
    assert db.session.scalars(select(SeatPool)).all() == []


def test_card_checkout_on_the_local_gateway_activates_the_pool(client: FlaskClient, hr) -> None:  # noqa: ANN001
    _, org = hr
    response = _buy(client, org.id, "card")
    assert response.status_code == 302
    pool = db.session.scalars(select(SeatPool)).one()
    assert pool.status == "pending" and pool.amount_cents == 160_000
    assert response.headers["Location"].endswith(f"/sponsors/{org.id}/pools/{pool.id}/local-payment")
    page = response.headers["Location"]
    client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert fresh(pool).status == "active"
    assert {"sponsor.pool_bought", "sponsor.pool_paid"} <= set(audit_actions())


def test_an_invoice_pool_activates_on_invoice_paid_once_whatever_the_replays(
    client: FlaskClient,
    hr,  # noqa: ANN001
) -> None:
    _, org = hr
    _buy(client, org.id, "invoice")
    pool = db.session.scalars(select(SeatPool)).one()
    assert pool.gateway_invoice_id.startswith("in_local_") and pool.status == "pending"
    event = pool_event(pool, now=utcnow())
    assert event["type"] == "invoice.paid"
    first = post_webhook(client, event)
    assert (first.status_code, first.get_data(as_text=True)) == (200, "pool activated")
    assert post_webhook(client, event).get_data(as_text=True) == "duplicate"
    again = {**json.loads(json.dumps(event)), "id": "evt_another_delivery"}
    assert post_webhook(client, again).get_data(as_text=True) == "already"
    assert fresh(pool).status == "active"
    assert audit_actions().count("sponsor.pool_paid") == 1


def test_invoice_paid_that_arrives_before_the_invoice_id_is_stored_still_activates(
    client: FlaskClient,
    hr,  # noqa: ANN001
) -> None:
    _, org = hr
    pool = SeatPool(
        organization_id=org.id,
        seats=5,
        price_cap_cents=1000,
        meetings_per_seat=8,
        currency="USD",
        amount_cents=40_000,
        valid_from=utcnow(),
        valid_until=utcnow(),
        status="pending",
        payment_method="invoice",
    )
    db.session.add(pool)
    db.session.commit()
    event = {
        "id": "evt_early",
        "type": "invoice.paid",
        "object": "event",
        "data": {
            "object": {
                "id": "in_not_stored_yet",
                "object": "invoice",
                "amount_paid": 40_000,
                "currency": "usd",
                "metadata": {"purchase": "seat_pool", "seat_pool_id": str(pool.id)},
            }
        },
    }
    assert post_webhook(client, event).get_data(as_text=True) == "pool activated"
    assert fresh(pool).status == "active"


def test_a_payment_for_another_amount_does_not_activate(client: FlaskClient, hr) -> None:  # noqa: ANN001
    _, org = hr
    _buy(client, org.id, "invoice")
    pool = db.session.scalars(select(SeatPool)).one()
    event = pool_event(pool, now=utcnow())
    event["data"]["object"]["amount_paid"] = 1
    assert post_webhook(client, event).get_data(as_text=True) == "amount mismatch"
    assert fresh(pool).status == "pending"


def test_a_card_checkout_completed_webhook_with_replay(client: FlaskClient, hr) -> None:  # noqa: ANN001
    _, org = hr
    _buy(client, org.id, "card")
    pool = db.session.scalars(select(SeatPool)).one()
    event = pool_event(pool, now=utcnow())
    assert event["type"] == "checkout.session.completed"
    assert post_webhook(client, event).get_data(as_text=True) == "pool activated"
    assert post_webhook(client, event).get_data(as_text=True) == "duplicate"
    assert fresh(pool).status == "active"


def test_an_admin_activates_a_pool_by_hand_with_a_reason(client: FlaskClient, hr) -> None:  # noqa: ANN001
    _, org = hr
    _buy(client, org.id, "invoice")
    pool = db.session.scalars(select(SeatPool)).one()
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(client, admin)
    response = post_form(
        client,
        "/sponsors/admin/organizations",
        {"reason": "Contract NW-2026"},
        action=f"/sponsors/admin/pools/{pool.id}/activate",
    )
    assert response.status_code == 302
    assert fresh(pool).status == "active"
    assert "sponsor.pool_activated_by_hand" in audit_actions()
    with pytest.raises(PoolNotPending):
        activate_pool_by_hand(pool.id, admin_id=admin.id, reason="again", now=utcnow())


def test_a_sponsor_admin_cannot_activate_by_hand(client: FlaskClient, hr) -> None:  # noqa: ANN001
    _, org = hr
    _buy(client, org.id, "invoice")
    pool = db.session.scalars(select(SeatPool)).one()
    response = client.post(f"/sponsors/admin/pools/{pool.id}/activate", data={"reason": "x"})
    assert response.status_code in (400, 403)
    assert fresh(pool).status == "pending"


def test_the_pool_quote_writes_amounts_the_way_her_browser_does(client: FlaskClient, hr) -> None:  # noqa: ANN001
    _, org = hr
    path = f"/sponsors/{org.id}/pools/new"
    form = {"seats": "10", "months": "6", "price_cap": "20", "method": "card", "update": "Show",
            "csrf_token": csrf_token(client, path)}
    response = client.post(path, data=form, headers={"Accept-Language": "de"})
    assert "10 seats × 160\xa0$ = 1.600\xa0$" in response.get_data(as_text=True)
