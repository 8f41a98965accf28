"""`make bench`, the dispatcher's part: how fast does due mail leave Hearth?

Three figures, each on a fresh database filled with due notifications (members without quiet
hours, so nothing is held back):

  1. in process, to the development outbox (.eml files), 50,000 messages: messages per second;
  2. in process, through SMTP to a local aiosmtpd server (one connection per batch), 50,000
     messages: messages per second;
  3. the real scheduler process (`flask --app wsgi scheduler run`, as production runs it)
     draining 2,000 due messages to the local SMTP server: seconds from its start until the
     server holds every message and no row is left to send. Target: under 60 s.

Options: `--messages` for 1 and 2, `--drain` for 3. With DATABASE_URL set to PostgreSQL the
databases are schemas there (dropped afterwards); otherwise temporary SQLite files.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, insert, select, update

from mentoring import PROJECT_ROOT, create_app
from mentoring.accounts.models import User
from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from mentoring.notify.mailer import Mailer, OutboxMailer, SmtpMailer
from mentoring.notify.models import Notification
from tests.bench.run import throwaway_database

DRAIN_TARGET_SECONDS = 60.0
SECRET = "bench-" + "x" * 40


class CountingHandler:
    """Accepts every message and counts it."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd hook
        with self._lock:
            self.count += 1
        return "250 Message accepted for delivery"


def smtp_server() -> tuple[Controller, CountingHandler]:
    handler = CountingHandler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler


def port_of(controller: Controller) -> int:
    return controller.port


def fill(url: str, count: int, now: datetime) -> Flask:
    """A database with `count` notifications due a minute ago, to 1 member per 5 messages."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": True})
    with app.app_context():
        db.create_all()
        members = max(count // 5, 1)
        db.session.execute(insert(User), [
            {"id": i, "email": f"member{i}@bench.example", "password_hash": "x",
             "display_name": f"Member {i}", "timezone": "UTC", "quiet_start": None, "quiet_end": None,
             "email_verified_at": now, "created_at": now, "session_version": 1, "email_opt_out": []}
            for i in range(1, members + 1)
        ])
        # The ORM's bulk insert fills a None from the column's default (21:30-07:00): clear
        # quiet hours outright, or a run in the evening defers every message instead of sending.
        db.session.execute(update(User).values(quiet_start=None, quiet_end=None))
        due = now - timedelta(minutes=1)
        db.session.execute(insert(Notification), [
            {"user_id": n % members + 1, "kind": "circle_reminder", "dedup_key": f"bench:{n}", "due_at": due,
             "visible_at": due, "channel": "email", "status": "pending", "attempts": 0, "created_at": now,
             "payload": {"subject": f"Your circle meets tomorrow ({n})", "text": "Tuesday, 20:30.",
                         "link": "/circles/1"}}
            for n in range(count)
        ])
        db.session.commit()
        db.session.remove()
    return app


def left_to_send(app: Flask) -> int:
    with app.app_context():
        left = db.session.execute(
            select(func.count(Notification.id)).where(Notification.status != "sent")
        ).scalar_one()
        db.session.remove()
    return left


def in_process(label: str, count: int, mailer_for: Callable[[], Mailer]) -> float:
    """Messages per second of `dispatch_due` calls draining `count` due messages."""
    now = datetime.now(UTC)
    with throwaway_database(f"dispatch_{label}") as url:
        app = fill(url, count, now)
        with app.app_context():
            mailer = mailer_for()
            sent = 0
            started = time.perf_counter()
            # One run drains for at most a minute (as the scheduler's does); run again until
            # nothing is left, as the scheduler's next runs would.
            while sent < count:
                result = dispatch_due(now, mailer=mailer)
                if result.sent == 0:
                    raise SystemExit(f"{label}: sent {sent} of {count}, then nothing: {result}")
                sent += result.sent
            elapsed = time.perf_counter() - started
            db.session.remove()
            db.engine.dispose()
    return count / elapsed


def scheduler_drain(count: int) -> float:
    """Seconds the real scheduler process takes to deliver `count` due messages."""
    now = datetime.now(UTC)
    controller, handler = smtp_server()
    try:
        with throwaway_database("dispatch_drain") as url:
            app = fill(url, count, now)
            env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "HEARTH_ENV": "development",
                   "MAIL_BACKEND": "smtp", "MAIL_HOST": "127.0.0.1", "MAIL_PORT": str(port_of(controller)),
                   "MAIL_STARTTLS": "false", "MAIL_USERNAME": ""}
            started = time.perf_counter()
            process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
                                       cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            try:
                while handler.count < count or left_to_send(app):
                    if process.poll() is not None:
                        raise SystemExit(f"the scheduler exited with {process.returncode}")
                    if time.perf_counter() - started > 10 * DRAIN_TARGET_SECONDS:
                        raise SystemExit(f"gave up: {handler.count} of {count} delivered")
                    time.sleep(0.1)
                elapsed = time.perf_counter() - started
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=120)
            with app.app_context():
                db.engine.dispose()
    finally:
        controller.stop()
    if handler.count != count:
        raise SystemExit(f"the server received {handler.count} messages for {count} notifications")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=50_000,
                        help="due messages for the in-process figures")
    parser.add_argument("--drain", type=int, default=2000, help="due messages for the scheduler to drain")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hearth-bench-outbox-") as outbox:
        outbox_rate = in_process("outbox", args.messages, lambda: OutboxMailer(outbox))
    controller, _ = smtp_server()
    try:
        port = port_of(controller)
        smtp_rate = in_process("smtp", args.messages, lambda: SmtpMailer("127.0.0.1", port, starttls=False))
    finally:
        controller.stop()
    drain_seconds = scheduler_drain(args.drain)

    passed = drain_seconds < DRAIN_TARGET_SECONDS
    print(f"{'dispatcher':<48}{'figure':>16}")
    print("-" * 64)
    print(f"{f'in process, to the outbox ({args.messages} messages)':<48}{outbox_rate:>12.0f} /s")
    print(f"{f'in process, SMTP to aiosmtpd ({args.messages} messages)':<48}{smtp_rate:>12.0f} /s")
    print(f"{f'scheduler process draining {args.drain} messages':<48}{drain_seconds:>13.1f} s"
          f"  ({args.drain / drain_seconds:.0f} /s)")
    print()
    print(f"Target: the scheduler drains {args.drain} due messages in under {DRAIN_TARGET_SECONDS:g} s. "
          f"Overall: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
