"""Asking for support, the facilitator following it up (audited), and her care view, which is
built from counts and flags and never shows what a member wrote."""

from __future__ import annotations

import json
from datetime import time

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select, update

from mentoring.audit.models import AuditEntry
from mentoring.circles.models import Enrollment
from mentoring.extensions import db
from mentoring.growth.care import care_view
from mentoring.growth.models import CheckIn
from mentoring.notify.models import Notification
from tests.conftest import post_form
from tests.factories import login, make_user
from tests.helpers import fresh, page_text
from tests.integration.growth.helpers import NOW, attended, check_in, goal, member_of, running_circle

WORDS = "I-cried-in-the-car-park"


def test_asking_for_support_tells_the_facilitator_her_name_but_not_her_words(
    ctx: None, client: FlaskClient
) -> None:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work")
        mira = member_of(circle, display_name="Mira")
        db.session.commit()
        login(client, mira)
        response = post_form(
            client,
            f"/growth/circles/{circle.id}/check-in",
            {"mood": "1", "obstacle": WORDS, "needs_support": "y"},
            follow_redirects=True,
        )
        page = page_text(response)
        assert "Your facilitator has been told" in page and "not an emergency or therapy service" in page
        assert "/growth/help" in page
    told = db.session.execute(
        select(Notification).where(Notification.user_id == circle.facilitator_id)
    ).scalar_one()
    assert told.kind == "support" and told.channel == "email"  # emailed, and shown in her app
    assert "Mira" in told.payload["subject"] and WORDS not in json.dumps(told.payload)
    assert told.payload["link"] == f"/growth/care/{circle.id}"


def test_she_may_choose_to_share_her_words_with_the_facilitator(ctx: None, client: FlaskClient) -> None:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle()
        mira = member_of(circle)
        db.session.commit()
        login(client, mira)
        post_form(
            client,
            f"/growth/circles/{circle.id}/check-in",
            {"mood": "1", "obstacle": WORDS, "needs_support": "y", "support_shares_text": "y"},
        )
    told = db.session.execute(
        select(Notification).where(Notification.user_id == circle.facilitator_id)
    ).scalar_one()
    assert WORDS in told.payload["text"]


def test_the_flag_shows_on_her_dashboard_until_she_marks_it_followed_up(
    ctx: None, client: FlaskClient, new_client
) -> None:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work")
        mira = member_of(circle, display_name="Mira")
        asked = check_in(mira, circle, 3, obstacle=WORDS, needs_support=True)
        other_facilitator = make_user(roles=(fresh(circle.facilitator).roles[0].role,))
        db.session.commit()

        intruder = new_client()
        login(intruder, other_facilitator)
        response = post_form(intruder, "/facilitate/", {}, action=f"/growth/support/{asked.id}/followed-up")
        assert response.status_code == 404 and fresh(asked).support_followed_up_at is None

        login(client, circle.facilitator)
        board = page_text(client.get("/facilitate/"))
        assert "Asked for support" in board and "Mira" in board and WORDS not in board
        response = post_form(client, "/facilitate/", {}, action=f"/growth/support/{asked.id}/followed-up")
        assert response.status_code == 302
        assert fresh(asked).support_followed_up_at == NOW
        assert "Asked for support" not in page_text(client.get("/facilitate/"))
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "support.followed_up")
    ).scalar_one()
    assert entry.actor_id == circle.facilitator_id and entry.subject_id == asked.id
    assert WORDS not in json.dumps(entry.details)


def test_the_care_view_never_contains_private_text(ctx: None, client: FlaskClient) -> None:
    """Every text field of every goal and check-in, of every visibility, carries a marker; the
    facilitator's care view shows none of them, though it shows the counts and flags."""
    with time_machine.travel(NOW, tick=False):
        circle = running_circle()
        markers = []
        for n, visibility in enumerate(("private", "buddy", "circle")):
            member = member_of(circle, display_name=f"Member {visibility}")
            fields = {name: f"MARK-{name}-{visibility}-{n}" for name in ("title", "why", "next_step")}
            markers += fields.values()
            goal(member, circle, fields.pop("title"), visibility=visibility, **fields)
            if visibility != "buddy":
                win, obstacle = f"MARK-win-{visibility}", f"MARK-obstacle-{visibility}"
                markers += [win, obstacle]
                check_in(
                    member, circle, 3, win=win, obstacle=obstacle, visibility=visibility, needs_support=True
                )
        db.session.commit()
        login(client, circle.facilitator)
        page = page_text(client.get(f"/growth/care/{circle.id}"))
    assert "Asked for support" in page and "Member private" in page
    assert [marker for marker in markers if marker in page] == []
    # The rows themselves hold no text but her display name.
    assert all(
        not isinstance(value, str) or key == "display_name"
        for row in care_view(circle.id, NOW)
        for key, value in vars(row).items()
    )


