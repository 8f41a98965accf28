"""Her part of the sponsors feature in her data export, and what her account deletion does to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from mentoring.accounts.signals import account_deleted, personal_data_export
from mentoring.extensions import db
from mentoring.sponsors.models import EmployeeLink, Organization, SeatClaim, SponsorInvite


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@personal_data_export.connect
def export_sponsorship(sender: object, *, user_id: int, now: datetime, **_: object) -> dict[str, Any]:
    """Her employer links (with the work address, while linked), her sponsored seats and the
    sponsor-admin invitations she accepted, as JSON-ready values."""
    links = db.session.execute(
        select(EmployeeLink, Organization.name)
        .join(Organization, Organization.id == EmployeeLink.organization_id)
        .where(EmployeeLink.user_id == user_id)
        .order_by(EmployeeLink.id)
    ).all()
    claims = db.session.scalars(
        select(SeatClaim).where(SeatClaim.user_id == user_id).order_by(SeatClaim.id)
    ).all()
    invites = db.session.scalars(
        select(SponsorInvite).where(SponsorInvite.accepted_by_id == user_id).order_by(SponsorInvite.id)
    ).all()
    return {
        "employer_links": [
            {
                "organization": name,
                "method": link.method,
                "work_email": link.work_email,
                "linked_at": _iso(link.linked_at),
                "unlinked_at": _iso(link.unlinked_at),
            }
            for link, name in links
        ],
        "sponsored_seats": [
            {
                "enrollment_id": c.enrollment_id,
                "status": c.status,
                "claimed_at": _iso(c.claimed_at),
                "returned_at": _iso(c.returned_at),
            }
            for c in claims
        ],
        "sponsor_admin_invitations": [
            {"organization_id": i.organization_id, "email": i.email, "accepted_at": _iso(i.accepted_at)}
            for i in invites
        ],
    }


@account_deleted.connect
def _on_account_deleted(sender: object, *, user_id: int, now: datetime, **_: object) -> None:
    """Her link ends (keeping its dates, so months already reported do not change) and her work
    address and the address her invitation went to are erased. Her seats are released by
    circles (leaving), which returns a seat to its pool when that is due."""
    db.session.execute(
        update(EmployeeLink)
        .where(EmployeeLink.user_id == user_id)
        .values(work_email=None, unlinked_at=db.func.coalesce(EmployeeLink.unlinked_at, now))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(SponsorInvite)
        .where(SponsorInvite.accepted_by_id == user_id)
        .values(email=f"deleted-{user_id}@deleted.invalid")
        .execution_options(synchronize_session=False)
    )
