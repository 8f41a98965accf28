"""What the admin pages read: applications waiting, accounts and the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mentoring.accounts.models import FacilitatorApplication, User
from mentoring.audit.models import AuditEntry
from mentoring.extensions import db

PER_PAGE = 25


@dataclass(frozen=True)
class AuditPage:
    entries: Pagination
    people: dict[int, User]  # the actors and user subjects shown on this page, by id


def pending_applications() -> list[FacilitatorApplication]:
    """Facilitator applications waiting for a decision, oldest first, with their applicants."""
    return list(db.session.execute(
        select(FacilitatorApplication)
        .where(FacilitatorApplication.status == "pending")
        .options(selectinload(FacilitatorApplication.user))
        .order_by(FacilitatorApplication.created_at, FacilitatorApplication.id)
    ).scalars())


def search_users(query: str, page: int, per_page: int = PER_PAGE) -> Pagination:
    """Accounts whose email contains `query` (all when empty), newest first."""
    statement = select(User).order_by(User.created_at.desc(), User.id.desc())
    query = query.strip().lower()
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(User.email.like(f"%{escaped}%", escape="\\"))
    return db.paginate(statement, page=max(page, 1), per_page=per_page, error_out=False)


def audit_log(page: int, per_page: int = PER_PAGE) -> AuditPage:
    """Audit entries, newest first, with the people they name loaded in one query."""
    entries = db.paginate(
        select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        page=max(page, 1), per_page=per_page, error_out=False,
    )
    ids = {e.actor_id for e in entries.items if e.actor_id is not None}
    ids |= {e.subject_id for e in entries.items if e.subject_type == "user" and e.subject_id is not None}
    people = {}
    if ids:
        people = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}
    return AuditPage(entries=entries, people=people)
