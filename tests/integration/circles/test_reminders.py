"""Meeting reminders: once per member and meeting, in her own timezone, never after the start."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.circles.jobs import queue_meeting_reminders
from mentoring.circles.lifecycle import reminder_key
from mentoring.circles.models import Circle, Meeting
from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from mentoring.notify.models import Notification
from tests.factories import enroll, make_circle, make_user
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("ctx")

FIRST = date(2026, 3, 3)  # Tuesday; 20:30 GMT in London


def circle_with_members(*timezones: str, **fields: object) -> tuple[Circle, list[int]]:
    fields.setdefault("first_date", FIRST)
    fields.setdefault("meeting_link", "https://meet.example.org/secret-room")
    circle = make_circle(meeting_count=3, **fields)
    ids = [enroll(circle, make_user(timezone=tz)).user_id for tz in timezones]
    return circle, ids


def meetings(circle: Circle) -> list[Meeting]:
    statement = select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.sequence)
    return list(db.session.scalars(statement))


def reminders() -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == "reminder")
                                   .order_by(Notification.id)))


def test_each_member_and_the_facilitator_is_reminded_once_a_day_ahead_in_her_own_timezone() -> None:
    circle, (london, new_york, tokyo) = circle_with_members("Europe/London", "America/New_York", "Asia/Tokyo",
                                                            title="Back to Work")
    first = meetings(circle)[0]
    start = first.starts_at

    # 20:30 GMT is 05:30 in Tokyo, inside her quiet hours (21:30-07:00): a day ahead would wake
    # her, so her reminder goes out at 21:15 JST the evening before, 32 h 15 min ahead.
    assert queue_meeting_reminders(start - timedelta(hours=32, minutes=16)) == 0
    assert queue_meeting_reminders(start - timedelta(hours=32, minutes=15)) == 1
    assert queue_meeting_reminders(start - timedelta(hours=24, minutes=1)) == 0
    assert queue_meeting_reminders(start - timedelta(hours=24)) == 3
    for minutes in range(5, 120, 5):  # the job runs every few minutes
        assert queue_meeting_reminders(start - timedelta(hours=24) + timedelta(minutes=minutes)) == 0

    by_user = {n.user_id: n for n in reminders()}
    assert set(by_user) == {london, new_york, tokyo, circle.facilitator_id}
    assert "Tue 3 Mar 2026, 20:30 GMT" in by_user[london].payload["text"]
    assert "Tue 3 Mar 2026, 15:30 EST" in by_user[new_york].payload["text"]
    assert "Wed 4 Mar 2026, 05:30 JST" in by_user[tokyo].payload["text"]
    assert by_user[tokyo].payload["subject"] == "Reminder: Back to Work meets Wed 4 Mar 2026, 05:30 JST"
    facilitator_text = by_user[circle.facilitator_id].payload["text"]
    assert facilitator_text.startswith("The circle you facilitate, Back to Work,")
    for notification in by_user.values():
        assert notification.payload["link"] == f"/circles/{circle.id}"
        assert "secret-room" not in str(notification.payload)
        assert notification.dedup_key == reminder_key(first.id, notification.user_id, start)


def test_only_active_members_of_a_live_circle_are_reminded_of_a_scheduled_meeting() -> None:
    circle, (active,) = circle_with_members("Europe/London")
    for status in ("waitlisted", "held", "offered", "left", "removed"):
        enroll(circle, make_user(), status=status)
    gone = enroll(circle, make_user())
    gone.user.deleted_at = datetime(2026, 1, 1, tzinfo=meetings(circle)[0].starts_at.tzinfo)
    cancelled_circle, _ = circle_with_members("Europe/London", status="cancelled")
    draft, _ = circle_with_members("Europe/London", status="draft")
    skipped, _ = circle_with_members("Europe/London")
    meetings(skipped)[0].status = "cancelled"
    db.session.flush()

    assert queue_meeting_reminders(meetings(circle)[0].starts_at - timedelta(hours=2)) == 2
    assert {n.user_id for n in reminders()} == {active, circle.facilitator_id}


def test_a_scheduler_that_was_down_reminds_late_but_never_after_the_start() -> None:
    circle, _ = circle_with_members("Europe/London")
    start = meetings(circle)[0].starts_at
    assert queue_meeting_reminders(start) == 0
    assert queue_meeting_reminders(start + timedelta(minutes=10)) == 0
    assert reminders() == []
    assert queue_meeting_reminders(start - timedelta(minutes=30)) == 2


def test_a_meeting_moved_later_after_its_reminder_is_reminded_again_with_the_new_time() -> None:
    circle, (member,) = circle_with_members("Europe/London")
    meeting = meetings(circle)[0]
    queue_meeting_reminders(meeting.starts_at - timedelta(hours=20))
    meeting.starts_at += timedelta(hours=1)
    meeting.ends_at += timedelta(hours=1)
    db.session.flush()
    assert queue_meeting_reminders(meeting.starts_at - timedelta(hours=20)) == 2
    texts = [n.payload["text"] for n in reminders() if n.user_id == member]
    assert ["20:30 GMT" in texts[0], "21:30 GMT" in texts[1]] == [True, True]


def test_every_meeting_of_the_term_gets_its_own_reminder() -> None:
    circle, (member,) = circle_with_members("Europe/London")
    for meeting in meetings(circle):
        queue_meeting_reminders(meeting.starts_at - timedelta(hours=23))
        queue_meeting_reminders(meeting.starts_at - timedelta(hours=1))
    assert len([n for n in reminders() if n.user_id == member]) == 3


def test_reminding_reads_the_same_few_queries_however_many_meetings_are_due() -> None:
    def reads(circles: int, members: int) -> tuple[int, int, int]:
        now = None
        for _ in range(circles):
            circle, _ = circle_with_members(*["Europe/London"] * members)
            now = meetings(circle)[0].starts_at - timedelta(hours=3)
        db.session.commit()
        with count_queries() as first_run:
            queued = queue_meeting_reminders(now)
        with count_queries() as second_run:
            assert queue_meeting_reminders(now) == 0
        db.session.rollback()
        db.session.execute(Notification.__table__.delete())
        db.session.commit()
        inserts = sum(1 for statement in first_run if statement.lstrip().upper().startswith("INSERT"))
        assert inserts == queued >= circles * (members + 1)
        return first_run.count - inserts, second_run.count, queued

    small, large = reads(1, 2), reads(4, 5)
    assert small[:2] == large[:2] == (4, 4)


def test_a_member_who_turned_reminder_emails_off_sees_it_in_the_app_but_gets_no_mail() -> None:
    circle, (quiet, keen) = circle_with_members("Europe/London", "Europe/London", start_time=time(12, 0))
    db.session.get(User, quiet).email_opt_out = ["reminder"]
    db.session.commit()
    now = meetings(circle)[0].starts_at - timedelta(hours=23)
    queue_meeting_reminders(now)
    db.session.commit()

    class Recording:
        def __init__(self) -> None:
            self.to: list[str] = []

        def send(self, message) -> None:  # noqa: ANN001
            self.to.append(message["To"].addresses[0].addr_spec)

    mailer = Recording()
    result = dispatch_due(now, mailer=mailer)
    addresses = {u: db.session.get(User, u).email for u in (quiet, keen, circle.facilitator_id)}
    assert sorted(mailer.to) == sorted([addresses[keen], addresses[circle.facilitator_id]])
    assert (result.sent, result.settled) == (2, 1)
    settled = [n for n in reminders() if n.user_id == quiet]
    assert [(n.status, n.sent_at) for n in settled] == [("sent", None)]


def test_the_job_selects_with_the_same_rule_the_property_test_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production has one reminder rule: change `is_reminder_due` (which meetings) and
    `reminder_due_at` (from when her reminder is due) and the job follows them."""
    from mentoring.circles import lifecycle

    circle, _ = circle_with_members("Europe/London")
    start = meetings(circle)[0].starts_at
    three_days_ahead = start - timedelta(hours=71)
    assert queue_meeting_reminders(three_days_ahead) == 0

    def within_three_days(starts_at, now):  # noqa: ANN001, ANN202
        return (starts_at > now) & (starts_at <= now + timedelta(hours=72))

    monkeypatch.setattr(lifecycle, "is_reminder_due", within_three_days)
    assert queue_meeting_reminders(three_days_ahead) == 0  # her day-ahead reminder is not due yet
    monkeypatch.setattr(lifecycle, "reminder_due_at", lambda starts_at, *_: starts_at - timedelta(hours=72))
    assert queue_meeting_reminders(three_days_ahead) == 2  # the member and the facilitator