def test_the_care_view_puts_those_who_need_her_first(ctx: None) -> None:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle()
        steady = member_of(circle, display_name="Anna steady")
        quiet = member_of(circle, display_name="Beth quiet")
        asking = member_of(circle, display_name="Cleo asking")
        for sequence in (1, 2, 3):
            attended(steady, circle, sequence, "present")
            attended(asking, circle, sequence, "present")
            attended(quiet, circle, sequence, "present" if sequence < 3 else "absent")
        for after in (1, 2):
            check_in(steady, circle, after)
        check_in(asking, circle, 3, needs_support=True)
        db.session.commit()
        rows = care_view(circle.id, NOW)
    assert [r.display_name for r in rows] == ["Cleo asking", "Beth quiet", "Anna steady"]
    cleo, beth, anna = rows
    assert len(cleo.open_flags) == 1 and not cleo.gone_quiet
    assert beth.gone_quiet and beth.attended == 2 and beth.meetings_held == 3
    assert (anna.check_ins, anna.possible_check_ins, anna.streak) == (2, 3, 2)


def test_only_the_circles_facilitator_opens_the_care_view(ctx: None, client: FlaskClient) -> None:
    from mentoring.accounts.models import Role

    circle = running_circle()
    people = [
        member_of(circle),
        make_user(roles=(Role.ADMIN,)),
        make_user(roles=(Role.SPONSOR_ADMIN,)),
        make_user(roles=(Role.FACILITATOR,)),
    ]
    db.session.commit()
    for person in people:
        login(client, person)
        assert client.get(f"/growth/care/{circle.id}").status_code == 404
    login(client, circle.facilitator)
    assert client.get(f"/growth/care/{circle.id}").status_code == 200


def test_her_export_holds_her_goals_notes_and_check_ins_and_deletion_removes_them(
    ctx: None, client: FlaskClient
) -> None:
    from mentoring.accounts.personal_data import delete_account
    from mentoring.growth.models import CheckInPreference, Goal, GoalNote
    from mentoring.growth.service import add_goal_note
    from tests.factories import PASSWORD
    from tests.helpers import count

    with time_machine.travel(NOW, tick=False):
        circle = running_circle()
        mira = member_of(circle)
        walk = goal(mira, circle, "Walk at lunch", why="Air")
        add_goal_note(walk.id, mira.id, "Walked twice", now=NOW)
        check_in(mira, circle, 3, win="Two walks", needs_support=True)
        db.session.add(CheckInPreference(user_id=mira.id, prompt_time=time(21, 0)))
        db.session.commit()
        login(client, mira)
        data = client.get("/account/export").get_json()
    assert (
        data["goals"][0]["title"] == "Walk at lunch"
        and data["goals"][0]["notes"][0]["text"] == "Walked twice"
    )
    assert data["check_ins"][0]["win"] == "Two walks" and data["check_ins"][0]["needs_support"] is True
    assert data["check_in_time"] == "21:00:00"

    delete_account(mira.id, PASSWORD, now=NOW)
    db.session.commit()
    assert count(Goal) == count(GoalNote) == count(CheckIn) == count(CheckInPreference) == 0


def test_her_dashboard_shows_the_ten_longest_waiting_requests_and_counts_the_rest(
    ctx: None, client: FlaskClient
) -> None:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work", capacity=12)
        for n in range(12):
            check_in(member_of(circle, display_name=f"Member {n:02d}"), circle, 1, needs_support=True)
        db.session.commit()
        login(client, circle.facilitator)
        board = page_text(client.get("/facilitate/"))
    assert board.count("Mark followed up") == 10
    assert "2 more waiting" in board
    assert "Member 00" in board and "Member 11" not in board  # the oldest first


def test_the_care_view_counts_only_her_active_members(ctx: None) -> None:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle()
        mira = member_of(circle, display_name="Mira")
        gone = member_of(circle, display_name="Gone")
        check_in(mira, circle, 1, needs_support=True)
        check_in(gone, circle, 1, needs_support=True)
        db.session.execute(update(Enrollment).where(Enrollment.user_id == gone.id).values(status="left"))
        db.session.commit()
        rows = care_view(circle.id, NOW)
    assert [row.display_name for row in rows] == ["Mira"]
    assert len(rows[0].open_flags) == 1 and rows[0].check_ins == 1
