"""Two requests racing on one meeting: the row lock lets only one of them change it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from mentoring.accounts.models import Role
from mentoring.circles import meetings
from mentoring.circles.models import Meeting
from mentoring.db import utcnow
from mentoring.errors import DomainError
from mentoring.extensions import db
from tests.conftest import requires_postgres
from tests.factories import make_circle, make_user
from tests.helpers import run_at_once


@requires_postgres
def test_a_skip_sent_twice_at_once_moves_the_meeting_one_week(app: Flask) -> None:
    with app.app_context():
        facilitator = make_user(roles=(Role.FACILITATOR,))
        circle = make_circle(facilitator)
        meeting = circle.meetings[2]
        ids = (circle.id, facilitator.id, meeting.id)
        seen = meeting.starts_at
        db.session.commit()

    def attempt() -> None:
        meetings.skip_week(ids[0], ids[1], ids[2], now=utcnow(), expected_start=seen)
        db.session.commit()

    errors = run_at_once(app, [attempt] * 2)
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors  # one moved, one refused
    with app.app_context():
        moved = db.session.get(Meeting, ids[2])
        assert timedelta(days=6) < moved.starts_at - seen < timedelta(days=8)
