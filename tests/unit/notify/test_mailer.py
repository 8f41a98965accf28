"""Mailers: SMTP with STARTTLS and login, and the development outbox."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from pathlib import Path

import pytest

from mentoring.notify import mailer as mailer_module
from mentoring.notify.mailer import OutboxMailer, SmtpMailer, build_mailer


def a_message(subject: str = "Hello", to: str = "ada@example.com") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "hello@hearth.example"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Hi.")
    return message


class RecordingSMTP:
    """Stands in for the SMTP session and records what the mailer asked of it."""

    calls: list[tuple] = []

    def __init__(self, host: str, port: int, *, timeout: float, data_timeout: float) -> None:
        self.calls.append(("connect", host, port, timeout, data_timeout))

    def quit(self) -> None:
        self.calls.append(("quit",))

    def close(self) -> None:
        self.calls.append(("close",))

    def starttls(self, context: object) -> None:
        self.calls.append(("starttls",))

    def login(self, username: str, password: str) -> None:
        self.calls.append(("login", username, password))

    def send_message(self, message: EmailMessage) -> None:
        self.calls.append(("send", message["Subject"]))


@pytest.fixture
def recording_smtp(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    RecordingSMTP.calls = []
    monkeypatch.setattr(mailer_module, "_StagedSMTP", RecordingSMTP)
    return RecordingSMTP.calls


def test_smtp_mailer_upgrades_to_tls_then_logs_in_then_sends(recording_smtp: list[tuple]) -> None:
    SmtpMailer("smtp.example", 587, username="hearth", password="pw", timeout=12, data_timeout=600).send(
        a_message())
    assert recording_smtp == [
        ("connect", "smtp.example", 587, 12, 600),
        ("starttls",),
        ("login", "hearth", "pw"),
        ("send", "Hello"),
        ("quit",),
    ]


def test_smtp_mailer_without_starttls_or_username_just_sends(recording_smtp: list[tuple]) -> None:
    SmtpMailer("localhost", 25, starttls=False).send(a_message())
    assert [call[0] for call in recording_smtp] == ["connect", "send", "quit"]


def test_build_mailer_reads_the_smtp_settings() -> None:
    mailer = build_mailer({
        "MAIL_BACKEND": "smtp", "MAIL_HOST": "smtp.example", "MAIL_PORT": 2525, "MAIL_USERNAME": "u",
        "MAIL_PASSWORD": "p", "MAIL_STARTTLS": False, "MAIL_TIMEOUT": 5, "MAIL_DATA_TIMEOUT": 300,
    })
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port, mailer.username, mailer.password, mailer.starttls, mailer.timeout,
            mailer.data_timeout) == ("smtp.example", 2525, "u", "p", False, 5.0, 300.0)


def test_one_connection_serves_several_messages_and_reconnects_after_a_failure(
    recording_smtp: list[tuple], monkeypatch: pytest.MonkeyPatch
) -> None:
    class FailingOnce(RecordingSMTP):
        failed = False

        def send_message(self, message: EmailMessage) -> None:
            if message["Subject"] == "Bad" and not FailingOnce.failed:
                FailingOnce.failed = True
                raise OSError("connection reset")
            super().send_message(message)

    monkeypatch.setattr(mailer_module, "_StagedSMTP", FailingOnce)
    with SmtpMailer("localhost", 25, starttls=False).connection() as connection:
        connection.send(a_message("One"))
        connection.send(a_message("Two"))
        with pytest.raises(OSError):
            connection.send(a_message("Bad"))
        connection.send(a_message("Three"))
    assert [call[:2] for call in recording_smtp] == [
        ("connect", "localhost"), ("send", "One"), ("send", "Two"), ("quit",),
        ("connect", "localhost"), ("send", "Three"), ("quit",),
    ]


def test_build_mailer_gives_the_outbox_in_development(tmp_path: Path) -> None:
    mailer = build_mailer({"MAIL_BACKEND": "outbox", "OUTBOX_DIR": str(tmp_path)})
    assert isinstance(mailer, OutboxMailer)
    assert mailer.directory == tmp_path


def test_build_mailer_refuses_an_unknown_backend() -> None:
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        build_mailer({"MAIL_BACKEND": "pigeon"})


def test_outbox_creates_its_folder_and_writes_files_that_sort_in_sending_order(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = tmp_path / "outbox" / "nested"
    mailer = OutboxMailer(outbox)
    with caplog.at_level(logging.INFO, logger="mentoring.notify.mailer"):
        for n in range(12):
            mailer.send(a_message(subject=f"Message {n}"))
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 12
    assert [f"Subject: Message {n}" in path.read_text() for n, path in enumerate(files)] == [True] * 12
    assert not list(outbox.glob("*.part"))
    records = [r for r in caplog.records if r.name == "mentoring.notify.mailer"]
    assert len(records) == 12
    assert "ada@example.com" in records[0].getMessage()
    assert "Message 0" in records[0].getMessage()
