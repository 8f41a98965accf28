"""Her sponsor data is in her export and goes with her account."""

from __future__ import annotations

from sqlalchemy import select

from mentoring.accounts.personal_data import delete_account, export_user_data
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.sponsors.claims import claim_sponsored_seat
from mentoring.sponsors.models import EmployeeLink
from tests.factories import PASSWORD, make_circle, make_user
from tests.helpers import fresh
from tests.integration.sponsors.conftest import make_org, make_pool


def test_her_export_holds_her_link_work_address_and_sponsored_seats(ctx: None) -> None:
    org = make_org()
    pool = make_pool(org)
    member = make_user()
    db.session.add(
        EmployeeLink(
            user_id=member.id, organization_id=org.id, method="work_email", work_email="mum@northwind.example"
        )
    )
    claim_sponsored_seat(make_circle().id, member.id, agreed=True, now=utcnow())
    export = export_user_data(member.id, now=utcnow())
    assert export["employer_links"][0]["work_email"] == "mum@northwind.example"
    assert export["employer_links"][0]["organization"] == "Northwind"
    assert [s["status"] for s in export["sponsored_seats"]] == ["claimed"]
    assert fresh(pool).seats_claimed == 1


def test_deleting_her_account_ends_her_link_erases_her_work_address_and_returns_an_unused_seat(
    ctx: None,
) -> None:
    org = make_org()
    pool = make_pool(org)
    member = make_user()
    db.session.add(
        EmployeeLink(
            user_id=member.id, organization_id=org.id, method="work_email", work_email="mum@northwind.example"
        )
    )
    claim_sponsored_seat(make_circle().id, member.id, agreed=True, now=utcnow())
    delete_account(member.id, PASSWORD, now=utcnow())
    link = db.session.scalars(select(EmployeeLink)).one()
    db.session.refresh(link)
    assert link.work_email is None and link.unlinked_at is not None
    assert fresh(pool).seats_claimed == 0  # she left before her second meeting
