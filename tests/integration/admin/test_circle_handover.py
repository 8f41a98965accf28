"""A revoked facilitator loses her circles at once; an admin hands them to another facilitator."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.circles.models import Circle, Enrollment
from mentoring.extensions import db
from tests.conftest import PASSWORD, csrf_token, post_form
from tests.factories import enroll, login, make_circle, make_user
from tests.helpers import audit_actions, fresh, page_text
from tests.integration.accounts.helpers import notifications

SECRET_LINK = "https://meet.example.com/very-private-room"


def _revoke(admin_client: FlaskClient, user_id: int) -> None:
    response = admin_client.post(f"/admin/users/{user_id}/revoke-facilitator",
                                 data={"csrf_token": csrf_token(admin_client, "/admin/")})
    assert response.status_code == 302


def test_a_revoked_facilitator_loses_roster_link_calendar_and_removing_at_once(
    client: FlaskClient, new_client: Callable[[], FlaskClient], ctx: None
) -> None:
    fiona = make_user("fiona@example.com", display_name="Fiona", roles=(Role.FACILITATOR,))
    admin = make_user(roles=(Role.ADMIN,))
    circle = make_circle(fiona, title="Back to work", status="running", meeting_link=SECRET_LINK)
    member = make_user(display_name="Maya Member")
    enrollment = enroll(circle, member)
    db.session.commit()
    circle_id, enrollment_id = circle.id, enrollment.id
    login(client, fiona)
    remove = f"/circles/{circle_id}/members/{enrollment_id}/remove"
    assert SECRET_LINK in page_text(client.get(f"/circles/{circle_id}"))
    assert client.get(remove).status_code == 200
    form_token = csrf_token(client, remove)  # she has the page open when the role goes

    admin_client = new_client()
    login(admin_client, admin)
    _revoke(admin_client, fiona.id)

    page = page_text(client.get(f"/circles/{circle_id}"))
    assert SECRET_LINK not in page and "Maya Member" not in page
    assert "A new facilitator is being found" in page
    assert client.get(f"/circles/{circle_id}/calendar.ics").status_code == 404
    assert client.get(f"/facilitate/circles/{circle_id}").status_code == 404
    assert client.get(remove).status_code == 404
    response = client.post(remove, data={"csrf_token": form_token, "reason": "bye"})
    assert response.status_code == 404
    assert fresh(db.session.get(Enrollment, enrollment_id)).status == "active"

    [told] = notifications(member.id, "getting a new facilitator")
    assert "Your place is safe" in told.payload["text"]
    assert audit_actions() == ["role.revoked", "circle.facilitator_removed"]


def test_an_admin_reassigns_a_waiting_circle_to_an_approved_facilitator(
    client: FlaskClient, ctx: None
) -> None:
    fiona = make_user(display_name="Fiona", roles=(Role.FACILITATOR,))
    nadia = make_user(display_name="Nadia", roles=(Role.FACILITATOR,))
    plain = make_user(display_name="Not A Facilitator")
    admin = make_user(roles=(Role.ADMIN,))
    circle = make_circle(fiona, title="Back to work", status="open")
    done = make_circle(fiona, title="Finished term", status="completed")
    member = make_user()
    enroll(circle, member)
    db.session.commit()
    circle_id, done_id = circle.id, done.id
    login(client, admin)
    _revoke(client, fiona.id)
    assert fresh(done).facilitator_id == fiona.id  # a finished circle keeps its history

    page = page_text(client.get("/admin/circles"))
    assert "Back to work" in page and "Finished term" not in page
    assert "Nadia" in page and "Not A Facilitator" not in page

    refused = post_form(client, "/admin/circles", {"facilitator_id": str(plain.id)},
                        action=f"/admin/circles/{circle_id}/reassign", follow_redirects=True)
    assert "Please choose someone who is an approved facilitator." in page_text(refused)
    assert db.session.get(Circle, circle_id).facilitator_id is None

    response = post_form(client, "/admin/circles", {"facilitator_id": str(nadia.id)},
                         action=f"/admin/circles/{circle_id}/reassign")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Circle, circle_id).facilitator_id == nadia.id
    assert notifications(member.id, "Nadia is the new facilitator")
    assert notifications(nadia.id, "You now facilitate")
    assert audit_actions()[-1] == "circle.reassigned"
    assert "Every circle has a facilitator." in page_text(client.get("/admin/circles"))

    login(client, nadia)
    assert client.get(f"/facilitate/circles/{circle_id}").status_code == 200
    kept = db.session.execute(select(Circle.facilitator_id).where(Circle.id == done_id)).scalar_one()
    assert kept == fiona.id


def test_a_facilitator_deleting_her_account_leaves_her_circles_waiting(
    client: FlaskClient, ctx: None
) -> None:
    fiona = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(fiona, status="open")
    db.session.commit()
    login(client, fiona)
    assert post_form(client, "/account/delete", {"password": PASSWORD}).status_code == 302
    assert fresh(circle).facilitator_id is None


def test_a_facilitator_id_beyond_any_id_is_refused_without_an_error_page(
    client: FlaskClient, ctx: None
) -> None:
    # Hypothesis found it: an id past the database's integer range was a 500.
    fiona = make_user(display_name="Fiona", roles=(Role.FACILITATOR,))
    admin = make_user(roles=(Role.ADMIN,))
    circle = make_circle(fiona, title="Back to work", status="open")
    db.session.commit()
    circle_id = circle.id
    login(client, admin)
    _revoke(client, fiona.id)
    for huge in (str(2**31), str(10**30), "-1"):
        response = post_form(client, "/admin/circles", {"facilitator_id": huge},
                             action=f"/admin/circles/{circle_id}/reassign", follow_redirects=True)
        assert response.status_code == 200
        assert "Please choose a facilitator." in page_text(response)
    assert db.session.get(Circle, circle_id).facilitator_id is None
