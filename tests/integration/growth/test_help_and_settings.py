"""The "Getting help now" page and her check-in time."""

from __future__ import annotations

from datetime import time

from flask.testing import FlaskClient

from mentoring.extensions import db
from mentoring.growth.help import crisis_lines
from mentoring.growth.models import CheckInPreference
from tests.conftest import post_form
from tests.factories import login, make_user
from tests.helpers import count, page_text


def country_order(page: str) -> list[str]:
    names = [c.name for c in crisis_lines()]
    return sorted(names, key=page.index)


def test_help_now_is_readable_without_logging_in_and_says_what_hearth_is_not(client: FlaskClient) -> None:
    response = client.get("/growth/help")
    assert response.status_code == 200
    page = page_text(response)
    assert "not an emergency service and not therapy" in page
    assert "116 123" in page and "988" in page and "13 11 14" in page
    assert 'href="/growth/help"' in page_text(client.get("/"))  # the footer links it on every page


def test_her_own_country_comes_first(client: FlaskClient, ctx: None) -> None:
    london = make_user(timezone="Europe/London")
    sydney = make_user(timezone="Australia/Sydney")
    db.session.commit()
    login(client, london)
    assert country_order(page_text(client.get("/growth/help")))[0] == "United Kingdom"
    login(client, sydney)
    assert country_order(page_text(client.get("/growth/help")))[0] == "Australia"
    assert country_order(page_text(client.get("/growth/help?country=ie")))[0] == "Ireland"


def test_she_sets_her_check_in_time_and_a_bad_one_changes_nothing(client: FlaskClient, ctx: None) -> None:
    mira = make_user()
    db.session.commit()
    login(client, mira)
    assert 'value="20:30"' in page_text(client.get("/growth/settings"))  # after bedtime, by default
    response = post_form(client, "/growth/settings", {"prompt_time": "late"})
    assert response.status_code == 400 and "Not a valid time value" in page_text(response)
    assert count(CheckInPreference) == 0
    assert post_form(client, "/growth/settings", {"prompt_time": "21:15"}).status_code == 302
    assert db.session.get(CheckInPreference, mira.id).prompt_time == time(21, 15)
