"""Her goals over HTTP: set one, note progress, see its history, reach it or set it aside."""

from __future__ import annotations

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.growth.models import Goal, GoalNote
from tests.conftest import post_form
from tests.factories import login
from tests.helpers import count, fresh, page_text
from tests.integration.growth.helpers import NOW, goal, member_of, running_circle


def test_a_member_sets_a_goal_notes_progress_and_sees_its_history(client: FlaskClient, ctx: None) -> None:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work")
        mira = member_of(circle)
        db.session.commit()
        login(client, mira)
        response = post_form(
            client,
            "/growth/goals",
            {
                "title": "Ask for a flexible Friday",
                "why": "Pick-ups",
                "next_step": "Book 15 minutes with my manager",
                "target_date": "2026-04-01",
                "circle_id": str(circle.id),
                "visibility": "circle",
            },
        )
        assert response.status_code == 302
        saved = db.session.execute(select(Goal)).scalar_one()
        assert (saved.user_id, saved.circle_id, saved.visibility, saved.status) == (
            mira.id,
            circle.id,
            "circle",
            "active",
        )
        assert saved.target_date.isoformat() == "2026-04-01"

        path = f"/growth/goals/{saved.id}"
        post_form(client, path, {"text": "Booked it for Tuesday."}, action=f"{path}/notes")
        page = page_text(client.get(path))
        assert (
            "Booked it for Tuesday." in page
            and "Book 15 minutes with my manager" in page
            and "My circle" in page
        )

        post_form(client, path, {}, action=f"{path}/status/achieved")
        assert fresh(saved).status == "achieved" and fresh(saved).closed_at is not None
        assert "Reached" in page_text(client.get("/growth/goals"))
        post_form(client, path, {}, action=f"{path}/status/dropped")
        assert fresh(saved).status == "dropped"
        assert "Set aside" in page_text(client.get("/growth/goals"))


def test_a_new_goal_is_private_unless_she_chooses(client: FlaskClient, ctx: None) -> None:
    mira = member_of(running_circle())
    db.session.commit()
    login(client, mira)
    post_form(client, "/growth/goals", {"title": "Sleep before 23:00"})
    assert db.session.execute(select(Goal.visibility)).scalar_one() == "private"


def test_bad_goal_input_gets_a_message_by_the_field_and_saves_nothing(client: FlaskClient, ctx: None) -> None:
    circle = running_circle()
    mira = member_of(circle)
    elsewhere = running_circle()
    db.session.commit()
    login(client, mira)
    cases = [
        ({"title": "", "visibility": "private"}, "Please name your goal."),
        ({"title": "x" * 121, "visibility": "private"}, "Please keep this to 120 characters."),
        ({"title": "Share it", "visibility": "circle"}, "Choose the circle to share it with"),
        (
            {"title": "Not my circle", "circle_id": str(elsewhere.id), "visibility": "circle"},
            "Please choose one of your circles.",
        ),
        # Beyond any row's id: it reached PostgreSQL as an out-of-range integer (a 500).
        (
            {"title": "Far away", "circle_id": str(2**31), "visibility": "circle"},
            "Choose the circle to share it with",
        ),
        ({"title": "Odd", "visibility": "everyone"}, "Please choose who can see this goal."),
        ({"title": "Bad date", "target_date": "next week"}, "Not a valid date value."),
    ]
    for data, message in cases:
        response = post_form(client, "/growth/goals", data)
        assert response.status_code == 400, data
        assert message in page_text(response), data
    assert count(Goal) == 0


def test_another_members_goal_cannot_be_read_or_changed(client: FlaskClient, ctx: None) -> None:
    circle = running_circle()
    mira, bea = member_of(circle), member_of(circle)
    hers = goal(mira, circle, "Mira's goal")
    db.session.commit()
    login(client, bea)
    path = f"/growth/goals/{hers.id}"
    own_goal_page = "/growth/goals"
    assert client.get(path).status_code == 404
    assert post_form(client, own_goal_page, {"title": "Taken"}, action=f"{path}/edit").status_code == 404
    assert post_form(client, own_goal_page, {"text": "Mine now"}, action=f"{path}/notes").status_code == 404
    assert post_form(client, own_goal_page, {}, action=f"{path}/status/dropped").status_code == 404
    assert fresh(hers).title == "Mira's goal" and fresh(hers).status == "active" and count(GoalNote) == 0


def test_an_empty_note_gets_a_message_and_saves_nothing(client: FlaskClient, ctx: None) -> None:
    mira = member_of(running_circle())
    mine = goal(mira, None, "Walk at lunch")
    db.session.commit()
    login(client, mira)
    path = f"/growth/goals/{mine.id}"
    response = post_form(client, path, {"text": "   "}, action=f"{path}/notes")
    assert response.status_code == 400 and "Please write a few words." in page_text(response)
    assert count(GoalNote) == 0


def test_she_edits_her_goal(client: FlaskClient, ctx: None) -> None:
    mira = member_of(running_circle())
    mine = goal(mira, None, "Walk at lunch")
    db.session.commit()
    login(client, mira)
    path = f"/growth/goals/{mine.id}/edit"
    assert "Walk at lunch" in page_text(client.get(path))
    response = post_form(client, path, {"title": "Walk at lunch twice a week", "visibility": "private"})
    assert response.status_code == 302 and fresh(mine).title == "Walk at lunch twice a week"
