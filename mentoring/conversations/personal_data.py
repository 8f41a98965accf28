"""Her part of conversations in her data export, and what goes when her account is deleted.

A thread is a conversation between two people; when either deletes her account the whole
thread goes (with any report on its messages), since half a private conversation is neither
hers nor useful to the other. Her announcements go too. Her "can't come" reasons are
attendance notes, exported and handled with attendance.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

from mentoring.accounts.signals import account_deleted, personal_data_export
from mentoring.circles.models import Circle
from mentoring.conversations.models import Announcement, Message, MessageReport, Thread
from mentoring.extensions import db


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@personal_data_export.connect
def export_conversations(sender: object, *, user_id: int, **_: object) -> dict[str, Any]:
    """Her threads (every message in them, marked hers or not), her reports and her announcements,
    as the export's "conversations" section."""
    threads = db.session.execute(
        select(Thread).options(selectinload(Thread.messages), selectinload(Thread.circle))
        .where(or_(Thread.member_id == user_id, Thread.facilitator_id == user_id)).order_by(Thread.id)
    ).scalars().all()
    reports = db.session.execute(
        select(MessageReport).where(MessageReport.reporter_id == user_id).order_by(MessageReport.id)
    ).scalars().all()
    announcements = db.session.execute(
        select(Announcement, Circle.title).join(Circle, Circle.id == Announcement.circle_id)
        .where(Announcement.author_id == user_id).order_by(Announcement.id)
    ).all()
    return {"conversations": {
        "threads": [
            {"circle": t.circle.title, "you_are": "member" if t.member_id == user_id else "facilitator",
             "messages": [{"yours": m.author_id == user_id, "body": m.body, "at": _iso(m.created_at)}
                          for m in t.messages]}
            for t in threads
        ],
        "reported_messages": [{"message_id": r.message_id, "at": _iso(r.created_at)} for r in reports],
        "announcements": [{"circle": title, "body": a.body, "at": _iso(a.created_at)}
                          for a, title in announcements],
    }}


def delete_conversations(user_id: int) -> None:
    """Remove every thread she is in (its messages and their reports), her reports and her
    announcements. Flushes, never commits."""
    hers = or_(Thread.member_id == user_id, Thread.facilitator_id == user_id)
    thread_ids = select(Thread.id).where(hers)
    message_ids = select(Message.id).where(Message.thread_id.in_(thread_ids))
    db.session.execute(delete(MessageReport).where(
        or_(MessageReport.reporter_id == user_id, MessageReport.message_id.in_(message_ids))))
    db.session.execute(delete(Message).where(Message.thread_id.in_(thread_ids)))
    db.session.execute(delete(Thread).where(hers))
    db.session.execute(delete(Announcement).where(Announcement.author_id == user_id))


@account_deleted.connect
def _on_account_deleted(sender: object, *, user_id: int, now: datetime, **_: object) -> None:
    delete_conversations(user_id)
