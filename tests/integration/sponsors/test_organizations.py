"""Organisations and sponsor admins: invitations by signed link, and scoping to her organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role, RoleAssignment, User
from mentoring.accounts.roles import revoke_role
from mentoring.db import utcnow
from mentoring.errors import InvalidInput
from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from mentoring.notify.messages import shown_in_app
from mentoring.notify.models import Notification
from mentoring.sponsors import service
from mentoring.sponsors.models import Organization
from tests.conftest import csrf_token, post_form
from tests.factories import login, make_user
from tests.helpers import audit_actions, fresh
from tests.integration.notify.conftest import RecordingMailer
from tests.integration.sponsors.conftest import make_org, make_pool, make_sponsor_admin


def _invite_link(invitee_id: int) -> str:
    note = db.session.scalars(
        select(Notification).where(
            Notification.user_id == invitee_id, Notification.dedup_key.like("sponsor-invite:%")
        )
    ).one()
    return note.payload["text"].split("\n")[3].split("http://localhost", 1)[1]


def test_admin_adds_an_organisation_with_its_domains(client: FlaskClient, ctx: None) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(client, admin)
    response = post_form(
        client,
        "/sponsors/admin/organizations",
        {
            "name": "Northwind",
            "domains": "northwind.example\nNW.example",
            "billing_email": "ap@northwind.example",
        },
    )
    assert response.status_code == 302
    org = db.session.scalars(select(Organization)).one()
    assert [d.domain for d in org.domains] == ["northwind.example", "nw.example"]
    assert "sponsor.organization_created" in audit_actions()


def test_a_bad_domain_is_refused_next_to_the_field_and_nothing_is_added(
    client: FlaskClient, ctx: None
) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(client, admin)
    response = post_form(
        client,
        "/sponsors/admin/organizations",
        {"name": "Northwind", "domains": "not a domain!", "billing_email": "ap@northwind.example"},
    )
    assert response.status_code == 200
    assert "is not an email domain" in response.get_data(as_text=True)
    assert db.session.scalars(select(Organization)).all() == []


def test_a_domain_belongs_to_one_organisation(ctx: None) -> None:
    make_org("Northwind", "northwind.example")
    with pytest.raises(InvalidInput, match="already belongs"):
        service.create_organization(
            "Other", "northwind.example", "x@other.example", admin_id=None, now=utcnow()
        )


def test_an_invited_sponsor_admin_accepts_by_the_emailed_link(client: FlaskClient, ctx: None) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    hr = make_user("hr@northwind.example")
    org = make_org()
    db.session.commit()
    service.invite_sponsor_admin(org.id, "HR@northwind.example", actor_id=admin.id, now=utcnow())
    db.session.commit()
    note = db.session.scalars(select(Notification).where(Notification.user_id == hr.id)).one()
    assert note.payload["to"] == "hr@northwind.example"
    assert "/sponsors/invitations/" not in shown_in_app(note.payload)[0]  # by email only, never in the app
    path = _invite_link(hr.id)
    login(client, hr)
    assert post_form(client, path, {}).status_code == 302
    role = db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == hr.id)).one()
    assert (role.role, role.organization_id) == ("sponsor_admin", org.id)
    assert client.get(f"/sponsors/{org.id}/").status_code == 200
    assert {"sponsor.admin_invited", "role.granted"} <= set(audit_actions())


def test_an_invitation_for_another_address_or_too_old_is_refused(client: FlaskClient, ctx: None) -> None:
    hr = make_user("hr@northwind.example")
    someone = make_user("someone@example.com")
    org = make_org()
    db.session.commit()
    service.invite_sponsor_admin(org.id, hr.email, actor_id=None, now=utcnow() - timedelta(days=8))
    db.session.commit()
    path = _invite_link(hr.id)
    login(client, hr)
    assert "expired" in post_form(client, path, {}).get_data(as_text=True)
    service.invite_sponsor_admin(org.id, hr.email, actor_id=None, now=utcnow())
    db.session.commit()
    fresh_path = (
        sorted(
            db.session.scalars(select(Notification).where(Notification.user_id == hr.id)), key=lambda n: n.id
        )[-1]
        .payload["text"]
        .split("\n")[3]
        .split("http://localhost", 1)[1]
    )
    login(client, someone)
    assert post_form(client, fresh_path, {}).status_code == 400
    assert db.session.scalars(select(RoleAssignment)).all() == []


def test_an_invitation_to_an_address_without_an_account_needs_an_inviter_to_mail_it(ctx: None) -> None:
    org = make_org()
    with pytest.raises(InvalidInput, match="no Hearth account"):
        service.invite_sponsor_admin(org.id, "nobody@northwind.example", actor_id=None, now=utcnow())


def test_a_sponsor_admin_sees_nothing_of_another_organisation(client: FlaskClient, ctx: None) -> None:
    northwind, contoso = make_org("Northwind", "northwind.example"), make_org("Contoso", "contoso.example")
    hr = make_sponsor_admin(northwind)
    other_pool = make_pool(contoso)
    db.session.commit()
    login(client, hr)
    assert client.get(f"/sponsors/{northwind.id}/").status_code == 200
    for path in (
        f"/sponsors/{contoso.id}/",
        f"/sponsors/{contoso.id}/report.csv",
        f"/sponsors/{contoso.id}/pools/new",
        f"/sponsors/{contoso.id}/pools/{other_pool.id}",
        f"/sponsors/{northwind.id}/pools/{other_pool.id}",
        "/sponsors/9999/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Contoso" not in response.get_data(as_text=True)
    assert "Contoso" not in client.get(f"/sponsors/{northwind.id}/").get_data(as_text=True)


def test_a_revoked_sponsor_admin_loses_her_pages_at_once(client: FlaskClient, ctx: None) -> None:
    org = make_org()
    hr = make_sponsor_admin(org)
    db.session.commit()
    login(client, hr)
    assert client.get(f"/sponsors/{org.id}/").status_code == 200
    revoke_role(hr.id, Role.SPONSOR_ADMIN, actor_id=None, now=utcnow())
    db.session.commit()
    assert client.get(f"/sponsors/{org.id}/").status_code == 404
    assert client.get(f"/sponsors/{org.id}/report.csv").status_code == 404
    assert fresh(hr).active_roles() == set()


def test_a_sponsor_admin_invites_a_colleague_to_her_own_organisation_only(
    client: FlaskClient, ctx: None
) -> None:
    northwind, contoso = make_org("Northwind", "northwind.example"), make_org("Contoso", "contoso.example")
    hr = make_sponsor_admin(northwind)
    colleague = make_user("sam@northwind.example")
    db.session.commit()
    login(client, hr)
    response = post_form(
        client,
        f"/sponsors/{northwind.id}/",
        {"email": colleague.email},
        action=f"/sponsors/{northwind.id}/admins/invite",
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Notification).where(Notification.user_id == colleague.id)).one()
    refused = post_form(
        client,
        f"/sponsors/{northwind.id}/",
        {"email": colleague.email},
        action=f"/sponsors/{contoso.id}/admins/invite",
    )
    assert refused.status_code == 404
    assert audit_actions().count("sponsor.admin_invited") == 1


def _invite_note() -> Notification:
    return db.session.scalars(
        select(Notification).where(Notification.dedup_key.like("sponsor-invite:%"))
    ).one()


def _link_in(note: Notification) -> str:
    return note.payload["text"].split("\n")[3].split("http://localhost", 1)[1]


def test_an_invitee_without_an_account_creates_a_verified_one_through_the_link(
    client: FlaskClient, ctx: None
) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    org = make_org()
    db.session.commit()
    service.invite_sponsor_admin(org.id, "New.HR@northwind.example", actor_id=admin.id, now=utcnow())
    db.session.commit()
    note = _invite_note()
    assert note.payload["to"] == "new.hr@northwind.example"
    mailer = RecordingMailer()
    dispatch_due(utcnow() + timedelta(minutes=1), mailer=mailer)
    to = mailer.sent[0]["To"].addresses[0]
    assert (to.addr_spec, to.display_name) == ("new.hr@northwind.example", "")  # not the inviter's name
    assert "/sponsors/invitations/" not in shown_in_app(note.payload)[0]  # the inviter's inbox hides it
    path = _link_in(note)
    page = client.get(path)
    assert page.status_code == 200
    assert "new.hr@northwind.example" in page.get_data(as_text=True)
    weak = post_form(
        client, path, {"display_name": "Nadia", "timezone": "Europe/London", "password": "short"}
    )
    assert weak.status_code == 200
    assert "Please use at least" in weak.get_data(as_text=True)
    assert not db.session.scalars(select(User).where(User.email == "new.hr@northwind.example")).all()
    response = post_form(
        client,
        path,
        {"display_name": "Nadia", "timezone": "Europe/London", "password": "plum kettle harbour violin"},
    )
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "new.hr@northwind.example")).one()
    assert user.is_verified and user.display_name == "Nadia" and user.timezone == "Europe/London"
    role = db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).one()
    assert (role.role, role.organization_id) == ("sponsor_admin", org.id)
    assert {"sponsor.admin_account_created", "role.granted"} <= set(audit_actions())
    assert client.get(f"/sponsors/{org.id}/").status_code == 200  # she is logged in
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/settings")})
    used = client.get(path)
    assert used.status_code == 400
    assert "already been accepted" in used.get_data(as_text=True)


def test_an_invitee_with_an_account_is_sent_to_log_in_first(client: FlaskClient, ctx: None) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    hr = make_user("hr@northwind.example")
    org = make_org()
    db.session.commit()
    service.invite_sponsor_admin(org.id, hr.email, actor_id=admin.id, now=utcnow())
    db.session.commit()
    path = _invite_link(hr.id)
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalars(select(User)).all() == [admin, hr]


def test_an_expired_invitation_gets_a_clear_page_before_any_form(client: FlaskClient, ctx: None) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    org = make_org()
    db.session.commit()
    service.invite_sponsor_admin(org.id, "new@northwind.example", actor_id=admin.id,
                                 now=utcnow() - timedelta(days=8))
    db.session.commit()
    note = _invite_note()
    response = client.get(_link_in(note))
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert "password" not in response.get_data(as_text=True).lower()
