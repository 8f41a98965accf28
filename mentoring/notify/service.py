"""Queueing notifications inside the caller's unit of work, and her in-app list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, bindparam, func, literal, select, update
from sqlalchemy.orm import joinedload

from mentoring.accounts.models import User
from mentoring.audit.service import record
from mentoring.db import insert_into, utcnow
from mentoring.errors import NotFound
from mentoring.extensions import db
from mentoring.notify.messages import shown_in_app
from mentoring.notify.models import Channel, Notification, NotificationStatus

INBOX_PAGE_SIZE = 20
# Far beyond any real list; keeps a hand-typed ?page=10**20 from overflowing the OFFSET.
INBOX_MAX_PAGE = 10_000


def queue_notification(
    user_id: int,
    kind: str,
    dedup_key: str,
    *,
    subject: str,
    text: str,
    link: str | None = None,
    due_at: datetime | None = None,
    channel: str = "email",
    stale_at: datetime | None = None,
    extra: dict[str, Any] | None = None,
    mailbox_only: bool = False,
    if_account_exists: bool = False,
) -> bool:
    """Queue one notification in the current transaction; True if it was new.

    The unique `dedup_key` makes a repeated action (a retried request, a second scheduler)
    queue nothing more. The row is only ever sent if the caller commits, so work that rolls
    back sends nothing. `link` is a path inside Hearth ("/circles/3"); the mailer makes it absolute.
    `stale_at` is when the email stops being worth sending (a reminder once its meeting has
    started): held back by quiet hours or a failing mail server past it, it stays in-app only.
    `channel` is "email" (also shown in the app) or "in_app" (never mailed). Kind "account" is
    for verification and password-reset mail: it ignores quiet hours and opt-outs.
    `mailbox_only` marks a message whose link proves control of her mailbox: its text and link
    go by email only, and the app shows just that it was sent (see `shown_in_app`).
    With `if_account_exists`, nothing is queued when `user_id` names no live account, in the
    same single statement, so a caller can do identical work whether or not an account exists.
    Raises ValueError for an unknown channel (a programming error, not a member's).
    """
    if channel not in set(Channel):
        raise ValueError(f"unknown notification channel {channel!r}")
    due = due_at or utcnow()
    values = {
        "user_id": user_id,
        "kind": kind,
        "dedup_key": dedup_key,
        "due_at": due,
        "visible_at": due,
        "channel": channel,
        "payload": {
            "subject": subject,
            "text": text,
            "link": link,
            **({"stale_at": stale_at.astimezone(UTC).isoformat()} if stale_at else {}),
            **(extra or {}),
            **({"mailbox_only": True} if mailbox_only else {}),
        },
        "status": NotificationStatus.PENDING,
        "attempts": 0,
        "created_at": utcnow(),
    }
    if if_account_exists:
        columns = list(values)
        rows = select(*(literal(values[c], type_=Notification.__table__.c[c].type) for c in columns)).where(
            select(User.id).where(User.id == user_id, User.deleted_at.is_(None)).exists()
        )
        statement = insert_into(db.session, Notification).from_select(columns, rows)
    else:
        statement = insert_into(db.session, Notification).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"]).returning(Notification.id)
    return db.session.execute(statement).scalar_one_or_none() is not None


@dataclass(frozen=True)
class InboxItem:
    id: int
    subject: str
    text: str
    link: str | None
    at: datetime
    unread: bool


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxItem]
    page: int
    has_previous: bool
    has_next: bool


def _visible_to(
    user_id: int | ColumnElement[int], now: datetime | ColumnElement[datetime]
) -> ColumnElement[bool]:
    # A notification scheduled for later (a reminder for next week) shows once it is due.
    return (Notification.user_id == user_id) & (Notification.visible_at <= now)


def inbox_page(user_id: int, *, now: datetime, page: int = 1, per_page: int = INBOX_PAGE_SIZE) -> InboxPage:
    """One page of her notifications that are due by `now`, newest first.

    Only her own rows; a page past the end is simply empty. Reading does not mark anything read.
    """
    page = min(max(page, 1), INBOX_MAX_PAGE)
    rows = list(
        db.session.execute(
            select(Notification)
            .where(_visible_to(user_id, now))
            .order_by(Notification.visible_at.desc(), Notification.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        ).scalars()
    )
    items = [
        InboxItem(
            id=row.id,
            subject=str(row.payload.get("subject") or ""),
            text=text,
            link=link,
            at=row.visible_at,
            unread=row.read_at is None,
        )
        for row in rows[:per_page]
        for text, link in [shown_in_app(row.payload)]
    ]
    return InboxPage(items=items, page=page, has_previous=page > 1, has_next=len(rows) > per_page)


# Built once: the header asks on every page she opens. Only the bound values change.
_UNREAD = select(func.count(Notification.id)).where(
    _visible_to(bindparam("user_id"), bindparam("now")), Notification.read_at.is_(None)
)


def unread_count(user_id: int, *, now: datetime) -> int:
    """How many of her notifications that are due by `now` she has not marked read."""
    return db.session.execute(_UNREAD, {"user_id": user_id, "now": now}).scalar_one()


def mark_all_read(user_id: int, *, now: datetime, seen_until: datetime | None = None) -> int:
    """Mark her unread notifications read at `now`; returns how many changed.

    With `seen_until` (when her list page was shown) a notification that appeared after that
    stays unread, so she does not miss it. Never touches anyone else's rows.
    """
    shown_by = now if seen_until is None else min(seen_until, now)
    condition = _visible_to(user_id, shown_by) & Notification.read_at.is_(None)
    result = db.session.execute(
        update(Notification).where(condition).values(read_at=now).execution_options(synchronize_session=False)
    )
    return result.rowcount


def undelivered_mail(page: int, per_page: int = INBOX_PAGE_SIZE) -> Pagination:
    """Email that failed for good (refused permanently, or out of retries), newest first, with
    each recipient loaded (one query)."""
    statement = (
        select(Notification)
        .where(Notification.status == NotificationStatus.FAILED)
        .options(joinedload(Notification.user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return db.paginate(statement, page=max(page, 1), per_page=per_page, error_out=False)


@dataclass(frozen=True)
class MailBacklog:
    due: int  # email waiting to go out now: due and pending, or being sent
    oldest_due_at: datetime | None
    oldest_age: timedelta | None  # how long the oldest of them has waited


def mail_backlog(now: datetime) -> MailBacklog:
    """How much email is due at `now` and how long the oldest has waited.

    A queue that keeps growing older means the dispatcher is not keeping up or not running.
    """
    waiting = ((Notification.status == NotificationStatus.PENDING) & (Notification.due_at <= now)) | (
        Notification.status == NotificationStatus.SENDING
    )
    count, oldest = db.session.execute(
        select(func.count(Notification.id), func.min(Notification.due_at))
        .where(waiting, Notification.channel == Channel.EMAIL)
    ).one()
    return MailBacklog(count, oldest, max(now - oldest, timedelta(0)) if oldest else None)


def retry_delivery(notification_id: int, *, actor_id: int, now: datetime) -> Notification:
    """Send a failed email again from scratch: pending, due now, a fresh set of attempts.

    Only a failed row can be retried, so a double-clicked button queues it once. The retry is
    audited, because it sends mail in someone's name. Raises NotFound otherwise.
    """
    notification = db.session.get(Notification, notification_id, with_for_update=True)
    if notification is None or notification.status != NotificationStatus.FAILED:
        raise NotFound("That message is not waiting for a retry (it may have been retried already).")
    notification.status = NotificationStatus.PENDING
    notification.attempts = 0
    notification.due_at = now
    notification.claimed_until = None
    record("notification.retried", actor_id=actor_id, subject_type="notification",
           subject_id=notification.id, details={"kind": notification.kind, "user_id": notification.user_id},
           now=now)
    return notification


@dataclass(frozen=True)
class NotificationDraft:
    """One notification for `queue_notifications`; the fields mean what `queue_notification`'s do."""

    user_id: int
    kind: str
    dedup_key: str
    subject: str
    text: str
    link: str | None = None
    due_at: datetime | None = None
    stale_at: datetime | None = None
    channel: str = "email"



def queue_notifications(drafts: list[NotificationDraft]) -> int:
    """Queue many notifications in the current transaction; returns how many were new.

    The same guarantees as `queue_notification` (a dedup key already queued, by this run or a
    second scheduler, queues nothing), in one statement per 500 rather than one per row, for
    jobs that reach thousands of members at once. Raises ValueError for an unknown channel.
    """
    if any(draft.channel not in set(Channel) for draft in drafts):
        raise ValueError("unknown notification channel")
    now = utcnow()
    rows = [
        {
            "user_id": d.user_id, "kind": d.kind, "dedup_key": d.dedup_key, "due_at": d.due_at or now,
            "visible_at": d.due_at or now, "channel": d.channel,
            "payload": {"subject": d.subject, "text": d.text, "link": d.link,
                        **({"stale_at": d.stale_at.astimezone(UTC).isoformat()} if d.stale_at else {})},
            "status": NotificationStatus.PENDING, "attempts": 0, "created_at": now,
        }
        for d in drafts
    ]
    if not rows:
        return 0
    # One statement, compiled once and sent in batches ("insertmanyvalues"); RETURNING names
    # only the rows that were new.
    statement = (
        insert_into(db.session, Notification.__table__)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(Notification.__table__.c.id)
    )
    return len(db.session.execute(statement, rows).all())
