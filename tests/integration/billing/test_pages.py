"""My payments, receipts, and the admin's payments list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentoring.accounts.models import User
from mentoring.billing.models import Payment
from mentoring.circles import signals
from mentoring.circles.models import Circle
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import make_circle, make_user
from tests.integration.billing.conftest import as_user, buy


@pytest.fixture
def paid(fixed_circle: Circle, member: User) -> Payment:
    payment = buy(fixed_circle, member, now=datetime(2026, 1, 10, 23, 30, tzinfo=UTC))
    signals.member_left.send(None, enrollment_id=payment.enrollment_id, now=utcnow())
    db.session.commit()
    return payment


def test_my_payments_lists_her_payments_and_refunds(member_client: FlaskClient, paid: Payment) -> None:
    page = member_client.get("/billing/payments").get_data(as_text=True)
    assert "Back to work" in page
    assert '<td data-label="Amount">$120</td>' in page
    assert "refunded" in page
    assert f"/billing/payments/{paid.id}" in page


def test_the_receipt_shows_the_circle_meetings_amount_local_date_and_refunds(
    member_client: FlaskClient, paid: Payment
) -> None:
    page = member_client.get(f"/billing/payments/{paid.id}").get_data(as_text=True)
    assert "Back to work" in page
    assert "8 × $15<" in page
    assert "Sat 10 Jan 2026, 23:30 GMT" in page  # her timezone is Europe/London
    assert "You left the circle" in page
    assert "Net paid: $0<" in page
    assert 'class="actions no-print"' in page


def test_the_receipt_date_is_in_her_own_timezone(app: Flask, fixed_circle: Circle) -> None:
    tokyo = make_user(timezone="Asia/Tokyo")
    db.session.commit()
    payment = buy(fixed_circle, tokyo, now=datetime(2026, 1, 10, 23, 30, tzinfo=UTC))
    client = app.test_client()
    as_user(client, tokyo)
    assert "Sun 11 Jan 2026, 08:30 JST" in client.get(f"/billing/payments/{payment.id}").get_data(
        as_text=True
    )


def test_nobody_else_sees_her_receipt(app: Flask, paid: Payment) -> None:
    other = make_user()
    db.session.commit()
    client = app.test_client()
    as_user(client, other)
    assert client.get(f"/billing/payments/{paid.id}").status_code == 404
    assert "Back to work" not in client.get("/billing/payments").get_data(as_text=True)


def test_admin_payments_filter_by_status_date_and_email(
    admin_client: FlaskClient, fixed_circle: Circle
) -> None:
    alice = make_user(email="alice@example.com")
    bea = make_user(email="bea@example.com")
    db.session.commit()
    buy(fixed_circle, alice, now=datetime(2026, 1, 5, 12, tzinfo=UTC))
    buy(fixed_circle, bea, now=datetime(2026, 2, 5, 12, tzinfo=UTC))

    every = admin_client.get("/billing/admin/payments").get_data(as_text=True)
    assert "alice@example.com" in every and "bea@example.com" in every
    by_email = admin_client.get("/billing/admin/payments?email=ALICE").get_data(as_text=True)
    assert "alice@example.com" in by_email and "bea@example.com" not in by_email
    by_date = admin_client.get("/billing/admin/payments?date_from=2026-02-01&date_to=2026-02-28").get_data(
        as_text=True
    )
    assert "bea@example.com" in by_date and "alice@example.com" not in by_date
    by_status = admin_client.get("/billing/admin/payments?status=refunded").get_data(as_text=True)
    assert "No payments match." in by_status
    wildcard = admin_client.get("/billing/admin/payments?email=%25").get_data(as_text=True)
    assert "No payments match." in wildcard


def test_admin_payments_are_paginated(admin_client: FlaskClient, fixed_circle: Circle) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    users = [make_user(email=f"p{n:02d}@example.com") for n in range(27)]
    circles = [fixed_circle]
    for n, user in enumerate(users):
        if n and n % 7 == 0:  # a circle seats at most 8
            circles.append(make_circle(price_mode="fixed", price_cents=1000, currency="USD"))
            db.session.commit()
        buy(circles[-1], user, now=start + timedelta(hours=n))
    first = admin_client.get("/billing/admin/payments").get_data(as_text=True)
    assert "27 payments" in first and "Page 1 of 2" in first
    assert "p26@example.com" in first and "p00@example.com" not in first
    second = admin_client.get("/billing/admin/payments?page=2").get_data(as_text=True)
    assert "p00@example.com" in second and "p26@example.com" not in second


def test_members_cannot_see_the_admin_payments(member_client: FlaskClient) -> None:
    assert member_client.get("/billing/admin/payments").status_code == 403
