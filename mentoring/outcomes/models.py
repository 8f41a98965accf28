"""The pulse after each meeting and her outcome measures at joining and at the end."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.db import utcnow
from mentoring.extensions import db


class PulseResponse(db.Model):
    """Her answers about one meeting she attended, 1-5 each; one per person per meeting."""

    __tablename__ = "pulse_responses"
    __table_args__ = (
        # One answer per person per meeting: the database refuses a second, whatever races.
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint("felt_heard BETWEEN 1 AND 5", name="felt_heard_range"),
        CheckConstraint("connected BETWEEN 1 AND 5", name="connected_range"),
        CheckConstraint("learned BETWEEN 1 AND 5", name="learned_range"),
        Index("ix_pulse_responses_circle", "circle_id", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    felt_heard: Mapped[int]
    connected: Mapped[int]
    learned: Mapped[int]
    # The only pulse text the facilitator reads; the member is told so on the form.
    note_to_facilitator: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Phase(enum.StrEnum):
    START = "start"  # at joining
    END = "end"  # after the last meeting


class OutcomeMeasure(db.Model):
    """How she rates herself, 1-7, at the start and the end of a circle (see README)."""

    __tablename__ = "outcome_measures"
    __table_args__ = (
        UniqueConstraint("user_id", "circle_id", "phase"),
        CheckConstraint("isolation BETWEEN 1 AND 7", name="isolation_range"),
        CheckConstraint("confidence BETWEEN 1 AND 7", name="confidence_range"),
        CheckConstraint("balance BETWEEN 1 AND 7", name="balance_range"),
        CheckConstraint("stress BETWEEN 1 AND 7", name="stress_range"),
        Index("ix_outcome_measures_circle", "circle_id", "phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(5))
    isolation: Mapped[int]
    confidence: Mapped[int]
    balance: Mapped[int]
    stress: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutcomeTerm(db.Model):
    """One closed term's outcome figures: for the whole programme (`organization_id` NULL) or
    for the members linked to one employer when they gave their end rating. Written once, when
    every circle of the term has closed its end ratings (`outcomes.jobs`), and never changed, so
    no later rating, link or deleted account can alter a figure already shown, and the pages
    read a few rows however many members there are. Aggregates only; nothing about any person."""

    __tablename__ = "outcome_terms"
    __table_args__ = (
        # One row per (employer, term); the programme's rows (NULL employer) get their own
        # partial index because a NULL never collides in a plain unique key. A second
        # scheduler's copy of the same term fails its insert and rolls its run back.
        UniqueConstraint("organization_id", "term"),
        Index(
            "uq_outcome_terms_programme_term",
            "term",
            unique=True,
            sqlite_where=text("organization_id IS NULL"),
            postgresql_where=text("organization_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(7))  # "2026-Q1": the quarter of the circles' first meeting
    people: Mapped[int]  # distinct members who rated at both ends
    members: Mapped[int]  # memberships rated at both ends (one member may count in two circles)
    fell: Mapped[int]  # of those memberships, how many ended with isolation lower than it began
    # Distinct members over every shown term (5 or more people) closed up to this one: the total.
    people_through: Mapped[int]
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
