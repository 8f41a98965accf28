"""A real SMTP server on loopback, and mailers that record or fail, for the dispatcher tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class CollectingHandler:
    """Keeps every message the server accepts, and the client address of its connection."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.peers: list = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd hook
        with self._lock:
            self.envelopes.append(envelope)
            self.peers.append(session.peer)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: CollectingHandler

    @property
    def envelopes(self) -> list:
        return list(self.handler.envelopes)

    @property
    def connections(self) -> int:
        """How many client connections delivered messages."""
        return len(set(self.handler.peers))

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.handler.envelopes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_server(handler: CollectingHandler | None = None,
                      **smtp_parameters: object) -> tuple[Controller, SmtpServer]:
    handler = handler or CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp_parameters)
    controller.start()
    return controller, SmtpServer(controller.hostname, controller.port, handler)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    controller, server = start_smtp_server()
    try:
        yield server
    finally:
        controller.stop()


def frozen_clock() -> float:
    """A dispatcher clock for which a run takes no time: every outcome is recorded at `now`."""
    return 0.0


@dataclass
class RecordingMailer:
    """Keeps what it is asked to send; fails for the addresses in `fail_for`."""

    sent: list[EmailMessage] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)

    def send(self, message: EmailMessage) -> None:
        recipient = message["To"].addresses[0].addr_spec
        if recipient in self.fail_for:
            raise ConnectionRefusedError(f"mail server said no to {recipient}")
        self.sent.append(message)

    def recipients(self) -> list[str]:
        return [m["To"].addresses[0].addr_spec for m in self.sent]


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()
