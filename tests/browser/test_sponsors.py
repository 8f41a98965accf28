"""HR buys seats, an employee claims one with an invite code and joins at no cost, HR sees the
report with its suppression, and the employee opens "What my employer sees": in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from mentoring.accounts.models import Role
from mentoring.extensions import db
from tests.browser.test_accessibility import _check as check
from tests.browser.test_accessibility import _log_in as axe_log_in
from tests.factories import PASSWORD, make_circle, make_user
from tests.integration.sponsors.conftest import link_employee, make_org, make_pool, make_sponsor_admin

pytestmark = pytest.mark.browser


@pytest.fixture
def northwind(app: Flask) -> dict[str, Any]:
    with app.app_context():
        org = make_org()
        make_sponsor_admin(org, "hr@northwind.example")
        make_user(email="lena@example.com", display_name="Lena")
        circle = make_circle(title="Back to work", price_mode="fixed", price_cents=1500, currency="USD")
        db.session.commit()
        return {"org": org.id, "circle": circle.id}


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/account/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.press('input[name="password"]', "Enter")
    page.wait_for_load_state()


def test_hr_buys_seats_an_employee_joins_free_and_both_see_the_same_report(
    live_server: str, browser: Any, page: Any, northwind: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    # HR buys a pool through the local gateway's checkout.
    _log_in(page, live_server, "hr@northwind.example")
    page.get_by_role("link", name="Sponsored seats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind: sponsored seats")
    page.get_by_role("link", name="Buy seats").click()
    page.get_by_label("Number of seats").fill("10")
    page.get_by_label("Price cap per meeting (USD)").fill("20")
    page.get_by_role("button", name="Show the total").click()
    expect(page.locator("#pool-quote")).to_have_text("Total: 10 seats × $160 = $1,600")
    page.get_by_role("button", name="Buy the seats").click()
    expect(page).to_have_url(re.compile(r"/local-payment$"))
    page.get_by_role("button", name="Pay").click()
    expect(page.locator("#pool-status")).to_have_text("active")

    # ...and makes a one-person invite code.
    page.get_by_role("link", name="Back to the report").click()
    page.get_by_label("How many employees can use it").fill("1")
    page.get_by_role("button", name="Create a code").click()
    code = page.locator("#codes code").first.inner_text()

    # The employee links herself with the code and joins a paid circle at no cost.
    employee = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    lena = employee.new_page()
    lena.set_default_timeout(10_000)
    _log_in(lena, live_server, "lena@example.com")
    lena.goto(f"{live_server}/sponsors/employer")
    lena.get_by_label("Invite code from your employer").fill(code.lower())
    lena.get_by_role("button", name="Link me").click()
    expect(lena.locator("main")).to_contain_text("You are linked to Northwind")
    lena.goto(f"{live_server}/billing/circles/{northwind['circle']}/join")
    lena.get_by_role("link", name="Use a seat sponsored by my employer").click()
    expect(lena.locator("main")).to_contain_text("you pay nothing")
    lena.get_by_label("I agree to keep what is shared in this circle confidential.").check()
    lena.get_by_role("button", name="Use a seat sponsored by my employer").click()
    expect(lena.locator(".flashes")).to_contain_text("You pay nothing")
    expect(lena.locator("main")).to_contain_text("You are a member of this circle")

    # She opens "What my employer sees" from her settings.
    lena.goto(f"{live_server}/account/settings")
    lena.get_by_role("link", name="What my employer sees").click()
    expect(lena.get_by_role("heading", level=1)).to_have_text("What my employer sees")
    expect(lena.locator("main")).to_contain_text("You use 1 sponsored seat")
    expect(lena.locator("main")).to_contain_text("The report, exactly as Northwind sees it")
    employee.close()

    # HR's report counts the claim without revealing it: one seat is "too few to show".
    page.goto(f"{live_server}/sponsors/{northwind['org']}/")
    claimed = page.locator("dt", has_text="Claimed").locator("xpath=following-sibling::dd[1]")
    expect(claimed).to_have_text("too few to show")
    expect(page.locator("main")).not_to_contain_text("Lena")
    expect(page.locator("main")).not_to_contain_text("Back to work")


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
