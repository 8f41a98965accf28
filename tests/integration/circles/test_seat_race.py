"""Forty members press "Join" for eight seats at the same moment.

The guarded path (one conditional UPDATE per seat) must never oversell. The control test runs a
naive check-then-act join the same way on PostgreSQL and shows it does oversell, so the first
test is known to be testing a real race.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentoring.circles.enrollment import hold_seat, join_free_circle, waitlist_position
from mentoring.circles.models import Circle, Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import is_postgres, requires_postgres
from tests.factories import make_circle, make_user
from tests.helpers import run_at_once

MEMBERS = 40
SEATS = 8
REPETITIONS = 10

JoinFunc = Callable[[int, int, datetime], object]


def guarded_join(circle_id: int, user_id: int, now: datetime) -> object:
    return join_free_circle(circle_id, user_id, agreed=True, now=now)


def naive_join(circle_id: int, user_id: int, now: datetime) -> object:
    """The bug the guard prevents: count in Python, then act on the stale count."""
    circle = db.session.get(Circle, circle_id)
    active = db.session.scalar(
        select(func.count()).where(Enrollment.circle_id == circle_id, Enrollment.status == "active")
    )
    time.sleep(0.005)  # a request does other work here; it widens the window the race needs
    status = "active" if active < circle.capacity else "waitlisted"
    enrollment = Enrollment(circle_id=circle_id, user_id=user_id, status=status, agreed_at=now,
                            waitlisted_at=now if status == "waitlisted" else None, funding="free")
    db.session.add(enrollment)
    db.session.flush()
    return enrollment


def make_members(app: Flask) -> list[int]:
    with app.app_context():
        ids = [make_user().id for _ in range(MEMBERS)]
        db.session.commit()
        return ids


def race(app: Flask, join: JoinFunc, member_ids: list[int]) -> int:
    """Everyone joins one fresh 8-seat circle at once; returns the circle id."""
    with app.app_context():
        circle_id = make_circle(capacity=SEATS).id
        db.session.commit()

    def member(user_id: int) -> None:
        join(circle_id, user_id, utcnow())
        db.session.commit()

    errors = run_at_once(app, [partial(member, uid) for uid in member_ids])
    assert errors == [], errors[:3]
    return circle_id


def outcome(app: Flask, circle_id: int) -> tuple[int, int, int, list[int]]:
    with app.app_context():
        rows = db.session.execute(
            select(Enrollment.status, Enrollment.user_id).where(Enrollment.circle_id == circle_id)
            .order_by(Enrollment.waitlisted_at, Enrollment.id)
        ).all()
        active = sum(1 for status, _ in rows if status == "active")
        waiting = [uid for status, uid in rows if status == "waitlisted"]
        seats_taken = db.session.get(Circle, circle_id).seats_taken
        return active, seats_taken, len({uid for _, uid in rows}), waiting


def assert_no_oversell(app: Flask) -> None:
    member_ids = make_members(app)
    for _ in range(REPETITIONS):
        circle_id = race(app, guarded_join, member_ids)
        active, seats_taken, distinct_members, waiting = outcome(app, circle_id)
        assert (active, seats_taken) == (SEATS, SEATS)
        assert len(waiting) == MEMBERS - SEATS
        assert distinct_members == MEMBERS  # nobody enrolled twice
        with app.app_context():
            waitlisted = db.session.scalars(
                select(Enrollment).where(Enrollment.circle_id == circle_id, Enrollment.status == "waitlisted")
            )
            positions = [waitlist_position(e) for e in waitlisted]
        assert sorted(positions) == list(range(1, MEMBERS - SEATS + 1))


@pytest.mark.skipif(is_postgres(), reason="the SQLite run; this run is on PostgreSQL")
def test_forty_members_racing_for_eight_seats_never_oversell_on_sqlite(app: Flask) -> None:
    """SQLite serialises writers; the busy timeout makes the losers wait instead of failing."""
    assert_no_oversell(app)


@requires_postgres
@pytest.mark.postgres
def test_forty_members_racing_for_eight_seats_never_oversell_on_postgres(app: Flask) -> None:
    assert_no_oversell(app)


@requires_postgres
@pytest.mark.postgres
def test_control_without_the_guard_the_race_oversells(app: Flask) -> None:
    member_ids = make_members(app)
    oversold = 0
    for _ in range(REPETITIONS):
        circle_id = race(app, naive_join, member_ids)
        active, _, _, _ = outcome(app, circle_id)
        oversold += active > SEATS
    assert oversold >= 1, "the naive join never oversold: the race test would prove nothing"


def test_a_burst_of_double_clicks_on_hold_takes_one_seat(app: Flask) -> None:
    """Ten simultaneous "pay and join" clicks by one member: one hold, one seat, no error."""
    with app.app_context():
        member_id = make_user().id
        circle_id = make_circle(capacity=SEATS, price_mode="fixed", price_cents=1500).id
        db.session.commit()

    def click() -> None:
        hold_seat(circle_id, member_id, price_cents=1500, funding="self", agreed=True, now=utcnow())
        db.session.commit()

    assert run_at_once(app, [click] * 10) == []
    with app.app_context():
        statuses = db.session.scalars(
            select(Enrollment.status).where(Enrollment.circle_id == circle_id)
        ).all()
        assert statuses == ["held"]
        assert db.session.get(Circle, circle_id).seats_taken == 1
