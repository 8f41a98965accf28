"""Accounts: users and their role assignments."""

from __future__ import annotations

import enum
from datetime import datetime, time

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text, Time, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.db import utcnow
from mentoring.extensions import db

DEFAULT_QUIET_START = time(21, 30)
DEFAULT_QUIET_END = time(7, 0)


class Role(enum.StrEnum):
    FACILITATOR = "facilitator"
    SPONSOR_ADMIN = "sponsor_admin"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_start: Mapped[time | None] = mapped_column(Time, default=DEFAULT_QUIET_START)
    quiet_end: Mapped[time | None] = mapped_column(Time, default=DEFAULT_QUIET_END)
    # Which notification kinds she wants by email; in-app always shows everything.
    email_opt_out: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Meeting reminders her way: a day ahead (the default) and/or an hour ahead.
    remind_day_before: Mapped[bool] = mapped_column(default=True, server_default=true())
    remind_hour_before: Mapped[bool] = mapped_column(default=False, server_default=false())
    bio: Mapped[str | None] = mapped_column(Text)
    email_verified_at: Mapped[datetime | None]
    # Bumped on password change, email change and deletion so old reset links die. Sessions
    # live in `user_sessions`.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user",
        foreign_keys="RoleAssignment.user_id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )

    # The secret of the server-side session this object was loaded or logged in with; set by
    # `load_user` and the login view, never stored (only its digest is, in `user_sessions`).
    session_token = None  # str once set; not a column, so not annotated with Mapped
    # Her unread notifications as of loading her session (the header shows it on every page):
    # read with the session, in the same query, so no page spends a query of its own on it.
    unread_notifications = None  # int once loaded; not a column, like session_token

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: her id and the
        token of one `UserSession`, so ending that row ends the session and every copy of it."""
        return f"{self.id}:{self.session_token or ''}"

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def active_roles(self) -> set[str]:
        return {r.role for r in self.roles if r.revoked_at is None}

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleAssignment(db.Model):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # A sponsor admin's role is for one organisation (mentoring.sponsors).
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])


class FacilitatorApplication(db.Model):
    __tablename__ = "facilitator_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    bio: Mapped[str] = mapped_column(Text)
    training: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending/approved/declined
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class UserSession(db.Model):
    """One login on one device. The cookie only names it: deleting the row logs that device out,
    whatever copies of the session or remember-me cookie exist."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token: a read of this table gives no one a working session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
