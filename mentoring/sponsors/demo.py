"""The demo employer for `seed-demo`: Northwind, with an active pool, an invite code, and employees
whose sponsored circles give its report both real figures and a suppressed month.

Rows are written directly (the circles met in the past, which the services rightly refuse).
Idempotent: an organisation that exists is left as it is.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.accounts.roles import grant_role
from mentoring.circles.agreement import version_to_accept
from mentoring.circles.catalog import DEFAULT_AGREEMENT
from mentoring.circles.models import (
    Attendance,
    AttendanceStatus,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Funding,
    Meeting,
    MeetingStatus,
)
from mentoring.circles.schedule import weekly_slots
from mentoring.extensions import db
from mentoring.sponsors.models import (
    EmployeeLink,
    InviteCode,
    LinkMethod,
    Organization,
    OrganizationDomain,
    PoolPayment,
    PoolStatus,
    SeatClaim,
    SeatPool,
)
from mentoring.sponsors.reports import close_months

ORGANIZATION = "Northwind"
INVITE_CODE = "NRTH-WIND-DEMO"
EMPLOYEES = ("Lena", "Marisol", "Ruth", "Adaeze", "Kim", "Noor", "Bianca", "Hye-jin", "Orla")
# (title, first meeting weeks ago, meetings, employees): six in one circle give real figures,
# three in an earlier one make a month that reads "fewer than 5".
CIRCLES = (
    ("Finding your feet again (spring term)", 22, 4, 3),
    ("Ambition without burnout (summer term)", 13, 8, 6),
)


def seed_sponsors(now: datetime) -> list[str]:
    """Northwind and its demo data, once; returns the lines `make run` prints."""
    lines = [
        f"Northwind invite code for employees: {INVITE_CODE}",
        f"employee1@demo.hearth … employee{len(EMPLOYEES)}@demo.hearth (Northwind employees)",
    ]
    if db.session.scalar(select(Organization.id).where(Organization.name == ORGANIZATION)) is not None:
        return lines
    hr = db.session.scalar(select(User).where(User.email == "hr@demo.hearth"))
    facilitator = db.session.scalar(select(User).where(User.email == "facilitator1@demo.hearth"))
    if hr is None or facilitator is None:
        return []
    start = now - timedelta(weeks=26)
    org = Organization(name=ORGANIZATION, billing_email="accounts@northwind.example", created_at=start)
    org.domains = [OrganizationDomain(domain="northwind.example", verified_at=start)]
    db.session.add(org)
    db.session.flush()
    grant_role(
        hr.id, Role.SPONSOR_ADMIN, actor_id=None, now=start, organization_id=org.id, reason="demo data"
    )
    pool = SeatPool(
        organization_id=org.id,
        seats=20,
        price_cap_cents=2500,
        meetings_per_seat=8,
        currency="USD",
        amount_cents=20 * 2500 * 8,
        valid_from=start,
        valid_until=start + timedelta(days=365),
        status=PoolStatus.ACTIVE,
        payment_method=PoolPayment.MANUAL,
        created_at=start,
        activated_at=start,
    )
    db.session.add(pool)
    db.session.add(
        InviteCode(
            organization_id=org.id,
            code=INVITE_CODE,
            max_uses=50,
            created_at=start,
            expires_at=now + timedelta(days=365),
        )
    )
    employees = [
        User(
            email=f"employee{n}@demo.hearth",
            password_hash=hr.password_hash,
            display_name=name,  # never her employer: circle members must not learn it
            timezone="America/New_York",
            email_verified_at=start,
            created_at=start,
            email_opt_out=[],
        )
        for n, name in enumerate(EMPLOYEES, start=1)
    ]
    db.session.add_all(employees)
    db.session.flush()
    db.session.add_all(
        EmployeeLink(user_id=e.id, organization_id=org.id, method=LinkMethod.INVITE_CODE, linked_at=start)
        for e in employees
    )
    taken = 0
    for title, weeks_ago, meetings, people in CIRCLES:
        members = employees[taken : taken + people]
        taken += people
        _past_circle(title, facilitator, members, pool, now - timedelta(weeks=weeks_ago), meetings, now)
    db.session.flush()
    close_months(org.id, now)
    return lines


def _past_circle(
    title: str,
    facilitator: User,
    members: list[User],
    pool: SeatPool,
    first: datetime,
    meetings: int,
    now: datetime,
) -> None:
    circle = Circle(
        facilitator_id=facilitator.id,
        title=title,
        theme="returning_to_work",
        description="A circle for mothers back at work.",
        capacity=8,
        min_to_run=4,
        meeting_link="https://meet.example.org/hearth-demo",
        timezone="America/New_York",
        weekday=first.weekday(),
        start_time=time(12, 30),
        duration_minutes=60,
        first_date=first.date(),
        meeting_count=meetings,
        status=CircleStatus.COMPLETED,
        agreement_text=DEFAULT_AGREEMENT,
        price_mode="fixed",
        currency="USD",
        price_cents=2000,
        created_at=first - timedelta(weeks=3),
        published_at=first - timedelta(weeks=3),
        seats_taken=0,
    )
    db.session.add(circle)
    db.session.flush()
    version = version_to_accept(circle.id)
    joined = first - timedelta(days=7)
    rows = [
        Meeting(
            circle_id=circle.id,
            sequence=slot.sequence,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            status=MeetingStatus.HELD,
        )
        for slot in weekly_slots(first.date(), time(12, 30), 60, "America/New_York", meetings)
    ]
    db.session.add_all(rows)
    for index, member in enumerate(members):
        enrollment = Enrollment(
            circle_id=circle.id,
            user_id=member.id,
            status=EnrollmentStatus.COMPLETED,
            funding=Funding.SPONSOR,
            price_cents=0,
            agreed_at=joined,
            agreement_version=version,
            joined_at=joined,
        )
        db.session.add(enrollment)
        db.session.flush()
        db.session.add(
            SeatClaim(
                pool_id=pool.id,
                enrollment_id=enrollment.id,
                membership_number=1,
                user_id=member.id,
                claimed_at=joined,
            )
        )
        pool.seats_claimed += 1
        for meeting in rows:
            # Most come every week; one in three misses the third meeting, one has a sick child once.
            status = AttendanceStatus.PRESENT
            if meeting.sequence == 3 and index % 3 == 0:
                status = AttendanceStatus.ABSENT
            elif meeting.sequence == 2 and index == 1:
                status = AttendanceStatus.EXCUSED
            db.session.add(
                Attendance(meeting_id=meeting.id, user_id=member.id, status=status, marked_at=meeting.ends_at)
            )
