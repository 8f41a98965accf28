"""At phone size: the facilitator suggests and publishes buddies; a member sees her buddy,
proposes a practice session, answers the pulse after a meeting and sees her own outcome chart.
The new pages pass axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.circles.models import Attendance, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.browser.test_growth import log_in
from tests.factories import enroll, make_circle, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def circle_id(app: Flask) -> int:
    with app.app_context():
        facilitator = make_user(email="fran@example.com", display_name="Fran", roles=(Role.FACILITATOR,))
        noor = make_user(email="noor@example.com", display_name="Noor", timezone="Europe/London")
        lena = make_user(email="lena@example.com", display_name="Lena", timezone="Europe/London")
        make_user(email="ada@example.com", display_name="Ada", roles=(Role.ADMIN,))
        # Met 10 and 3 days ago, meets again in 4 days: the pulse for the last meeting is open.
        circle = make_circle(
            facilitator,
            title="Evenings after bedtime",
            status="running",
            first_date=utcnow().date() - timedelta(days=10),
        )
        for member in (noor, lena):
            enroll(circle, member)
        second = db.session.scalar(
            select(Meeting.id).where(Meeting.circle_id == circle.id, Meeting.sequence == 2)
        )
        db.session.add(Attendance(meeting_id=second, user_id=noor.id, status="present"))
        db.session.commit()
        return circle.id


def test_buddies_practice_pulse_and_her_own_chart_at_phone_size(
    live_server: str,
    page,
    circle_id: int,  # noqa: ANN001
) -> None:
    from playwright.sync_api import expect

    from tests.browser.test_accessibility import _check

    assert page.viewport_size["width"] <= 400
    log_in(page, live_server, "fran@example.com")
    page.goto(f"{live_server}/facilitate/circles/{circle_id}")
    page.get_by_role("link", name="Practice buddies").click()
    page.get_by_role("button", name="Suggest buddies").click()
    expect(page.locator("main")).to_contain_text("same timezone (Europe/London)")
    _check(page, f"/buddies/circles/{circle_id}/manage")
    page.get_by_role("button", name="Publish these buddies").click()
    expect(page.locator(".flashes")).to_contain_text("Each member has been told")

    page.context.clear_cookies()
    log_in(page, live_server, "noor@example.com")
    page.goto(f"{live_server}/circles/{circle_id}")
    page.get_by_role("link", name="Your practice buddy").click()
    expect(page.locator(".lead")).to_have_text("Lena")
    page.get_by_label("What you'd like to practise").fill("Saying no to a late meeting")
    page.get_by_label("Day").last.fill((utcnow().date() + timedelta(days=2)).isoformat())
    page.get_by_label("Time (your time)").last.fill("12:30")
    page.get_by_role("button", name="Propose").click()
    expect(page.locator(".flashes")).to_contain_text("Your buddy has been told")
    expect(page.locator("main")).to_contain_text("for Lena")
    _check(page, f"/buddies/circles/{circle_id}")

    page.goto(f"{live_server}/outcomes/circles/{circle_id}")
    page.get_by_role("link", name="Three questions about meeting 2").click()
    page.get_by_role("group", name="I felt heard").get_by_label("4").check()
    page.get_by_role("group", name="I felt connected to the group").get_by_label("5 · very much").check()
    page.get_by_role("group", name="I learned something I can use").get_by_label("3").check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".flashes")).to_contain_text("averages of 3 or more")

    page.get_by_role("link", name="Four questions as you start").click()
    for item in ("alone", "confident", "balance", "stressed"):
        page.get_by_role("group", name=item).get_by_label("4 · somewhat").check()
    page.get_by_role("button", name="Save").click()
    chart = page.get_by_role("img", name="Your ratings at the start and at the end (1 to 7)")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= 390
    expect(page.locator("figcaption")).to_contain_text("isolation: 4 at the start, not given yet at the end")
    _check(page, f"/outcomes/circles/{circle_id}")

    page.context.clear_cookies()
    log_in(page, live_server, "ada@example.com")
    page.goto(f"{live_server}/admin/")
    page.get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is it helping?")
    _check(page, "/outcomes/programme")
