"""Mailers: how a built message leaves Hearth. SMTP in production, an outbox folder in development.

Only the dispatcher calls a mailer; everything else queues a `Notification` instead.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

logger = logging.getLogger(__name__)

# RFC 5321 4.5.3.2: minutes for commands, and 10 minutes for the server's answer after the
# message body, because a server may check the whole message before it says yes. A short wait
# there turns "accepted, answered late" into a failure, and the retry into a duplicate.
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_DATA_TIMEOUT_SECONDS = 600.0


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand the message over for delivery, or raise."""


class _StagedSMTP(smtplib.SMTP):
    """smtplib.SMTP with a second, longer timeout for the final reply after DATA.

    smtplib has one socket timeout for everything; only `data()` is overridden, to lengthen the
    wait for that one reply and restore the command timeout afterwards.
    """

    def __init__(self, host: str, port: int, *, timeout: float, data_timeout: float) -> None:
        self.data_timeout = data_timeout
        super().__init__(host, port, timeout=timeout)

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        if isinstance(msg, str):
            msg = msg.encode("ascii")
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        body = re.sub(rb"(?m)^\.", b"..", msg)  # dot-stuffing, as smtplib does
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        self.send(body + b".\r\n")
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self.sock.settimeout(self.data_timeout)
        try:
            return self.getreply()
        finally:
            if self.sock is not None:  # getreply closes the connection when the server went away
                self.sock.settimeout(self.timeout)


class SmtpConnection:
    """One SMTP session reused for many messages; reconnects after any failure.

    A failed send drops the connection, so the next message starts from a clean session
    whatever state the failure left the server in.
    """

    def __init__(self, mailer: SmtpMailer) -> None:
        self._mailer = mailer
        self._smtp: _StagedSMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._mailer.open()
            self._smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


class SmtpMailer:
    """Sends through an SMTP server.

    STARTTLS is required (not opportunistic) when `starttls` is on: a server that does not offer
    it makes the send fail rather than send members' mail in clear text. `timeout` bounds the
    connection and each command; `data_timeout` the server's answer after the message body.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        data_timeout: float = DEFAULT_DATA_TIMEOUT_SECONDS,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.data_timeout = data_timeout

    def open(self) -> _StagedSMTP:
        """A connected, upgraded and logged-in session; the caller closes it."""
        smtp = _StagedSMTP(self.host, self.port, timeout=self.timeout, data_timeout=self.data_timeout)
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    @contextmanager
    def connection(self) -> Iterator[SmtpConnection]:
        """One connection for a batch of messages, closed at the end."""
        connection = SmtpConnection(self)
        try:
            yield connection
        finally:
            connection.close()

    def send(self, message: EmailMessage) -> None:
        with self.connection() as connection:
            connection.send(message)


class OutboxMailer:
    """Writes each message as an `.eml` file; names sort by the time they were written."""

    _sequence = itertools.count()

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{os.getpid()}-{next(self._sequence):06d}.eml"
        path = self.directory / name
        # Written aside and renamed, so whoever watches the folder never reads half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(bytes(message))
        partial.replace(path)
        logger.info("Outbox: %r to %s -> %s", message["Subject"], message["To"], path.name)


def batch_sender(mailer: Mailer) -> AbstractContextManager[Mailer]:
    """What a batch sends through: one reused connection for SMTP, the mailer itself otherwise."""
    if isinstance(mailer, SmtpMailer):
        return mailer.connection()
    return nullcontext(mailer)


def build_mailer(config: Mapping[str, Any]) -> Mailer:
    """The mailer that `MAIL_BACKEND` names (`smtp` or `outbox`)."""
    backend = config.get("MAIL_BACKEND", "outbox")
    if backend == "smtp":
        return SmtpMailer(
            config["MAIL_HOST"],
            int(config["MAIL_PORT"]),
            username=config.get("MAIL_USERNAME", ""),
            password=config.get("MAIL_PASSWORD", ""),
            starttls=bool(config.get("MAIL_STARTTLS", True)),
            timeout=float(config.get("MAIL_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)),
            data_timeout=float(config.get("MAIL_DATA_TIMEOUT", DEFAULT_DATA_TIMEOUT_SECONDS)),
        )
    if backend == "outbox":
        return OutboxMailer(config["OUTBOX_DIR"])
    raise ValueError(f"MAIL_BACKEND must be 'smtp' or 'outbox', not {backend!r}")


def get_mailer() -> Mailer:
    """The app's mailer, bound by `create_app`."""
    return current_app.extensions["hearth.mailer"]
