"""Practice sessions: proposed in both timezones, accepted or moved, marked done, notes private
to the pair; a session with someone who is not her buddy is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentoring.buddies.models import PracticeSession
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import post_form
from tests.factories import login, make_pair
from tests.integration.growth.helpers import NOW, member_of, running_circle

PROPOSAL = {
    "topic": "Asking to leave at 4 on Fridays",
    "day": "2026-03-07",
    "at": "10:00",
    "duration_minutes": "20",
}


@pytest.fixture
def buddies(ctx: None) -> dict:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle()
        ana = member_of(circle, display_name="Ana", timezone="Europe/London")
        bea = member_of(circle, display_name="Bea", timezone="America/Chicago")
        cleo = member_of(circle, display_name="Cleo")
        make_pair(circle, ana, bea, at=NOW)
        db.session.commit()
        return {"circle": circle, "ana": ana, "bea": bea, "cleo": cleo}


def as_(client: FlaskClient, user) -> str:  # noqa: ANN001
    login(client, user)
    return ""


def sessions() -> list[PracticeSession]:
    return list(db.session.scalars(select(PracticeSession).order_by(PracticeSession.id)))


def test_a_proposal_shows_in_both_timezones_and_the_buddy_accepts_and_both_mark_it_done(
    client: FlaskClient, new_client, buddies: dict
) -> None:
    circle_id = buddies["circle"].id
    mine = f"/buddies/circles/{circle_id}"
    with time_machine.travel(NOW, tick=False):
        login(client, buddies["ana"])
        assert post_form(client, mine, PROPOSAL, action=f"{mine}/sessions").status_code == 302
        (session,) = sessions()
        assert session.starts_at == datetime(2026, 3, 7, 10, 0, tzinfo=UTC)  # London is on GMT
        told = db.session.scalar(select(Notification).where(Notification.user_id == buddies["bea"].id))
        assert "Sat 7 Mar 2026, 04:00 CST" in told.payload["text"] and "10:00 GMT" in told.payload["text"]

        bea = new_client()
        login(bea, buddies["bea"])
        page = bea.get(mine).get_data(as_text=True)
        assert "04:00 CST" in page and "10:00 GMT" in page
        assert post_form(bea, mine, {}, action=f"/buddies/sessions/{session.id}/accept").status_code == 302
        db.session.expire_all()
        assert sessions()[0].status == "accepted"
    with time_machine.travel(datetime(2026, 3, 7, 10, 30, tzinfo=UTC), tick=False):
        login(client, buddies["ana"])
        post_form(client, mine, {}, action=f"/buddies/sessions/{session.id}/done")
        post_form(client, mine, {"notes": "PAIR-NOTES-okra"}, action=f"/buddies/sessions/{session.id}/notes")
    db.session.expire_all()
    assert sessions()[0].done_at is not None and sessions()[0].notes == "PAIR-NOTES-okra"


def test_the_buddy_can_suggest_another_time_instead(client: FlaskClient, new_client, buddies: dict) -> None:
    mine = f"/buddies/circles/{buddies['circle'].id}"
    with time_machine.travel(NOW, tick=False):
        login(client, buddies["ana"])
        post_form(client, mine, PROPOSAL, action=f"{mine}/sessions")
        (first,) = sessions()
        bea = new_client()
        login(bea, buddies["bea"])
        response = post_form(
            bea, mine, {"day": "2026-03-08", "at": "09:00"}, action=f"/buddies/sessions/{first.id}/other-time"
        )
        assert response.status_code == 302
        # The proposer can't accept her own time.
        own = post_form(
            bea, mine, {}, action=f"/buddies/sessions/{sessions()[1].id}/accept", follow_redirects=True
        )
        assert "Only your buddy can accept" in own.get_data(as_text=True)
    db.session.expire_all()
    first, second = sessions()
    assert first.status == "replaced" and second.status == "proposed"
    # 09:00 in Chicago on the morning its summer time begins (CDT, UTC-5).
    assert second.starts_at == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)


def test_notes_are_private_to_the_pair(client: FlaskClient, new_client, buddies: dict) -> None:
    mine = f"/buddies/circles/{buddies['circle'].id}"
    with time_machine.travel(NOW, tick=False):
        login(client, buddies["ana"])
        post_form(client, mine, PROPOSAL, action=f"{mine}/sessions")
        (session,) = sessions()
        post_form(client, mine, {"notes": "PAIR-NOTES-okra"}, action=f"/buddies/sessions/{session.id}/notes")
        cleo = new_client()
        login(cleo, buddies["cleo"])
        assert "PAIR-NOTES-okra" not in cleo.get(mine).get_data(as_text=True)
        assert (
            post_form(cleo, mine, {"notes": "x"}, action=f"/buddies/sessions/{session.id}/notes").status_code
            == 404
        )
        facilitator = new_client()
        login(facilitator, buddies["circle"].facilitator)
        assert "PAIR-NOTES-okra" not in facilitator.get(f"{mine}/manage").get_data(as_text=True)
    db.session.expire_all()
    assert sessions()[0].notes == "PAIR-NOTES-okra"


def test_a_session_with_someone_who_is_not_her_buddy_is_refused(client: FlaskClient, buddies: dict) -> None:
    mine = f"/buddies/circles/{buddies['circle'].id}"
    with time_machine.travel(NOW, tick=False):
        login(client, buddies["cleo"])  # in the circle, but nobody's buddy
        response = post_form(client, mine, PROPOSAL, action=f"{mine}/sessions")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(PracticeSession)) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"day": "2026-03-01"}, "Please choose a time in the next four months."),
        ({"topic": ""}, "Please say what."),
        ({"duration_minutes": "500"}, "Please choose between 5 and 120 minutes."),
        ({"at": ""}, "Please choose a time."),
    ],
)
def test_bad_input_is_a_message_by_the_field_and_nothing_is_kept(
    client: FlaskClient, buddies: dict, change: dict, message: str
) -> None:
    mine = f"/buddies/circles/{buddies['circle'].id}"
    with time_machine.travel(NOW, tick=False):
        login(client, buddies["ana"])
        response = post_form(client, mine, {**PROPOSAL, **change}, action=f"{mine}/sessions")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PracticeSession)) == 0


def test_her_practice_sessions_are_in_her_private_calendar_feed(client: FlaskClient, buddies: dict) -> None:
    from icalendar import Calendar

    from mentoring.availability.feed import feed_calendar
    from mentoring.buddies.practice import accept_session

    def event_for(person, session_id: int):  # noqa: ANN001, ANN202
        body = feed_calendar(person.id, page_url="http://localhost/circles/{id}", now=NOW)
        found = [
            e for e in Calendar.from_ical(body).events if str(e["UID"]) == f"practice-{session_id}@hearth"
        ]
        return found[0] if found else None

    mine = f"/buddies/circles/{buddies['circle'].id}"
    with time_machine.travel(NOW, tick=False):
        login(client, buddies["ana"])
        post_form(client, mine, PROPOSAL, action=f"{mine}/sessions")
        (session,) = sessions()
        event = event_for(buddies["bea"], session.id)
        assert str(event["SUMMARY"]) == "Practice with your buddy: Asking to leave at 4 on Fridays"
        assert event.decoded("DTSTART") == datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
        assert str(event["STATUS"]) == "TENTATIVE"
        accept_session(session.id, buddies["bea"].id, now=NOW)
        db.session.commit()
        assert str(event_for(buddies["ana"], session.id)["STATUS"]) == "CONFIRMED"
        assert event_for(buddies["cleo"], session.id) is None
