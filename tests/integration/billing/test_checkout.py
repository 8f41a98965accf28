from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.billing.models import LocalCheckoutSession, Payment
from mentoring.circles.models import Circle, CircleStatus, Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import enroll, make_circle, make_user
from tests.helpers import count, run_at_once
from tests.integration.billing.conftest import join_path, pending_payment, post_join


def test_continue_to_payment_holds_her_seat_and_opens_one_checkout(
    member_client: FlaskClient, fixed_circle: Circle, member: User
) -> None:
    before = utcnow()
    response = post_join(member_client, fixed_circle.id)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/billing/local-checkout/cs_local_")

    payment = pending_payment(member.id)
    assert (payment.status, payment.amount_cents, payment.unit_amount_cents) == ("pending", 12000, 1500)
    assert (payment.meetings_covered, payment.first_sequence, payment.currency) == (8, 1, "USD")
    assert payment.checkout_url == response.headers["Location"]
    assert timedelta(minutes=30) <= payment.expires_at - before <= timedelta(minutes=32)
    enrollment = db.session.get(Enrollment, payment.enrollment_id)
    assert enrollment.status == "held"
    assert enrollment.agreed_at is not None
    assert db.session.get(Circle, fixed_circle.id).seats_taken == 1


def test_a_double_clicked_join_makes_one_checkout(
    member_client: FlaskClient, fixed_circle: Circle, member: User
) -> None:
    first = post_join(member_client, fixed_circle.id)
    second = post_join(member_client, fixed_circle.id)
    assert first.headers["Location"] == second.headers["Location"]
    db.session.expire_all()
    assert count(Payment) == 1
    assert count(LocalCheckoutSession) == 1
    assert db.session.get(Circle, fixed_circle.id).seats_taken == 1


def test_a_tampered_total_does_not_change_what_is_charged(
    member_client: FlaskClient, sliding_circle: Circle, member: User
) -> None:
    post_join(
        member_client,
        sliding_circle.id,
        {
            "amount": "10.00",
            "total_cents": "1",
            "amount_cents": "1",
            "unit_amount_cents": "1",
            "meetings": "1",
        },
    )
    payment = pending_payment(member.id)
    assert (payment.unit_amount_cents, payment.meetings_covered, payment.amount_cents) == (1000, 8, 8000)


def test_fixed_price_ignores_a_posted_amount(
    member_client: FlaskClient, fixed_circle: Circle, member: User
) -> None:
    post_join(member_client, fixed_circle.id, {"amount": "0.01", "total": "0.08"})
    assert pending_payment(member.id).amount_cents == 12000


