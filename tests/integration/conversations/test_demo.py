"""The demo seed shows conversations in a running circle, once."""

from __future__ import annotations

from sqlalchemy import select

from mentoring.circles.demo import seed_circles
from mentoring.circles.models import Attendance, Circle, Meeting
from mentoring.conversations.demo import seed_conversations
from mentoring.conversations.models import Announcement, Message, Thread
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.helpers import count
from tests.integration.manage.test_demo import demo_people


def test_a_running_circle_gets_a_cant_come_a_thread_and_an_announcement_once(ctx: None) -> None:
    demo_people()
    now = utcnow()
    seed_circles(now)
    seed_conversations(now)
    announcement = db.session.execute(select(Announcement)).scalar_one()
    circle = db.session.get(Circle, announcement.circle_id)
    assert circle.status == "running"
    thread = db.session.execute(select(Thread)).scalar_one()
    assert thread.circle_id == circle.id and thread.facilitator_id == circle.facilitator_id
    assert count(Message) == 2
    cant_come = db.session.execute(
        select(Attendance).join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.circle_id == circle.id, Meeting.starts_at > now, Attendance.note == "Sick child")
    ).scalar_one()
    assert cant_come.status == "excused"

    seed_conversations(now)
    assert (count(Announcement), count(Thread), count(Message)) == (1, 1, 2)
