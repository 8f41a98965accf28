"""The demo circles: varied, consistent, and seeded only once."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from mentoring.accounts.models import Role
from mentoring.circles.demo import seed_circles
from mentoring.circles.models import SEAT_STATUSES, Attendance, Circle, Enrollment, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import make_user
from tests.helpers import count


def demo_people() -> None:
    for n in range(1, 5):
        make_user(f"facilitator{n}@demo.hearth", roles=(Role.FACILITATOR,))
    for n in range(1, 41):
        make_user(f"member{n}@demo.hearth")


def test_seed_builds_a_varied_consistent_set_of_circles_once(ctx: None) -> None:
    demo_people()
    now = utcnow()
    seed_circles(now)
    circles = db.session.execute(select(Circle)).scalars().all()
    assert len(circles) == 12
    assert len({c.theme for c in circles}) >= 7
    assert {c.price_mode for c in circles} == {"free", "fixed", "sliding"}
    assert {"USD", "GBP", "EUR"} <= {c.currency for c in circles}
    assert {c.format for c in circles} == {"virtual", "in_person", "hybrid"}
    assert any(c.timezone.startswith("America/") for c in circles)
    assert any(c.timezone.startswith("Europe/") for c in circles)
    assert len({c.facilitator_id for c in circles}) == 4
    statuses = Counter(c.status for c in circles)
    assert statuses["open"] >= 3 and statuses["running"] >= 2 and statuses["full"] == 1

    for circle in circles:
        seats = db.session.execute(select(func.count()).select_from(Enrollment).where(
            Enrollment.circle_id == circle.id, Enrollment.status.in_([str(s) for s in SEAT_STATUSES]))
        ).scalar_one()
        assert circle.seats_taken == seats, circle.title
    full = next(c for c in circles if c.status == "full")
    assert (full.capacity, full.seats_taken) == (6, 6)
    waiting = db.session.execute(select(Enrollment).where(
        Enrollment.circle_id == full.id, Enrollment.status == "waitlisted")).scalars().all()
    assert len(waiting) == 3 and len({w.waitlisted_at for w in waiting}) == 3

    running = [c for c in circles if c.status == "running"]
    for circle in running:
        held = db.session.execute(select(Meeting).where(
            Meeting.circle_id == circle.id, Meeting.status == "held")).scalars().all()
        assert held and all(m.starts_at < now for m in held)
    marks = Counter(db.session.execute(select(Attendance.status)).scalars())
    assert set(marks) == {"present", "absent", "excused"}

    totals = (count(Circle), count(Meeting), count(Enrollment), count(Attendance))
    seed_circles(now)
    assert (count(Circle), count(Meeting), count(Enrollment), count(Attendance)) == totals


def test_seed_skips_quietly_when_the_demo_accounts_are_missing(ctx: None) -> None:
    seed_circles(utcnow())
    assert count(Circle) == 0
