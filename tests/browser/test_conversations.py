"""At a phone's width: a member says she can't come and writes to her facilitator, who sees
both and answers, and the member reads the answer."""

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

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390


@pytest.fixture
def circle(app: Flask) -> dict[str, Any]:
    with app.app_context():
        facilitator = make_user("fran@example.com", display_name="Fran", roles=(Role.FACILITATOR,))
        member = make_user("mira@example.com", display_name="Mira")
        others = [make_user(f"m{n}@example.com") for n in range(3)]
        found = make_circle(facilitator, title="Back to work, gently",
                            first_date=utcnow().date() + timedelta(days=2))
        for person in (member, *others):
            enroll(found, person)
        db.session.commit()
        return {"id": found.id}


def _log_in(page: Any, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _fits_and_is_accessible(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px screen"
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_cant_come_and_a_private_word_with_the_answer_read_on_a_phone(
    browser: Any, live_server: str, page: Any, circle: dict[str, Any]
) -> None:
    _log_in(page, "mira@example.com")
    page.goto("/circles/mine")
    _fits_and_is_accessible(page)
    page.get_by_role("link", name="I can't come").first.click()
    page.wait_for_load_state()
    _fits_and_is_accessible(page)
    page.get_by_label("Sick child").check()
    page.get_by_role("button", name="Tell my facilitator I can't come").click()
    page.wait_for_load_state()
    assert "Your facilitator knows you can't come" in page.inner_text("main")
    assert "You can't come: excused" in page.inner_text("main")

    page.goto(f"/circles/{circle['id']}")
    _fits_and_is_accessible(page)
    page.get_by_role("link", name="Write to Fran").click()
    page.get_by_label("Your message").fill("Could we talk about going back part-time?")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert "Could we talk about going back part-time?" in page.inner_text("main")

    context = browser.new_context(base_url=live_server, viewport={"width": PHONE_WIDTH, "height": 844})
    try:
        fran = context.new_page()
        _log_in(fran, "fran@example.com")
        fran.goto("/facilitate/")
        assert "Can't come (1): Mira (Sick child)" in fran.inner_text("main")
        fran.goto("/talk/")
        fran.get_by_role("link", name="Mira (Back to work, gently)").click()
        fran.wait_for_load_state()
        assert "Could we talk about going back part-time?" in fran.inner_text("main")
        _fits_and_is_accessible(fran)
        fran.get_by_label("Your message").fill("Of course. Thursday after the circle?")
        fran.get_by_role("button", name="Send").click()
        fran.wait_for_load_state()
    finally:
        context.close()

    page.reload()
    assert "Of course. Thursday after the circle?" in page.inner_text("main")
    _fits_and_is_accessible(page)
