"""Organisations, their sponsor admins' invitations, seat pools, claims and employee links."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.db import utcnow
from mentoring.extensions import db


class PoolStatus(enum.StrEnum):
    PENDING = "pending"  # bought, not paid yet
    ACTIVE = "active"  # paid (or activated by hand); seats may be claimed while it is valid
    EXPIRED = "expired"  # shown only: an active pool past its end date (derived, never stored)


class PoolPayment(enum.StrEnum):
    CARD = "card"
    INVOICE = "invoice"
    MANUAL = "manual"  # an offline contract, activated by an admin


class ClaimStatus(enum.StrEnum):
    CLAIMED = "claimed"
    RETURNED = "returned"  # she left before her second meeting: the seat went back to the pool


class LinkMethod(enum.StrEnum):
    WORK_EMAIL = "work_email"
    INVITE_CODE = "invite_code"


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    billing_email: Mapped[str] = mapped_column(String(254))
    gateway_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    domains: Mapped[list[OrganizationDomain]] = relationship(
        back_populates="organization", order_by="OrganizationDomain.domain", cascade="all, delete-orphan"
    )


class OrganizationDomain(db.Model):
    """An email domain the admin verified as the organisation's; one organisation per domain."""

    __tablename__ = "organization_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="domains")


class SponsorInvite(db.Model):
    """An invitation to act as a sponsor admin; accepted through a signed link sent by email."""

    __tablename__ = "sponsor_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SeatPool(db.Model):
    """Seats an organisation bought: the pool-seat ledger (see mentoring.sponsors.ledger)."""

    __tablename__ = "seat_pools"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("seats_claimed >= 0 AND seats_claimed <= seats", name="claims_within_seats"),
        CheckConstraint("price_cap_cents >= 0", name="cap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    seats: Mapped[int]
    # Seats taken by claims. Only mentoring.sponsors.ledger changes it, one conditional UPDATE a move.
    seats_claimed: Mapped[int] = mapped_column(default=0)
    price_cap_cents: Mapped[int]  # per meeting; circles priced at or below it are covered
    meetings_per_seat: Mapped[int]  # what the quote prices a seat at: one circle term
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    amount_cents: Mapped[int]
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default=PoolStatus.PENDING)
    payment_method: Mapped[str] = mapped_column(String(10))
    gateway_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    gateway_invoice_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()

    @property
    def seats_free(self) -> int:
        return self.seats - self.seats_claimed

    def shown_status(self, now: datetime) -> str:
        if self.status == PoolStatus.ACTIVE and self.valid_until <= now:
            return PoolStatus.EXPIRED
        return self.status


class SeatClaim(db.Model):
    """One employee's sponsored place: one pool seat for one membership of one circle."""

    __tablename__ = "seat_claims"
    __table_args__ = (
        # One sponsored seat per membership, whatever the timing of two clicks.
        UniqueConstraint("enrollment_id", "membership_number"),
        # Covers the report's distinct-claimer counts, so they read the index alone.
        Index("ix_seat_claims_pool_status_user", "pool_id", "status", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("seat_pools.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    membership_number: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.CLAIMED)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    returned_at: Mapped[datetime | None]


class EmployeeLink(db.Model):
    """She linked herself to her employer. Reports count her activity only while linked.

    Unlinking keeps the dates (so months already reported never change when she leaves, which
    would let two reports be differenced) and forgets the work address.
    """

    __tablename__ = "employee_links"
    __table_args__ = (
        # At most one live link per member.
        Index(
            "uq_employee_links_one_live_per_user",
            "user_id",
            unique=True,
            sqlite_where=text("unlinked_at IS NULL"),
            postgresql_where=text("unlinked_at IS NULL"),
        ),
        # "Was she linked to this employer then?" is asked per member in the outcome figures;
        # with only the single-column indexes SQLite walked every link of the employer for each
        # member, so the sponsor dashboard slowed with the square of the staff.
        Index("ix_employee_links_user_organization", "user_id", "organization_id", "linked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(12))
    # Kept only for this link, never used to log in or to write to her; cleared on unlink.
    work_email: Mapped[str | None] = mapped_column(String(254))
    invite_code_id: Mapped[int | None] = mapped_column(ForeignKey("invite_codes.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    unlinked_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()


class InviteCode(db.Model):
    __tablename__ = "invite_codes"
    __table_args__ = (
        CheckConstraint("max_uses > 0", name="max_uses_positive"),
        CheckConstraint("uses >= 0 AND uses <= max_uses", name="uses_within_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)
    max_uses: Mapped[int]
    uses: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportMonth(db.Model):
    """One closed month of an organisation's activity figures, written once when the month is
    closed (mentoring.sponsors.jobs) and never changed: later attendance marks, unlinking or a
    deleted account cannot alter a month already reported, so two reports cannot be differenced.
    Aggregates only; it holds nothing about any one person."""

    __tablename__ = "sponsor_report_months"
    __table_args__ = (UniqueConstraint("organization_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # "2026-10", UTC
    people: Mapped[int]  # distinct employees taking part
    attended: Mapped[int]
    counted: Mapped[int]  # attended + missed (excused absences never count)
    # Distinct employees over every shown month (5 or more people) up to this one: the total row.
    people_through: Mapped[int]
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
