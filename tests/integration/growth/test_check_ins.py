"""Her check-in between meetings over HTTP, and what bad input gets: a message or a 404, and no change."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.circles.meetings import cancel_meeting
from mentoring.extensions import db
from mentoring.growth.models import CheckIn
from tests.conftest import post_form
from tests.factories import login
from tests.helpers import count, fresh, page_text
from tests.integration.growth.helpers import NOW, check_in, goal, meeting, member_of, running_circle


@pytest.fixture
def mira_in_circle(ctx: None):  # noqa: ANN201
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work")
        mira = member_of(circle, display_name="Mira")
        walk = goal(mira, circle, "Walk at lunch")
        db.session.commit()
    return circle, mira, walk


def test_she_checks_in_for_the_gap_open_now_and_edits_it_until_the_next_meeting(
    client: FlaskClient, mira_in_circle
) -> None:
    circle, mira, walk = mira_in_circle
    path = f"/growth/circles/{circle.id}/check-in"
    with time_machine.travel(NOW, tick=False):
        login(client, mira)
        page = page_text(client.get(path))
        assert "Walk at lunch" in page and "Getting help now" in page
        response = post_form(
            client,
            path,
            {
                "mood": "4",
                "win": "Two walks",
                "obstacle": "Rain",
                f"progress-{walk.id}": "some",
                "visibility": "private",
            },
        )
        assert response.status_code == 302
        saved = db.session.execute(select(CheckIn)).scalar_one()
        assert saved.after_meeting_id == meeting(circle, 3).id  # the gap after the 2 March meeting
        assert (saved.mood, saved.win, saved.progress, saved.needs_support) == (
            4,
            "Two walks",
            {str(walk.id): "some"},
            False,
        )
        assert "Two walks" in page_text(client.get(path))
        assert "You checked in for Back to work" in page_text(client.get("/circles/mine"))

    with time_machine.travel(meeting(circle, 4).starts_at - timedelta(minutes=1), tick=False):
        login(client, mira)
        response = post_form(
            client,
            path,
            {"mood": "2", "win": "One walk", "visibility": "circle"},
            action=f"/growth/check-ins/{saved.id}",
        )
        assert response.status_code == 302
        assert (fresh(saved).mood, fresh(saved).win, fresh(saved).visibility) == (2, "One walk", "circle")


def test_editing_after_the_next_meeting_started_is_refused_and_changes_nothing(
    client: FlaskClient, mira_in_circle
) -> None:
    circle, mira, _ = mira_in_circle
    with time_machine.travel(NOW, tick=False):
        saved = check_in(mira, circle, 3, win="Before")
        db.session.commit()
    with time_machine.travel(meeting(circle, 4).starts_at + timedelta(minutes=1), tick=False):
        login(client, mira)
        response = post_form(
            client,
            f"/growth/circles/{circle.id}/check-in",
            {"mood": "5", "win": "After"},
            action=f"/growth/check-ins/{saved.id}",
        )
        assert response.status_code == 400
        assert "can no longer be changed" in page_text(response)
    assert fresh(saved).win == "Before" and fresh(saved).mood == 3


def test_a_second_check_in_for_the_same_gap_is_refused_and_changes_nothing(
    client: FlaskClient, mira_in_circle
) -> None:
    circle, mira, _ = mira_in_circle
    path = f"/growth/circles/{circle.id}/check-in"
    with time_machine.travel(NOW, tick=False):
        first = check_in(mira, circle, 3, win="First")
        db.session.commit()
        login(client, mira)
        token_page = "/growth/goals"
        response = post_form(client, token_page, {"mood": "1", "win": "Second"}, action=path)
        assert response.status_code == 400
        assert "already checked in for this week" in page_text(response)
    assert count(CheckIn) == 1 and fresh(first).win == "First"


def test_a_mood_outside_1_to_5_gets_a_message_and_saves_nothing(client: FlaskClient, mira_in_circle) -> None:
    circle, mira, _ = mira_in_circle
    path = f"/growth/circles/{circle.id}/check-in"
    with time_machine.travel(NOW, tick=False):
        login(client, mira)
        for mood in ("0", "6", "9", "", "lots"):
            response = post_form(client, path, {"mood": mood, "win": "x"})
            assert response.status_code == 400, mood
            assert "Please choose how you feel, from 1 to 5." in page_text(response), mood
    assert count(CheckIn) == 0


def test_a_check_in_for_a_circle_she_is_not_in_is_not_found(client: FlaskClient, mira_in_circle) -> None:
    _, mira, _ = mira_in_circle
    with time_machine.travel(NOW, tick=False):
        elsewhere = running_circle()
        db.session.commit()
        login(client, mira)
        path = f"/growth/circles/{elsewhere.id}/check-in"
        assert client.get(path).status_code == 404
        assert post_form(client, "/growth/goals", {"mood": "3"}, action=path).status_code == 404
        assert client.get("/growth/circles/999999/check-in").status_code == 404
    assert count(CheckIn) == 0


def test_progress_on_another_members_goal_is_refused(client: FlaskClient, mira_in_circle) -> None:
    circle, mira, _ = mira_in_circle
    with time_machine.travel(NOW, tick=False):
        bea = member_of(circle)
        hers = goal(bea, circle, "Bea's goal")
        db.session.commit()
        login(client, mira)
        response = post_form(
            client, f"/growth/circles/{circle.id}/check-in", {"mood": "3", f"progress-{hers.id}": "done"}
        )
        assert response.status_code == 400 and "only on your own active goals" in page_text(response)
    assert count(CheckIn) == 0


def test_another_members_check_in_cannot_be_edited(client: FlaskClient, mira_in_circle) -> None:
    circle, mira, _ = mira_in_circle
    with time_machine.travel(NOW, tick=False):
        bea = member_of(circle)
        hers = check_in(bea, circle, 3, win="Bea's words")
        db.session.commit()
        login(client, mira)
        response = post_form(
            client,
            "/growth/goals",
            {"mood": "1", "win": "Mira was here"},
            action=f"/growth/check-ins/{hers.id}",
        )
        assert response.status_code == 404
    assert fresh(hers).win == "Bea's words"


def test_no_check_in_is_open_during_a_meeting(client: FlaskClient, mira_in_circle) -> None:
    circle, mira, _ = mira_in_circle
    with time_machine.travel(meeting(circle, 4).starts_at + timedelta(minutes=10), tick=False):
        login(client, mira)
        path = f"/growth/circles/{circle.id}/check-in"
        assert "There is none open right now" in page_text(client.get(path))
        response = post_form(client, "/growth/goals", {"mood": "3"}, action=path)
        assert response.status_code == 400 and "none is open now" in page_text(response)
    assert count(CheckIn) == 0


def test_a_cancelled_next_meeting_keeps_her_check_in_open_until_the_one_after(
    client: FlaskClient, mira_in_circle
) -> None:
    circle, mira, _ = mira_in_circle
    with time_machine.travel(NOW, tick=False):
        saved = check_in(mira, circle, 3, win="Before")
        cancel_meeting(meeting(circle, 4).id, circle.facilitator_id, "Half term", now=NOW)
        db.session.commit()
    with time_machine.travel(meeting(circle, 4).starts_at + timedelta(hours=2), tick=False):
        login(client, mira)
        response = post_form(
            client,
            f"/growth/circles/{circle.id}/check-in",
            {"mood": "4", "win": "Later"},
            action=f"/growth/check-ins/{saved.id}",
        )
        assert response.status_code == 302
    assert fresh(saved).win == "Later"
