"""Faults found by the fault-injection run, each reproduced through the dispatcher with a real
SMTP server on loopback: the database failing mid-batch, a late answer after DATA, a dispatcher
paused past its claim, permanent and temporary refusals, and backoff counted from the failure."""

from __future__ import annotations

import asyncio
import smtplib
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from mentoring.accounts.models import Role
from mentoring.extensions import db
from mentoring.notify.dispatch import claim_ttl, dispatch_due
from mentoring.notify.mailer import SmtpMailer
from mentoring.notify.models import Notification
from tests.factories import login, make_notification, make_user

from .conftest import CollectingHandler, SmtpServer, frozen_clock, start_smtp_server

NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # 15:00 in London: outside quiet hours
EARLIER = NOW - timedelta(minutes=1)


def rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.execute(select(Notification).order_by(Notification.id)).scalars())


def claim_life(app: Flask) -> timedelta:
    return claim_ttl(app.config["MAIL_TIMEOUT"], app.config["MAIL_DATA_TIMEOUT"])


def queue(count: int, prefix: str = "member") -> None:
    for n in range(count):
        make_notification(make_user(f"{prefix}{n}@example.com"), subject=f"Notice {n}",
                          due_at=EARLIER - timedelta(seconds=count - n))
    db.session.commit()


def plain_mailer(server: SmtpServer, **timeouts: float) -> SmtpMailer:
    return SmtpMailer(server.host, server.port, starttls=False, **timeouts)


@pytest.fixture
def server_with(request: pytest.FixtureRequest) -> Iterator:
    """Start a loopback SMTP server with a given handler; stopped after the test."""
    controllers = []

    def start(handler: CollectingHandler) -> SmtpServer:
        controller, server = start_smtp_server(handler)
        controllers.append(controller)
        return server

    yield start
    for controller in controllers:
        controller.stop()


# 1. A database outage mid-batch ------------------------------------------------------------

class OutageAfter(CollectingHandler):
    """Accepts every message; the database goes away right after the `nth` is accepted."""

    def __init__(self, nth: int, outage: threading.Event) -> None:
        super().__init__()
        self.nth, self.outage = nth, outage

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.envelopes) == self.nth:
            self.outage.set()
        return reply


