"""The dispatcher: sends due notifications, each once, even with several running at once.

This is a job entry point, and unlike a service it owns its transactions. It has to: a claim is
only worth something once other dispatchers can see it, so the claim is COMMITTED before any
mail is sent, and each row's outcome is committed right after its send, so a crash half-way
through a batch never re-sends the rows already done. The scheduler's commit after the job
then finds nothing left to do.

Claiming is settled by the database: one conditional `UPDATE ... RETURNING` marks due rows
'sending' until `claimed_until`. On PostgreSQL its candidates are locked with
`FOR UPDATE SKIP LOCKED` (a second dispatcher skips them instead of waiting); SQLite has no row
locks but serialises writers, and the condition is checked again on each row. Each batch's
claim carries a fresh token, and an outcome is recorded only under that token: a dispatcher
paused past its claim can never overwrite what the one that took over recorded.
A dispatcher that dies holding claims loses them when `claimed_until` passes.

What is guaranteed: each message is sent once, except one. If the process dies (or the database
stops answering) between the SMTP server accepting a message and the commit that records it,
that one row is sent again after its claim expires. Every attempt carries the same Message-ID,
so a mail client shows it once. The batch stops at the first outcome it cannot record, so a
database outage costs at most that one message in flight, never the rest of the batch.

A run drains: it claims batch after batch until nothing is due or its sending window passes,
and one SMTP connection serves each batch.
"""

from __future__ import annotations

import enum
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from time import monotonic
from typing import Any
from uuid import uuid4

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select, update

from mentoring.accounts.models import User
from mentoring.accounts.service import ALWAYS_EMAILED, EMAIL_KINDS
from mentoring.conversations.absences import cant_come_url
from mentoring.extensions import db
from mentoring.notify.mailer import (
    DEFAULT_DATA_TIMEOUT_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    Mailer,
    batch_sender,
    get_mailer,
)
from mentoring.notify.messages import Recipient, SecondLink, UnsubscribeLink, build_message
from mentoring.notify.models import ACCOUNT_KIND, Channel, Notification, NotificationStatus
from mentoring.notify.quiet_hours import in_quiet_hours, quiet_hours_end
from mentoring.notify.unsubscribe import unsubscribe_url

logger = logging.getLogger(__name__)

# A run starts no send after this many seconds; the rest of its batch goes back to 'pending'.
# The job runs every 30 s, so a longer queue simply continues in the next run.
SEND_WINDOW_SECONDS = 60.0
# Server round trips one send may need on a new connection (connect, EHLO, STARTTLS, EHLO,
# AUTH, MAIL, RCPT, DATA, the body), each bounded by the command timeout.
SEND_ROUND_TRIPS = 10
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def claim_ttl(command_timeout: float, data_timeout: float) -> timedelta:
    """How long a claim lasts: the sending window plus the slowest send that can start at its
    end, so a live dispatcher never loses a row it is still sending. With the default timeouts
    (30 s, 600 s) that is 16 minutes, which is also how long a crashed dispatcher's rows wait."""
    return timedelta(seconds=SEND_WINDOW_SECONDS + data_timeout + SEND_ROUND_TRIPS * command_timeout)


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0  # mailed
    settled: int = 0  # done without mail: in-app only, opted out, unverified or deleted account
    deferred: int = 0  # held back by quiet hours
    retrying: int = 0  # the server refused for now (4xx) or could not be reached; tried again later
    failed: int = 0  # refused permanently (5xx), or the send failed for the last time
    released: int = 0  # claimed but handed back unsent (the run's window passed, or it stopped)
    lost: int = 0  # the claim had passed to another dispatcher, so this outcome was not recorded
    batches: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outgoing:
    """One claimed notification and what the dispatcher needs to know about its recipient."""

    id: int
    kind: str
    channel: str
    dedup_key: str
    payload: dict[str, Any]
    attempts: int
    recipient: Recipient
    timezone: str
    quiet_start: time | None
    quiet_end: time | None
    email_opt_out: tuple[str, ...]
    verified: bool
    deleted: bool
    user_id: int  # for her one-click unsubscribe link