@pytest.mark.parametrize("lead", [timedelta(0), timedelta(seconds=1), timedelta(hours=24),
                                  timedelta(hours=24, seconds=1), timedelta(hours=-1)])
def test_the_job_reminds_exactly_when_is_reminder_due_and_her_reminder_due_at_say_so(lead: timedelta) -> None:
    from mentoring.circles.lifecycle import REMINDER_LEAD, is_reminder_due, reminder_due_at

    circle, _ = circle_with_members("Europe/London")
    start = meetings(circle)[0].starts_at
    now = start - lead
    her_due_at = reminder_due_at(start, REMINDER_LEAD, "Europe/London", None, None)
    due = is_reminder_due(start, now) and now >= her_due_at
    assert (queue_meeting_reminders(now) > 0) == due


def test_a_day_ahead_reminder_that_would_fall_in_her_quiet_hours_goes_out_before_they_begin() -> None:
    # The circle meets at 23:00 London; a day ahead is 23:00 the evening before, inside her quiet
    # hours (21:30-07:00), so her reminder is due at 21:15 that evening, 25 h 45 min ahead.
    circle = make_circle(meeting_count=3, first_date=FIRST, start_time=time(23, 0), timezone="Europe/London")
    night_owl = enroll(circle, make_user(timezone="Europe/London")).user_id  # quiet 21:30-07:00
    start = meetings(circle)[0].starts_at
    assert queue_meeting_reminders(start - timedelta(hours=25, minutes=50)) == 0
    assert queue_meeting_reminders(start - timedelta(hours=25, minutes=45)) == 2
    # The facilitator keeps the same default quiet hours, so hers comes at 21:15 too.
    assert sorted(n.user_id for n in reminders()) == sorted([night_owl, circle.facilitator_id])
    assert queue_meeting_reminders(start - timedelta(hours=24)) == 0
