"""Private threads between a member and her facilitator, reports of a message, announcements.

"Can't come" needs no table of its own: it is the meeting's attendance, pre-filled as excused
(see `conversations.absences`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.accounts.models import User
from mentoring.circles.models import Circle
from mentoring.db import utcnow
from mentoring.extensions import db

MESSAGE_MAX = 4000


class Thread(db.Model):
    """One member's private conversation with her circle's facilitator.

    Only `member_id` and `facilitator_id` may read it; nobody else, admins included (an admin
    sees a message only when it is reported, and then only that message). Powers follow the
    live role: the facilitator reads it only while she still runs the circle. A circle that
    gets a new facilitator starts a new thread with her, so nothing said to the one before
    passes to the new one.
    """

    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("circle_id", "member_id", "facilitator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)

    circle: Mapped[Circle] = relationship()
    member: Mapped[User] = relationship(foreign_keys=[member_id])
    facilitator: Mapped[User] = relationship(foreign_keys=[facilitator_id])
    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", order_by="Message.id", cascade="all, delete-orphan", passive_deletes=True
    )


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[Thread] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()


class MessageReport(db.Model):
    """A participant asked the admins to look at one message. A report is the only way an
    admin ever reads a private message, and it shows that message alone."""

    __tablename__ = "message_reports"
    __table_args__ = (UniqueConstraint("message_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship()
    reporter: Mapped[User] = relationship()


class Announcement(db.Model):
    """A facilitator's note to her whole circle. Members read it; nobody replies to all."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_circle_id_created_at", "circle_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()
