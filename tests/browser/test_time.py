"""My week's grid with JavaScript, at a phone's width. The "after bedtime" preset with the "fits my
week" filter, and find-a-time, are steps of the member's and the facilitator's journeys."""

from __future__ import annotations

from typing import Any

from flask import Flask

from mentoring.extensions import db
from tests.factories import PASSWORD, make_user


def _log_in(page: Any, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


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