def test_update_recomputes_the_total_without_charging(
    member_client: FlaskClient, sliding_circle: Circle, member: User
) -> None:
    response = post_join(
        member_client,
        sliding_circle.id,
        {"amount": "7.50", "update": "Update the total", "submit": "", "agree": ""},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "8 meetings × $7.50 = $60" in page
    assert count(Payment) == 0


def _field_error(response, message: str) -> None:  # noqa: ANN001
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="amount-error"' in page
    assert message in page
    assert count(Payment) == 0
    assert count(Enrollment) == 0


def test_non_numeric_price_is_an_error_next_to_the_field(
    member_client: FlaskClient, sliding_circle: Circle
) -> None:
    _field_error(post_join(member_client, sliding_circle.id, {"amount": "lots"}), "as a number")


def test_negative_price_is_an_error_next_to_the_field(
    member_client: FlaskClient, sliding_circle: Circle
) -> None:
    _field_error(post_join(member_client, sliding_circle.id, {"amount": "-5"}), "cannot be negative")


def test_price_outside_the_sliding_range_is_an_error_next_to_the_field(
    member_client: FlaskClient, sliding_circle: Circle
) -> None:
    _field_error(
        post_join(member_client, sliding_circle.id, {"amount": "30.01"}),
        "Please choose between $5 and $30 per meeting.",
    )


def test_unknown_currency_is_explained_and_nothing_is_held(member_client: FlaskClient, member: User) -> None:
    circle = make_circle(price_mode="fixed", price_cents=1000, currency="XYZ")
    db.session.commit()
    page = member_client.get(join_path(circle.id)).get_data(as_text=True)
    assert "We cannot take payments in “XYZ” yet." in page
    assert count(Enrollment) == 0


def test_the_agreement_must_be_ticked(member_client: FlaskClient, fixed_circle: Circle) -> None:
    response = post_join(member_client, fixed_circle.id, {"agree": ""})
    page = response.get_data(as_text=True)
    assert 'id="agree-error"' in page
    assert "Please agree to keep what is shared in the circle confidential." in page
    assert count(Payment) == 0


def test_a_full_circle_offers_the_waitlist(member_client: FlaskClient, member: User) -> None:
    circle = make_circle(capacity=4, price_mode="fixed", price_cents=1000, currency="USD")
    for _ in range(4):
        enroll(circle, make_user())
    db.session.commit()
    response = post_join(member_client, circle.id)
    page = response.get_data(as_text=True)
    assert "is full just now" in page
    assert f'href="/circles/{circle.id}"' in page
    assert "Join the waitlist" in page
    assert count(Payment) == 0


def test_joining_after_meeting_three_of_eight_charges_for_five(
    member_client: FlaskClient, member: User
) -> None:
    circle = make_circle(
        price_mode="fixed",
        price_cents=1500,
        currency="USD",
        status=CircleStatus.RUNNING,
        first_date=utcnow().date() - timedelta(days=15),
    )
    db.session.commit()
    page = member_client.get(join_path(circle.id)).get_data(as_text=True)
    assert "5 meetings × $15 = $75" in page
    post_join(member_client, circle.id)
    payment = pending_payment(member.id)
    assert (payment.meetings_covered, payment.first_sequence, payment.amount_cents) == (5, 4, 7500)


def test_pay_what_you_can_at_zero_joins_without_a_checkout(member_client: FlaskClient, member: User) -> None:
    circle = make_circle(
        price_mode="sliding",
        currency="USD",
        sliding_min_cents=0,
        sliding_suggested_cents=1000,
        sliding_max_cents=2000,
    )
    db.session.commit()
    response = post_join(member_client, circle.id, {"amount": "0"})
    assert response.headers["Location"].endswith(f"/circles/{circle.id}")
    enrollment = db.session.execute(select(Enrollment).where(Enrollment.user_id == member.id)).scalar_one()
    assert enrollment.status == "active"
    assert count(Payment) == 0


def test_a_member_cannot_join_twice(member_client: FlaskClient, fixed_circle: Circle, member: User) -> None:
    enroll(db.session.get(Circle, fixed_circle.id), db.session.get(User, member.id))
    db.session.commit()
    page = post_join(member_client, fixed_circle.id).get_data(as_text=True)
    assert "You are already part of this circle." in page
    assert count(Payment) == 0


def test_unverified_members_confirm_their_email_first(app, fixed_circle: Circle) -> None:  # noqa: ANN001
    from tests.factories import login

    user = make_user(verified=False)
    db.session.commit()
    client = app.test_client()
    login(client, user)
    response = client.get(join_path(fixed_circle.id))
    assert response.status_code == 302
    assert "/account/unverified" in response.headers["Location"]


def _double_click(app, member_client: FlaskClient, circle_id: int, clicks: int) -> list[str]:  # noqa: ANN001
    """The same browser (same session cookie and CSRF token) posting the form `clicks` times at once."""
    from tests.conftest import csrf_token

    token = csrf_token(member_client, join_path(circle_id))
    cookie = member_client.get_cookie("session", domain="localhost").value
    locations: list[str] = []

    def click() -> None:
        client = app.test_client()
        client.set_cookie("session", cookie, domain="localhost")
        response = client.post(
            join_path(circle_id), data={"agree": "y", "submit": "Continue to payment", "csrf_token": token}
        )
        locations.append(f"{response.status_code} {response.headers.get('Location')}")

    assert run_at_once(app, [click] * clicks) == []
    return locations


def test_concurrent_clicks_make_one_checkout(
    app,
    member_client: FlaskClient,
    fixed_circle: Circle,
    member: User,  # noqa: ANN001
) -> None:
    locations = _double_click(app, member_client, fixed_circle.id, clicks=5)
    assert len(set(locations)) == 1, locations
    assert locations[0].startswith("302 /billing/local-checkout/")
    db.session.expire_all()
    assert count(Payment) == 1
    assert count(Enrollment) == 1
    assert db.session.get(Circle, fixed_circle.id).seats_taken == 1


def test_choosing_another_price_replaces_her_open_checkout(
    member_client: FlaskClient, sliding_circle: Circle, member: User
) -> None:
    first = post_join(member_client, sliding_circle.id, {"amount": "10.00"})
    second = post_join(member_client, sliding_circle.id, {"amount": "12.00"})
    assert first.headers["Location"] != second.headers["Location"]
    db.session.expire_all()
    statuses = db.session.execute(select(Payment.amount_cents, Payment.status).order_by(Payment.id)).all()
    assert [tuple(row) for row in statuses] == [(8000, "expired"), (9600, "pending")]
    assert db.session.get(Circle, sliding_circle.id).seats_taken == 1


def test_a_quote_for_another_price_is_refused_and_nothing_is_held(
    sliding_circle: Circle, member: User
) -> None:
    import pytest

    from mentoring.billing.checkout import quote_for_circle, start_checkout

    now = utcnow()
    low, high = sliding_circle.sliding_min_cents, sliding_circle.sliding_max_cents
    quoted = quote_for_circle(sliding_circle.id, now=now).priced(chosen_cents=low)
    with pytest.raises(ValueError, match="another price"):
        start_checkout(sliding_circle.id, member.id, chosen_cents=high, agreed=True, now=now,
                       gateway_name="local", quoted=quoted)
    db.session.rollback()
    assert count(Enrollment) == 0 and count(Payment) == 0


def test_the_quote_the_page_computed_is_the_one_charged(sliding_circle: Circle, member: User) -> None:
    from mentoring.billing.checkout import quote_for_circle, start_checkout

    now = utcnow()
    chosen = sliding_circle.sliding_min_cents
    quoted = quote_for_circle(sliding_circle.id, now=now).priced(chosen_cents=chosen)
    started = start_checkout(sliding_circle.id, member.id, chosen_cents=chosen, agreed=True, now=now,
                             gateway_name="local", quoted=quoted)
    payment = db.session.get(Payment, started.payment_id)
    fresh = quote_for_circle(sliding_circle.id, now=now, chosen_cents=chosen)
    assert (payment.amount_cents, payment.unit_amount_cents) == (fresh.quote.total_cents, chosen)
