"""The reconciliation job, and the demo payments."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.billing.demo import seed_payments
from mentoring.billing.jobs import reconcile_payments
from mentoring.billing.models import LocalCheckoutSession, Payment
from mentoring.circles.models import Circle, Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.jobs.registry import load_jobs
from tests.factories import enroll, make_circle, make_user
from tests.helpers import count
from tests.integration.billing.conftest import checkout, confirmations


def _checkout(app: Flask, circle: Circle, user: User, *, minutes_ago: int) -> Payment:
    return checkout(circle, user, now=utcnow() - timedelta(minutes=minutes_ago))


def test_the_job_is_registered_every_five_minutes() -> None:
    spec = load_jobs()["mentoring.billing.jobs.reconcile_payments"]
    assert spec.seconds == 300


def test_a_paid_checkout_whose_webhook_never_came_is_fulfilled(
    app: Flask, fixed_circle: Circle, member: User
) -> None:
    payment = _checkout(app, fixed_circle, member, minutes_ago=40)
    session = db.session.get(LocalCheckoutSession, payment.gateway_session_id)
    session.status, session.payment_status, session.payment_intent = "complete", "paid", "pi_local_late"
    db.session.commit()
    for _ in range(2):
        reconcile_payments(utcnow())
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "paid"
    assert db.session.get(Enrollment, payment.enrollment_id).status == "active"
    assert confirmations(member.id) == 1


def test_an_expired_checkout_is_closed_and_the_seat_released(
    app: Flask, fixed_circle: Circle, member: User
) -> None:
    payment = _checkout(app, fixed_circle, member, minutes_ago=40)
    counts = reconcile_payments(utcnow())
    db.session.commit()
    assert counts["expired"] == 1
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "expired"
    assert db.session.get(Enrollment, payment.enrollment_id).status == "left"
    assert db.session.get(Circle, fixed_circle.id).seats_taken == 0


def test_a_recent_checkout_is_left_alone(app: Flask, fixed_circle: Circle, member: User) -> None:
    payment = _checkout(app, fixed_circle, member, minutes_ago=10)
    assert reconcile_payments(utcnow()) == {"fulfilled": 0, "expired": 0, "waiting": 0, "refunds_applied": 0}
    assert db.session.get(Payment, payment.id).status == "pending"


def test_demo_payments_are_seeded_once_for_paid_circles(ctx: None) -> None:
    paid_circle = make_circle(
        price_mode="sliding",
        currency="USD",
        sliding_min_cents=500,
        sliding_suggested_cents=1500,
        sliding_max_cents=3000,
    )
    free_circle = make_circle()
    payer = enroll(paid_circle, make_user(), price_cents=1000)
    enroll(free_circle, make_user())
    db.session.commit()
    for _ in range(2):
        seed_payments(utcnow())
        db.session.commit()
    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.enrollment_id, payment.status, payment.gateway) == (payer.id, "paid", "local")
    assert (payment.unit_amount_cents, payment.meetings_covered, payment.amount_cents) == (1000, 8, 8000)


def test_demo_payments_skip_quietly_without_paid_circles(ctx: None) -> None:
    seed_payments(utcnow())
    assert count(Payment) == 0
