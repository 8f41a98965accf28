"""Junk in any facilitator form is answered with a message, never a server error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.circles.models import Attendance, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import post_form
from tests.factories import enroll, make_circle, make_user

from .conftest import circle_form


@pytest.mark.parametrize("junk", [
    {"start_time": "25:00"}, {"first_date": "next tuesday"}, {"theme": "astrology"},
    {"format": "carrier pigeon"}, {"price_mode": "barter"}, {"title": "x" * 500},
    {"meeting_count": "1e3"}, {"timezone": ""},
])
def test_junk_in_the_circle_form_is_refused_with_a_message(
    client: FlaskClient, facilitator: User, junk: dict[str, str]
) -> None:
    response = post_form(client, "/facilitate/circles/new", circle_form(**junk))
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)


def test_junk_in_meeting_forms_is_refused_with_a_message(client: FlaskClient, facilitator: User) -> None:
    circle = make_circle(facilitator, status="running", first_date=utcnow().date() - timedelta(days=8))
    member = make_user()
    enroll(circle, member)
    past, future = circle.meetings[0], circle.meetings[-1]
    db.session.commit()

    move = f"/facilitate/meetings/{future.id}/move"
    response = post_form(client, move, {"date": "31/02/2027", "time": "9pm"})
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    response = post_form(client, f"/facilitate/meetings/{future.id}/agenda", {"agenda": "x" * 6000})
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    response = post_form(client, f"/facilitate/meetings/{past.id}/attendance",
                         {f"status-{member.id}": "late"}, follow_redirects=True)
    assert response.status_code == 200 and "present, absent or excused" in response.get_data(as_text=True)
    response = post_form(client, f"/facilitate/meetings/{future.id}/attendance",
                         {f"status-{member.id}": "present"}, follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.execute(select(Attendance)).first() is None
    assert db.session.get(Meeting, past.id).status == "scheduled"
    response = post_form(client, f"/facilitate/meetings/{past.id}/cancel", {"reason": "too late"},
                         follow_redirects=True)
    assert "already started" in response.get_data(as_text=True)
    assert db.session.get(Meeting, past.id).status == "scheduled"


def test_pages_for_missing_things_are_404(client: FlaskClient, facilitator: User) -> None:
    for path in ("/facilitate/circles/999", "/facilitate/circles/999/edit", "/facilitate/meetings/999/move",
                 "/facilitate/meetings/999/attendance"):
        assert client.get(path).status_code == 404, path


def test_posts_without_a_csrf_token_change_nothing(client: FlaskClient, facilitator: User) -> None:
    circle = make_circle(facilitator, status="draft")
    meeting_id = circle.meetings[0].id
    db.session.commit()
    assert client.post(f"/facilitate/circles/{circle.id}/publish").status_code == 400
    assert client.post(f"/facilitate/meetings/{meeting_id}/cancel", data={"reason": "x"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Meeting, meeting_id).status == "scheduled"
