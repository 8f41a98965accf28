"""Check-in prompts and reminders: at her time, midway through the gap, after her quiet hours,
once each however often the job runs, and a reminder that follows a cancelled meeting."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from mentoring.circles.meetings import cancel_meeting
from mentoring.extensions import db
from mentoring.growth import jobs
from mentoring.growth.jobs import queue_check_in_prompts
from mentoring.growth.models import CheckInPreference
from mentoring.notify.models import Notification
from tests.conftest import requires_postgres
from tests.factories import enroll, make_user
from tests.helpers import readers_wait_for_each_other, run_at_once
from tests.integration.growth.helpers import NOW, check_in, meeting, member_of, running_circle

# The gap after the 2 March meeting: 21:30 UTC on 2 March to 20:30 UTC on 9 March; its middle
# is 09:00 UTC on Friday 6 March; the reminder is due from 20:30 UTC on Sunday 8 March.
MIDDLE = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
REMINDER = datetime(2026, 3, 8, 20, 30, tzinfo=UTC)


def run(now: datetime) -> int:
    queued = queue_check_in_prompts(now)
    db.session.commit()
    return queued


def keys_for(user_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.dedup_key).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


def test_the_prompt_comes_at_her_check_in_time_midway_through_the_gap_in_her_timezone(ctx: None) -> None:
    circle = running_circle()
    london = member_of(circle, timezone="Europe/London")
    new_york = member_of(circle, timezone="America/New_York")
    sydney = member_of(circle, timezone="Australia/Sydney")
    db.session.commit()

    assert run(MIDDLE) == 0  # 09:00 in London, 04:00 in New York, 20:00 in Sydney
    assert run(datetime(2026, 3, 6, 9, 30, tzinfo=UTC)) == 1  # 20:30 in Sydney
    assert keys_for(sydney.id) == [f"checkin-prompt:{meeting(circle, 3).id}:{sydney.id}"]
    assert run(datetime(2026, 3, 6, 20, 29, tzinfo=UTC)) == 0
    assert run(datetime(2026, 3, 6, 20, 30, tzinfo=UTC)) == 1 and len(keys_for(london.id)) == 1
    assert run(datetime(2026, 3, 7, 1, 29, tzinfo=UTC)) == 0
    assert run(datetime(2026, 3, 7, 1, 30, tzinfo=UTC)) == 1 and len(keys_for(new_york.id)) == 1
    prompt = db.session.execute(select(Notification).where(Notification.user_id == london.id)).scalar_one()
    assert prompt.kind == "check_in" and prompt.payload["link"] == f"/growth/circles/{circle.id}/check-in"
    assert "under a minute" in prompt.payload["text"]


def test_her_own_check_in_time_and_quiet_hours_are_respected(ctx: None) -> None:
    circle = running_circle()
    late = member_of(circle, timezone="Europe/London")
    db.session.add(CheckInPreference(user_id=late.id, prompt_time=time(22, 0)))
    db.session.commit()
    # She asked for 22:00, inside her quiet hours (21:30-07:00): it waits for 07:00.
    assert run(datetime(2026, 3, 6, 21, 59, tzinfo=UTC)) == 0
    assert run(datetime(2026, 3, 6, 22, 0, tzinfo=UTC)) == 1
    prompt = db.session.execute(select(Notification)).scalar_one()
    assert prompt.due_at == datetime(2026, 3, 7, 7, 0, tzinfo=UTC) == prompt.visible_at


def test_running_the_job_again_sends_nothing_more_and_skips_who_checked_in_or_left(ctx: None) -> None:
    circle = running_circle()
    waiting = member_of(circle)
    done = member_of(circle)
    gone = make_user()
    enroll(circle, gone, status="left")
    check_in(done, circle, 3)
    db.session.commit()
    at = datetime(2026, 3, 6, 20, 30, tzinfo=UTC)
    assert run(at) == 1
    assert run(at) == 0 and run(at + timedelta(minutes=15)) == 0
    assert [n.user_id for n in db.session.scalars(select(Notification))] == [waiting.id]


def test_a_reminder_a_day_before_the_next_meeting_if_she_has_not_checked_in(ctx: None) -> None:
    circle = running_circle()
    quiet = member_of(circle)
    db.session.commit()
    assert run(datetime(2026, 3, 6, 20, 30, tzinfo=UTC)) == 1  # the prompt
    assert run(REMINDER - timedelta(minutes=1)) == 0
    assert run(REMINDER) == 1 and run(REMINDER) == 0
    reminder = db.session.execute(
        select(Notification).where(Notification.dedup_key.like("checkin-reminder:%"))
    ).scalar_one()
    assert reminder.user_id == quiet.id
    assert reminder.payload["stale_at"] == meeting(circle, 4).starts_at.isoformat()


def test_a_cancelled_next_meeting_moves_the_reminder(ctx: None) -> None:
    circle = running_circle()
    member_of(circle)
    db.session.commit()
    cancel_meeting(meeting(circle, 4).id, circle.facilitator_id, "Half term", now=NOW)
    db.session.commit()
    assert run(REMINDER) == 0  # the prompt of the longer gap is not due yet, and no reminder
    next_meeting = meeting(circle, 5).starts_at
    assert run(next_meeting - timedelta(hours=24, minutes=1)) == 1  # the prompt (10 March) is due
    assert run(next_meeting - timedelta(hours=24)) == 1
    keys = list(db.session.scalars(select(Notification.dedup_key).order_by(Notification.id)))
    assert keys[-1].endswith(f":{next_meeting:%Y%m%dT%H%M}")


def test_no_prompt_outside_running_circles_or_outside_a_gap(ctx: None) -> None:
    circle = running_circle(status="completed")
    member_of(circle)
    db.session.commit()
    assert run(datetime(2026, 3, 6, 20, 30, tzinfo=UTC)) == 0
    assert run(meeting(circle, 4).starts_at + timedelta(minutes=5)) == 0


@requires_postgres
@pytest.mark.postgres
def test_two_schedulers_at_once_send_each_prompt_once(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both schedulers read that nothing is queued yet (the race is real: both then insert
    every prompt); the unique dedup key keeps one of each."""
    members = 30
    with app.app_context():
        for _ in range(3):
            circle = running_circle(capacity=10)
            for _ in range(10):
                member_of(circle)
        db.session.commit()
    seen_queued = readers_wait_for_each_other(monkeypatch, jobs)  # neither inserts until both have read
    results: list[int] = []

    def scheduler() -> None:
        results.append(run(datetime(2026, 3, 6, 20, 30, tzinfo=UTC)))

    assert run_at_once(app, [scheduler] * 2) == []
    assert seen_queued == [0, 0]  # both went on to insert every prompt
    assert sum(results) == members
    with app.app_context():
        keys = list(db.session.scalars(select(Notification.dedup_key)))
    assert len(keys) == len(set(keys)) == members


