"""Queueing notifications inside the caller's unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.models import Notification


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
    extra: dict[str, Any] | None = None,
) -> bool:
    """Queue one notification in the current transaction; True if it was new.

    The unique `dedup_key` makes a repeated action (a retried request, a second scheduler)
    queue nothing more. The row is only ever sent if the caller commits, so work that rolls
    back sends nothing. `link` is a path inside Hearth ("/circles/3"); the mailer makes it absolute.
    """
    values = {
        "user_id": user_id,
        "kind": kind,
        "dedup_key": dedup_key,
        "due_at": due_at or utcnow(),
        "channel": channel,
        "payload": {"subject": subject, "text": text, "link": link, **(extra or {})},
        "status": "pending",
        "attempts": 0,
        "created_at": utcnow(),
    }
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(Notification.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None
