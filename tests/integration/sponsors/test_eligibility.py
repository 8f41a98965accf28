"""Employees link themselves: invite codes (rate limited, clear refusals), a work-email link, unlinking."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.models import Notification
from mentoring.sponsors import eligibility
from mentoring.sponsors.models import EmployeeLink, InviteCode
from tests.conftest import post_form
from tests.factories import login, make_user
from tests.helpers import audit_actions, fresh
from tests.integration.sponsors.conftest import make_org, make_sponsor_admin


def _code(org_id: int, *, uses: int = 1, days: int = 30, now=None) -> InviteCode:  # noqa: ANN001
    return eligibility.create_invite_code(
        org_id, max_uses=uses, days=days, actor_id=None, now=now or utcnow()
    )


def _redeem(client: FlaskClient, code: str):  # noqa: ANN202
    return post_form(client, "/sponsors/employer", {"code": code}, action="/sponsors/employer/code")


def test_a_sponsor_admin_creates_a_code_and_it_is_audited(client: FlaskClient, ctx: None) -> None:
    org = make_org()
    hr = make_sponsor_admin(org)
    db.session.commit()
    login(client, hr)
    post_form(
        client, f"/sponsors/{org.id}/", {"max_uses": "25", "days": "30"}, action=f"/sponsors/{org.id}/codes"
    )
    code = db.session.scalars(select(InviteCode)).one()
    assert code.max_uses == 25
    assert code.code in client.get(f"/sponsors/{org.id}/").get_data(as_text=True)
    assert "sponsor.invite_code_created" in audit_actions()


def test_an_employee_links_herself_with_a_code_typed_loosely(client: FlaskClient, ctx: None) -> None:
    org = make_org()
    code = _code(org.id)
    member = make_user()
    db.session.commit()
    login(client, member)
    assert _redeem(client, code.code.lower().replace("-", " ")).status_code == 302
    link = db.session.scalars(select(EmployeeLink)).one()
    assert (link.user_id, link.organization_id, link.method) == (member.id, org.id, "invite_code")
    assert fresh(code).uses == 1


def test_wrong_expired_and_used_up_codes_get_clear_messages_and_change_nothing(
    client: FlaskClient, ctx: None
) -> None:
    org = make_org()
    expired = _code(org.id, now=utcnow() - timedelta(days=40))
    used = _code(org.id)
    used.uses = 1
    member = make_user()
    db.session.commit()
    login(client, member)
    for code, message in (
        ("ZZZZ-ZZZZ-ZZZZ", "We don&#39;t know that code"),
        (expired.code, "This code has expired"),
        (used.code, "This code has been used up"),
    ):
        response = _redeem(client, code)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(EmployeeLink)).all() == []


def test_code_attempts_are_rate_limited(client: FlaskClient, ctx: None) -> None:
    make_org()
    member = make_user()
    db.session.commit()
    login(client, member)
    statuses = [_redeem(client, "WRON-GCOD-EXXX").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_work_email_link_goes_to_the_work_address_and_links_her(client: FlaskClient, ctx: None) -> None:
    org = make_org(domain="northwind.example")
    member = make_user("mum@example.com")
    db.session.commit()
    login(client, member)
    response = post_form(
        client,
        "/sponsors/employer",
        {"work_email": "Mum@Northwind.example"},
        action="/sponsors/employer/work-email",
    )
    assert response.status_code == 302
    note = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).one()
    assert note.payload["to"] == "mum@northwind.example" and note.payload["mailbox_only"]
    path = note.payload["text"].split("\n")[3].split("http://localhost", 1)[1]
    assert db.session.scalars(select(EmployeeLink)).all() == []  # nothing kept until she opens it
    assert client.get(path).status_code == 302
    link = db.session.scalars(select(EmployeeLink)).one()
    assert (link.organization_id, link.work_email) == (org.id, "mum@northwind.example")
    assert fresh(member).email == "mum@example.com"  # she keeps logging in with her own address


def test_a_work_email_outside_the_domains_is_refused(client: FlaskClient, ctx: None) -> None:
    make_org(domain="northwind.example")
    member = make_user()
    db.session.commit()
    login(client, member)
    response = post_form(
        client, "/sponsors/employer", {"work_email": "mum@gmail.com"}, action="/sponsors/employer/work-email"
    )
    assert response.status_code == 400
    assert "not on a domain of an employer" in response.get_data(as_text=True)
    assert db.session.scalars(select(Notification)).all() == []


def test_unlinking_forgets_the_work_address_and_keeps_the_dates(client: FlaskClient, ctx: None) -> None:
    org = make_org()
    member = make_user()
    db.session.add(
        EmployeeLink(
            user_id=member.id, organization_id=org.id, method="work_email", work_email="mum@northwind.example"
        )
    )
    db.session.commit()
    login(client, member)
    post_form(client, "/sponsors/employer", {}, action="/sponsors/employer/unlink")
    link = db.session.scalars(select(EmployeeLink)).one()
    db.session.refresh(link)
    assert link.unlinked_at is not None and link.work_email is None
    assert eligibility.live_link(member.id) is None
