import pytest
from flask.testing import FlaskClient

from mentoring.accounts.models import FacilitatorApplication, Role
from mentoring.audit.service import record
from mentoring.extensions import db
from tests.factories import login, make_user

ANONYMOUS_PAGES = ["/account/login", "/account/signup", "/account/signup/check-your-inbox",
                   "/account/unverified", "/account/reset", "/account/reset/sent"]
MEMBER_PAGES = ["/account/settings", "/account/password", "/account/email", "/account/delete",
                "/account/facilitate"]


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_public_account_pages_render_with_a_heading(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "<h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_pages_need_a_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("roles", [(), (Role.FACILITATOR,), (Role.ADMIN,)])
def test_member_pages_render_for_every_kind_of_account(client: FlaskClient, ctx: None, roles: tuple) -> None:
    user = make_user(roles=roles)
    db.session.commit()
    login(client, user)
    for path in MEMBER_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<h1>" in response.get_data(as_text=True)


def test_pending_application_is_shown_instead_of_the_form(client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.add(FacilitatorApplication(user_id=user.id, bio="Me.", training="A course."))
    db.session.commit()
    login(client, user)
    assert "is with our team" in client.get("/account/facilitate").get_data(as_text=True)
    assert "application is with our team" in client.get("/account/settings").get_data(as_text=True)


def test_admin_pages_render_with_content(client: FlaskClient, ctx: None) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    applicant = make_user(display_name="Applicant A.")
    db.session.add(FacilitatorApplication(user_id=applicant.id, bio="Me.", training="A course."))
    record("role.granted", actor_id=admin.id, subject_type="user", subject_id=applicant.id,
           details={"role": "facilitator"})
    db.session.commit()
    login(client, admin)
    for path in ("/admin/", "/admin/users", "/admin/audit", "/admin/users?page=99"):
        response = client.get(path)
        assert response.status_code == 200, path
