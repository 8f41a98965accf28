"""At phone size: a member sets a goal, checks in and asks for support; her facilitator logs in,
sees the flag and marks it followed up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from mentoring.accounts.models import Role
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import PASSWORD, enroll, make_circle, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def circle_id(app: Flask) -> int:
    with app.app_context():
        facilitator = make_user(email="fran@example.com", display_name="Fran", roles=(Role.FACILITATOR,))
        noor = make_user(email="noor@example.com", display_name="Noor", timezone="Europe/London")
        # Met 10 and 3 days ago, meets again in 4 days: a check-in is open now, whatever the hour.
        circle = make_circle(
            facilitator,
            title="Evenings after bedtime",
            status="running",
            first_date=utcnow().date() - timedelta(days=10),
        )
        enroll(circle, noor)
        db.session.commit()
        return circle.id


def log_in(page, live_server: str, email: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/account/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.press('input[name="password"]', "Enter")
    page.wait_for_load_state()


def test_a_member_sets_a_goal_checks_in_and_asks_for_support_and_her_facilitator_follows_up(
    live_server: str,
    page,
    circle_id: int,  # noqa: ANN001
) -> None:
    from playwright.sync_api import expect

    assert page.viewport_size["width"] <= 400
    log_in(page, live_server, "noor@example.com")
    page.goto(f"{live_server}/growth/goals")
    page.get_by_label("Your goal").fill("Ask for a flexible Friday")
    page.get_by_label("The next small step").fill("Book 15 minutes with my manager")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a flexible Friday")
    expect(page.locator("main")).to_contain_text("Only me")

    page.goto(f"{live_server}/circles/mine")
    page.get_by_role("link", name="Check in for Evenings after bedtime").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check in: Evenings after bedtime")
    page.get_by_label("Some").check()
    page.get_by_label("2 · hard").check()
    page.get_by_label("What got in the way (optional)").fill("A sick child all week")
    page.get_by_label("I'd like support: tell my facilitator").check()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your facilitator has been told")
    expect(page.get_by_role("link", name="see who to call right away")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, live_server, "fran@example.com")
    page.goto(f"{live_server}/facilitate/")
    flags = page.locator("section", has=page.get_by_role("heading", name="Asked for support"))
    expect(flags).to_contain_text("Noor")
    expect(flags).not_to_contain_text("A sick child all week")
    flags.get_by_role("button", name="Mark followed up").click()
    expect(page.locator(".flashes")).to_contain_text("Marked as followed up.")
    page.goto(f"{live_server}/facilitate/")
    expect(page.get_by_role("heading", name="Asked for support")).to_have_count(0)


def test_growth_pages_pass_axe_and_fit_a_phone(
    live_server: str,
    page,
    circle_id: int,
    app: Flask,  # noqa: ANN001
) -> None:
    from sqlalchemy import select

    from mentoring.accounts.models import User
    from mentoring.circles.models import Meeting
    from mentoring.growth.models import CheckIn, Goal
    from tests.browser.test_accessibility import _check

    with app.app_context():
        noor = db.session.execute(select(User.id).where(User.email == "noor@example.com")).scalar_one()
        after = db.session.execute(
            select(Meeting.id).where(Meeting.circle_id == circle_id, Meeting.sequence == 2)
        ).scalar_one()
        goal = Goal(user_id=noor, circle_id=circle_id, title="Walk at lunch", visibility="circle")
        asked = CheckIn(
            user_id=noor,
            circle_id=circle_id,
            after_meeting_id=after,
            mood=2,
            win="Two walks",
            visibility="circle",
            needs_support=True,
            support_requested_at=utcnow(),
        )
        db.session.add_all([goal, asked])
        db.session.commit()
        goal_id, asked_id = goal.id, asked.id
    _check(page, "/growth/help")
    log_in(page, live_server, "noor@example.com")
    for path in (
        "/growth/goals",
        f"/growth/goals/{goal_id}",
        f"/growth/goals/{goal_id}/edit",
        f"/growth/circles/{circle_id}/check-in",
        f"/growth/check-ins/{asked_id}/support",
        "/growth/settings",
        "/circles/mine",
        f"/circles/{circle_id}",
    ):
        _check(page, path)
    page.context.clear_cookies()
    log_in(page, live_server, "fran@example.com")
    for path in ("/facilitate/", f"/growth/care/{circle_id}"):
        _check(page, path)
