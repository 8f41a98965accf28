"""Sponsor test helpers: organisations with sponsor admins, active pools, linked employees."""

from __future__ import annotations

from datetime import datetime, timedelta

from mentoring.accounts.models import Role, RoleAssignment, User
from mentoring.circles.models import Attendance, Circle, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.sponsors.models import EmployeeLink, Organization, OrganizationDomain, PoolStatus, SeatPool
from tests.factories import make_user


def make_org(name: str = "Northwind", domain: str = "northwind.example") -> Organization:
    org = Organization(name=name, billing_email=f"billing@{domain}")
    org.domains = [OrganizationDomain(domain=domain)]
    db.session.add(org)
    db.session.flush()
    return org


def make_sponsor_admin(org: Organization, email: str | None = None) -> User:
    user = make_user(email)
    db.session.add(RoleAssignment(user_id=user.id, role=str(Role.SPONSOR_ADMIN), organization_id=org.id))
    db.session.flush()
    db.session.refresh(user)
    return user


def make_pool(
    org: Organization,
    *,
    seats: int = 10,
    cap_cents: int = 2000,
    status: str = PoolStatus.ACTIVE,
    now: datetime | None = None,
    valid_days: int = 180,
    method: str = "card",
) -> SeatPool:
    now = now or utcnow()
    pool = SeatPool(
        organization_id=org.id,
        seats=seats,
        price_cap_cents=cap_cents,
        meetings_per_seat=8,
        currency="USD",
        amount_cents=seats * cap_cents * 8,
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=valid_days),
        status=status,
        payment_method=method,
        activated_at=now if status == PoolStatus.ACTIVE else None,
    )
    db.session.add(pool)
    db.session.flush()
    return pool


def link_employee(org: Organization, user: User | None = None, *, linked_at: datetime | None = None) -> User:
    user = user or make_user()
    db.session.add(
        EmployeeLink(
            user_id=user.id,
            organization_id=org.id,
            method="invite_code",
            linked_at=linked_at or utcnow() - timedelta(days=400),
        )
    )
    db.session.flush()
    return user


def mark(circle: Circle, user: User, sequence: int, status: str = "present") -> None:
    meeting = next(m for m in circle.meetings if m.sequence == sequence)
    db.session.add(Attendance(meeting_id=meeting.id, user_id=user.id, status=status))
    db.session.flush()


def first_meeting(circle: Circle) -> Meeting:
    return min(circle.meetings, key=lambda m: m.sequence)
