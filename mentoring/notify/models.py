"""Notifications: the only way anything is sent."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.accounts.models import User
from mentoring.db import utcnow
from mentoring.extensions import db


class Channel(enum.StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a dispatcher until `claimed_until`
    SENT = "sent"  # mailed, or settled without mail (in-app only, opted out, account deleted)
    FAILED = "failed"  # gave up after the last retry; kept for admins


# Account-security mail (verification, password reset): she is waiting for it right now, so
# quiet hours never hold it and she cannot opt out of it.
ACCOUNT_KIND = "account"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_status_due_at", "status", "due_at"),
        Index("ix_notifications_user_id_visible_at", "user_id", "visible_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    # A repeated action (or a second scheduler) inserts the same key and is refused.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    # When the email goes out next: quiet hours and retries move it later.
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it appears in her in-app list: the time it was first due, which never moves, so an
    # email held by quiet hours or a failing mail server still shows in the app.
    visible_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(10), default="email")  # email / in_app
    # subject, text body and an optional link, rendered when queued.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending/sending/sent/failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # While 'sending': the claim's expiry; after it another dispatcher may take the row over.
    claimed_until: Mapped[datetime | None]
    # While 'sending': which dispatcher's claim this is. Only the holder may record the outcome,
    # so one paused past its claim cannot overwrite what the dispatcher that took over recorded.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # When it was mailed; stays empty for a row settled without mail.
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
