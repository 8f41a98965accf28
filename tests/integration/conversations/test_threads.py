"""A private word with the facilitator: only the two of them read it, reports show one message."""

from __future__ import annotations

import json
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.accounts.personal_data import delete_account
from mentoring.conversations.models import Message, MessageReport, Thread
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import PASSWORD, post_form
from tests.factories import enroll, login, make_circle, make_user
from tests.helpers import count, get_page, page_text
from tests.integration.conversations.helpers import circle_with_members
from tests.integration.sponsors.conftest import make_org, make_sponsor_admin


def _write(client: FlaskClient, circle_id: int, body: str):  # noqa: ANN202
    return post_form(client, f"/talk/circles/{circle_id}/facilitator", {"body": body})


def _thread() -> Thread:
    db.session.expire_all()
    return db.session.execute(select(Thread)).scalar_one()


def test_she_writes_to_her_facilitator_who_answers_and_neither_sees_the_others_address(
    client: FlaskClient, new_client, ctx: None  # noqa: ANN001
) -> None:
    setup = circle_with_members(2)
    mira = setup.members[0]
    login(client, mira)
    circle_page = get_page(client, f"/circles/{setup.circle.id}")
    assert f"/talk/circles/{setup.circle.id}/facilitator" in circle_page

    response = _write(client, setup.circle.id, "Could we talk about going back part-time?")
    thread = _thread()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/talk/threads/{thread.id}")
    told = db.session.execute(
        select(Notification).where(Notification.user_id == setup.facilitator.id)
    ).scalar_one()
    assert told.kind == "message" and told.payload["link"] == f"/talk/threads/{thread.id}"
    assert mira.email not in json.dumps(told.payload)
    assert f"/talk/threads/{thread.id}" in get_page(client, f"/circles/{setup.circle.id}")

    facilitator = new_client()
    login(facilitator, setup.facilitator)
    page = page_text(facilitator.get(f"/talk/threads/{thread.id}"))
    assert "Could we talk about going back part-time?" in page and mira.email not in page
    post_form(facilitator, f"/talk/threads/{thread.id}", {"body": "Of course. Thursday after the circle?"})

    page = page_text(client.get(f"/talk/threads/{thread.id}"))
    assert "Of course. Thursday after the circle?" in page and setup.facilitator.email not in page
    assert count(Notification, Notification.user_id == mira.id, Notification.kind == "message") == 1
    # Writing again from the circle page goes on in the same thread.
    post_form(client, "/talk/", {"body": "Thursday works."},
              action=f"/talk/circles/{setup.circle.id}/facilitator")
    assert count(Thread) == 1 and count(Message) == 3


def test_a_thread_is_not_found_for_every_other_role(client: FlaskClient, ctx: None) -> None:
    setup = circle_with_members(2)
    other_member = setup.members[1]
    other_facilitator = make_user(roles=(Role.FACILITATOR,))
    make_circle(other_facilitator)
    sponsor_admin = make_sponsor_admin(make_org())
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(client, setup.members[0])
    _write(client, setup.circle.id, "Just between us.")
    thread = _thread()
    message = db.session.execute(select(Message)).scalar_one()

    for outsider in (other_member, other_facilitator, sponsor_admin, admin):
        login(client, outsider)
        assert client.get(f"/talk/threads/{thread.id}").status_code == 404, outsider
        assert post_form(client, "/talk/", {"body": "Hello?"},
                         action=f"/talk/threads/{thread.id}").status_code == 404
        reported = post_form(client, "/talk/", {}, action=f"/talk/messages/{message.id}/report")
        assert reported.status_code == 404
        assert "Just between us." not in page_text(client.get("/talk/"))
    assert count(Message) == 1 and count(MessageReport) == 0


def test_writing_to_the_facilitator_of_a_circle_she_is_not_in_is_not_found(
    client: FlaskClient, ctx: None
) -> None:
    setup = circle_with_members(1)
    stranger = make_user()
    waiting = make_user()
    enroll(setup.circle, waiting, status="waitlisted")
    db.session.commit()
    for outsider in (stranger, waiting, setup.facilitator):
        login(client, outsider)
        assert client.get(f"/talk/circles/{setup.circle.id}/facilitator").status_code == 404
        response = post_form(client, "/talk/", {"body": "Hello"},
                             action=f"/talk/circles/{setup.circle.id}/facilitator")
        assert response.status_code == 404
    assert count(Thread) == 0 and count(Message) == 0


