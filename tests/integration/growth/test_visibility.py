"""Who reads what: every kind of private text, read by every kind of person, over HTTP.

She writes a goal of each visibility and a check-in of each visibility, each with words found
nowhere else. Then herself, her practice buddy, another member of the circle, a member of
another circle (who is someone else's buddy there), the facilitator, a sponsor admin and an
admin each open every page they can reach.
"""

from __future__ import annotations

import pytest
import time_machine
from flask.testing import FlaskClient

from mentoring.accounts.models import Role
from mentoring.extensions import db
from tests.factories import login, make_pair, make_user
from tests.integration.growth.helpers import NOW, check_in, goal, member_of, running_circle

PRIVATE_GOAL = "PRIVATE-GOAL-rutabaga"
BUDDY_GOAL = "BUDDY-GOAL-kohlrabi"
CIRCLE_GOAL = "CIRCLE-GOAL-parsnip"
PRIVATE_CHECK_IN = "PRIVATE-CHECKIN-celeriac"
BUDDY_CHECK_IN = "BUDDY-CHECKIN-salsify"
CIRCLE_CHECK_IN = "CIRCLE-CHECKIN-fennel"
EVERY_TEXT = {PRIVATE_GOAL, BUDDY_GOAL, CIRCLE_GOAL, PRIVATE_CHECK_IN, BUDDY_CHECK_IN, CIRCLE_CHECK_IN}
SHARED = {CIRCLE_GOAL, CIRCLE_CHECK_IN}
FOR_HER_BUDDY = SHARED | {BUDDY_GOAL, BUDDY_CHECK_IN}


@pytest.fixture
def world(ctx: None) -> dict:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work, gently")
        other_circle = running_circle(title="Another circle")
        owner = member_of(circle, display_name="Mira")
        people = {
            "herself": owner,
            "her buddy": member_of(circle, display_name="Dara"),
            "circle member": member_of(circle, display_name="Bea"),
            "member of another circle": member_of(other_circle, display_name="Cora"),
            "facilitator": circle.facilitator,
            "sponsor admin": make_user(roles=(Role.SPONSOR_ADMIN,)),
            "admin": make_user(roles=(Role.ADMIN,)),
        }
        goals = [
            goal(owner, circle, PRIVATE_GOAL),
            goal(owner, circle, BUDDY_GOAL, visibility="buddy"),
            goal(owner, circle, CIRCLE_GOAL, visibility="circle"),
        ]
        make_pair(circle, owner, people["her buddy"], at=NOW)
        make_pair(other_circle, people["member of another circle"], member_of(other_circle), at=NOW)
        for_buddy = check_in(owner, circle, 1, win=BUDDY_CHECK_IN, visibility="buddy")
        shared = check_in(owner, circle, 2, win=CIRCLE_CHECK_IN, visibility="circle")
        private = check_in(owner, circle, 3, obstacle=PRIVATE_CHECK_IN, needs_support=True)
        db.session.commit()
        return {
            "circle": circle,
            "other": other_circle,
            "people": people,
            "goals": goals,
            "check_ins": [for_buddy, shared, private],
        }


def everything_readable(client: FlaskClient, world: dict) -> str:
    circle = world["circle"]
    paths = [
        "/",
        "/circles/",
        f"/circles/{circle.id}",
        f"/circles/{world['other'].id}",
        "/circles/mine",
        "/growth/goals",
        f"/growth/circles/{circle.id}/check-in",
        f"/growth/care/{circle.id}",
        "/facilitate/",
        f"/facilitate/circles/{circle.id}",
        "/admin/",
        "/admin/audit",
        "/admin/mail",
        "/notifications/",
        "/account/export",
        f"/buddies/circles/{circle.id}",
        f"/buddies/circles/{circle.id}/manage",
        f"/buddies/circles/{world['other'].id}",
        f"/outcomes/circles/{circle.id}",
        f"/outcomes/circles/{circle.id}/pulse",
        *(f"/growth/goals/{g.id}" for g in world["goals"]),
        *(f"/growth/goals/{g.id}/edit" for g in world["goals"]),
        *(f"/growth/check-ins/{c.id}/support" for c in world["check_ins"]),
    ]
    pages = []
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code == 200:
            pages.append(response.get_data(as_text=True))
    return "\n".join(pages)


@pytest.mark.parametrize(
    ("viewer", "may_see"),
    [
        ("herself", EVERY_TEXT),
        ("her buddy", FOR_HER_BUDDY),
        ("circle member", SHARED),
        ("member of another circle", set()),
        ("facilitator", SHARED),
        ("sponsor admin", set()),
        ("admin", set()),
    ],
)
def test_each_person_reads_exactly_what_was_shared_with_her(
    client: FlaskClient, world: dict, viewer: str, may_see: set[str]
) -> None:
    with time_machine.travel(NOW, tick=False):
        login(client, world["people"][viewer])
        text = everything_readable(client, world)
    assert {marker for marker in EVERY_TEXT if marker in text} == may_see


@pytest.mark.parametrize(
    "viewer",
    ["her buddy", "circle member", "member of another circle", "facilitator", "sponsor admin", "admin"],
)
def test_another_members_goal_or_check_in_id_in_the_url_is_not_found(
    client: FlaskClient, world: dict, viewer: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        login(client, world["people"][viewer])
        for g in world["goals"]:
            assert client.get(f"/growth/goals/{g.id}").status_code == 404
            assert client.get(f"/growth/goals/{g.id}/edit").status_code == 404
        for c in world["check_ins"]:
            assert client.get(f"/growth/check-ins/{c.id}/support").status_code == 404


def test_a_visitor_reads_none_of_it(client: FlaskClient, world: dict) -> None:
    with time_machine.travel(NOW, tick=False):
        text = everything_readable(client, world)
    assert not {marker for marker in EVERY_TEXT if marker in text}
