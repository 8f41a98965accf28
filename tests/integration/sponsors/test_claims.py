"""Sponsored seats: claiming at join, refusals that change nothing, giving a seat back, and
nobody in the circle able to tell."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.circles.enrollment import AlreadyEnrolled, hold_seat, leave_circle
from mentoring.circles.models import Circle, Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.sponsors.claims import CheckoutInProgress, NotSponsored, claim_sponsored_seat
from mentoring.sponsors.models import SeatClaim
from tests.conftest import post_form
from tests.factories import enroll, login, make_circle, make_user
from tests.helpers import fresh
from tests.integration.circles.test_query_counts import LIMIT, queries_for
from tests.integration.sponsors.conftest import link_employee, make_org, make_pool


@pytest.fixture
def setting(ctx: None):  # noqa: ANN201
    org = make_org()
    pool = make_pool(org, seats=2, cap_cents=2000)
    circle = make_circle(title="Grief and loss", price_mode="fixed", price_cents=1500, currency="USD")
    employee = link_employee(org)
    db.session.commit()
    return org, pool, circle, employee


def test_the_join_page_offers_a_sponsored_seat_and_she_pays_nothing(client: FlaskClient, setting) -> None:  # noqa: ANN001
    _, pool, circle, employee = setting
    login(client, employee)
    quote = client.get(f"/billing/circles/{circle.id}/join").get_data(as_text=True)
    assert "Use a seat sponsored by my employer" in quote
    claim_page = client.get(f"/sponsors/circles/{circle.id}/claim").get_data(as_text=True)
    assert "What my employer sees" in claim_page
    response = post_form(client, f"/sponsors/circles/{circle.id}/claim", {"agree": "y"})
    assert response.status_code == 302
    enrollment = db.session.scalars(select(Enrollment)).one()
    assert (enrollment.status, enrollment.funding, enrollment.price_cents) == ("active", "sponsor", 0)
    assert fresh(pool).seats_claimed == 1 and fresh(circle).seats_taken == 1
    assert db.session.scalars(select(SeatClaim)).one().enrollment_id == enrollment.id


def test_without_agreement_nothing_is_taken(client: FlaskClient, setting) -> None:  # noqa: ANN001
    _, pool, circle, employee = setting
    login(client, employee)
    response = post_form(client, f"/sponsors/circles/{circle.id}/claim", {})
    assert response.status_code == 400
    assert fresh(pool).seats_claimed == 0 and fresh(circle).seats_taken == 0


def test_a_circle_priced_above_the_cap_is_not_covered(setting) -> None:  # noqa: ANN001
    _, pool, _, employee = setting
    dear = make_circle(price_mode="fixed", price_cents=2500, currency="USD")
    with pytest.raises(NotSponsored):
        claim_sponsored_seat(dear.id, employee.id, agreed=True, now=utcnow())
    assert fresh(pool).seats_claimed == 0


def test_free_circles_are_covered(setting) -> None:  # noqa: ANN001
    _, pool, _, employee = setting
    free = make_circle(price_mode="free")
    claim_sponsored_seat(free.id, employee.id, agreed=True, now=utcnow())
    assert fresh(pool).seats_claimed == 1


def test_a_full_pool_refuses_and_changes_nothing(client: FlaskClient, setting) -> None:  # noqa: ANN001
    org, pool, circle, employee = setting
    for _ in range(2):
        other = link_employee(org)
        claim_sponsored_seat(make_circle(price_mode="free").id, other.id, agreed=True, now=utcnow())
    db.session.commit()
    login(client, employee)
    response = post_form(client, f"/sponsors/circles/{circle.id}/claim", {"agree": "y"})
    assert "have all been claimed" in response.get_data(as_text=True)
    assert fresh(pool).seats_claimed == 2 and fresh(circle).seats_taken == 0
    assert db.session.scalars(select(Enrollment).where(Enrollment.circle_id == circle.id)).all() == []


def test_a_second_claim_for_the_same_circle_is_refused(setting) -> None:  # noqa: ANN001
    _, pool, circle, employee = setting
    claim_sponsored_seat(circle.id, employee.id, agreed=True, now=utcnow())
    db.session.commit()
    with pytest.raises(AlreadyEnrolled):
        claim_sponsored_seat(circle.id, employee.id, agreed=True, now=utcnow())
    db.session.rollback()
    assert fresh(pool).seats_claimed == 1


def test_an_unlinked_employee_is_not_sponsored(setting) -> None:  # noqa: ANN001
    _, _, circle, _ = setting
    stranger = make_user()
    with pytest.raises(NotSponsored):
        claim_sponsored_seat(circle.id, stranger.id, agreed=True, now=utcnow())


def test_leaving_before_her_second_meeting_returns_the_seat(setting) -> None:  # noqa: ANN001
    _, pool, circle, employee = setting
    claim = claim_sponsored_seat(circle.id, employee.id, agreed=True, now=utcnow())
    leave_circle(claim.enrollment_id, employee.id, now=utcnow())
    assert fresh(pool).seats_claimed == 0
    assert fresh(claim).status == "returned"


def test_leaving_after_her_second_meeting_keeps_the_seat_used(setting) -> None:  # noqa: ANN001
    _, pool, circle, employee = setting
    claim = claim_sponsored_seat(circle.id, employee.id, agreed=True, now=utcnow())
    after_second = sorted(m.starts_at for m in circle.meetings)[1] + timedelta(minutes=5)
    leave_circle(claim.enrollment_id, employee.id, now=after_second)
    assert fresh(pool).seats_claimed == 1
    assert fresh(claim).status == "claimed"


def test_an_expired_pool_leaves_running_claims_intact(setting) -> None:  # noqa: ANN001
    _, pool, circle, employee = setting
    claim = claim_sponsored_seat(circle.id, employee.id, agreed=True, now=utcnow())
    pool.valid_until = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert fresh(pool).shown_status(utcnow()) == "expired"
    enrollment = db.session.get(Enrollment, claim.enrollment_id)
    assert (enrollment.status, fresh(claim).status) == ("active", "claimed")
    with pytest.raises(NotSponsored):
        claim_sponsored_seat(make_circle(price_mode="free").id, employee.id, agreed=True, now=utcnow())


def test_nobody_in_the_circle_can_tell_a_seat_is_sponsored(
    client: FlaskClient,
    new_client,
    setting,  # noqa: ANN001
) -> None:
    _, _, circle, employee = setting
    claim_sponsored_seat(circle.id, employee.id, agreed=True, now=utcnow())
    peer = make_user(display_name="Peer")
    enroll(circle, peer, price_cents=1500)
    circle_row = db.session.get(Circle, circle.id)
    facilitator = circle_row.facilitator
    db.session.commit()
    pages = {}
    for who, viewer, paths in (
        (
            "facilitator",
            facilitator,
            (
                f"/circles/{circle.id}",
                f"/facilitate/circles/{circle.id}",
                f"/facilitate/meetings/{circle.meetings[0].id}/attendance",
                f"/circles/{circle.id}/calendar.ics",
                "/account/export",
            ),
        ),
        ("peer", peer, (f"/circles/{circle.id}", f"/circles/{circle.id}/calendar.ics", "/account/export")),
    ):
        browser = new_client()
        login(browser, viewer)
        for path in paths:
            response = browser.get(path)
            assert response.status_code == 200, path
            pages[f"{who} {path}"] = response.get_data(as_text=True)
    # The roster shows her as any other member...
    assert employee.display_name in pages[f"facilitator /circles/{circle.id}"]
    assert employee.display_name in pages[f"peer /circles/{circle.id}"]
    for name, html in pages.items():  # ...and nothing anywhere says who pays for her seat
        # Their own exports name their own (empty) sponsor sections; nothing may carry hers.
        words = (
            ('"sponsor"', "Northwind", employee.display_name)
            if name.endswith("/account/export")
            else ("sponsor", "Sponsor", "Northwind", "employer")
        )
        for word in words:
            assert word not in html, (name, word)


def test_a_seat_held_for_her_own_checkout_must_be_settled_before_a_sponsored_claim(setting) -> None:  # noqa: ANN001
    """Otherwise paying that checkout later would pay for a seat her employer already covers."""
    _, pool, circle, employee = setting
    hold_seat(circle.id, employee.id, price_cents=1500, funding="self", agreed=True, now=utcnow())
    with pytest.raises(CheckoutInProgress):
        claim_sponsored_seat(circle.id, employee.id, agreed=True, now=utcnow())
    assert fresh(pool).seats_claimed == 0


def test_a_free_circle_offers_a_sponsored_seat_on_its_join_panel(client: FlaskClient, ctx: None) -> None:
    org = make_org()
    pool = make_pool(org, seats=2)  # bought in USD: a free circle is under any cap
    circle = make_circle(title="Back to work", currency="GBP")
    employee, colleague = link_employee(org), make_user()
    db.session.commit()
    login(client, employee)
    page = client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "Use a seat sponsored by my employer" in page
    assert f"/sponsors/circles/{circle.id}/claim" in page
    assert "Join this circle" in page  # joining on her own stays open
    assert post_form(client, f"/sponsors/circles/{circle.id}/claim", {"agree": "y"}).status_code == 302
    enrollment = db.session.scalars(select(Enrollment)).one()
    assert (enrollment.status, enrollment.funding) == ("active", "sponsor")
    assert fresh(pool).seats_claimed == 1
    assert "Use a seat sponsored" not in client.get(f"/circles/{circle.id}").get_data(as_text=True)
    login(client, colleague)  # not linked: nothing about sponsorship
    assert "sponsored" not in client.get(f"/circles/{circle.id}").get_data(as_text=True).lower()


def test_the_free_circle_page_with_a_sponsored_offer_stays_within_the_query_budget(
    app: Flask, client: FlaskClient
) -> None:
    """The circle page's budget (tests/integration/circles/test_query_counts.py) holds for an
    employee whose join panel asks for her employer's offer, however full the circle."""
    with app.app_context():
        org = make_org()
        make_pool(org, seats=50)
        employee = link_employee(org)
        small, large = make_circle(capacity=12), make_circle(capacity=12)
        for _ in range(2):
            enroll(small, make_user())
        for _ in range(10):
            enroll(large, make_user())
        db.session.commit()
        login(client, employee)
        small_id, large_id = small.id, large.id
    counts = []
    for circle_id in (small_id, large_id):
        page = client.get(f"/circles/{circle_id}").get_data(as_text=True)
        assert "Use a seat sponsored by my employer" in page
        counts.append(queries_for(app, client, f"/circles/{circle_id}"))
    assert counts[0] <= LIMIT and counts[0] == counts[1], counts
