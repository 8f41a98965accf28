"""Visitors who are not logged in see times in their browser's timezone, and are told which."""

from __future__ import annotations

from flask.testing import FlaskClient

from mentoring.accounts.models import Role
from mentoring.extensions import db
from tests.factories import login, make_circle, make_user
from tests.helpers import get_page


def _circle() -> int:
    circle = make_circle(make_user(roles=(Role.FACILITATOR,)), timezone="Europe/London")
    db.session.commit()
    return circle.id


def test_a_visitor_sees_times_in_the_zone_her_browser_reported(client: FlaskClient, ctx: None) -> None:
    circle_id = _circle()
    client.set_cookie("tz", "America/New_York")
    for path in (f"/circles/{circle_id}", "/circles/"):
        html = get_page(client, path)
        assert "New York time (America/New_York)" in html
        assert " EST" in html or " EDT" in html
        assert "we could not tell your timezone" not in html


def test_without_the_cookie_times_are_utc_and_the_page_says_why(client: FlaskClient, ctx: None) -> None:
    circle_id = _circle()
    html = get_page(client, f"/circles/{circle_id}")
    assert "Times are shown in UTC: we could not tell your timezone" in html
    assert " UTC" in html


def test_a_zone_zoneinfo_does_not_know_is_ignored(client: FlaskClient, ctx: None) -> None:
    circle_id = _circle()
    client.set_cookie("tz", "Mars/Olympus_Mons")
    html = get_page(client, f"/circles/{circle_id}")
    assert "Mars" not in html
    assert "we could not tell your timezone" in html


def test_her_own_setting_wins_over_the_browser(client: FlaskClient, ctx: None) -> None:
    circle_id = _circle()
    member = make_user(timezone="Asia/Tokyo")
    db.session.commit()
    login(client, member)
    client.set_cookie("tz", "America/New_York")
    html = get_page(client, f"/circles/{circle_id}")
    assert "Tokyo time (Asia/Tokyo)" in html and "New York" not in html
