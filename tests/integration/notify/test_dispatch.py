"""The dispatcher against a real SMTP server on loopback, and its bookkeeping."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from flask import Flask
from sqlalchemy import select

from mentoring import create_app
from mentoring.extensions import db
from mentoring.notify.dispatch import SEND_WINDOW_SECONDS, claim_ttl, dispatch_due
from mentoring.notify.mailer import SmtpMailer, get_mailer
from mentoring.notify.models import Notification
from tests.factories import make_notification, make_user

from .conftest import RecordingMailer, SmtpServer, frozen_clock, start_smtp_server

NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # 15:00 in London, 10:00 in New York
EARLIER = NOW - timedelta(minutes=1)


def rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.execute(select(Notification).order_by(Notification.id)).scalars())


def test_a_due_notification_reaches_a_real_smtp_server(ctx: None, smtp_server: SmtpServer) -> None:
    user = make_user("ada@example.com", display_name="Ada")
    make_notification(user, subject="Your circle meets tomorrow", text="Tuesday, 20:30.", link="/circles/3",
                      due_at=EARLIER)
    db.session.commit()

    result = dispatch_due(NOW, mailer=SmtpMailer(smtp_server.host, smtp_server.port, starttls=False),
                          clock=frozen_clock)

    assert (result.claimed, result.sent) == (1, 1)
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["ada@example.com"]
    [message] = smtp_server.messages()
    assert message["To"].addresses[0].addr_spec == "ada@example.com"
    assert message["Subject"] == "Your circle meets tomorrow"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Tuesday, 20:30." in body
    assert "http://localhost/circles/3" in body
    assert "http://localhost/account/settings" in body
    [row] = rows()
    assert (row.status, row.sent_at, row.attempts, row.claimed_until) == ("sent", NOW, 0, None)


@pytest.fixture
def smtp_app(app_config: dict[str, Any], smtp_server: SmtpServer) -> Iterator[Flask]:
    """The app as production builds it, pointed at the loopback server."""
    smtp_app = create_app({**app_config, "MAIL_BACKEND": "smtp", "MAIL_HOST": smtp_server.host,
                           "MAIL_PORT": smtp_server.port, "MAIL_STARTTLS": False})
    yield smtp_app
    with smtp_app.app_context():
        db.engine.dispose()


def test_with_mail_backend_smtp_the_app_mails_through_its_server(
    app: Flask, smtp_app: Flask, smtp_server: SmtpServer
) -> None:
    with smtp_app.app_context():
        assert isinstance(get_mailer(), SmtpMailer)
        make_notification(make_user("bea@example.com"), due_at=EARLIER)
        db.session.commit()
        assert dispatch_due(NOW).sent == 1
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["bea@example.com"]]


def test_the_smtp_mailer_logs_in_when_it_has_a_username(ctx: None) -> None:
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    controller, server = start_smtp_server(authenticator=authenticator, auth_require_tls=False)
    try:
        make_notification(make_user("cleo@example.com"), due_at=EARLIER)
        db.session.commit()
        mailer = SmtpMailer(server.host, server.port, username="hearth", password="s3cret", starttls=False)
        assert dispatch_due(NOW, mailer=mailer).sent == 1
    finally:
        controller.stop()
    assert logins == [(b"hearth", b"s3cret")]
    assert len(server.envelopes) == 1


def test_a_refused_login_is_a_failed_attempt_not_a_crash(ctx: None) -> None:
    def refuse(*args: object) -> AuthResult:
        return AuthResult(success=False, handled=False)

    controller, server = start_smtp_server(authenticator=refuse, auth_require_tls=False)
    try:
        make_notification(make_user(), due_at=EARLIER)
        db.session.commit()
        result = dispatch_due(NOW, mailer=SmtpMailer(server.host, server.port, username="u", password="bad",
                                                     starttls=False))
    finally:
        controller.stop()
    assert result.retrying == 1
    [row] = rows()
    assert row.status == "pending" and row.attempts == 1 and "SMTPAuthenticationError" in row.last_error
    assert server.envelopes == []


def test_running_the_dispatcher_twice_sends_once(ctx: None, mailer: RecordingMailer) -> None:
    for _ in range(3):
        make_notification(make_user(), due_at=EARLIER)
    db.session.commit()
    first = dispatch_due(NOW, mailer=mailer)
    second = dispatch_due(NOW, mailer=mailer)
    assert (first.sent, second.claimed) == (3, 0)
    assert len(mailer.sent) == 3


def test_only_what_is_due_goes_out(ctx: None, mailer: RecordingMailer) -> None:
    user = make_user()
    make_notification(user, key="now", due_at=NOW)
    make_notification(user, key="later", due_at=NOW + timedelta(seconds=1))
    db.session.commit()
    assert dispatch_due(NOW, mailer=mailer).sent == 1
    assert [r.status for r in rows()] == ["sent", "pending"]


def test_a_run_drains_batch_after_batch_oldest_first(ctx: None, mailer: RecordingMailer) -> None:
    users = [make_user(f"u{n}@example.com") for n in range(5)]
    for n, user in enumerate(users):
        make_notification(user, due_at=EARLIER - timedelta(minutes=n))
    db.session.commit()
    result = dispatch_due(NOW, batch=2, mailer=mailer)
    assert (result.batches, result.claimed, result.sent) == (3, 5, 5)
    assert mailer.recipients() == [f"u{n}@example.com" for n in (4, 3, 2, 1, 0)]


def test_one_batch_goes_through_one_smtp_connection(ctx: None, smtp_server: SmtpServer) -> None:
    for n in range(5):
        make_notification(make_user(f"one{n}@example.com"), due_at=EARLIER)
    db.session.commit()
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False)
    result = dispatch_due(NOW, batch=5, mailer=mailer)
    assert (result.batches, result.sent) == (1, 5)
    assert (len(smtp_server.envelopes), smtp_server.connections) == (5, 1)


def test_in_app_opted_out_unverified_and_deleted_are_settled_without_mail(
    ctx: None, mailer: RecordingMailer
) -> None:
    in_app = make_user("inapp@example.com")
    make_notification(in_app, channel="in_app", due_at=EARLIER)
    opted_out = make_user("quiet@example.com")
    opted_out.email_opt_out = ["circle_reminder"]
    make_notification(opted_out, due_at=EARLIER)
    unverified = make_user("typo@example.com", verified=False)
    make_notification(unverified, due_at=EARLIER)
    deleted = make_user("gone@example.com")
    deleted.deleted_at = NOW - timedelta(days=1)
    make_notification(deleted, due_at=EARLIER)
    # She cannot opt out of account mail, and it goes to an unverified address: it is the link.
    make_notification(opted_out, kind="account", key="verify", due_at=EARLIER)
    opted_out.email_opt_out = ["circle_reminder", "account"]
    make_notification(unverified, kind="account", key="verify-2", due_at=EARLIER)
    db.session.commit()

    result = dispatch_due(NOW, mailer=mailer)

    assert (result.settled, result.sent) == (4, 2)
    assert sorted(mailer.recipients()) == ["quiet@example.com", "typo@example.com"]
    assert all(r.status == "sent" for r in rows())
    assert [r.sent_at is not None for r in rows()] == [False, False, False, False, True, True]


def test_one_failing_row_does_not_stop_the_batch(ctx: None, mailer: RecordingMailer) -> None:
    for address in ("a@example.com", "broken@example.com", "c@example.com"):
        make_notification(make_user(address), due_at=EARLIER)
    db.session.commit()
    mailer.fail_for = {"broken@example.com"}
    result = dispatch_due(NOW, mailer=mailer)
    assert (result.sent, result.retrying) == (2, 1)
    assert mailer.recipients() == ["a@example.com", "c@example.com"]
    assert [r.status for r in rows()] == ["sent", "pending", "sent"]


def test_a_claim_left_by_a_crashed_dispatcher_is_taken_over_once_it_expires(
    ctx: None, mailer: RecordingMailer
) -> None:
    row = make_notification(make_user(), due_at=EARLIER)
    row.status, row.claimed_until = "sending", NOW + timedelta(minutes=2)
    db.session.commit()
    assert dispatch_due(NOW, mailer=mailer).claimed == 0  # still someone else's
    assert dispatch_due(NOW + timedelta(minutes=3), mailer=mailer).sent == 1
    assert len(mailer.sent) == 1


def test_a_claim_outlasts_the_sending_window_and_the_slowest_send(ctx: None, app: Flask) -> None:
    make_notification(make_user(), due_at=EARLIER)
    db.session.commit()

    seen: list[tuple[str, datetime | None]] = []

    class Inspecting(RecordingMailer):
        def send(self, message) -> None:  # noqa: ANN001
            [row] = rows()
            seen.append((row.status, row.claimed_until))
            super().send(message)

    assert dispatch_due(NOW, mailer=Inspecting(), clock=frozen_clock).sent == 1
    life = claim_ttl(app.config["MAIL_TIMEOUT"], app.config["MAIL_DATA_TIMEOUT"])
    assert seen == [("sending", NOW + life)]
    assert life >= timedelta(seconds=SEND_WINDOW_SECONDS + app.config["MAIL_DATA_TIMEOUT"])
    [row] = rows()
    assert (row.claimed_until, row.claim_token) == (None, None)


def test_a_run_whose_window_closes_hands_the_rest_back(ctx: None) -> None:
    for n in range(4):
        make_notification(make_user(f"slow{n}@example.com"), due_at=EARLIER - timedelta(minutes=4 - n))
    db.session.commit()
    clock_value = [0.0]

    class SlowMailer(RecordingMailer):
        def send(self, message) -> None:  # noqa: ANN001
            clock_value[0] += SEND_WINDOW_SECONDS * 0.6  # each send takes most of the window
            super().send(message)

    slow = SlowMailer()
    result = dispatch_due(NOW, mailer=slow, clock=lambda: clock_value[0])
    assert (result.sent, result.released) == (2, 2)
    assert [r.status for r in rows()] == ["sent", "sent", "pending", "pending"]
    assert all(r.claimed_until is None and r.claim_token is None for r in rows())
    assert dispatch_due(NOW, mailer=slow, clock=frozen_clock).sent == 2


def test_quiet_hours_off_means_any_hour(ctx: None, mailer: RecordingMailer) -> None:
    owl = make_user("owl@example.com")
    owl.quiet_start = owl.quiet_end = None
    three_am_london = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    make_notification(owl, due_at=three_am_london)
    db.session.commit()
    assert dispatch_due(three_am_london, mailer=mailer).sent == 1
