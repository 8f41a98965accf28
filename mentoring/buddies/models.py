"""Practice buddies: pairs (or one trio) in a circle, "not with" wishes, practice sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.db import utcnow
from mentoring.extensions import db


class BuddyPair(db.Model):
    """Two or three members of a circle. A draft (not yet published) is the facilitator's
    suggestion; a published pair is active from `active_from` until `active_until`."""

    __tablename__ = "buddy_pairs"
    __table_args__ = (Index("ix_buddy_pairs_circle_until", "circle_id", "active_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    reasons: Mapped[str] = mapped_column(Text, default="")  # the suggestion's reasons, one a line
    active_from: Mapped[datetime | None]  # None: a draft only the facilitator sees
    active_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[BuddyPairMember]] = relationship(
        back_populates="pair", order_by="BuddyPairMember.id", cascade="all, delete-orphan"
    )


class BuddyPairMember(db.Model):
    __tablename__ = "buddy_pair_members"
    __table_args__ = (
        UniqueConstraint("pair_id", "user_id"),
        Index("ix_buddy_pair_members_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("buddy_pairs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # She asked the facilitator for a different buddy (the facilitator was told).
    change_requested_at: Mapped[datetime | None]

    pair: Mapped[BuddyPair] = relationship(back_populates="members")


class BuddyApart(db.Model):
    """She asked never to be paired with `other_id`. Private: the other member never learns it."""

    __tablename__ = "buddy_apart"
    __table_args__ = (UniqueConstraint("user_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REPLACED = "replaced"  # the other suggested another time instead


class PracticeSession(db.Model):
    """A short practice between buddies. The notes are private to the pair."""

    __tablename__ = "practice_sessions"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 120", name="duration_range"),
        Index("ix_practice_sessions_pair", "pair_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("buddy_pairs.id", ondelete="CASCADE"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=20)
    topic: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=SessionStatus.PROPOSED)
    done_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
