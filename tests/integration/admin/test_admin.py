from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import FacilitatorApplication, Role
from mentoring.audit.models import AuditEntry
from mentoring.audit.service import record
from mentoring.extensions import db
from tests.conftest import csrf_token, post_form
from tests.factories import login, make_user
from tests.helpers import audit_actions, fresh, page_text
from tests.integration.accounts.helpers import notifications

APPLY = "/account/facilitate"


def admin_post(client: FlaskClient, path: str):  # noqa: ANN201
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/")})


def test_an_application_is_approved_by_an_admin_with_an_audit_entry(client: FlaskClient, ctx: None) -> None:
    member = make_user("mira@example.com", display_name="Mira K.")
    admin = make_user("staff@example.com", roles=(Role.ADMIN,))
    db.session.commit()

    login(client, member)
    response = post_form(client, APPLY, {"bio": "Mother of three, peer supporter.",
                                         "training": "Group facilitation course, 2024."})
    assert response.status_code == 302
    assert "is with our team" in page_text(client.get(APPLY))
    assert notifications(admin.id, "facilitator application")

    login(client, admin)
    index = page_text(client.get("/admin/"))
    assert "Mira K." in index and "Group facilitation course, 2024." in index
    application = db.session.execute(select(FacilitatorApplication)).scalar_one()
    assert admin_post(client, f"/admin/applications/{application.id}/approve").status_code == 302

    approved = fresh(member)
    assert Role.FACILITATOR in approved.active_roles()
    assert approved.bio == "Mother of three, peer supporter."
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "role.granted")).scalar_one()
    assert (entry.actor_id, entry.subject_id, entry.details["role"]) == (admin.id, member.id, "facilitator")
    assert notifications(member.id, "approved")
    assert "No applications are waiting" in page_text(client.get("/admin/"))
    assert admin_post(client, f"/admin/applications/{application.id}/approve").status_code == 302
    assert audit_actions() == ["role.granted"]  # deciding twice changes nothing


def test_a_declined_applicant_is_told_and_gets_no_role(client: FlaskClient, ctx: None) -> None:
    member = make_user(display_name="Mira K.")
    admin = make_user(roles=(Role.ADMIN,))
    application = FacilitatorApplication(user_id=member.id, bio="Me.", training="None yet.")
    db.session.add(application)
    db.session.commit()
    login(client, admin)
    admin_post(client, f"/admin/applications/{application.id}/decline")
    assert fresh(member).active_roles() == set()
    assert notifications(member.id, "about your facilitator application")
    assert audit_actions() == ["facilitator_application.declined"]


def test_an_application_needs_both_answers_within_limits(client: FlaskClient, ctx: None) -> None:
    member = make_user()
    db.session.commit()
    login(client, member)
    empty = post_form(client, APPLY, {"bio": "  ", "training": "A course."})
    assert 'id="bio-error"' in page_text(empty)
    too_long = post_form(client, APPLY, {"bio": "Me.", "training": "x" * 2001})
    assert 'id="training-error"' in page_text(too_long)
    assert db.session.execute(select(FacilitatorApplication)).all() == []


def test_an_admin_can_revoke_the_facilitator_role(client: FlaskClient, ctx: None) -> None:
    facilitator = make_user("fac@example.com", roles=(Role.FACILITATOR,))
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(client, admin)
    assert "Revoke facilitator" in page_text(client.get("/admin/users?q=fac@"))
    assert admin_post(client, f"/admin/users/{facilitator.id}/revoke-facilitator").status_code == 302
    assert fresh(facilitator).active_roles() == set()
    assert audit_actions() == ["role.revoked"]


def test_admin_pages_are_for_admins_only(client: FlaskClient, ctx: None) -> None:
    member = make_user(roles=(Role.FACILITATOR,))
    db.session.commit()
    assert client.get("/admin/").status_code == 302  # log in first
    login(client, member)
    for path in ("/admin/", "/admin/users", "/admin/audit"):
        assert client.get(path).status_code == 403
    token = csrf_token(client, "/account/settings")
    assert client.post(f"/admin/users/{member.id}/revoke-facilitator",
                       data={"csrf_token": token}).status_code == 403
    assert Role.FACILITATOR in fresh(member).active_roles()


def test_the_accounts_list_searches_by_email_and_pages(client: FlaskClient, ctx: None) -> None:
    admin = make_user("staff@example.com", roles=(Role.ADMIN,))
    for n in range(30):
        make_user(f"parent{n:02d}@school.example")
    make_user("other@elsewhere.example")
    db.session.commit()
    login(client, admin)
    first = page_text(client.get("/admin/users?q=SCHOOL"))
    assert "30 accounts" in first and "other@elsewhere.example" not in first
    assert "Page 1 of 2" in first and "page=2" in first
    second = page_text(client.get("/admin/users?q=school&page=2"))
    assert second.count("@school.example") == 5
    assert "1 account " in page_text(client.get("/admin/users?q=elsewhere"))
    assert "0 accounts" in page_text(client.get("/admin/users?q=%25"))  # % is matched literally


def test_the_audit_log_shows_newest_first_across_pages(client: FlaskClient, ctx: None) -> None:
    from datetime import timedelta

    from mentoring.db import utcnow

    admin = make_user("staff@example.com", roles=(Role.ADMIN,))
    start = utcnow()
    for n in range(30):
        record(f"test.action{n:02d}", actor_id=admin.id, subject_type="user", subject_id=admin.id,
               now=start + timedelta(minutes=n))
    db.session.commit()
    login(client, admin)
    first = page_text(client.get("/admin/audit"))
    assert first.index("test.action29") < first.index("test.action28")
    assert "test.action04" not in first and "staff@example.com" in first
    assert "test.action04" in page_text(client.get("/admin/audit?page=2"))
