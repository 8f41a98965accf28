"""A double tap (two requests at once) on "can't come" or on a first message never fails.

Both are settled by the database: one upsert on (meeting, member) for "can't come", one insert
that skips an existing (circle, member, facilitator) thread. The control test runs the naive
check-then-insert the same way on PostgreSQL and shows that it does fail, so the guarded tests
are known to be testing a real race.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from flask import Flask
from sqlalchemy import select

from mentoring.circles.models import Attendance, Meeting
from mentoring.conversations import absences, threads
from mentoring.conversations.models import Message, Thread
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import requires_postgres
from tests.helpers import count, run_at_once
from tests.integration.conversations.helpers import circle_with_members

TAPS = 4
REPETITIONS = 5


def naive_cant_come(meeting_id: int, user_id: int) -> None:
    """The bug the upsert prevents: look for her mark in Python, then insert on the stale answer."""
    found = db.session.execute(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.user_id == user_id)
    ).scalar_one_or_none()
    time.sleep(0.005)  # a request does other work here; it widens the window the race needs
    if found is None:
        db.session.add(Attendance(meeting_id=meeting_id, user_id=user_id, status="excused",
                                  marked_at=utcnow()))
    db.session.flush()


def tap_at_once(app: Flask, action: Callable[[], object]) -> list[BaseException]:
    def tap() -> None:
        action()
        db.session.commit()

    return run_at_once(app, [tap] * TAPS)


def _setup(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        setup = circle_with_members(1, min_to_run=1, first_date=utcnow().date() + timedelta(days=3))
        meeting_id = db.session.execute(
            select(Meeting.id).where(Meeting.circle_id == setup.circle.id, Meeting.sequence == 1)
        ).scalar_one()
        return setup.circle.id, setup.members[0].id, meeting_id


@requires_postgres
def test_cant_come_tapped_twice_at_once_is_one_excused_mark(app: Flask) -> None:
    for _ in range(REPETITIONS):
        _circle_id, member_id, meeting_id = _setup(app)
        errors = tap_at_once(app, partial(absences.cant_come, meeting_id, member_id, "Work", now=utcnow()))
        assert errors == []
        with app.app_context():
            assert count(Attendance, Attendance.meeting_id == meeting_id) == 1


@requires_postgres
def test_without_the_upsert_a_double_tap_fails(app: Flask) -> None:
    failures = 0
    for _ in range(REPETITIONS):
        _circle_id, member_id, meeting_id = _setup(app)
        failures += len(tap_at_once(app, partial(naive_cant_come, meeting_id, member_id)))
    assert failures > 0


@requires_postgres
def test_a_first_message_sent_twice_at_once_makes_one_thread(app: Flask) -> None:
    for _ in range(REPETITIONS):
        circle_id, member_id, _meeting_id = _setup(app)
        errors = tap_at_once(app, partial(threads.write_to_facilitator, circle_id, member_id, "Hello",
                                          now=utcnow()))
        assert errors == []
        with app.app_context():
            [thread_id] = db.session.execute(select(Thread.id).where(Thread.circle_id == circle_id)).scalars()
            assert count(Message, Message.thread_id == thread_id) == TAPS
