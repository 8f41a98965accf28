"""A member's weekly availability and her private calendar feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.db import utcnow
from mentoring.extensions import db


class AvailabilityWindow(db.Model):
    """One stretch of one weekday in her own timezone (see `availability.windows`).

    Minutes after local midnight rather than a Time column: the editor works in 30-minute steps
    and 24:00 (the end of the day) must be expressible.
    """

    __tablename__ = "availability_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
                        name="minutes_within_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))  # a WindowKind
    hard: Mapped[bool] = mapped_column(default=False)
    label: Mapped[str] = mapped_column(String(40), default="")  # hers alone, never shown to others


class CalendarFeed(db.Model):
    """Her private subscription feed. The URL's token is derived from `nonce` with the app's
    secret key (see `availability.feed`), so the database alone never holds a working URL."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class CircleInterest(db.Model):
    """She would like to join a circle that is still being planned (a draft), so its
    facilitator can find a time that suits her. Only the facilitator sees who is interested."""

    __tablename__ = "circle_interests"
    __table_args__ = (UniqueConstraint("circle_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
