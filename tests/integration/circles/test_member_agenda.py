"""Members read the agenda their facilitator writes for the next meeting."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.circles.models import Meeting, MeetingStatus
from mentoring.extensions import db
from tests.factories import enroll, login, make_circle, make_user
from tests.helpers import get_page

AGENDA = "1. Check-in round\n2. Talking to your manager about school pick-up"


def _circle_with_agenda() -> tuple[int, object, object, object]:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator)
    first, second = db.session.scalars(
        select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.sequence).limit(2)
    ).all()
    first.agenda = "An agenda for a meeting that will not happen"
    first.status = MeetingStatus.CANCELLED
    second.agenda = AGENDA
    member = make_user()
    enroll(circle, member)
    waiting = make_user()
    enroll(circle, waiting, status="waitlisted")
    db.session.commit()
    return circle.id, member, waiting, facilitator


def test_an_active_member_sees_the_next_meetings_agenda(client: FlaskClient, ctx: None) -> None:
    circle_id, member, _, _ = _circle_with_agenda()
    login(client, member)
    html = get_page(client, f"/circles/{circle_id}")
    assert "Agenda for the next meeting" in html
    assert "Talking to your manager about school pick-up" in html
    assert "will not happen" not in html  # a cancelled meeting is not the next one


def test_visitors_and_the_waitlist_do_not_see_the_agenda(client: FlaskClient, ctx: None) -> None:
    circle_id, _, waiting, _ = _circle_with_agenda()
    assert "school pick-up" not in get_page(client, f"/circles/{circle_id}")
    login(client, waiting)
    assert "school pick-up" not in get_page(client, f"/circles/{circle_id}")
