"""The dispatcher: sends due notifications, each exactly once, even with several running at once.

This is a job entry point, and unlike a service it owns its transactions. It has to: a claim is
only worth something once other dispatchers can see it, so the claim is COMMITTED before any
mail is sent, and each row's outcome is committed right after its send, so a crash half-way
through a batch never re-sends the rows already done. The scheduler's commit after the job
then finds nothing left to do.

Claiming is settled by the database. On PostgreSQL the due rows are locked with
`SELECT ... FOR UPDATE SKIP LOCKED` (a second dispatcher skips them instead of waiting) and marked
'sending' until `claimed_until`. SQLite has no row locks but serialises writers, so each row is
claimed with a conditional `UPDATE ... WHERE status = 'pending'` and counts only if it changed a
row. A dispatcher that dies holding claims loses them when `claimed_until` passes.

Delivery is at least once: if the process dies between the SMTP server accepting a message and
the commit that records it, the row is sent again after its claim expires. The Message-ID is the
same on every attempt, so mail clients can fold that rare duplicate.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from time import monotonic
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select, update

from mentoring.accounts.models import User
from mentoring.extensions import db
from mentoring.notify.mailer import Mailer, get_mailer
from mentoring.notify.messages import Recipient, build_message
from mentoring.notify.models import ACCOUNT_KIND, Channel, Notification, NotificationStatus
from mentoring.notify.quiet_hours import in_quiet_hours, quiet_hours_end

logger = logging.getLogger(__name__)

CLAIM_TTL = timedelta(minutes=5)
# A batch stops claiming time after half its claim's life, so slow sends (SMTP timeouts) never
# let a claim expire under a row that is still about to be sent.
CLAIM_BUDGET_SECONDS = CLAIM_TTL.total_seconds() / 2
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0  # mailed
    settled: int = 0  # done without mail: in-app only, opted out, unverified or deleted account
    deferred: int = 0  # held back by quiet hours
    retrying: int = 0  # the send failed; tried again later
    failed: int = 0  # the send failed for the last time
    released: int = 0  # claimed but handed back unprocessed (the batch ran out of time)
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
    if not is_account and (item.kind in item.email_opt_out or not item.verified):
        return Action.SETTLE, None
    # A reminder that quiet hours or a mail outage held past its meeting's start is noise now.
    stale_at = item.payload.get("stale_at")
    if stale_at and now >= datetime.fromisoformat(stale_at):
        return Action.SETTLE, None
    if not is_account and in_quiet_hours(now, item.timezone, item.quiet_start, item.quiet_end):
        return Action.DEFER, quiet_hours_end(now, item.timezone, item.quiet_start, item.quiet_end)
    return Action.SEND, None


def retry_due_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed sends; None once it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[attempts - 1]


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Notification.status == NotificationStatus.PENDING, Notification.due_at <= now),
        # A dispatcher died holding these: they are free again.
        and_(Notification.status == NotificationStatus.SENDING, Notification.claimed_until < now),
    )


def _claim(now: datetime, batch: int) -> list[int]:
    """Claim up to `batch` due rows for this dispatcher alone, and commit the claim."""
    session = db.session
    claim = {"status": NotificationStatus.SENDING, "claimed_until": now + CLAIM_TTL}
    candidates = (
        select(Notification.id)
        .where(_claimable(now))
        .order_by(Notification.due_at, Notification.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.execute(candidates.with_for_update(skip_locked=True)).scalars())
        if ids:
            session.execute(
                update(Notification)
                .where(Notification.id.in_(ids))
                .values(**claim)
                .execution_options(synchronize_session=False)
            )
    else:
        ids = []
        for notification_id in session.execute(candidates).scalars().all():
            changed = session.execute(
                update(Notification)
                .where(Notification.id == notification_id, _claimable(now))
                .values(**claim)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed == 1:
                ids.append(notification_id)
    session.commit()
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
            # A payload "to" (a new address to confirm, the old one told of a change) wins.
            recipient=Recipient(email=(notification.payload or {}).get("to") or user.email,
                                display_name=user.display_name),
            timezone=user.timezone,
            quiet_start=user.quiet_start,
            quiet_end=user.quiet_end,
            email_opt_out=tuple(user.email_opt_out or ()),
            verified=user.email_verified_at is not None,
            deleted=user.deleted_at is not None,
        )
        for notification, user in rows
    ]
    # End the read before talking to a mail server: no transaction stays open during a send.
    db.session.commit()
    return items


def _settle(notification_id: int, **values: Any) -> None:
    """Record a claimed row's outcome and commit it, only while the claim still holds."""
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == NotificationStatus.SENDING)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _deliver(item: Outgoing, now: datetime, mailer: Mailer, result: DispatchResult) -> None:
    action, defer_until = plan_delivery(item, now)
    if action is Action.SETTLE:
        _settle(item.id, status=NotificationStatus.SENT)
        result.settled += 1
        return
    if action is Action.DEFER:
        # Released to pending and not counted as an attempt: nothing went wrong.
        _settle(item.id, status=NotificationStatus.PENDING, due_at=defer_until)
        result.deferred += 1
        return
    config = current_app.config
    try:
        mailer.send(
            build_message(
                notification_id=item.id,
                dedup_key=item.dedup_key,
                payload=item.payload,
                recipient=item.recipient,
                mail_from=config["MAIL_FROM"],
                base_url=config["BASE_URL"],
                now=now,
            )
        )
    except Exception as error:  # noqa: BLE001 - any failure to send is retried, never fatal
        attempts = item.attempts + 1
        retry_at = retry_due_at(attempts, now)
        message = f"{type(error).__name__}: {error}"[:1000]
        logger.warning("Notification %s: send attempt %s failed: %s", item.id, attempts, message)
        if retry_at is None:
            _settle(item.id, status=NotificationStatus.FAILED, attempts=attempts, last_error=message)
            result.failed += 1
        else:
            _settle(item.id, status=NotificationStatus.PENDING, attempts=attempts, last_error=message,
                    due_at=retry_at)
            result.retrying += 1
        return
    _settle(item.id, status=NotificationStatus.SENT, sent_at=now, last_error=None)
    result.sent += 1


