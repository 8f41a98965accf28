"""Refunds on leaving, on cancelled meetings and circles, and by an admin."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.audit.models import AuditEntry
from mentoring.billing.gateway import GatewayError
from mentoring.billing.models import Payment, Refund, RefundStatus
from mentoring.billing.refunds import RefundFailed, refund_manually
from mentoring.circles import signals
from mentoring.circles.models import Circle, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.money import InvalidAmount
from mentoring.notify.models import Notification
from tests.conftest import csrf_token
from tests.factories import enroll, make_circle, make_user
from tests.helpers import count, fresh
from tests.integration.billing.conftest import buy


@pytest.fixture
def circle(ctx: None) -> Circle:
    circle = make_circle(title="Sunday mornings", price_mode="fixed", price_cents=1500, currency="USD")
    db.session.commit()
    return circle


def starts(circle: Circle, sequence: int) -> datetime:
    return db.session.execute(
        select(Meeting.starts_at).where(Meeting.circle_id == circle.id, Meeting.sequence == sequence)
    ).scalar_one()


@pytest.fixture
def paid(circle: Circle, member: User) -> Payment:
    """Maya paid for all 8 meetings two days before the first."""
    return buy(circle, member, now=starts(circle, 1) - timedelta(days=2))


@pytest.fixture
def admin(ctx: None) -> User:
    user = make_user(email="refunds@example.com", roles=(Role.ADMIN,), timezone="UTC")
    db.session.commit()
    return user


def _refund_notes(user_id: int) -> list[str]:
    return list(
        db.session.execute(
            select(Notification.payload).where(
                Notification.user_id == user_id, Notification.dedup_key.like("refund-issued:%")
            )
        ).scalars()
    )


def test_leaving_a_day_or_more_before_the_next_meeting_refunds_the_meetings_not_held(
    circle: Circle, paid: Payment
) -> None:
    after_third = starts(circle, 3) + timedelta(hours=2)  # next meeting is 6-7 days away
    signals.member_left.send(None, enrollment_id=paid.enrollment_id, now=after_third)
    db.session.commit()
    payment = fresh(paid)
    assert (payment.refunded_cents, payment.status) == (5 * 1500, "partially_refunded")
    refund = payment.refunds[0]
    assert (refund.reason, refund.meetings, refund.idempotency_key) == (
        "left",
        5,
        f"refund:leave:{paid.enrollment_id}:{paid.id}",
    )
    assert len(_refund_notes(paid.user_id)) == 1
    assert "Refund of $75 " in _refund_notes(paid.user_id)[0]["subject"]


def test_leaving_less_than_a_day_before_the_next_meeting_refunds_nothing(
    circle: Circle, paid: Payment
) -> None:
    late = starts(circle, 4) - timedelta(hours=23)
    signals.member_left.send(None, enrollment_id=paid.enrollment_id, now=late)
    db.session.commit()
    assert fresh(paid).refunded_cents == 0
    assert count(Refund) == 0


def test_leaving_exactly_twenty_four_hours_before_still_refunds(circle: Circle, paid: Payment) -> None:
    signals.member_left.send(
        None, enrollment_id=paid.enrollment_id, now=starts(circle, 4) - timedelta(hours=24)
    )
    db.session.commit()
    assert fresh(paid).refunded_cents == 5 * 1500


def test_a_repeated_leaving_signal_refunds_once(circle: Circle, paid: Payment) -> None:
    now = starts(circle, 1) - timedelta(days=1)
    for _ in range(3):
        signals.member_left.send(None, enrollment_id=paid.enrollment_id, now=now)
    db.session.commit()
    payment = fresh(paid)
    assert (payment.refunded_cents, payment.status) == (12000, "refunded")
    assert count(Refund) == 1


def test_a_cancelled_meeting_refunds_that_meeting_to_each_paying_member(
    circle: Circle, paid: Payment, member: User
) -> None:
    other = make_user()
    free_rider = make_user()
    db.session.commit()
    second = buy(db.session.get(Circle, circle.id), other, now=starts(circle, 1) - timedelta(days=1))
    enroll(db.session.get(Circle, circle.id), free_rider)
    meeting = db.session.execute(
        select(Meeting).where(Meeting.circle_id == circle.id, Meeting.sequence == 5)
    ).scalar_one()
    meeting.status = "cancelled"
    for _ in range(2):
        signals.meeting_cancelled.send(None, meeting_id=meeting.id, now=starts(circle, 2))
    db.session.commit()
    assert fresh(paid).refunded_cents == 1500
    assert fresh(second).refunded_cents == 1500
    assert count(Refund) == 2
    assert fresh(paid).refunds[0].reason == "meeting_cancelled"

    # Leaving later refunds the meetings still to come, not the cancelled one again.
    signals.member_left.send(
        None, enrollment_id=paid.enrollment_id, now=starts(circle, 3) + timedelta(hours=2)
    )
    db.session.commit()
    assert fresh(paid).refunded_cents == 1500 + 4 * 1500


def test_a_cancelled_meeting_before_she_joined_is_not_refunded_to_her(circle: Circle, member: User) -> None:
    late_joiner = buy(circle, member, now=starts(circle, 3) + timedelta(hours=2))
    assert late_joiner.first_sequence == 4
    meeting = db.session.execute(
        select(Meeting).where(Meeting.circle_id == circle.id, Meeting.sequence == 2)
    ).scalar_one()
    signals.meeting_cancelled.send(None, meeting_id=meeting.id, now=starts(circle, 3) + timedelta(hours=3))
    db.session.commit()
    assert fresh(late_joiner).refunded_cents == 0


def test_a_cancelled_circle_refunds_everything_not_yet_held(circle: Circle, paid: Payment) -> None:
    meeting = db.session.execute(
        select(Meeting).where(Meeting.circle_id == circle.id, Meeting.sequence == 6)
    ).scalar_one()
    meeting.status = "cancelled"
    signals.meeting_cancelled.send(None, meeting_id=meeting.id, now=starts(circle, 1))
    after_second = starts(circle, 2) + timedelta(hours=2)
    signals.circle_cancelled.send(None, circle_id=circle.id, now=after_second)
    signals.circle_cancelled.send(None, circle_id=circle.id, now=after_second)
    db.session.commit()
    payment = fresh(paid)
    # Two meetings were held and are kept; the rest (including meeting 6, refunded on its own) came back.
    assert payment.amount_cents - payment.refunded_cents == 2 * 1500
    assert sorted(r.reason for r in payment.refunds) == ["circle_cancelled", "meeting_cancelled"]


def test_a_refused_refund_raises_and_leaves_no_half_made_refund(
    app: Flask, circle: Circle, paid: Payment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise GatewayError()

    monkeypatch.setattr(app.extensions["hearth.gateway"], "refund", refuse)
    with pytest.raises(RefundFailed):
        signals.member_left.send(
            None, enrollment_id=paid.enrollment_id, now=starts(circle, 1) - timedelta(days=2)
        )
    db.session.rollback()
    assert fresh(paid).refunded_cents == 0
    assert count(Refund) == 0
    assert _refund_notes(paid.user_id) == []


def test_an_admin_refunds_part_of_a_payment_with_a_reason_and_it_is_audited(
    admin_client: FlaskClient, paid: Payment
) -> None:
    path = f"/billing/admin/payments/{paid.id}/refund"
    page = admin_client.get(path).get_data(as_text=True)
    assert "data-confirm" in page
    decision = page.split('name="decision" type="hidden" value="')[1].split('"')[0]
    token = csrf_token(admin_client, path)
    form = {"amount": "20.00", "reason": "Childcare fell through", "decision": decision, "csrf_token": token}
    for _ in range(2):  # a resubmitted form refunds once
        response = admin_client.post(path, data=form)
    assert response.status_code == 302
    payment = fresh(paid)
    assert (payment.refunded_cents, payment.status) == (2000, "partially_refunded")
    assert payment.refunds[0].created_by_id is not None
    entry = db.session.execute(select(AuditEntry)).scalar_one()
    assert (entry.action, entry.subject_id) == ("payment.refund", paid.id)
    assert entry.details["reason"] == "Childcare fell through"
    assert len(_refund_notes(paid.user_id)) == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.005", "two decimal places"),
        ("abc", "as a number"),
        ("-2", "cannot be negative"),
        ("0", "above zero"),
    ],
)
def test_an_admin_refund_with_a_bad_amount_is_explained_next_to_the_field(
    admin_client: FlaskClient, paid: Payment, amount: str, message: str
) -> None:
    path = f"/billing/admin/payments/{paid.id}/refund"
    token = csrf_token(admin_client, path)
    response = admin_client.post(
        path, data={"amount": amount, "reason": "x", "decision": "d1", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="amount-error"' in page
    assert message in page
    assert count(Refund) == 0


def test_an_admin_cannot_refund_more_than_is_left(admin_client: FlaskClient, paid: Payment) -> None:
    path = f"/billing/admin/payments/{paid.id}/refund"
    token = csrf_token(admin_client, path)
    page = admin_client.post(
        path, data={"amount": "120.01", "reason": "x", "decision": "d2", "csrf_token": token}
    ).get_data(as_text=True)
    assert "At most $120 can still be refunded." in page
    assert count(Refund) == 0


def test_members_cannot_reach_the_refund_page(member_client: FlaskClient, paid: Payment) -> None:
    assert member_client.get(f"/billing/admin/payments/{paid.id}/refund").status_code == 403


def test_the_leave_page_says_what_she_will_get_back_before_she_decides(
    circle: Circle, paid: Payment, member_client: FlaskClient
) -> None:
    with time_machine.travel(starts(circle, 3) + timedelta(hours=2), tick=False):
        page = member_client.get(f"/circles/{circle.id}/leave").get_data(as_text=True)
    assert "You will get $75 back" in page and "5 meetings" in page

    with time_machine.travel(starts(circle, 4) - timedelta(hours=23), tick=False):
        page = member_client.get(f"/circles/{circle.id}/leave").get_data(as_text=True)
    assert "less than 24 hours away, so leaving now is not refunded" in page
    # Only looking changes nothing.
    assert fresh(paid).refunded_cents == 0 and count(Refund) == 0


@pytest.mark.parametrize(("typed", "cents"), [("20.00", 2000), ("$7.5", 750), ("12,50", 1250)])
def test_the_refund_service_reads_the_amount_the_admin_typed(
    app: Flask, paid: Payment, admin: User, typed: str, cents: int
) -> None:
    now = starts(fresh(paid).enrollment.circle, 1)
    refund = refund_manually(paid.id, typed, reason="Goodwill", decision=f"typed-{cents}", admin_id=admin.id,
                             gateway=app.extensions["hearth.gateway"], now=now)
    assert refund.amount_cents == cents
    assert refund.status == RefundStatus.SUCCEEDED == "succeeded"


def test_the_refund_service_refuses_an_amount_it_cannot_read_on_the_amount_field(
    app: Flask, paid: Payment, admin: User
) -> None:
    with pytest.raises(InvalidAmount) as refused:
        refund_manually(paid.id, "twelve", reason="x", decision="d3", admin_id=admin.id,
                        gateway=app.extensions["hearth.gateway"], now=utcnow())
    assert refused.value.field == "amount"
    assert count(Refund) == 0


def test_the_refund_notice_stays_in_english_amounts_whatever_the_admins_browser(
    admin_client: FlaskClient, paid: Payment
) -> None:
    # The page follows the admin's browser; mail goes to the member, whose locale we don't know.
    path = f"/billing/admin/payments/{paid.id}/refund"
    german = {"Accept-Language": "de"}
    assert "120\xa0$" in admin_client.get(path, headers=german).get_data(as_text=True)
    form = {"amount": "20,00", "reason": "x", "decision": "d4", "csrf_token": csrf_token(admin_client, path)}
    assert admin_client.post(path, data=form, headers=german).status_code == 302
    assert fresh(paid).refunded_cents == 2000
    assert any("We refunded $20 for" in note for note in map(str, _refund_notes(paid.user_id)))
