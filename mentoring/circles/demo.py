"""Demo circles: a dozen circles run by the demo facilitators, some open, one full, some running.

Each facilitator runs circles in or near her own timezone, as a real one would.

Rows are written directly (not through the service) because running circles rightly start in
the past, which the service refuses for new circles. Idempotent: a circle whose title exists is
left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.circles.agenda import default_agenda
from mentoring.circles.agreement import version_to_accept
from mentoring.circles.catalog import DEFAULT_AGREEMENT
from mentoring.circles.models import (
    Attendance,
    AttendanceStatus,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.circles.schedule import weekly_slots
from mentoring.extensions import db

MEMBER_COUNT = 40


@dataclass(frozen=True)
class DemoCircle:
    title: str
    theme: str
    facilitator: int  # facilitatorN@demo.hearth
    timezone: str
    weekday: int
    start: time
    status: str
    members: int
    weeks_from_now: int = 2  # first meeting; negative for a circle already running
    fmt: str = "virtual"
    price: tuple[str, str, int | None, tuple[int, int, int] | None] = ("free", "USD", None, None)
    capacity: int = 8
    waitlist: int = 0
    kids_welcome: bool = False
    onsite_childcare: bool = False
    description: str = ""


FREE = ("free", "USD", None, None)
FIXED_USD = ("fixed", "USD", 1500, None)
SLIDING_USD = ("sliding", "USD", None, (0, 1200, 3000))

CIRCLES: tuple[DemoCircle, ...] = (
    DemoCircle("Back to Work, Together", "returning_to_work", 2, "America/New_York", 1, time(20, 30),
               CircleStatus.OPEN, 4, price=SLIDING_USD, kids_welcome=True,
               description="For mothers heading back after parental leave: the first weeks, the guilt, "
                           "the logistics, and finding your feet again."),
    DemoCircle("Leading While Mothering", "leadership_and_promotion", 4, "America/Chicago", 2, time(12, 0),
               CircleStatus.RUNNING, 6, weeks_from_now=-4, price=FIXED_USD,
               description="A lunchtime circle for mothers stepping into leadership or going for promotion."),
    DemoCircle("The Juggle: Work and Family", "balancing_work_and_family", 1, "Europe/London", 3,
               time(19, 30), CircleStatus.FULL, 6, capacity=6, waitlist=3, fmt="hybrid",
               price=("sliding", "GBP", None, (0, 800, 2000)),
               description="Weekly evening circle on keeping work and home in balance, online or in person."),
    DemoCircle("New Chapter: Changing Careers", "career_change", 3, "Europe/Berlin", 0, time(20, 0),
               CircleStatus.OPEN, 3, price=("fixed", "EUR", 1200, None),
               description="Thinking of a new path? Share the doubts and plans with others doing it too."),
    DemoCircle("Holding Grief Gently", "grief_and_loss", 4, "America/Los_Angeles", 6, time(10, 0),
               CircleStatus.RUNNING, 5, weeks_from_now=-3, kids_welcome=True,
               description="A gentle, free circle for mothers living with loss while still working."),
    DemoCircle("Expecting and Employed", "new_and_expecting_mothers", 2, "America/Toronto", 1, time(13, 0),
               CircleStatus.OPEN, 2, kids_welcome=True,
               description="Lunchtime circle for expecting and new mothers planning leave and the return."),
    DemoCircle("Solo and Strong", "single_mothers", 2, "America/New_York", 3, time(21, 0),
               CircleStatus.RUNNING, 5, weeks_from_now=-2, price=SLIDING_USD,
               description="After-bedtime circle for single mothers: no judgement, practical support."),
    DemoCircle("Nap-Time Circle", "new_and_expecting_mothers", 1, "Europe/Dublin", 4, time(13, 0),
               CircleStatus.OPEN, 4, fmt="in_person", onsite_childcare=True,
               description="In person, with childcare in the next room, during the afternoon nap."),
    DemoCircle("Stepping Up: First-Time Managers", "leadership_and_promotion", 1, "Europe/London", 0,
               time(20, 30), CircleStatus.DRAFT, 0, weeks_from_now=3, price=("fixed", "GBP", 1000, None),
               description="For mothers managing a team for the first time."),
    DemoCircle("Returning After a Long Break", "returning_to_work", 4, "America/Denver", 5, time(9, 30),
               CircleStatus.OPEN, 3, fmt="in_person", price=FIXED_USD, onsite_childcare=True,
               description="Saturday-morning circle for mothers returning after several years at home."),
    DemoCircle("After Bedtime: Work-Life Balance", "balancing_work_and_family", 3, "Europe/Paris", 2,
               time(20, 30), CircleStatus.RUNNING, 6, weeks_from_now=-5,
               price=("sliding", "EUR", None, (0, 1000, 2500)),
               description="Once the children are asleep: boundaries, energy and the mental load."),
    DemoCircle("Mothers in STEM", "other", 2, "America/New_York", 1, time(12, 30), CircleStatus.OPEN, 5,
               fmt="hybrid", price=SLIDING_USD,
               description="Lab, code and field work with children: a circle for mothers in STEM careers."),
)


def _first_date(spec: DemoCircle, now: datetime) -> date:
    """The spec's weekday, `weeks_from_now` weeks from today in the circle's zone."""
    today = now.astimezone(ZoneInfo(spec.timezone)).date()
    start_of_week = today - timedelta(days=today.weekday())
    return start_of_week + timedelta(days=spec.weekday, weeks=spec.weeks_from_now)


def _mark(member_index: int, sequence: int, meetings_held: int) -> tuple[str, str | None]:
    """A believable mix: mostly present, some excused, a few absences, and one member gone quiet."""
    if member_index == 0 and sequence > meetings_held - 2:
        return AttendanceStatus.ABSENT, None
    turn = (member_index * 3 + sequence) % 9
    if turn == 0:
        return AttendanceStatus.EXCUSED, "sick child"
    if turn == 4:
        return AttendanceStatus.ABSENT, None
    return AttendanceStatus.PRESENT, None


def seed_circles(now: datetime) -> None:
    """Create the demo circles that do not exist yet (by title); flushes, never commits."""
    facilitators = {
        u.email: u for u in db.session.execute(
            select(User).where(User.email.in_([f"facilitator{n}@demo.hearth" for n in range(1, 5)]))
        ).scalars()
    }
    members_by_email = {
        u.email: u for u in db.session.execute(
            select(User).where(User.email.in_([f"member{n}@demo.hearth" for n in range(1, MEMBER_COUNT + 1)]))
        ).scalars()
    }
    members = [members_by_email[e] for e in (f"member{n}@demo.hearth" for n in range(1, MEMBER_COUNT + 1))
               if e in members_by_email]
    existing = set(db.session.execute(
        select(Circle.title).where(Circle.title.in_([c.title for c in CIRCLES]))
    ).scalars())
    next_member = 0
    for spec in CIRCLES:
        wanted = spec.members + spec.waitlist
        picked = [members[(next_member + k) % len(members)] for k in range(min(wanted, len(members)))] \
            if members else []
        next_member += wanted
        facilitator = facilitators.get(f"facilitator{spec.facilitator}@demo.hearth")
        if spec.title in existing or facilitator is None:
            continue
        _seed_one(spec, facilitator, picked, now)


def _seed_one(spec: DemoCircle, facilitator: User, picked: list[User], now: datetime) -> None:
    mode, currency, fixed, sliding = spec.price
    first = _first_date(spec, now)
    circle = Circle(
        facilitator_id=facilitator.id, title=spec.title, theme=spec.theme, description=spec.description,
        capacity=spec.capacity, min_to_run=4, format=spec.fmt,
        meeting_link="https://meet.example.org/hearth-demo" if spec.fmt != "in_person" else None,
        address="Community Hall, 12 Market Street" if spec.fmt != "virtual" else None,
        kids_welcome=spec.kids_welcome, onsite_childcare=spec.onsite_childcare, timezone=spec.timezone,
        weekday=first.weekday(), start_time=spec.start, duration_minutes=60, first_date=first,
        meeting_count=8, status=spec.status, agreement_text=DEFAULT_AGREEMENT, price_mode=mode,
        currency=currency, price_cents=fixed,
        sliding_min_cents=sliding[0] if sliding else None,
        sliding_suggested_cents=sliding[1] if sliding else None,
        sliding_max_cents=sliding[2] if sliding else None,
        created_at=now - timedelta(weeks=8),
        published_at=None if spec.status == CircleStatus.DRAFT else now - timedelta(weeks=7),
        seats_taken=0,
    )
    db.session.add(circle)
    db.session.flush()
    agreed_version = version_to_accept(circle.id)
    meetings = []
    for slot in weekly_slots(first, spec.start, 60, spec.timezone, 8):
        meeting = Meeting(circle_id=circle.id, sequence=slot.sequence, starts_at=slot.starts_at,
                          ends_at=slot.ends_at, status=MeetingStatus.SCHEDULED,
                          agenda=default_agenda(slot.sequence, 8))
        meetings.append(meeting)
    db.session.add_all(meetings)
    price = fixed if mode == "fixed" else (sliding[1] if sliding else 0)
    joined = now - timedelta(weeks=6)
    active = picked[:spec.members]
    enrollments = [
        Enrollment(circle_id=circle.id, user_id=user.id, status=EnrollmentStatus.ACTIVE, funding=(
            "free" if not price else "self"), price_cents=price or 0, agreed_at=joined,
            agreement_version=agreed_version, joined_at=joined)
        for user in active
    ]
    enrollments += [
        Enrollment(circle_id=circle.id, user_id=user.id, status=EnrollmentStatus.WAITLISTED,
                   funding="free" if not price else "self", price_cents=price or 0, agreed_at=now,
                   agreement_version=agreed_version,
                   waitlisted_at=now - timedelta(days=3 - k))
        for k, user in enumerate(picked[spec.members:])
    ]
    db.session.add_all(enrollments)
    circle.seats_taken = len(active)
    db.session.flush()
    held = [m for m in meetings if m.ends_at <= now]
    for meeting in held:
        meeting.status = MeetingStatus.HELD
        for index, user in enumerate(active):
            status, note = _mark(index, meeting.sequence, len(held))
            db.session.add(Attendance(meeting_id=meeting.id, user_id=user.id, status=status, note=note,
                                      marked_at=meeting.ends_at))
    db.session.flush()
