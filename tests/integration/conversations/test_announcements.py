"""Circle announcements: from the facilitator to every active member, no reply-to-all."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.conversations.models import Announcement
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import post_form
from tests.factories import enroll, login, make_user
from tests.helpers import count, page_text
from tests.integration.conversations.helpers import circle_with_members


def test_every_active_member_gets_the_announcement_and_it_shows_on_the_circle_page(
    client: FlaskClient, new_client, ctx: None  # noqa: ANN001
) -> None:
    setup = circle_with_members(3)
    waiting = make_user()
    enroll(setup.circle, waiting, status="waitlisted")
    db.session.commit()
    login(client, setup.facilitator)
    path = f"/talk/circles/{setup.circle.id}/announce"
    response = post_form(client, path, {"body": "The meeting link changed: use the new one on the page."})
    assert response.status_code == 302

    told = db.session.execute(
        select(Notification.user_id).where(Notification.kind == "announcement")
    ).scalars().all()
    assert sorted(told) == sorted(m.id for m in setup.members)
    member = new_client()
    login(member, setup.members[0])
    page = page_text(member.get(f"/circles/{setup.circle.id}"))
    assert "The meeting link changed" in page
    assert "this is not a group chat" in page
    assert f"/talk/circles/{setup.circle.id}/announce" not in page


def test_only_the_circles_facilitator_can_announce(client: FlaskClient, ctx: None) -> None:
    setup = circle_with_members(1)
    for outsider in (setup.members[0], make_user()):
        db.session.commit()
        login(client, outsider)
        path = f"/talk/circles/{setup.circle.id}/announce"
        assert client.get(path).status_code == 404
        assert post_form(client, "/talk/", {"body": "Hello all"}, action=path).status_code == 404
    assert count(Announcement) == 0 and count(Notification) == 0


def test_an_empty_announcement_is_refused_next_to_the_field(client: FlaskClient, ctx: None) -> None:
    setup = circle_with_members(1)
    login(client, setup.facilitator)
    response = post_form(client, f"/talk/circles/{setup.circle.id}/announce", {"body": ""})
    assert response.status_code == 400 and "Please write your announcement." in page_text(response)
    assert count(Announcement) == 0
