"""The sponsor pages pass axe and fit a phone. HR buying seats and an employee joining on one
is the sponsor journey (test_journeys_sponsor.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from mentoring.accounts.models import Role
from mentoring.extensions import db
from tests.browser.test_accessibility import _check as check
from tests.browser.test_accessibility import _log_in as axe_log_in
from tests.factories import make_circle, make_user
from tests.integration.sponsors.conftest import link_employee, make_org, make_pool, make_sponsor_admin

pytestmark = pytest.mark.browser


@pytest.fixture
def sponsor_pages(app: Flask) -> dict[str, Any]:
    with app.app_context():
        org = make_org()
        make_sponsor_admin(org, "hr@northwind.example")
        pool = make_pool(org)
        employee = link_employee(org, make_user(email="lena@example.com", display_name="Lena"))
        circle = make_circle(title="Back to work", price_mode="fixed", price_cents=1500, currency="USD")
        make_user(email="admin@example.com", roles=(Role.ADMIN,))
        db.session.commit()
        return {"org": org.id, "pool": pool.id, "circle": circle.id, "employee": employee.email}


def test_sponsor_pages_pass_axe_and_fit_a_phone(page: Any, sponsor_pages: dict[str, Any]) -> None:
    org, pool = sponsor_pages["org"], sponsor_pages["pool"]
    axe_log_in(page, "hr@northwind.example")
    for path in (f"/sponsors/{org}/", f"/sponsors/{org}/pools/new", f"/sponsors/{org}/pools/{pool}"):
        check(page, path)
    page.context.clear_cookies()
    axe_log_in(page, sponsor_pages["employee"])
    for path in (
        "/sponsors/employer",
        "/sponsors/employer/report",
        f"/sponsors/circles/{sponsor_pages['circle']}/claim",
        f"/billing/circles/{sponsor_pages['circle']}/join",
    ):
        check(page, path)
    page.context.clear_cookies()
    axe_log_in(page, "admin@example.com")
    for path in ("/sponsors/admin/organizations", f"/sponsors/admin/organizations/{org}"):
        check(page, path)
