"""Two schedulers run the lifecycle jobs at the same moment: every change and notice happens once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentoring.circles.models import Circle, Enrollment, Meeting
from mentoring.extensions import db
from mentoring.jobs.registry import load_jobs
from mentoring.jobs.runner import run_job
from mentoring.notify.models import Notification
from tests.conftest import requires_postgres
from tests.factories import enroll, make_circle, make_user
from tests.helpers import run_at_once

JOBS = ("start_running_circles", "complete_finished_circles", "warn_facilitators_of_small_circles",
        "queue_meeting_reminders")


def two_schedulers_at_once(app: Flask, now: datetime) -> None:
    """Run every lifecycle job in two threads released together; each commits as the runner does."""
    specs = load_jobs()
    outcomes: list[bool] = []

    def scheduler() -> None:
        for name in JOBS:
            outcomes.append(run_job(app, specs[f"mentoring.circles.jobs.{name}"], now))

    assert run_at_once(app, [scheduler] * 2) == []
    assert outcomes == [True] * (2 * len(JOBS)), "a job failed under the race (see the log)"


def arrange(app: Flask, start_in: timedelta) -> tuple[list[int], datetime]:
    """A finished circle with a waitlist, and a circle three members short of its four whose
    first meeting starts `start_in` after the returned `now`; their ids and `now`."""
    with app.app_context():
        finished = make_circle(first_date=date(2026, 1, 6), meeting_count=2, status="running", capacity=4)
        enroll(finished, make_user())
        for _ in range(3):
            enroll(finished, make_user(), status="waitlisted")
        starting = make_circle(first_date=date(2026, 3, 3), meeting_count=3, min_to_run=4)
        for _ in range(3):
            enroll(starting, make_user())
        db.session.commit()
        first = db.session.scalar(
            select(Meeting).where(Meeting.circle_id == starting.id, Meeting.sequence == 1))
        return [finished.id, starting.id], first.starts_at - start_in


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(Notification.kind, func.count()).group_by(Notification.kind)).all()
        return dict(rows)


def statuses(app: Flask, ids: list[int]) -> list[str]:
    with app.app_context():
        return [db.session.get(Circle, i).status for i in ids]


def race_through_a_circle_lifecycle(app: Flask) -> None:
    (finished, starting), now = arrange(app, start_in=timedelta(hours=20))
    two_schedulers_at_once(app, now)
    assert statuses(app, [finished, starting]) == ["completed", "open"]
    # 3 waitlisted told the circle finished + 1 short-circle warning; 3 members + facilitator reminded.
    assert counts(app) == {"circle_update": 4, "reminder": 4}
    with app.app_context():
        left = db.session.scalar(select(func.count()).where(Enrollment.circle_id == finished,
                                                           Enrollment.status == "left"))
        assert (left, db.session.get(Circle, finished).seats_taken) == (3, 0)

    two_schedulers_at_once(app, now + timedelta(hours=20))  # the first meeting has started
    assert statuses(app, [finished, starting]) == ["completed", "running"]
    assert counts(app) == {"circle_update": 4, "reminder": 4}


def test_two_schedulers_at_once_change_each_circle_once_and_notify_once(app: Flask) -> None:
    race_through_a_circle_lifecycle(app)


@requires_postgres
@pytest.mark.parametrize("round_", range(3))
def test_two_schedulers_at_once_on_postgresql_with_row_locks(app: Flask, round_: int) -> None:
    race_through_a_circle_lifecycle(app)
