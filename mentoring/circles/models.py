"""Circles, their meetings, who is enrolled, and who came."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.accounts.models import User
from mentoring.db import utcnow
from mentoring.extensions import db


class CircleStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    FULL = "full"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PriceMode(enum.StrEnum):
    FREE = "free"
    FIXED = "fixed"
    SLIDING = "sliding"


class EnrollmentStatus(enum.StrEnum):
    HELD = "held"
    ACTIVE = "active"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    LEFT = "left"
    REMOVED = "removed"
    COMPLETED = "completed"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"  # attendance was taken


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"  # a sick child, say: never counts as missed


# Published circles whose meetings are still going to happen: they can be joined (while a
# meeting is to come), they are reminded of, and they become completed when the last one ends.
LIVE_CIRCLE_STATUSES = (CircleStatus.OPEN, CircleStatus.FULL, CircleStatus.RUNNING)


class Funding(enum.StrEnum):
    """Who pays for her place."""

    SELF = "self"
    SPONSOR = "sponsor"
    FREE = "free"


# Statuses that occupy one of the circle's seats (counted in Circle.seats_taken).
SEAT_STATUSES = (EnrollmentStatus.HELD, EnrollmentStatus.ACTIVE, EnrollmentStatus.OFFERED)
# A place she still has or is waiting for: she can leave it, and it is on her dashboard.
LIVE_ENROLLMENT_STATUSES = (*SEAT_STATUSES, EnrollmentStatus.WAITLISTED)


class Circle(db.Model):
    __tablename__ = "circles"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 4 AND 12", name="capacity_range"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        Index("ix_circles_status_weekday", "status", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None while the circle waits for a new facilitator (hers was revoked); an admin reassigns it.
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    theme: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(default=8)
    min_to_run: Mapped[int] = mapped_column(default=4)
    # Seats held, offered or active. Taking one is a single conditional UPDATE on this column,
    # so the database, not Python, settles a race for the last seat.
    seats_taken: Mapped[int] = mapped_column(default=0)
    format: Mapped[str] = mapped_column(String(12), default="virtual")
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(40), default="English")
    kids_welcome: Mapped[bool] = mapped_column(default=False)
    onsite_childcare: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int]  # Monday is 0
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    first_date: Mapped[date] = mapped_column(Date)
    meeting_count: Mapped[int] = mapped_column(default=8)
    status: Mapped[str] = mapped_column(String(12), default=CircleStatus.DRAFT, index=True)
    agreement_text: Mapped[str] = mapped_column(Text)
    price_mode: Mapped[str] = mapped_column(String(10), default=PriceMode.FREE)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    price_cents: Mapped[int | None]
    sliding_min_cents: Mapped[int | None]
    sliding_suggested_cents: Mapped[int | None]
    sliding_max_cents: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    facilitator: Mapped[User | None] = relationship()
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="circle", order_by="Meeting.sequence", cascade="all, delete-orphan"
    )

    @property
    def seats_left(self) -> int:
        return seats_left(self.capacity, self.seats_taken)


def seats_left(capacity: int, seats_taken: int) -> int:
    """Free seats of a circle (also for a list that reads its columns without the model)."""
    return max(capacity - seats_taken, 0)


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("circle_id", "sequence"),
        Index("ix_meetings_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.SCHEDULED)
    agenda: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    circle: Mapped[Circle] = relationship(back_populates="meetings")


class CircleAgreement(db.Model):
    """One wording of a circle's confidentiality agreement.

    Rows are only ever added: a facilitator who changes the text makes a new version, so what
    each member agreed to stays readable, and members are asked to accept the new wording.
    """

    __tablename__ = "circle_agreements"
    __table_args__ = (UniqueConstraint("circle_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    version: Mapped[int]  # 1, 2, ... per circle
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enrollment(db.Model):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("circle_id", "user_id"),
        # The version she accepted is one of her own circle's agreements.
        ForeignKeyConstraint(["circle_id", "agreement_version"],
                             ["circle_agreements.circle_id", "circle_agreements.version"]),
        Index("ix_enrollments_user_status", "user_id", "status"),
        Index("ix_enrollments_circle_status", "circle_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12))
    hold_expires_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]
    # Waitlist order is (waitlisted_at, id): unique by construction, so positions never collide.
    waitlisted_at: Mapped[datetime | None]
    funding: Mapped[str] = mapped_column(String(10), default=Funding.SELF)
    # Counts her memberships of this circle: a rejoin after an active place reuses this row and
    # starts the next one, so a payment for the new membership is not a duplicate of the old.
    membership_number: Mapped[int] = mapped_column(default=1, server_default="1")
    price_cents: Mapped[int] = mapped_column(default=0)  # per meeting, what she chose
    agreed_at: Mapped[datetime | None]
    # Which version of the circle's agreement she last accepted (None: not yet any).
    agreement_version: Mapped[int | None]
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    removed_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    circle: Mapped[Circle] = relationship()
    user: Mapped[User] = relationship()


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # an AttendanceStatus
    note: Mapped[str | None] = mapped_column(String(120))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
