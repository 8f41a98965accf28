"""Declining a seat kept for her asks first: Cancel keeps the seat hers, OK passes it on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from mentoring.circles.models import Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.browser.test_growth import log_in
from tests.factories import enroll, make_circle, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def offered(app: Flask) -> tuple[int, int]:
    """A full free circle; Iris holds the seat offered to her for a day."""
    with app.app_context():
        circle = make_circle(title="Lunchtime circle", capacity=4)
        for n in range(3):
            enroll(circle, make_user(f"in{n}@example.com"))
        iris = make_user("iris@example.com", display_name="Iris")
        offer = enroll(circle, iris, status="offered")
        offer.offer_expires_at = utcnow() + timedelta(days=1)
        db.session.commit()
        return circle.id, offer.id


def _status(app: Flask, enrollment_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Enrollment.status).where(Enrollment.id == enrollment_id))


def test_declining_a_kept_seat_asks_first_and_cancel_keeps_it(
    live_server: str, page, app: Flask, offered: tuple[int, int]  # noqa: ANN001
) -> None:
    from playwright.sync_api import expect

    circle_id, enrollment_id = offered
    log_in(page, live_server, "iris@example.com")
    page.goto(f"{live_server}/circles/{circle_id}")
    decline = page.get_by_role("button", name="Decline", exact=True)

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    decline.click()
    expect(page.get_by_role("main")).to_contain_text("A seat is kept for you")
    assert asked == ["Decline this seat? It goes to the next person waiting."]
    assert _status(app, enrollment_id) == "offered"

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        decline.click()
    expect(page.get_by_role("main")).not_to_contain_text("A seat is kept for you")
    assert _status(app, enrollment_id) != "offered"
