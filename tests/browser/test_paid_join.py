"""A member pays for a sliding-scale circle in a real browser, on the local gateway's checkout.

Uses the shared browser fixtures from `tests/browser/conftest.py`: `live_server` (the base URL
of the app serving the test database) and `page` (Playwright on Debian's chromium).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from mentoring.extensions import db
from tests.factories import PASSWORD, make_circle, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def sliding_circle_id(app: Flask) -> int:
    with app.app_context():
        make_user(email="noor@example.com", display_name="Noor", timezone="Europe/London")
        circle = make_circle(
            title="Evenings after bedtime",
            price_mode="sliding",
            currency="USD",
            sliding_min_cents=500,
            sliding_suggested_cents=1500,
            sliding_max_cents=3000,
        )
        db.session.commit()
        return circle.id


def test_a_member_chooses_her_price_pays_and_opens_her_receipt(
    live_server: str,
    page,
    sliding_circle_id: int,  # noqa: ANN001
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/account/login")
    page.fill('input[name="email"]', "noor@example.com")
    page.fill('input[name="password"]', PASSWORD)
    page.press('input[name="password"]', "Enter")
    page.wait_for_load_state()

    page.goto(f"{live_server}/circles/{sliding_circle_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evenings after bedtime")

    page.goto(f"{live_server}/billing/circles/{sliding_circle_id}/join")
    expect(page.locator("#quote-total")).to_have_text("8 meetings × $15 = $120")
    expect(
        page.get_by_text("Choose what you can afford. Nobody checks, and nobody else sees what you chose.")
    ).to_be_visible()
    page.get_by_label("Your price per meeting").fill("9.00")
    page.get_by_role("button", name="Update the total").click()
    expect(page.locator("#quote-total")).to_have_text("8 meetings × $9 = $72")

    page.get_by_label("I agree to keep what is shared in this circle confidential.").check()
    page.get_by_role("button", name="Continue to payment").click()
    expect(page).to_have_url(re.compile(r"/billing/local-checkout/cs_local_"))
    page.get_by_role("button", name="Pay $72").click()

    expect(page).to_have_url(re.compile(r"/billing/success\?session_id=cs_local_"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. You're in!")
    page.get_by_role("link", name="View your receipt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Receipt")
    receipt = page.locator("main")
    expect(receipt).to_contain_text("Evenings after bedtime")
    expect(receipt).to_contain_text("8 × $9")
    expect(receipt).to_contain_text("$72")
    expect(receipt).to_contain_text(re.compile(r"\d{2}:\d{2} (GMT|BST)"))
