"""The periodic jobs: lapsed holds and offers let go, each exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mentoring.circles import enrollment as seats
from mentoring.circles.jobs import expire_lapsed_offers, release_expired_holds
from mentoring.circles.models import Circle, Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.jobs.registry import load_jobs
from mentoring.notify.models import Notification
from tests.factories import enroll, make_circle, make_user

pytestmark = pytest.mark.usefixtures("ctx")


def test_both_jobs_are_registered_to_run_every_minute() -> None:
    jobs = load_jobs()
    for name in ("release_expired_holds", "expire_lapsed_offers"):
        assert jobs[f"mentoring.circles.jobs.{name}"].seconds == 60


def test_an_expired_hold_is_released_once_and_its_seat_offered_to_the_waitlist() -> None:
    circle = make_circle(capacity=4, price_mode="fixed", price_cents=1500)
    for _ in range(3):
        enroll(circle, make_user())
    now = utcnow()
    held = seats.hold_seat(circle.id, make_user().id, price_cents=1500, funding="self", agreed=True, now=now)
    waiting = seats.join_waitlist(circle.id, make_user().id, agreed=True, now=now)
    assert release_expired_holds(now + timedelta(minutes=29)) == 0
    later = now + timedelta(minutes=31)
    assert release_expired_holds(later) == 1
    assert release_expired_holds(later) == 0
    assert db.session.get(Enrollment, held.id).status == "left"
    offer = db.session.get(Enrollment, waiting.id)
    assert offer.status == "offered" and offer.offer_expires_at == later + timedelta(hours=48)
    assert db.session.get(Circle, circle.id).seats_taken == 4


def test_a_lapsed_offer_goes_to_the_next_person_and_she_is_told() -> None:
    circle = make_circle(capacity=4)
    members = [enroll(circle, make_user()) for _ in range(4)]
    circle.status = "full"
    now = utcnow()
    first = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    second = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    seats.leave_circle(members[0].id, members[0].user_id, now=now)
    assert expire_lapsed_offers(now + timedelta(hours=47)) == 0
    later = now + timedelta(hours=49)
    assert expire_lapsed_offers(later) == 1
    assert expire_lapsed_offers(later) == 0
    assert db.session.get(Enrollment, first.id).status == "left"
    assert db.session.get(Enrollment, second.id).status == "offered"
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == first.user_id)).all()
    assert sorted(kinds) == ["waitlist_offer", "waitlist_offer_lapsed"]
    assert db.session.get(Circle, circle.id).seats_taken == 4


def test_a_lapsed_offer_with_nobody_waiting_frees_the_seat() -> None:
    circle = make_circle(capacity=4)
    offered = enroll(circle, make_user(), status="offered")
    now = utcnow()
    offered.offer_expires_at = now - timedelta(minutes=1)
    db.session.flush()
    assert expire_lapsed_offers(now) == 1
    assert db.session.get(Circle, circle.id).seats_taken == 0
