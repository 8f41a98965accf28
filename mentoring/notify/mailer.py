"""Mailers: how a built message leaves Hearth. SMTP in production, an outbox folder in development.

Only the dispatcher calls a mailer; everything else queues a `Notification` instead.
"""

from __future__ import annotations

import itertools
import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand the message over for delivery, or raise."""


class SmtpMailer:
    """Sends through an SMTP server, one connection per message.

    STARTTLS is required (not opportunistic) when `starttls` is on: a server that does not offer
    it makes the send fail rather than send members' mail in clear text.
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
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


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
        )
    if backend == "outbox":
        return OutboxMailer(config["OUTBOX_DIR"])
    raise ValueError(f"MAIL_BACKEND must be 'smtp' or 'outbox', not {backend!r}")


def get_mailer() -> Mailer:
    """The app's mailer, bound by `create_app`."""
    return current_app.extensions["hearth.mailer"]
