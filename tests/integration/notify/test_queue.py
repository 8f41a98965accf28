"""Queueing: one row per dedup key, and nothing at all for work that rolled back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from mentoring.notify.models import Notification
from mentoring.notify.service import queue_notification
from tests.factories import make_user

NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)


def count() -> int:
    return db.session.execute(select(func.count(Notification.id))).scalar_one()


def queue(user_id: int, key: str = "welcome:1") -> bool:
    return queue_notification(user_id, "welcome", key, subject="Welcome", text="Hello.",
                              due_at=NOW - timedelta(minutes=1))


def test_the_same_key_twice_queues_one_notification(ctx: None) -> None:
    user = make_user()
    assert queue(user.id) is True
    assert queue(user.id) is False
    db.session.commit()
    assert queue(user.id) is False  # also across transactions: a retried request, a second scheduler
    db.session.commit()
    assert count() == 1


def test_a_different_key_is_a_different_notification(ctx: None) -> None:
    user = make_user()
    assert queue(user.id, "welcome:1") and queue(user.id, "welcome:2")
    assert count() == 2


def test_a_notification_queued_in_work_that_rolled_back_is_never_sent(ctx: None, mailer) -> None:  # noqa: ANN001
    user = make_user()
    db.session.commit()
    queue(user.id)
    db.session.rollback()
    result = dispatch_due(NOW, mailer=mailer)
    assert result.claimed == 0
    assert mailer.sent == []
    assert count() == 0


def test_the_row_remembers_when_it_first_became_due(ctx: None) -> None:
    user = make_user()
    queue_notification(user.id, "reminder", "r:1", subject="s", text="t", due_at=NOW, channel="in_app",
                       extra={"circle_id": 3})
    row = db.session.execute(select(Notification)).scalar_one()
    assert (row.due_at, row.visible_at, row.status, row.attempts) == (NOW, NOW, "pending", 0)
    assert row.payload == {"subject": "s", "text": "t", "link": None, "circle_id": 3}


def test_an_unknown_channel_is_a_programming_error(ctx: None) -> None:
    user = make_user()
    with pytest.raises(ValueError, match="channel"):
        queue_notification(user.id, "x", "x:1", subject="s", text="t", channel="pigeon")
