"""Circles start running and complete on their own; places close kindly; short circles are flagged."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from mentoring.billing.models import Payment
from mentoring.circles import enrollment as seats
from mentoring.circles.jobs import (
    complete_finished_circles,
    start_running_circles,
    warn_facilitators_of_small_circles,
)
from mentoring.circles.models import Circle, Enrollment, Meeting
from mentoring.circles.queries import CircleFilters, browse_circles
from mentoring.extensions import db
from mentoring.jobs.registry import load_jobs
from mentoring.notify.models import Notification
from tests.factories import enroll, login, make_circle, make_user

pytestmark = pytest.mark.usefixtures("ctx")

FIRST = date(2026, 3, 3)  # a Tuesday; 20:30 in London is 20:30 GMT


def circle_of(count: int = 3, **fields: object) -> Circle:
    fields.setdefault("first_date", FIRST)
    return make_circle(meeting_count=count, **fields)


def meetings(circle: Circle) -> list[Meeting]:
    statement = select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.sequence)
    return list(db.session.scalars(statement))


def status_of(circle: Circle) -> str:
    return db.session.scalar(select(Circle.status).where(Circle.id == circle.id))


def place(enrollment: Enrollment) -> str:
    return db.session.scalar(select(Enrollment.status).where(Enrollment.id == enrollment.id))


def notifications(**where: object) -> list[Notification]:
    statement = select(Notification).filter_by(**where).order_by(Notification.id)
    return list(db.session.scalars(statement))


def test_the_lifecycle_jobs_are_registered() -> None:
    jobs = load_jobs()
    for name in ("start_running_circles", "complete_finished_circles", "warn_facilitators_of_small_circles",
                 "queue_meeting_reminders"):
        assert jobs[f"mentoring.circles.jobs.{name}"].seconds <= 900


# --- running -------------------------------------------------------------------------------


def test_an_open_circle_starts_running_when_its_first_meeting_starts_and_only_then() -> None:
    circle = circle_of()
    full = circle_of(capacity=4, status="full")
    draft = circle_of(status="draft")
    cancelled = circle_of(status="cancelled")
    start = meetings(circle)[0].starts_at

    assert start_running_circles(start - timedelta(seconds=1)) == 0
    assert status_of(circle) == "open"
    assert start_running_circles(start) == 2
    assert start_running_circles(start + timedelta(minutes=5)) == 0
    assert [status_of(c) for c in (circle, full, draft, cancelled)] == [
        "running", "running", "draft", "cancelled"]


def test_a_cancelled_first_meeting_does_not_start_the_circle() -> None:
    circle = circle_of()
    first, second, _ = meetings(circle)
    first.status = "cancelled"
    db.session.flush()
    assert start_running_circles(first.starts_at + timedelta(minutes=1)) == 0
    assert status_of(circle) == "open"
    assert start_running_circles(second.starts_at) == 1
    assert status_of(circle) == "running"


def test_a_full_running_circle_still_shows_as_full_and_puts_newcomers_on_the_waitlist(client) -> None:  # noqa: ANN001
    circle = make_circle(capacity=4, meeting_count=4)  # next week, so meetings remain in real time
    for _ in range(4):
        enroll(circle, make_user())
    circle.status = "full"
    start = meetings(circle)[0].starts_at
    start_running_circles(start + timedelta(minutes=1))
    assert status_of(circle) == "running"

    now = start + timedelta(hours=2)
    cards = browse_circles(CircleFilters(), viewer_tz="UTC", now=now).cards
    assert [(card.id, card.status, card.seats_left, card.seats_text) for card in cards] == [
        (circle.id, "running", 0, "Waitlist")
    ]
    newcomer = make_user()
    assert seats.join_free_circle(circle.id, newcomer.id, agreed=True, now=now).status == "waitlisted"
    db.session.commit()
    login(client, make_user())
    db.session.commit()
    assert "Full: waitlist open" in client.get(f"/circles/{circle.id}").get_data(as_text=True)


def test_a_running_circle_with_a_free_seat_stays_joinable_and_running() -> None:
    circle = circle_of(capacity=4, count=4)
    enroll(circle, make_user())
    first, second = meetings(circle)[:2]
    start_running_circles(first.starts_at)
    now = first.ends_at
    joined = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    assert joined.status == "active"
    assert (status_of(circle), db.session.get(Circle, circle.id).seats_taken) == ("running", 2)


# --- completing ----------------------------------------------------------------------------


def test_a_circle_completes_when_its_last_meeting_ends_and_every_place_closes_kindly() -> None:
    circle = circle_of(capacity=4, price_mode="fixed", price_cents=1500, theme="returning_to_work")
    actives = [enroll(circle, make_user()) for _ in range(2)]
    offered = enroll(circle, make_user(), status="offered")
    held = enroll(circle, make_user(), status="held", price_cents=1500)
    waiting = [enroll(circle, make_user(), status="waitlisted") for _ in range(2)]
    left = enroll(circle, make_user(), status="left")
    circle.status = "full"
    db.session.flush()
    payment = Payment(enrollment_id=held.id, user_id=held.user_id, amount_cents=1500, unit_amount_cents=1500,
                      currency="USD", meetings_covered=1, first_sequence=3, gateway="local", status="pending")
    db.session.add(payment)
    db.session.flush()
    last = meetings(circle)[-1]

    assert complete_finished_circles(last.ends_at - timedelta(seconds=1)) == 0
    assert status_of(circle) == "full"
    assert complete_finished_circles(last.ends_at) == 1
    assert complete_finished_circles(last.ends_at + timedelta(hours=1)) == 0

    assert status_of(circle) == "completed"
    assert [place(e) for e in actives] == ["completed", "completed"]
    assert [place(e) for e in (offered, held, *waiting, left)] == ["left"] * 5
    assert db.session.get(Circle, circle.id).seats_taken == 0
    told = notifications(kind="circle_update")
    assert sorted(n.user_id for n in told) == sorted([offered.user_id, *(w.user_id for w in waiting)])
    assert all(n.payload["link"] == "/circles/?theme=returning_to_work" for n in told)
    assert all("has finished" in n.payload["subject"] for n in told)
    # The held payment is not kept: it is still pending for billing's reconciliation, and if it
    # lands now the seat cannot be confirmed, so billing refunds it.
    assert db.session.get(Payment, payment.id).status == "pending"
    assert seats.confirm_held_seat(held.id, now=last.ends_at + timedelta(minutes=5)) is False


def test_completion_ignores_a_cancelled_last_meeting_and_never_runs_the_seat_count_below_zero() -> None:
    circle = circle_of(capacity=4)
    member = enroll(circle, make_user())
    first, second, third = meetings(circle)
    third.status = "cancelled"
    circle.status = "running"
    circle.seats_taken = 0  # a ledger already short: recounting must not go negative
    db.session.flush()
    assert complete_finished_circles(second.ends_at) == 1
    assert (status_of(circle), place(member)) == ("completed", "completed")
    assert db.session.get(Circle, circle.id).seats_taken == 0


def test_a_circle_whose_every_meeting_was_cancelled_is_left_to_its_facilitator() -> None:
    circle = circle_of(count=2)
    for meeting in meetings(circle):
        meeting.status = "cancelled"
    db.session.flush()
    assert complete_finished_circles(meetings(circle)[-1].ends_at + timedelta(days=1)) == 0
    assert status_of(circle) == "open"


def test_a_completed_circle_cannot_be_joined() -> None:
    circle = circle_of(count=1)
    complete_finished_circles(meetings(circle)[0].ends_at)
    with pytest.raises(seats.CircleNotJoinable):
        seats.join_waitlist(circle.id, make_user().id, agreed=True, now=meetings(circle)[0].ends_at)


# --- too few members -----------------------------------------------------------------------


def test_the_facilitator_hears_once_two_days_ahead_that_her_circle_is_short_of_members() -> None:
    facilitator = make_user(timezone="America/New_York")
    circle = circle_of(facilitator=facilitator, title="The Juggle", min_to_run=4)
    for _ in range(3):
        enroll(circle, make_user())
    enroll(circle, make_user(), status="waitlisted")
    start = meetings(circle)[0].starts_at

    assert warn_facilitators_of_small_circles(start - timedelta(hours=49)) == 0
    assert warn_facilitators_of_small_circles(start - timedelta(hours=48)) == 1
    assert warn_facilitators_of_small_circles(start - timedelta(hours=47)) == 0
    assert warn_facilitators_of_small_circles(start - timedelta(hours=1)) == 0
    [warning] = notifications(user_id=facilitator.id)
    text = warning.payload["text"]
    assert text.startswith("Your circle The Juggle has 3 of the 4 members it needs to run.")
    assert "Tue 3 Mar 2026, 15:30 EST" in text  # her zone
    assert warning.payload["link"] == f"/facilitate/circles/{circle.id}"
    assert status_of(circle) == "open"  # nothing is cancelled: she decides


def test_a_circle_with_enough_members_or_already_started_raises_no_warning() -> None:
    enough = circle_of(min_to_run=4)
    for _ in range(4):
        enroll(enough, make_user())
    started = circle_of(first_date=FIRST - timedelta(days=7), min_to_run=4)
    now = meetings(enough)[0].starts_at - timedelta(hours=24)
    assert warn_facilitators_of_small_circles(now) == 0
    assert notifications() == []
    assert start_running_circles(now) == 1 and status_of(started) == "running"


def test_a_scheduler_that_was_down_still_warns_before_the_first_meeting_in_her_zone() -> None:
    circle = circle_of(start_time=time(9, 0))
    start = meetings(circle)[0].starts_at
    assert warn_facilitators_of_small_circles(start - timedelta(hours=2)) == 1
    assert "Tue 3 Mar 2026, 09:00 GMT" in notifications()[0].payload["text"]


@pytest.mark.parametrize(("status", "seats"), [
    ("held", "Full, with your seat held for you"),
    ("offered", "Full, with a seat kept for you"),
    ("active", "Full, with you in it"),
])
def test_she_who_has_the_last_seat_is_not_told_the_circle_is_full_and_to_wait(client, status, seats) -> None:  # noqa: ANN001
    circle = make_circle(capacity=4, meeting_count=4, price_mode="fixed", price_cents=1500)
    for _ in range(3):
        enroll(circle, make_user())
    her = make_user()
    enroll(circle, her, status=status, price_cents=1500)
    circle.status = "full"
    db.session.commit()
    login(client, her)
    db.session.commit()
    page = client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert seats in page
    assert "waitlist open" not in page
    login(client, make_user())
    db.session.commit()
    assert "Full: waitlist open" in client.get(f"/circles/{circle.id}").get_data(as_text=True)