class Action(enum.Enum):
    SEND = "send"
    SETTLE = "settle"
    DEFER = "defer"


def plan_delivery(item: Outgoing, now: datetime) -> tuple[Action, datetime | None]:
    """Decide what to do with one claimed notification; the datetime is the deferral's end."""
    is_account = item.kind == ACCOUNT_KIND
    if item.channel == Channel.IN_APP:
        return Action.SETTLE, None
    if item.deleted:
        # Her account is gone. Only mail addressed, when she deleted it, to the address she had
        # (a refund notice: money is never returned silently) still goes.
        return (Action.SEND, None) if item.payload.get("to") else (Action.SETTLE, None)
    # An unverified address may be a typo of someone else's: only account mail (the
    # verification link itself) goes there; everything else waits in the app.
    if not is_account and not item.verified:
        return Action.SETTLE, None
    # Account and payment mail can't be turned off, even where an opt-out saved before that
    # rule (or written by hand) still names it: a receipt or refund notice always goes.
    if item.kind in item.email_opt_out and item.kind not in ALWAYS_EMAILED:
        return Action.SETTLE, None
    # A reminder that quiet hours or a mail outage held past its meeting's start is noise now.
    stale_at = item.payload.get("stale_at")
    if stale_at and now >= datetime.fromisoformat(stale_at):
        return Action.SETTLE, None
    if not is_account and in_quiet_hours(now, item.timezone, item.quiet_start, item.quiet_end):
        return Action.DEFER, quiet_hours_end(now, item.timezone, item.quiet_start, item.quiet_end)
    return Action.SEND, None


def retry_due_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed sends, counted from `now` (the failure);
    None once it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[attempts - 1]


def is_permanent(error: BaseException) -> bool:
    """True when the server refused this message for good (a 5xx reply about it).

    A 5xx to our login or our sender address is about our own configuration, not the message:
    it is retried like a 4xx, so fixing the settings lets every message through.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def describe_failure(error: BaseException) -> str:
    """What an admin reads under Undelivered mail: the server's own code and words if it answered."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, reply = next(iter(error.recipients.values()))
        text = f"{type(error).__name__}: {code} {reply.decode(errors='replace')}"
    elif isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        words = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        text = f"{type(error).__name__}: {error.smtp_code} {words}"
    else:
        text = f"{type(error).__name__}: {error}"
    if is_permanent(error):
        text = f"Refused permanently (not retried): {text}"
    return text[:1000]


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Notification.status == NotificationStatus.PENDING, Notification.due_at <= now),
        # A dispatcher died holding these: they are free again.
        and_(Notification.status == NotificationStatus.SENDING, Notification.claimed_until < now),
    )


