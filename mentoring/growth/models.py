"""Goals with their progress notes, check-ins between meetings, and her check-in time."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.db import utcnow
from mentoring.extensions import db


class Visibility(enum.StrEnum):
    PRIVATE = "private"
    BUDDY = "buddy"  # her practice buddies in the circle (see rhythm.may_read)
    CIRCLE = "circle"


class GoalStatus(enum.StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class Progress(enum.StrEnum):
    NOT_STARTED = "not_started"
    SOME = "some"
    MOST = "most"
    DONE = "done"
    BLOCKED = "blocked"


class Goal(db.Model):
    __tablename__ = "goals"
    __table_args__ = (
        Index("ix_goals_user_status", "user_id", "status"),
        Index("ix_goals_circle_visibility", "circle_id", "visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    why: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(String(300), default="")
    target_date: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.PRIVATE)
    status: Mapped[str] = mapped_column(String(10), default=GoalStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it was reached or set aside; cleared if she takes it up again.
    closed_at: Mapped[datetime | None]

    notes: Mapped[list[GoalNote]] = relationship(
        back_populates="goal", order_by="GoalNote.id.desc()", cascade="all, delete-orphan"
    )


class GoalNote(db.Model):
    __tablename__ = "goal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="notes")


class CheckIn(db.Model):
    """One per member per gap; the gap is named by the meeting it follows."""

    __tablename__ = "check_ins"
    __table_args__ = (
        # One per gap: the database refuses a second, whatever races the form.
        UniqueConstraint("user_id", "after_meeting_id"),
        CheckConstraint("mood BETWEEN 1 AND 5", name="mood_range"),
        Index("ix_check_ins_circle_support", "circle_id", "needs_support"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    after_meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    mood: Mapped[int]
    win: Mapped[str] = mapped_column(Text, default="")
    obstacle: Mapped[str] = mapped_column(Text, default="")
    # {goal id (as text): Progress value}
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.PRIVATE)
    needs_support: Mapped[bool] = mapped_column(default=False)
    # Whether her win/obstacle words go to the facilitator with the request; never by default.
    support_shares_text: Mapped[bool] = mapped_column(default=False)
    support_requested_at: Mapped[datetime | None]
    support_followed_up_at: Mapped[datetime | None]
    support_followed_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckInPreference(db.Model):
    """When she likes to be asked for her check-in; no row means the default (after bedtime)."""

    __tablename__ = "check_in_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    prompt_time: Mapped[time] = mapped_column(Time)
