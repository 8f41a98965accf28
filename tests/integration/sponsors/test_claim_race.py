"""Thirty employees claim a seat from a five-seat pool at the same moment.

The guarded claim (one conditional UPDATE for the pool seat, one for the circle seat, in one
transaction) ends with exactly five claims. The control runs a naive check-then-act claim the
same way on PostgreSQL and shows that it over-claims, so the first test is known to test a real race.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentoring.circles.enrollment import CircleFull, hold_seat
from mentoring.circles.models import Circle, Enrollment, Funding
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.sponsors.claims import PoolFull, claim_sponsored_seat
from mentoring.sponsors.models import SeatClaim, SeatPool
from tests.conftest import is_postgres, requires_postgres
from tests.factories import make_circle
from tests.helpers import run_at_once
from tests.integration.sponsors.conftest import link_employee, make_org, make_pool

_runs = itertools.count(1)
EMPLOYEES = 30
SEATS = 5

ClaimFunc = Callable[[int, int, datetime], object]


def guarded_claim(circle_id: int, user_id: int, now: datetime) -> object:
    return claim_sponsored_seat(circle_id, user_id, agreed=True, now=now)


def naive_claim(circle_id: int, user_id: int, now: datetime) -> object:
    """The bug the ledger prevents: count the pool's claims in Python, then act on the stale count."""
    pool = db.session.scalars(select(SeatPool).order_by(SeatPool.id.desc()).limit(1)).one()
    claimed = db.session.scalar(select(func.count(SeatClaim.id)).where(SeatClaim.pool_id == pool.id))
    time.sleep(0.005)  # a request does other work here; it widens the window the race needs
    if claimed >= pool.seats:
        raise PoolFull()
    enrollment = hold_seat(circle_id, user_id, price_cents=0, funding=Funding.SPONSOR, agreed=True, now=now)
    db.session.add(
        SeatClaim(
            pool_id=pool.id, enrollment_id=enrollment.id, membership_number=1, user_id=user_id, claimed_at=now
        )
    )
    db.session.flush()
    return enrollment


def race(app: Flask, claim: ClaimFunc) -> tuple[int, int, int, int]:
    """Everyone claims a seat in one 12-seat circle from one 5-seat pool at once; returns
    (claims made, pool counter, circle seats taken, refusals)."""
    with app.app_context():
        n = next(_runs)
        org = make_org(f"Race {n}", f"race{n}.example")
        make_pool(org, seats=SEATS, cap_cents=2000)
        circle_id = make_circle(capacity=12, price_mode="fixed", price_cents=1500).id
        ids = [link_employee(org).id for _ in range(EMPLOYEES)]
        db.session.commit()

    def employee(user_id: int) -> None:
        claim(circle_id, user_id, utcnow())
        db.session.commit()

    raised = run_at_once(app, [partial(employee, uid) for uid in ids])
    refused = [error for error in raised if isinstance(error, (PoolFull, CircleFull))]
    errors = [error for error in raised if error not in refused]
    assert errors == [], errors[:3]
    with app.app_context():
        pool = db.session.scalars(select(SeatPool).order_by(SeatPool.id.desc()).limit(1)).one()
        claims = db.session.scalar(select(func.count(SeatClaim.id)).where(SeatClaim.pool_id == pool.id))
        circle = db.session.get(Circle, circle_id)
        active = db.session.scalar(
            select(func.count(Enrollment.id)).where(
                Enrollment.circle_id == circle_id, Enrollment.status.in_(["active", "held"])
            )
        )
        assert active == circle.seats_taken
        return claims, pool.seats_claimed, circle.seats_taken, len(refused)


@pytest.mark.skipif(is_postgres(), reason="the SQLite run; this run is on PostgreSQL")
def test_thirty_claims_on_a_five_seat_pool_end_with_five_on_sqlite(app: Flask) -> None:
    assert race(app, guarded_claim) == (SEATS, SEATS, SEATS, EMPLOYEES - SEATS)


@requires_postgres
@pytest.mark.postgres
def test_thirty_claims_on_a_five_seat_pool_end_with_five_on_postgres(app: Flask) -> None:
    assert race(app, guarded_claim) == (SEATS, SEATS, SEATS, EMPLOYEES - SEATS)


@requires_postgres
@pytest.mark.postgres
def test_control_without_the_ledger_the_race_over_claims(app: Flask) -> None:
    over = 0
    for _ in range(5):
        claims, _, _, _ = race(app, naive_claim)
        over += claims > SEATS
    assert over >= 1, "the naive claim never over-claimed: the race test would prove nothing"