def _release(ids: list[int]) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == NotificationStatus.SENDING)
        .values(status=NotificationStatus.PENDING, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def dispatch_due(
    now: datetime,
    *,
    batch: int = 100,
    mailer: Mailer | None = None,
    clock: Callable[[], float] = monotonic,
) -> DispatchResult:
    """Send up to `batch` notifications due by `now`; commits as it goes (see the module doc).

    Guarantees: a row is claimed by one dispatcher at a time; in-app rows and mail she opted
    out of are settled without mail; quiet hours push a row's `due_at` to their end (never for
    kind "account"); a failed send is retried after 1, 5, 15 and 60 minutes, then marked
    'failed'. One row's failure never stops the batch. `mailer` defaults to the app's.
    """
    mailer = mailer or get_mailer()
    result = DispatchResult()
    ids = _claim(now, batch)
    result.claimed = len(ids)
    if not ids:
        return result
    deadline = clock() + CLAIM_BUDGET_SECONDS
    items = _load(ids)
    for index, item in enumerate(items):
        if clock() > deadline:
            remaining = [other.id for other in items[index:]]
            _release(remaining)
            result.released = len(remaining)
            logger.warning("Dispatcher ran out of time; handed back %s notifications", len(remaining))
            break
        try:
            _deliver(item, now, mailer, result)
        except Exception as error:  # noqa: BLE001 - a database hiccup on one row must not stop the rest
            db.session.rollback()
            logger.exception("Notification %s: could not record its outcome", item.id)
            result.errors.append(f"{item.id}: {type(error).__name__}")
    return result