def test_a_database_outage_mid_batch_sends_at_most_the_message_in_flight_twice(
    app: Flask, ctx: None, server_with
) -> None:
    queue(10)
    outage = threading.Event()
    server = server_with(OutageAfter(3, outage))

    def database_down(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if outage.is_set():
            raise ConnectionResetError("server closed the connection unexpectedly")

    event.listen(db.engine, "before_cursor_execute", database_down)
    try:
        during = dispatch_due(NOW, mailer=plain_mailer(server), clock=frozen_clock)
    finally:
        event.remove(db.engine, "before_cursor_execute", database_down)
    outage.clear()
    assert (during.sent, len(during.errors)) == (3, 1)

    # The database is back; the rows it could not record wait out their claim, then go once.
    after = dispatch_due(NOW + claim_life(app) + timedelta(seconds=1), mailer=plain_mailer(server),
                         clock=frozen_clock)

    assert after.sent == 8
    subjects = Counter(message["Subject"] for message in server.messages())
    assert subjects == Counter({f"Notice {n}": 1 for n in range(10)}) + Counter({"Notice 2": 1})
    # The one duplicate carries the same Message-ID twice, so her mail client shows it once.
    copies = [m["Message-ID"] for m in server.messages() if m["Subject"] == "Notice 2"]
    assert len(copies) == 2 and copies[0] == copies[1]
    assert {r.status for r in rows()} == {"sent"}


# 2. A late answer after DATA, and a slow command -------------------------------------------

class Slow(CollectingHandler):
    """Takes `seconds` to answer RCPT or, after the message body, DATA."""

    def __init__(self, *, rcpt: float = 0.0, data: float = 0.0) -> None:
        super().__init__()
        self.rcpt_delay, self.data_delay = rcpt, data

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: ANN001, N802
        await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        await asyncio.sleep(self.data_delay)
        return await super().handle_DATA(server, session, envelope)


def test_a_server_that_accepts_but_answers_late_after_data_gets_the_message_once(
    ctx: None, server_with
) -> None:
    queue(1)
    server = server_with(Slow(data=1.0))
    mailer = plain_mailer(server, timeout=0.3, data_timeout=10)

    first = dispatch_due(NOW, mailer=mailer, clock=frozen_clock)
    again = dispatch_due(NOW + timedelta(hours=2), mailer=mailer, clock=frozen_clock)

    assert (first.sent, first.retrying, again.claimed) == (1, 0, 0)
    assert len(server.envelopes) == 1
    [row] = rows()
    assert (row.status, row.attempts) == ("sent", 0)


def test_a_command_that_hangs_still_fails_after_the_short_command_timeout(ctx: None, server_with) -> None:
    queue(1)
    server = server_with(Slow(rcpt=1.5))
    result = dispatch_due(NOW, mailer=plain_mailer(server, timeout=0.3, data_timeout=10), clock=frozen_clock)
    assert result.retrying == 1
    [row] = rows()
    assert row.status == "pending" and row.attempts == 1 and "timed out" in row.last_error


# 3. A dispatcher paused past its claim ------------------------------------------------------

def test_a_dispatcher_paused_past_its_claim_cannot_settle_a_row_another_has_claimed(
    app: Flask, smtp_server: SmtpServer
) -> None:
    with app.app_context():
        queue(1)
        db.session.remove()
    real = plain_mailer(smtp_server)
    b_is_sending, a_is_done = threading.Event(), threading.Event()
    b_results: list = []

    def dispatcher_b() -> None:
        class Held:
            def send(self, message) -> None:  # noqa: ANN001
                b_is_sending.set()
                a_is_done.wait(timeout=30)
                real.send(message)

        with app.app_context():
            b_results.append(dispatch_due(NOW + claim_life(app) + timedelta(minutes=1), mailer=Held(),
                                          clock=frozen_clock))
            db.session.remove()

    b = threading.Thread(target=dispatcher_b)

    class PausedThenRefused:
        """Dispatcher A stalls mid-send past its claim; B takes the row over; A's send then fails."""

        def send(self, message) -> None:  # noqa: ANN001
            b.start()
            assert b_is_sending.wait(timeout=30)
            raise smtplib.SMTPRecipientsRefused({message["To"].addresses[0].addr_spec: (550, b"5.1.1 gone")})

    with app.app_context():
        a = dispatch_due(NOW, mailer=PausedThenRefused(), clock=frozen_clock)
        db.session.remove()
    a_is_done.set()
    b.join(timeout=30)

    assert (a.failed, a.lost) == (1, 1)
    assert [(r.sent, r.lost) for r in b_results] == [(1, 0)]
    with app.app_context():
        [row] = rows()
        assert (row.status, row.attempts, row.last_error, row.claim_token) == ("sent", 0, None, None)
        db.session.remove()
    assert len(smtp_server.envelopes) == 1


# 4. A permanent refusal (550) against a temporary one (451) ---------------------------------

class Refusing(CollectingHandler):
    REPLIES = {"gone@example.com": "550 5.1.1 No such user here",
               "full@example.com": "451 4.2.2 Mailbox full, try later"}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: ANN001, N802
        if address in self.REPLIES:
            return self.REPLIES[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_550_fails_at_once_and_shows_why_while_451_is_retried(
    ctx: None, server_with, client: FlaskClient
) -> None:
    for address in ("gone@example.com", "full@example.com", "fine@example.com"):
        make_notification(make_user(address), due_at=EARLIER)
    admin = make_user("admin@example.com", roles=(Role.ADMIN,))
    db.session.commit()
    server = server_with(Refusing())

    result = dispatch_due(NOW, mailer=plain_mailer(server), clock=frozen_clock)

    assert (result.failed, result.retrying, result.sent) == (1, 1, 1)
    gone, full, fine = rows()
    assert (gone.status, gone.attempts) == ("failed", 1)
    assert gone.last_error.startswith("Refused permanently (not retried)")
    assert "550 5.1.1 No such user here" in gone.last_error
    assert (full.status, full.attempts, full.due_at) == ("pending", 1, NOW + timedelta(minutes=1))
    assert "451 4.2.2 Mailbox full" in full.last_error
    assert fine.status == "sent"
    assert [e.rcpt_tos for e in server.envelopes] == [["fine@example.com"]]

    login(client, admin)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "gone@example.com" in page and "550 5.1.1 No such user here" in page
    assert "full@example.com" not in page


# 5. Backoff and sent_at counted from the outcome, not the batch's start --------------------

def test_backoff_and_sent_at_are_read_when_the_outcome_happens(ctx: None, server_with) -> None:
    make_notification(make_user("full@example.com"), key="slow-fail", due_at=EARLIER - timedelta(seconds=1))
    make_notification(make_user("fine@example.com"), key="slow-ok", due_at=EARLIER)
    db.session.commit()
    server = server_with(Refusing())
    seconds = [0.0]

    real = plain_mailer(server)

    class SlowServer:
        def send(self, message) -> None:  # noqa: ANN001
            seconds[0] += 40  # each send takes 40 s on the run's clock
            real.send(message)

    dispatch_due(NOW, mailer=SlowServer(), clock=lambda: seconds[0])

    failed, sent = rows()
    assert (failed.status, failed.due_at) == ("pending", NOW + timedelta(seconds=40) + timedelta(minutes=1))
    assert (sent.status, sent.sent_at) == ("sent", NOW + timedelta(seconds=80))
