"""Childcare-friendly time at a phone's width (390 px): she sets the "after bedtime" preset and
filters the circle list by "fits my week"; a facilitator runs find-a-time and sets the schedule."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from mentoring.accounts.models import Role
from mentoring.availability.models import AvailabilityWindow, CircleInterest
from mentoring.circles.models import Circle
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import PASSWORD, make_circle, make_user

PHONE_WIDTH = 390


def _log_in(page: Any, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px screen"
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()


def test_after_bedtime_preset_then_fits_my_week_shows_only_matching_circles(app: Flask, page: Any) -> None:
    with app.app_context():
        make_circle(title="Late circle", timezone="Europe/London", start_time=time(20, 30))
        make_circle(title="Morning circle", timezone="Europe/London", start_time=time(10, 0))
        make_user("mum@example.com", timezone="Europe/London")
        db.session.commit()
    _log_in(page, "mum@example.com")
    page.goto("/my-week/")
    _fits_the_phone(page)
    page.get_by_role("button", name="After bedtime (20:00–22:00)").click()
    page.wait_for_load_state()
    assert page.get_by_text("Monday 20:00–22:00: free (after bedtime)").is_visible()
    page.goto("/circles/")
    page.get_by_text("Filter by day, time").click()
    page.get_by_label("Fits my week (every meeting, in my time)").check()
    page.get_by_role("button", name="Show circles").click()
    page.wait_for_load_state()
    _fits_the_phone(page)
    assert page.get_by_text("Late circle").count() == 1
    assert page.get_by_text("Morning circle").count() == 0


def test_a_facilitator_runs_find_a_time_and_sets_the_schedule(app: Flask, page: Any) -> None:
    with app.app_context():
        facilitator = make_user("lead@example.com", roles=(Role.FACILITATOR,), timezone="Europe/London")
        draft = make_circle(facilitator, title="Planning", status="draft", timezone="Europe/London",
                            first_date=utcnow().date() + timedelta(days=14), start_time=time(10, 0),
                            meeting_link="https://meet.example/p")
        for _ in range(3):
            member = make_user(timezone="Europe/London")
            db.session.add(CircleInterest(circle_id=draft.id, user_id=member.id))
            db.session.add(AvailabilityWindow(user_id=member.id, weekday=3, start_minute=20 * 60,
                                              end_minute=22 * 60, kind="available", hard=False, label=""))
        db.session.commit()
        draft_id = draft.id
    _log_in(page, "lead@example.com")
    page.goto(f"/facilitate/circles/{draft_id}")
    page.get_by_role("link", name="Find a time").click()
    page.wait_for_load_state()
    _fits_the_phone(page)
    best = page.locator("ol.slot-list > li").first
    assert "Thursday 20:00" in best.inner_text() and "3 of 3 can come" in best.inner_text()
    best.get_by_role("button", name="Use this time").click()
    page.wait_for_load_state()
    assert page.get_by_text("The new time is set").is_visible()
    with app.app_context():
        circle = db.session.get(Circle, draft_id)
        assert (circle.weekday, circle.start_time) == (3, time(20, 0))


def test_with_javascript_tapping_grid_cells_fills_the_form_in_place(app: Flask, page: Any) -> None:
    with app.app_context():
        make_user("taps@example.com", timezone="Europe/London")
        db.session.commit()
    _log_in(page, "taps@example.com")
    page.goto("/my-week/")
    page.get_by_label("Tuesday 20:00: not marked").click()
    page.get_by_label("Thursday 21:30: not marked").click()
    assert page.url.endswith("/my-week/")  # no reload
    page.get_by_role("button", name="Add to my week").click()
    page.wait_for_load_state()
    assert page.get_by_text("Tuesday 20:00–22:00: free").is_visible()
    assert page.get_by_text("Thursday 20:00–22:00: free").is_visible()
