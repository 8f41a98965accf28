"""Retries with backoff, giving up after five attempts; quiet hours in each member's own zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from mentoring.notify.models import Notification
from tests.factories import make_notification, make_user

from .conftest import RecordingMailer, frozen_clock

NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)


def the_row() -> Notification:
    db.session.expire_all()
    return db.session.execute(select(Notification)).scalar_one()


def test_a_failing_send_is_retried_after_1_5_15_and_60_minutes_then_marked_failed(ctx: None) -> None:
    make_notification(make_user("down@example.com"), due_at=NOW)
    db.session.commit()
    mailer = RecordingMailer(fail_for={"down@example.com"})

    now = NOW
    for attempt, delay in enumerate([1, 5, 15, 60], start=1):
        result = dispatch_due(now, mailer=mailer, clock=frozen_clock)
        assert result.retrying == 1
        row = the_row()
        assert (row.status, row.attempts, row.due_at) == ("pending", attempt, now + timedelta(minutes=delay))
        assert row.last_error == "ConnectionRefusedError: mail server said no to down@example.com"
        # Not before it is due again.
        assert dispatch_due(row.due_at - timedelta(seconds=1), mailer=mailer).claimed == 0
        now = row.due_at

    assert dispatch_due(now, mailer=mailer).failed == 1
    row = the_row()
    assert (row.status, row.attempts, row.sent_at) == ("failed", 5, None)
    # Kept for the admins, and never tried again.
    assert dispatch_due(now + timedelta(days=1), mailer=mailer).claimed == 0
    assert mailer.sent == []


def test_a_retry_that_succeeds_is_sent_and_clears_the_error(ctx: None) -> None:
    make_notification(make_user("flaky@example.com"), due_at=NOW)
    db.session.commit()
    mailer = RecordingMailer(fail_for={"flaky@example.com"})
    dispatch_due(NOW, mailer=mailer, clock=frozen_clock)
    mailer.fail_for = set()
    assert dispatch_due(NOW + timedelta(minutes=1), mailer=mailer).sent == 1
    row = the_row()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)


def test_quiet_hours_deferral_across_timezones(ctx: None) -> None:
    # 22:00 UTC in January: 22:00 in London (quiet), 17:00 in New York (not).
    ten_pm_utc = datetime(2026, 1, 15, 22, 0, tzinfo=UTC)
    london = make_user("london@example.com", timezone="Europe/London")
    new_york = make_user("newyork@example.com", timezone="America/New_York")
    make_notification(london, key="london", due_at=ten_pm_utc)
    make_notification(new_york, key="new-york", due_at=ten_pm_utc)
    db.session.commit()
    mailer = RecordingMailer()

    result = dispatch_due(ten_pm_utc, mailer=mailer)

    assert (result.sent, result.deferred) == (1, 1)
    assert mailer.recipients() == ["newyork@example.com"]
    held = db.session.execute(select(Notification).where(Notification.dedup_key == "london")).scalar_one()
    seven_am_london = datetime(2026, 1, 16, 7, 0, tzinfo=UTC)
    assert (held.status, held.due_at, held.attempts) == ("pending", seven_am_london, 0)
    assert held.claimed_until is None
    # It stays in her in-app list at the time it was first due.
    assert held.visible_at == ten_pm_utc

    assert dispatch_due(seven_am_london - timedelta(minutes=1), mailer=mailer).claimed == 0
    assert dispatch_due(seven_am_london, mailer=mailer).sent == 1
    assert mailer.recipients() == ["newyork@example.com", "london@example.com"]


def test_in_summer_london_quiet_hours_end_at_seven_british_summer_time(ctx: None) -> None:
    ten_pm_bst = datetime(2026, 7, 15, 21, 0, tzinfo=UTC)
    make_notification(make_user(timezone="Europe/London"), due_at=ten_pm_bst)
    db.session.commit()
    assert dispatch_due(ten_pm_bst, mailer=RecordingMailer()).deferred == 1
    assert the_row().due_at == datetime(2026, 7, 16, 6, 0, tzinfo=UTC)


def test_her_own_quiet_hours_are_used(ctx: None) -> None:
    # A nap-time window: 13:00-15:00 in Sydney is 02:00-04:00 UTC in January (AEDT).
    napper = make_user(timezone="Australia/Sydney")
    napper.quiet_start, napper.quiet_end = time(13, 0), time(15, 0)
    two_pm_sydney = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    make_notification(napper, due_at=two_pm_sydney)
    db.session.commit()
    assert dispatch_due(two_pm_sydney, mailer=RecordingMailer()).deferred == 1
    assert the_row().due_at == datetime(2026, 1, 15, 4, 0, tzinfo=UTC)


def test_a_password_reset_is_never_held_by_quiet_hours(ctx: None) -> None:
    midnight_london = datetime(2026, 1, 15, 0, 0, tzinfo=UTC)
    make_notification(make_user("awake@example.com"), kind="account", due_at=midnight_london)
    db.session.commit()
    mailer = RecordingMailer()
    assert dispatch_due(midnight_london, mailer=mailer).sent == 1
    assert mailer.recipients() == ["awake@example.com"]
