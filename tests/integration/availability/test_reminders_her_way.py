"""Reminders her way: a day and/or an hour ahead, before her quiet hours, none for a cancelled
meeting and fresh ones for a moved meeting. The scheduler's own job runs under time-machine."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.circles.lifecycle import HOUR_LEAD, reminder_due_at, reminder_key
from mentoring.circles.meetings import cancel_meeting, move_meeting
from mentoring.circles.models import Meeting
from mentoring.extensions import db
from mentoring.jobs.registry import load_jobs
from mentoring.jobs.runner import run_job
from mentoring.notify.models import Notification
from tests.conftest import post_form
from tests.factories import enroll, login, make_circle, make_user

FIRST = date(2026, 3, 10)  # a Tuesday; London is on GMT


def _reminders(user_id: int) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.kind == "reminder",
                                                              Notification.user_id == user_id)
                                   .order_by(Notification.id)))


REMINDERS = "mentoring.circles.jobs.queue_meeting_reminders"
DISPATCH = "mentoring.notify.jobs.dispatch_notifications"


def _job(app: Flask, at: datetime, name: str = REMINDERS) -> None:
    with time_machine.travel(at, tick=False):
        assert run_job(app, load_jobs()[name])


def _circle_with(app: Flask, start: time, *, day: bool, hour: bool) -> tuple[int, int, int]:
    with app.app_context():
        circle = make_circle(first_date=FIRST, start_time=start, meeting_count=2,
                             meeting_link="https://meet.example/r")
        member = make_user(timezone="Europe/London")
        member.remind_day_before, member.remind_hour_before = day, hour
        enroll(circle, member)
        db.session.commit()
        return circle.id, member.id, circle.meetings[0].id


def test_she_chooses_her_reminders_in_settings(client: FlaskClient, ctx: None) -> None:
    member = make_user()
    db.session.commit()
    login(client, member)
    page = client.get("/account/settings").get_data(as_text=True)
    assert "An hour before each meeting" in page
    post_form(client, "/account/settings", {"display_name": member.display_name, "timezone": "Europe/London",
                                            "quiet_hours": "y", "quiet_start": "21:30", "quiet_end": "07:00",
                                            "remind_hour_before": "y"})
    saved = db.session.get(User, member.id)
    db.session.refresh(saved)
    assert (saved.remind_day_before, saved.remind_hour_before) == (False, True)


def test_an_hour_ahead_only_is_queued_an_hour_ahead_once(app: Flask, ctx: None) -> None:
    _, member, meeting = _circle_with(app, time(20, 30), day=False, hour=True)
    start = datetime(2026, 3, 10, 20, 30, tzinfo=UTC)
    _job(app, start - timedelta(hours=23))
    assert _reminders(member) == []
    _job(app, start - timedelta(hours=1))
    _job(app, start - timedelta(minutes=55))  # the next run: nothing new
    [reminder] = _reminders(member)
    assert reminder.dedup_key == reminder_key(meeting, member, start, HOUR_LEAD)


def test_both_choices_give_two_reminders(app: Flask, ctx: None) -> None:
    _, member, _ = _circle_with(app, time(20, 30), day=True, hour=True)
    start = datetime(2026, 3, 10, 20, 30, tzinfo=UTC)
    for hours in (24, 12, 1):
        _job(app, start - timedelta(hours=hours))
    assert len(_reminders(member)) == 2


def test_an_hour_ahead_reminder_inside_quiet_hours_goes_out_before_they_begin(app: Flask, ctx: None) -> None:
    # A 07:30 meeting: an hour ahead is 06:30, inside 21:30-07:00 quiet hours, so it is due at
    # 21:15 the evening before and is mailed then, not held until 07:00.
    _, member, _ = _circle_with(app, time(7, 30), day=False, hour=True)
    start = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    assert reminder_due_at(start, HOUR_LEAD, "Europe/London", time(21, 30), time(7, 0)) == \
        datetime(2026, 3, 9, 21, 15, tzinfo=UTC)
    _job(app, datetime(2026, 3, 9, 21, 10, tzinfo=UTC))
    assert _reminders(member) == []
    _job(app, datetime(2026, 3, 9, 21, 15, tzinfo=UTC))
    _job(app, datetime(2026, 3, 9, 21, 16, tzinfo=UTC), DISPATCH)
    [reminder] = _reminders(member)
    assert reminder.status == "sent" and reminder.sent_at < datetime(2026, 3, 9, 21, 30, tzinfo=UTC)
    assert any("Reminder:" in p.read_text() for p in Path(app.config["OUTBOX_DIR"]).glob("*.eml"))


def test_a_cancelled_meeting_sends_no_reminder_even_one_already_queued(app: Flask, ctx: None) -> None:
    circle, member, meeting = _circle_with(app, time(20, 30), day=True, hour=False)
    start = datetime(2026, 3, 10, 20, 30, tzinfo=UTC)
    with app.app_context():
        db.session.get(User, member).quiet_start = time(0, 0)  # held: quiet all day but a minute
        db.session.get(User, member).quiet_end = time(23, 59)
        db.session.commit()
    _job(app, start - timedelta(hours=20))
    assert [r.status for r in _reminders(member)] == ["pending"]
    with time_machine.travel(start - timedelta(hours=19), tick=False), app.app_context():
        facilitator = db.session.get(Meeting, meeting).circle.facilitator_id
        cancel_meeting(meeting, facilitator, "", now=start - timedelta(hours=19))
        db.session.commit()
    _job(app, start - timedelta(hours=18))
    assert _reminders(member) == []


def test_a_moved_meeting_replaces_its_reminder(app: Flask, ctx: None) -> None:
    circle, member, meeting = _circle_with(app, time(20, 30), day=True, hour=False)
    start = datetime(2026, 3, 10, 20, 30, tzinfo=UTC)
    with app.app_context():
        db.session.get(User, member).quiet_start = time(0, 0)
        db.session.get(User, member).quiet_end = time(23, 59)
        db.session.commit()
    _job(app, start - timedelta(hours=20))
    now = start - timedelta(hours=19)
    with time_machine.travel(now, tick=False), app.app_context():
        facilitator = db.session.get(Meeting, meeting).circle.facilitator_id
        move_meeting(meeting, facilitator, date(2026, 3, 10), time(21, 30), now=now)
        db.session.commit()
    _job(app, now + timedelta(minutes=5))
    [reminder] = _reminders(member)
    assert "21:30 GMT" in reminder.payload["text"]
