"""The demo employer: Northwind with an active pool, the printed code, and a report with both
real figures and a suppressed month."""

from __future__ import annotations

from sqlalchemy import func, select

from mentoring.accounts.models import RoleAssignment, User
from mentoring.db import utcnow
from mentoring.demo import seed
from mentoring.extensions import db
from mentoring.sponsors.demo import INVITE_CODE
from mentoring.sponsors.models import InviteCode, Organization
from mentoring.sponsors.reports import sponsor_report


def test_the_demo_seeds_northwind_once_with_a_report_worth_showing(ctx: None, capsys) -> None:  # noqa: ANN001
    seed()
    seed()
    assert INVITE_CODE in capsys.readouterr().out
    org = db.session.scalars(select(Organization)).one()
    assert db.session.scalar(select(func.count(InviteCode.id))) == 1
    hr = db.session.scalar(select(User).where(User.email == "hr@demo.hearth"))
    role = db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == hr.id)).one()
    assert (role.role, role.organization_id) == ("sponsor_admin", org.id)
    report = sponsor_report(org.id, utcnow())
    assert any(line.cell.suppressed for line in report.months)
    assert any(not line.cell.suppressed for line in report.months)
    assert report.pools[0].status == "active"