def _claim(now: datetime, batch: int, token: str, ttl: timedelta) -> list[int]:
    """Claim up to `batch` due rows under `token` for this dispatcher alone, and commit the claim.

    One conditional UPDATE: on PostgreSQL its candidates are locked with SKIP LOCKED, so a
    second dispatcher takes the next rows instead of waiting; SQLite runs it under its single
    writer lock. The condition is checked again on each row, so a row claimed meanwhile is skipped.
    """
    candidates = (
        select(Notification.id)
        .where(_claimable(now))
        .order_by(Notification.due_at, Notification.id)
        .limit(batch)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(candidates.scalar_subquery()), _claimable(now))
            .values(status=NotificationStatus.SENDING, claimed_until=now + ttl, claim_token=token)
            .returning(Notification.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    db.session.commit()
    return ids


def _load(ids: list[int]) -> list[Outgoing]:
    rows = db.session.execute(
        select(Notification, User)
        .join(User, Notification.user_id == User.id)
        .where(Notification.id.in_(ids))
        .order_by(Notification.due_at, Notification.id)
    ).all()
    items = [
        Outgoing(
            id=notification.id,
            kind=notification.kind,
            channel=notification.channel,
            dedup_key=notification.dedup_key,
            payload=dict(notification.payload or {}),
            attempts=notification.attempts,
            # A payload "to" (a new address to confirm, the old one told of a change) wins, and
            # "to_name" when it is someone else's (an invitation to an address with no account).
            recipient=Recipient(email=(notification.payload or {}).get("to") or user.email,
                                display_name=(notification.payload or {}).get("to_name", user.display_name)),
            timezone=user.timezone,
            quiet_start=user.quiet_start,
            quiet_end=user.quiet_end,
            email_opt_out=tuple(user.email_opt_out or ()),
            verified=user.email_verified_at is not None,
            deleted=user.deleted_at is not None,
            user_id=user.id,
        )
        for notification, user in rows
    ]
    # End the read before talking to a mail server: no transaction stays open during a send.
    db.session.commit()
    return items


def _settle(notification_id: int, token: str, **values: Any) -> bool:
    """Record a claimed row's outcome and commit it, only while this claim still holds it.

    False when the claim has passed to another dispatcher: then that one records the outcome.
    """
    changed = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == NotificationStatus.SENDING,
            Notification.claim_token == token,
        )
        .values(claimed_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return changed == 1


def _unsubscribe_link(item: Outgoing, now: datetime) -> UnsubscribeLink | None:
    """The one-click link for a kind she may turn off; None for account and payment mail."""
    config = current_app.config
    url = unsubscribe_url(item.user_id, item.kind, secret=config["SECRET_KEY"], base_url=config["BASE_URL"],
                          now=now)
    return UnsubscribeLink(url, EMAIL_KINDS[item.kind]) if url else None


def _cant_come_link(item: Outgoing, now: datetime) -> SecondLink | None:
    """A member's meeting reminder carries the signed one-tap "can't come" link."""
    meeting_id = item.payload.get("cant_come_meeting_id")
    if not isinstance(meeting_id, int):
        return None
    config = current_app.config
    url = cant_come_url(item.user_id, meeting_id, secret=config["SECRET_KEY"], base_url=config["BASE_URL"],
                        now=now)
    return SecondLink("Can't come this time? Tell your facilitator in one tap (we ask you to confirm)", url)


def _deliver(item: Outgoing, token: str, sender: Mailer, clock: Callable[[], datetime],
             result: DispatchResult) -> bool:
    """Send or settle one claimed row and record the outcome; False if the claim was lost."""
    now = clock()
    action, defer_until = plan_delivery(item, now)
    if action is Action.SETTLE:
        result.settled += 1
        return _settle(item.id, token, status=NotificationStatus.SENT)
    if action is Action.DEFER:
        # Released to pending and not counted as an attempt: nothing went wrong.
        result.deferred += 1
        return _settle(item.id, token, status=NotificationStatus.PENDING, due_at=defer_until)
    config = current_app.config
    try:
        sender.send(
            build_message(
                notification_id=item.id,
                dedup_key=item.dedup_key,
                payload=item.payload,
                recipient=item.recipient,
                mail_from=config["MAIL_FROM"],
                base_url=config["BASE_URL"],
                now=now,
                kind=item.kind,
                unsubscribe=_unsubscribe_link(item, now),
                second_link=_cant_come_link(item, now),
            )
        )
    except Exception as error:  # noqa: BLE001 - any failure to send is recorded, never fatal
        # The backoff counts from the failure, which may come long after the batch began.
        failed_at = clock()
        attempts = item.attempts + 1
        retry_at = None if is_permanent(error) else retry_due_at(attempts, failed_at)
        message = describe_failure(error)
        logger.warning("Notification %s: send attempt %s failed: %s", item.id, attempts, message)
        if retry_at is None:
            result.failed += 1
            return _settle(item.id, token, status=NotificationStatus.FAILED, attempts=attempts,
                           last_error=message)
        result.retrying += 1
        return _settle(item.id, token, status=NotificationStatus.PENDING, attempts=attempts,
                       last_error=message, due_at=retry_at)
    result.sent += 1
    return _settle(item.id, token, status=NotificationStatus.SENT, sent_at=clock(), last_error=None)


def _release(ids: list[int], token: str) -> int:
    """Hand this claim's unsent rows back to 'pending', due as they were."""
    if not ids:
        return 0
    released = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == NotificationStatus.SENDING,
               Notification.claim_token == token)
        .values(status=NotificationStatus.PENDING, claimed_until=None, claim_token=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return released


def _send_batch(items: list[Outgoing], token: str, mailer: Mailer, clock: Callable[[], datetime],
                window_open: Callable[[], bool], result: DispatchResult) -> bool:
    """Deliver one claimed batch over one connection; False when the run must stop."""
    with batch_sender(mailer) as sender:
        for index, item in enumerate(items):
            if not window_open():
                result.released += _release([other.id for other in items[index:]], token)
                logger.info("Dispatcher's window closed; handed back %s notifications", len(items) - index)
                return False
            try:
                recorded = _deliver(item, token, sender, clock, result)
            except Exception as error:  # noqa: BLE001 - stop at once: nothing more could be recorded
                db.session.rollback()
                logger.exception("Notification %s: could not record its outcome; stopping the batch", item.id)
                result.errors.append(f"{item.id}: {type(error).__name__}")
                _release_after_failure([other.id for other in items[index + 1:]], token, result)
                return False
            if not recorded:
                # Our claim expired (the process was paused) and another dispatcher holds these
                # rows now; the rest of the batch is in the same state, so stop before sending it.
                result.lost += 1
                logger.warning("Notification %s: claim lost to another dispatcher; batch stopped", item.id)
                result.released += _release([other.id for other in items[index + 1:]], token)
                return False
    return True


def _release_after_failure(ids: list[int], token: str, result: DispatchResult) -> None:
    # If the database is still away this fails too; the rows were not sent, and their claim
    # simply expires, so they go out once later either way.
    try:
        result.released += _release(ids, token)
    except Exception:  # noqa: BLE001 - see above
        db.session.rollback()
        logger.warning("Could not hand back %s unsent notifications; their claim will expire", len(ids))


def dispatch_due(
    now: datetime,
    *,
    batch: int = 100,
    mailer: Mailer | None = None,
    clock: Callable[[], float] = monotonic,
) -> DispatchResult:
    """Send what is due, batch after batch, until nothing is due or the sending window
    (`SEND_WINDOW_SECONDS`) passes; commits as it goes (see the module doc).

    `now` is when the run starts; each outcome is recorded at the time it happens (`now` plus
    the seconds `clock` has measured since), so `sent_at` and retry backoff count from the send.
    Guarantees: a row is claimed by one dispatcher at a time and only that claim records its
    outcome; in-app rows and mail she opted out of are settled without mail; quiet hours push a
    row's `due_at` to their end (never for kind "account"); a permanent refusal (5xx) fails at
    once; any other failed send is retried 1, 5, 15 and 60 minutes after it failed, then marked
    'failed'. A row that cannot be recorded stops the run. `mailer` defaults to the app's.
    """
    mailer = mailer or get_mailer()
    config = current_app.config
    ttl = claim_ttl(float(config.get("MAIL_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)),
                    float(config.get("MAIL_DATA_TIMEOUT", DEFAULT_DATA_TIMEOUT_SECONDS)))
    started = clock()

    def at() -> datetime:
        return now + timedelta(seconds=clock() - started)

    def window_open() -> bool:
        return clock() - started < SEND_WINDOW_SECONDS

    result = DispatchResult()
    while window_open():
        token = uuid4().hex
        ids = _claim(at(), batch, token, ttl)
        if not ids:
            break
        result.claimed += len(ids)
        result.batches += 1
        if not _send_batch(_load(ids), token, mailer, at, window_open, result):
            break
    return result
