"""A private word with the facilitator: one thread per member, circle and facilitator.

Who may read a thread: its member and its facilitator (while she still runs the circle), nobody
else (another member, another facilitator, a sponsor admin, an admin). Everyone else is told it
does not exist (NotFound), so a thread's existence is not revealed either. An admin sees one
message when a participant reports it, and only that message (`reported_messages`).

Neither side ever sees the other's email address: the email that tells her of a new message
says who wrote and links back to Hearth, where she answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from mentoring.accounts.models import Role, RoleAssignment, User
from mentoring.circles.models import Circle, Enrollment, EnrollmentStatus
from mentoring.conversations.models import MESSAGE_MAX, Message, MessageReport, Thread
from mentoring.conversations.rules import clean_text
from mentoring.db import insert_into
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification

MESSAGE_KIND = "message"
REPORT_KIND = "report"


class ThreadNotFound(NotFound):
    """We could not find that conversation."""


class FacilitatorChanged(DomainError):
    """This facilitator no longer runs the circle, so she can't read new messages here. You can
    write to the circle's new facilitator from the circle's page."""


class CircleNotYours(NotFound):
    """We could not find that circle among yours."""


def _live_user(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.deleted_at is None else None


def _tell(recipient_id: int, author: User, message: Message, thread: Thread, circle_title: str) -> None:
    queue_notification(
        recipient_id,
        MESSAGE_KIND,
        f"message:{message.id}",
        subject=f"{author.display_name} wrote to you in Hearth",
        text=(f"{author.display_name} sent you a private message about {circle_title}. "
              "Read it and answer in Hearth: your email addresses stay private, so replying to "
              "this email does not reach her."),
        link=f"/talk/threads/{thread.id}",
        extra={"thread_id": thread.id},
    )


def _add_message(thread: Thread, author: User, body: str, now: datetime) -> Message:
    message = Message(thread_id=thread.id, author_id=author.id, body=body, created_at=now)
    db.session.add(message)
    thread.last_message_at = now
    db.session.flush()
    recipient = thread.facilitator_id if author.id == thread.member_id else thread.member_id
    if _live_user(recipient) is not None:
        _tell(recipient, author, message, thread, thread.circle.title)
    return message


def write_to_facilitator(circle_id: int, member_id: int, body: str, *, now: datetime) -> Message:
    """Her message to the facilitator of a circle where she has an active place, in her thread
    (started on the first message; one per member and circle, even with two requests at once).

    The facilitator is told in-app and by email (quiet hours respected by the dispatcher).
    Raises CircleNotYours (no active place, or she is its facilitator), InvalidInput (empty, or
    over 4,000 characters).
    """
    circle = circle_to_write_about(circle_id, member_id)
    text = clean_text(body, limit=MESSAGE_MAX)
    member = _live_user(member_id)
    if member is None:
        raise CircleNotYours()
    db.session.execute(
        insert_into(db.session, Thread).values(circle_id=circle.id, member_id=member_id,
                                 facilitator_id=circle.facilitator_id, created_at=now, last_message_at=now)
        .on_conflict_do_nothing(index_elements=["circle_id", "member_id", "facilitator_id"])
    )
    thread = member_thread(circle.id, member_id)
    assert thread is not None  # inserted or already there
    return _add_message(thread, member, text, now)


def circle_to_write_about(circle_id: int, member_id: int) -> Circle:
    """The circle (its facilitator loaded) whose facilitator she may write to: one where she
    has an active place and is not the facilitator herself. Raises CircleNotYours."""
    circle = db.session.execute(
        select(Circle).options(joinedload(Circle.facilitator))
        .join(Enrollment, Enrollment.circle_id == Circle.id)
        .where(Circle.id == circle_id, Enrollment.user_id == member_id,
               Enrollment.status == EnrollmentStatus.ACTIVE, Circle.facilitator_id != member_id)
    ).scalar_one_or_none()
    if circle is None:
        raise CircleNotYours()
    return circle


def reply(thread_id: int, author_id: int, body: str, *, now: datetime) -> Message:
    """A participant's message in a thread she can read; the other one is told.

    Raises ThreadNotFound (not a participant), InvalidInput (empty, or over 4,000 characters).
    """
    thread = thread_for(thread_id, author_id)
    text = clean_text(body, limit=MESSAGE_MAX)
    author = _live_user(author_id)
    if author is None:
        raise ThreadNotFound()
    if thread.circle.facilitator_id != thread.facilitator_id:
        raise FacilitatorChanged()
    return _add_message(thread, author, text, now)


def _readable_by(viewer_id: int) -> ColumnElement[bool]:
    # The facilitator's side follows her live role: once the circle has passed to someone else
    # (or waits for a new facilitator), her old threads are closed to her.
    return or_(Thread.member_id == viewer_id,
               and_(Thread.facilitator_id == viewer_id, Circle.facilitator_id == viewer_id))


def thread_for(thread_id: int, viewer_id: int) -> Thread:
    """The thread with its messages (authors loaded), if the viewer is one of its two people.

    Raises ThreadNotFound for anyone else, whatever her role.
    """
    thread = db.session.execute(
        select(Thread).join(Circle, Circle.id == Thread.circle_id)
        .options(contains_eager(Thread.circle), joinedload(Thread.member), joinedload(Thread.facilitator))
        .where(Thread.id == thread_id, _readable_by(viewer_id))
    ).scalar_one_or_none()
    if thread is None:
        raise ThreadNotFound()
    return thread


def member_thread(circle_id: int, member_id: int) -> Thread | None:
    """Her thread with the circle's present facilitator, if she has written to her."""
    return db.session.execute(
        select(Thread).join(Circle, Circle.id == Thread.circle_id)
        .where(Thread.circle_id == circle_id, Thread.member_id == member_id,
               Thread.facilitator_id == Circle.facilitator_id)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class ThreadSummary:
    id: int
    circle_title: str
    other_name: str  # the person she talks to
    last_message_at: datetime
    as_facilitator: bool


def threads_of(user_id: int) -> list[ThreadSummary]:
    """Every thread she is one of the two people in, the most recent first."""
    threads = db.session.execute(
        select(Thread).join(Circle, Circle.id == Thread.circle_id)
        .options(contains_eager(Thread.circle), joinedload(Thread.member), joinedload(Thread.facilitator))
        .where(_readable_by(user_id))
        .order_by(Thread.last_message_at.desc(), Thread.id.desc())
    ).scalars().all()
    return [
        ThreadSummary(
            id=t.id, circle_title=t.circle.title, last_message_at=t.last_message_at,
            other_name=(t.member if t.facilitator_id == user_id else t.facilitator).display_name,
            as_facilitator=t.facilitator_id == user_id,
        )
        for t in threads
    ]


def report_message(message_id: int, reporter_id: int, *, now: datetime) -> bool:
    """Ask the admins to look at one message the other person wrote; True if newly reported.

    The admins are told in the app that a report is waiting; the message itself is only on the
    admins' report page. Reporting twice changes nothing. Raises ThreadNotFound (she cannot
    read it), InvalidInput (her own message).
    """
    message = db.session.get(Message, message_id)
    if message is None:
        raise ThreadNotFound()
    thread_for(message.thread_id, reporter_id)
    if message.author_id == reporter_id:
        raise InvalidInput("You can only report a message someone else wrote.")
    new = db.session.execute(
        insert_into(db.session, MessageReport)
        .values(message_id=message.id, reporter_id=reporter_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["message_id", "reporter_id"])
        .returning(MessageReport.id)
    ).scalar_one_or_none() is not None
    if new:
        admin_ids = db.session.execute(
            select(RoleAssignment.user_id).join(User, User.id == RoleAssignment.user_id).where(
                RoleAssignment.role == str(Role.ADMIN), RoleAssignment.revoked_at.is_(None),
                User.deleted_at.is_(None))
        ).scalars().all()
        for admin_id in set(admin_ids):
            queue_notification(
                admin_id, REPORT_KIND, f"message-report:{message.id}:{reporter_id}:admin:{admin_id}",
                subject="A private message was reported",
                text="A member reported a message she received in Hearth. Please look at it.",
                link="/talk/reports", channel="in_app",
            )
    return new


@dataclass(frozen=True)
class ReportedMessage:
    report_id: int
    reported_at: datetime
    reporter_name: str
    author_name: str
    body: str
    written_at: datetime


def reported_messages() -> list[ReportedMessage]:
    """Each reported message alone (never the rest of its thread), newest report first."""
    author = User.__table__.alias("author")
    rows = db.session.execute(
        select(MessageReport.id, MessageReport.created_at, User.display_name, author.c.display_name,
               Message.body, Message.created_at)
        .join(Message, Message.id == MessageReport.message_id)
        .join(User, User.id == MessageReport.reporter_id)
        .join(author, author.c.id == Message.author_id)
        .order_by(MessageReport.created_at.desc(), MessageReport.id.desc())
    ).all()
    return [ReportedMessage(*row) for row in rows]
