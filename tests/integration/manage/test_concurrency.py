"""Two requests racing on one meeting: the row lock lets only one of them change it."""

from __future__ import annotations

import threading
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


@requires_postgres
def test_a_skip_sent_twice_at_once_moves_the_meeting_one_week(app: Flask) -> None:
    with app.app_context():
        facilitator = make_user(roles=(Role.FACILITATOR,))
        circle = make_circle(facilitator)
        meeting = circle.meetings[2]
        ids = (circle.id, facilitator.id, meeting.id)
        seen = meeting.starts_at
        db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        with app.app_context():
            barrier.wait()
            try:
                meetings.skip_week(ids[0], ids[1], ids[2], now=utcnow(), expected_start=seen)
                db.session.commit()
                outcomes.append("moved")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["moved", "refused"]
    with app.app_context():
        moved = db.session.get(Meeting, ids[2])
        assert timedelta(days=6) < moved.starts_at - seen < timedelta(days=8)
