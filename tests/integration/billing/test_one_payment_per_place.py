"""At most one payment is kept per membership, and the database says so.

Two checkouts for one place (two tabs, two prices) paid at the same moment: the control test
runs the old check-in-Python fulfilment the same way on PostgreSQL, without the unique index,
and shows it keeps both; the guarded test shows the index refunds the loser every time. A
rejoin after leaving is a new membership, paid for again, never a duplicate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from mentoring.accounts.models import User
from mentoring.audit.models import AuditEntry
from mentoring.billing.fulfilment import fulfil_payment
from mentoring.billing.models import KEPT_STATUSES, LocalCheckoutSession, Payment, PaymentStatus
from mentoring.circles.enrollment import confirm_held_seat, leave_circle
from mentoring.circles.models import Circle, Enrollment, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import csrf_token, requires_postgres
from tests.factories import make_circle, make_user
from tests.helpers import count, fresh, run_at_once
from tests.integration.billing.conftest import buy, checkout, post_join

REPETITIONS = 10


def _gateway(app: Flask):  # noqa: ANN202
    return app.extensions["hearth.gateway"]


def _two_tabs(app: Flask) -> tuple[list[str], int]:
    """A member with two open checkouts for one place, at two prices; returns their sessions."""
    with app.app_context():
        circle = make_circle(price_mode="sliding", currency="USD", sliding_min_cents=500,
                             sliding_suggested_cents=1500, sliding_max_cents=3000)
        user = make_user()
        db.session.commit()
        now = utcnow()
        first = checkout(circle, user, now=now, chosen_cents=1000)
        second = checkout(circle, user, now=now, chosen_cents=1200)
        sessions = [first.gateway_session_id, second.gateway_session_id]
        enrollment_id = first.enrollment_id
        db.session.remove()
    return sessions, enrollment_id


def guarded_fulfil(app: Flask, session_id: str) -> None:
    fulfil_payment(session_id, payment_intent=f"pi_{session_id}", now=utcnow(), gateway=_gateway(app))


def naive_fulfil(app: Flask, session_id: str) -> None:
    """The bug the index prevents: claim, then look in Python for another kept payment."""
    payment = db.session.execute(
        select(Payment).where(Payment.gateway_session_id == session_id).with_for_update()
    ).scalar_one()
    db.session.execute(update(Payment).where(Payment.id == payment.id)
                       .values(status=PaymentStatus.PAID, gateway_payment_id=f"pi_{session_id}"))
    other = db.session.execute(select(Payment.id).where(
        Payment.enrollment_id == payment.enrollment_id, Payment.id != payment.id,
        Payment.status.in_([str(s) for s in KEPT_STATUSES]))).first()
    if other is not None or not confirm_held_seat(payment.enrollment_id, now=utcnow()):
        db.session.execute(update(Payment).where(Payment.id == payment.id).values(status="refunded"))


def _pay_both_at_once(app: Flask, fulfil, sessions: list[str]) -> None:  # noqa: ANN001
    def deliver(session_id: str) -> None:
        fulfil(app, session_id)
        db.session.commit()

    errors = run_at_once(app, [partial(deliver, session_id) for session_id in sessions])
    assert errors == [], errors[:3]


def _kept_and_refunded(app: Flask, enrollment_id: int) -> tuple[int, int, str]:
    with app.app_context():
        statuses = db.session.execute(
            select(Payment.status).where(Payment.enrollment_id == enrollment_id)).scalars().all()
        enrollment = db.session.get(Enrollment, enrollment_id)
        return (sum(s in KEPT_STATUSES for s in statuses), statuses.count(PaymentStatus.REFUNDED),
                enrollment.status)


@requires_postgres
@pytest.mark.postgres
def test_two_checkouts_paid_at_the_same_moment_keep_one_and_refund_the_other_on_postgres(app: Flask) -> None:
    for _ in range(REPETITIONS):
        sessions, enrollment_id = _two_tabs(app)
        _pay_both_at_once(app, guarded_fulfil, sessions)
        assert _kept_and_refunded(app, enrollment_id) == (1, 1, "active")
    with app.app_context():
        refund_audits = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "payment.refund")).scalars().all()
        assert len(refund_audits) == REPETITIONS
        assert {entry.details["kind"] for entry in refund_audits} == {"duplicate"}


@requires_postgres
@pytest.mark.postgres
def test_control_without_the_index_both_payments_are_kept(app: Flask) -> None:
    with app.app_context():
        index = next(i for i in Payment.__table__.indexes if i.name == "uq_payments_one_kept_per_membership")
        index.drop(db.engine)
    try:
        kept_twice = 0
        for _ in range(REPETITIONS):
            sessions, enrollment_id = _two_tabs(app)
            _pay_both_at_once(app, naive_fulfil, sessions)
            kept_twice += _kept_and_refunded(app, enrollment_id)[0] == 2
        assert kept_twice >= 1, "the naive fulfilment never kept both: the race test would prove nothing"
    finally:
        with app.app_context():
            db.session.execute(update(Payment).where(Payment.status.in_([str(s) for s in KEPT_STATUSES]))
                               .values(status="refunded"))
            db.session.commit()
            index.create(db.engine)


def test_the_database_refuses_a_second_kept_payment_for_one_membership(
    fixed_circle: Circle, member: User
) -> None:
    paid = buy(fixed_circle, member, now=utcnow())
    copy = {column: getattr(paid, column) for column in (
        "enrollment_id", "user_id", "amount_cents", "unit_amount_cents", "currency", "meetings_covered",
        "first_sequence", "membership_number", "gateway")}
    db.session.add(Payment(**copy, status="partially_refunded", gateway_session_id="cs_second"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Refunded in full, it is no longer kept, and a later membership may be paid for again.
    db.session.add(Payment(**copy, status="refunded", gateway_session_id="cs_third"))
    db.session.add(Payment(**{**copy, "membership_number": 2}, status="paid", gateway_session_id="cs_fourth"))
    db.session.flush()
    db.session.rollback()


def test_a_replaced_checkout_is_expired_at_the_gateway_and_can_no_longer_be_paid(
    member_client: FlaskClient, sliding_circle: Circle, member: User
) -> None:
    first = post_join(member_client, sliding_circle.id, {"amount": "10.00"}).headers["Location"]
    post_join(member_client, sliding_circle.id, {"amount": "12.00"})
    old = db.session.execute(select(Payment).order_by(Payment.id)).scalars().first()
    db.session.expire_all()
    assert db.session.get(LocalCheckoutSession, old.gateway_session_id).status == "expired"
    response = member_client.post(first + "/pay", data={"csrf_token": csrf_token(member_client, first)})
    assert "This checkout has expired or was already paid" in response.get_data(as_text=True)
    assert count(Payment, Payment.status == "paid") == 0


def _starts(circle_id: int, sequence: int) -> datetime:
    return db.session.execute(
        select(Meeting.starts_at).where(Meeting.circle_id == circle_id, Meeting.sequence == sequence)
    ).scalar_one()


def test_she_pays_leaves_late_rejoins_and_pays_again_and_is_in(fixed_circle: Circle, member: User) -> None:
    circle_id, member_id = fixed_circle.id, member.id
    first = buy(fixed_circle, member, now=_starts(circle_id, 1) - timedelta(days=2))
    late = _starts(circle_id, 4) - timedelta(hours=23)  # too late for a refund
    leave_circle(first.enrollment_id, member_id, now=late)
    db.session.commit()
    assert fresh(first).status == "paid"

    second = buy(db.session.get(Circle, circle_id), db.session.get(User, member_id),
                 now=late + timedelta(hours=1))
    assert second.enrollment_id == first.enrollment_id  # the same row, a new membership
    enrollment = db.session.get(Enrollment, second.enrollment_id, populate_existing=True)
    assert (fresh(second).status, enrollment.status, enrollment.membership_number) == ("paid", "active", 2)
    assert second.meetings_covered == 5

    # Leaving in time now refunds the new membership's meetings, not the old forfeited ones.
    leave_circle(second.enrollment_id, member_id, now=_starts(circle_id, 5) - timedelta(days=2))
    db.session.commit()
    assert (fresh(first).refunded_cents, fresh(second).refunded_cents) == (0, 4 * 1500)


def test_a_lapsed_hold_restarted_is_the_same_membership(fixed_circle: Circle, member: User) -> None:
    """Only a place she really had ends a membership: an abandoned checkout does not."""
    now = utcnow()
    payment = checkout(fixed_circle, member, now=now)
    from mentoring.billing.fulfilment import expire_payment

    expire_payment(payment.id, now=now)
    db.session.commit()
    again = checkout(db.session.get(Circle, fixed_circle.id), db.session.get(User, member.id), now=now)
    assert (payment.membership_number, again.membership_number) == (1, 1)