def test_an_empty_or_20000_character_message_is_refused_next_to_the_field(
    client: FlaskClient, ctx: None
) -> None:
    setup = circle_with_members(1)
    login(client, setup.members[0])
    empty = _write(client, setup.circle.id, "   ")
    assert empty.status_code == 400 and "Please write your message." in page_text(empty)
    long = _write(client, setup.circle.id, "x" * 20_000)
    assert long.status_code == 400 and "Please keep your message under 4,000 characters" in page_text(long)
    assert count(Thread) == 0 and count(Message) == 0 and count(Notification) == 0


def test_a_reported_message_reaches_the_admins_alone(client: FlaskClient, new_client, ctx: None) -> None:  # noqa: ANN001
    setup = circle_with_members(1)
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    mira = setup.members[0]
    login(client, mira)
    _write(client, setup.circle.id, "I feel I can't say this in the circle.")
    thread = _thread()
    facilitator = new_client()
    login(facilitator, setup.facilitator)
    post_form(facilitator, f"/talk/threads/{thread.id}", {"body": "An unkind answer."})
    mine, theirs = db.session.execute(select(Message).order_by(Message.id)).scalars().all()

    own = post_form(client, f"/talk/threads/{thread.id}", {}, action=f"/talk/messages/{mine.id}/report",
                    follow_redirects=True)
    assert "You can only report a message someone else wrote." in page_text(own)
    post_form(client, f"/talk/threads/{thread.id}", {}, action=f"/talk/messages/{theirs.id}/report")
    post_form(client, f"/talk/threads/{thread.id}", {}, action=f"/talk/messages/{theirs.id}/report")
    assert count(MessageReport) == 1
    assert count(Notification, Notification.user_id == admin.id, Notification.kind == "report") == 1

    admin_client = new_client()
    login(admin_client, admin)
    page = page_text(admin_client.get("/talk/reports"))
    assert "An unkind answer." in page
    assert "I feel I can't say this in the circle." not in page
    assert admin_client.get(f"/talk/threads/{thread.id}").status_code == 404
    login(client, mira)
    assert client.get("/talk/reports").status_code == 403


def test_her_threads_are_in_her_export_and_go_with_her_account(client: FlaskClient, ctx: None) -> None:
    setup = circle_with_members(1)
    mira = setup.members[0]
    login(client, mira)
    _write(client, setup.circle.id, "Part-time, maybe?")
    data = json.loads(client.get("/account/export").get_data(as_text=True))
    thread = data["conversations"]["threads"][0]
    assert thread["you_are"] == "member" and thread["circle"] == setup.circle.title
    assert [(m["yours"], m["body"]) for m in thread["messages"]] == [(True, "Part-time, maybe?")]

    delete_account(mira.id, PASSWORD, now=utcnow() + timedelta(seconds=1))
    db.session.commit()
    assert count(Thread) == 0 and count(Message) == 0


def test_a_facilitator_who_no_longer_runs_the_circle_cannot_read_and_the_new_one_gets_a_new_thread(
    client: FlaskClient, new_client, ctx: None  # noqa: ANN001
) -> None:
    setup = circle_with_members(1)
    mira = setup.members[0]
    login(client, mira)
    _write(client, setup.circle.id, "Said to the first facilitator.")
    first_thread = _thread()
    successor = make_user(display_name="Nia New", roles=(Role.FACILITATOR,))
    setup.circle.facilitator_id = successor.id
    db.session.commit()

    old = new_client()
    login(old, setup.facilitator)
    assert old.get(f"/talk/threads/{first_thread.id}").status_code == 404
    refused = post_form(client, f"/talk/threads/{first_thread.id}", {"body": "Still there?"})
    assert refused.status_code == 400 and "no longer runs the circle" in page_text(refused)

    _write(client, setup.circle.id, "Hello, new facilitator.")
    assert count(Thread) == 2
    new = new_client()
    login(new, successor)
    listing = page_text(new.get("/talk/"))
    new_thread = db.session.execute(select(Thread).where(Thread.facilitator_id == successor.id)).scalar_one()
    assert f"/talk/threads/{new_thread.id}" in listing and f"/talk/threads/{first_thread.id}" not in listing
    assert "Said to the first facilitator." not in page_text(new.get(f"/talk/threads/{new_thread.id}"))
