"""Several dispatchers at once (two scheduler processes, a rolling deploy) send each notification once.

Each dispatcher runs in its own thread with its own app context, session and connection, and
all start together. They work in small batches so their claims interleave.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.notify.dispatch import DispatchResult, dispatch_due
from mentoring.notify.mailer import SmtpMailer
from mentoring.notify.models import Notification
from tests.conftest import requires_postgres
from tests.factories import make_notification, make_user
from tests.helpers import run_at_once

from .conftest import SmtpServer

NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)


def queue_many(app: Flask, count: int) -> None:
    with app.app_context():
        users = [make_user(f"member{n}@example.com") for n in range(count // 5)]
        for n in range(count):
            make_notification(users[n % len(users)], key=f"bulk:{n}", subject=f"Notice {n}",
                              due_at=NOW - timedelta(seconds=n))
        db.session.commit()
        db.session.remove()


def run_dispatchers(app: Flask, workers: int, batch: int, mailer: SmtpMailer) -> list[DispatchResult]:
    results: list[DispatchResult] = []

    def dispatcher() -> None:
        while True:
            result = dispatch_due(NOW, batch=batch, mailer=mailer)
            results.append(result)
            if not result.claimed:
                break

    assert run_at_once(app, [dispatcher] * workers) == []
    return results


def assert_each_sent_exactly_once(app: Flask, smtp_server: SmtpServer, count: int,
                                  results: list[DispatchResult]) -> None:
    subjects = Counter(message["Subject"] for message in smtp_server.messages())
    assert subjects == Counter({f"Notice {n}": 1 for n in range(count)})
    assert sum(r.sent for r in results) == count
    assert all(not r.errors for r in results)
    with app.app_context():
        statuses = db.session.execute(select(Notification.status)).scalars().all()
        db.session.remove()
    assert Counter(statuses) == {"sent": count}


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_dispatchers_send_each_notification_exactly_once(
    app: Flask, smtp_server: SmtpServer, workers: int
) -> None:
    queue_many(app, 50)
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False)
    results = run_dispatchers(app, workers, batch=5, mailer=mailer)
    assert_each_sent_exactly_once(app, smtp_server, 50, results)


@requires_postgres
def test_many_dispatchers_on_postgres_share_the_work_and_never_double_send(
    app: Flask, smtp_server: SmtpServer
) -> None:
    queue_many(app, 300)
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False)
    results = run_dispatchers(app, 4, batch=10, mailer=mailer)
    assert_each_sent_exactly_once(app, smtp_server, 300, results)
