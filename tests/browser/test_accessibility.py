"""Every main page, for each role, passes axe and fits a phone's width."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from mentoring.accounts.models import Role
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import PASSWORD, enroll, make_circle, make_user

PHONE_WIDTH = 390


@pytest.fixture
def community(app: Flask) -> dict[str, Any]:
    with app.app_context():
        facilitator = make_user("fac@example.com", display_name="Joanne E.", roles=(Role.FACILITATOR,),
                                bio="Counsellor and mother of two.", timezone="America/New_York")
        member = make_user("noor@example.com", display_name="Noor", timezone="Europe/London")
        admin = make_user("admin@example.com", display_name="Hearth team", roles=(Role.ADMIN,))
        circle = make_circle(facilitator, title="Back to work, gently", capacity=6,
                             first_date=utcnow().date() - timedelta(days=8),
                             meeting_link="https://meet.example.org/a-very-long-meeting-room-name-0123456789")
        make_circle(facilitator, title="Evenings after bedtime", price_mode="sliding", currency="USD",
                    sliding_min_cents=0, sliding_suggested_cents=1200, sliding_max_cents=3000)
        enroll(circle, member)
        db.session.commit()
        return {"circle": circle.id, "member": member.email, "facilitator": facilitator.email,
                "admin": admin.email}


def _log_in(page: Any, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _check(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    results = Axe().run(page)
    assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{path} is {width}px wide on a {PHONE_WIDTH}px screen"


def test_pages_for_visitors(page: Any, community: dict[str, Any]) -> None:
    for path in ("/", "/circles/", f"/circles/{community['circle']}", "/account/signup",
                 "/account/login", "/account/reset"):
        _check(page, path)


def test_pages_for_a_member(page: Any, community: dict[str, Any]) -> None:
    _log_in(page, community["member"])
    for path in ("/circles/mine", "/circles/", f"/circles/{community['circle']}", "/notifications/",
                 "/billing/payments", "/account/settings", "/account/delete"):
        _check(page, path)


def test_pages_for_a_facilitator(page: Any, community: dict[str, Any]) -> None:
    _log_in(page, community["facilitator"])
    for path in ("/facilitate/", f"/facilitate/circles/{community['circle']}", "/facilitate/circles/new"):
        _check(page, path)


def test_pages_for_an_admin(page: Any, community: dict[str, Any]) -> None:
    _log_in(page, community["admin"])
    for path in ("/admin/", "/admin/users", "/admin/audit", "/admin/mail", "/billing/admin/payments"):
        _check(page, path)