def test_checking_in_withdraws_a_prompt_still_held_by_her_quiet_hours(ctx: None) -> None:
    from mentoring.growth.service import CheckInInput, record_check_in

    circle = running_circle()
    late = member_of(circle, timezone="Europe/London")
    other = member_of(circle, timezone="Europe/London")
    db.session.add(CheckInPreference(user_id=late.id, prompt_time=time(22, 0)))
    db.session.commit()
    at = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)
    assert run(at) == 2  # both are due; hers waits for 07:00
    record_check_in(late.id, circle.id, CheckInInput(mood=4), now=at + timedelta(minutes=5))
    db.session.commit()
    assert keys_for(late.id) == [] and len(keys_for(other.id)) == 1
    assert run(at + timedelta(minutes=15)) == 0  # and it is not queued again


def test_checking_in_withdraws_her_pending_prompt_and_reminder_and_nobody_elses(ctx: None) -> None:
    from mentoring.growth.service import CheckInInput, record_check_in

    circle = running_circle()
    late, other = member_of(circle), member_of(circle)
    db.session.commit()
    assert run(datetime(2026, 3, 6, 20, 30, tzinfo=UTC)) == 2  # the prompts
    assert run(REMINDER) == 2  # the reminders, neither sent yet
    record_check_in(late.id, circle.id, CheckInInput(mood=4), now=REMINDER + timedelta(minutes=5))
    db.session.commit()
    assert keys_for(late.id) == []
    assert [key.split(":")[0] for key in keys_for(other.id)] == ["checkin-prompt", "checkin-reminder"]
