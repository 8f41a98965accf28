"""Practice sessions between buddies: one proposes a time, the other accepts or suggests
another, either marks it done, and the notes are private to the pair.

Functions take ids and plain values, flush and never commit. Only members of the session's
pair reach it: anyone else's id reads as not found.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.buddies.models import BuddyPair, BuddyPairMember, PracticeSession, SessionStatus
from mentoring.buddies.queries import active_pair_of
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.timekeeping.display import format_local
from mentoring.web import public_link

TOPIC_MAX, NOTES_MAX = 200, 4000
LATEST_AHEAD = timedelta(days=120)
PRACTICE_KIND = "circle_update"


class NotYourBuddy(NotFound):
    """You can only plan practice sessions with your own practice buddy."""


class NotProposedToYou(DomainError):
    """Only your buddy can accept a time you proposed."""


class SessionNotOpen(DomainError):
    """This session can't be changed that way any more."""


def _pair_members(pair_id: int) -> list[int]:
    return list(db.session.scalars(select(BuddyPairMember.user_id).where(BuddyPairMember.pair_id == pair_id)))


def own_session(session_id: int, user_id: int) -> PracticeSession:
    """A session of a pair she is in; raises NotFound otherwise."""
    session = db.session.get(PracticeSession, session_id)
    if session is None or user_id not in _pair_members(session.pair_id):
        raise NotFound("We couldn't find that practice session.")
    return session


def _checked(starts_at: datetime | None, duration: int | None, topic: str, now: datetime) -> tuple:
    if starts_at is None:
        raise InvalidInput("Please choose a date and time.", field="starts_at")
    if starts_at <= now or starts_at > now + LATEST_AHEAD:
        raise InvalidInput("Please choose a time in the next four months.", field="starts_at")
    if duration is None or not 5 <= duration <= 120:
        raise InvalidInput("Please choose between 5 and 120 minutes.", field="duration_minutes")
    topic = (topic or "").strip()
    if not topic:
        raise InvalidInput("Please say what you'd like to practise.", field="topic")
    if len(topic) > TOPIC_MAX:
        raise InvalidInput(f"Please keep this to {TOPIC_MAX} characters.", field="topic")
    return starts_at, duration, topic


def _tell_the_others(session: PracticeSession, actor_id: int, subject: str, lead: str, now: datetime) -> None:
    pair = db.session.get(BuddyPair, session.pair_id)
    actor = db.session.get(User, actor_id)
    assert pair is not None and actor is not None
    path, _ = public_link("buddies.mine", circle_id=pair.circle_id)
    for other in db.session.scalars(
        select(User).where(User.id.in_([m for m in _pair_members(pair.id) if m != actor_id]))
    ):
        queue_notification(
            other.id,
            PRACTICE_KIND,
            f"practice:{session.id}:{session.status}:{other.id}",
            subject=subject.format(name=actor.display_name),
            text=f"{lead.format(name=actor.display_name)} {session.topic}: "
            f"{format_local(session.starts_at, other.timezone)} your time "
            f"({format_local(session.starts_at, actor.timezone)} for {actor.display_name}).",
            link=path,
            due_at=now,
        )


def propose_session(
    user_id: int,
    circle_id: int,
    starts_at: datetime | None,
    duration: int | None,
    topic: str,
    *,
    now: datetime,
) -> PracticeSession:
    """Propose a practice session to her buddy in `circle_id`, who is told the time in her own
    timezone. Raises NotYourBuddy (no buddy there) or InvalidInput (with the field)."""
    pair = active_pair_of(user_id, circle_id)
    if pair is None:
        raise NotYourBuddy()
    starts_at, duration, topic = _checked(starts_at, duration, topic, now)
    session = PracticeSession(
        pair_id=pair.id,
        proposed_by_id=user_id,
        starts_at=starts_at,
        duration_minutes=duration,
        topic=topic,
        status=SessionStatus.PROPOSED,
        created_at=now,
    )
    db.session.add(session)
    db.session.flush()
    _tell_the_others(session, user_id, "{name} proposed a practice session", "{name} proposed", now)
    return session


def accept_session(session_id: int, user_id: int, *, now: datetime) -> PracticeSession:
    """Her buddy's proposal, accepted. Raises NotFound, NotProposedToYou or SessionNotOpen."""
    session = own_session(session_id, user_id)
    if session.proposed_by_id == user_id:
        raise NotProposedToYou()
    if session.status != SessionStatus.PROPOSED:
        raise SessionNotOpen()
    session.status = SessionStatus.ACCEPTED
    db.session.flush()
    _tell_the_others(session, user_id, "{name} accepted your practice session", "{name} accepted", now)
    return session


def suggest_other_time(
    session_id: int, user_id: int, starts_at: datetime | None, *, now: datetime
) -> PracticeSession:
    """Instead of accepting, she proposes another time for the same practice; the first one is
    set aside. Raises NotFound, NotProposedToYou, SessionNotOpen or InvalidInput."""
    session = own_session(session_id, user_id)
    if session.proposed_by_id == user_id:
        raise NotProposedToYou("You proposed this one; your buddy can suggest another time.")
    if session.status != SessionStatus.PROPOSED:
        raise SessionNotOpen()
    starts_at, duration, topic = _checked(starts_at, session.duration_minutes, session.topic, now)
    session.status = SessionStatus.REPLACED
    other = PracticeSession(
        pair_id=session.pair_id,
        proposed_by_id=user_id,
        starts_at=starts_at,
        duration_minutes=duration,
        topic=topic,
        status=SessionStatus.PROPOSED,
        created_at=now,
    )
    db.session.add(other)
    db.session.flush()
    _tell_the_others(
        other, user_id, "{name} suggested another time", "{name} suggested another time for", now
    )
    return other


def mark_done(session_id: int, user_id: int, *, now: datetime) -> PracticeSession:
    """Either buddy marks an accepted session done once it has started; twice changes nothing.
    Raises NotFound or SessionNotOpen."""
    session = own_session(session_id, user_id)
    if session.status != SessionStatus.ACCEPTED or session.starts_at > now:
        raise SessionNotOpen("A session can be marked done once it has been accepted and has begun.")
    session.done_at = session.done_at or now
    db.session.flush()
    return session


def save_notes(session_id: int, user_id: int, notes: str) -> PracticeSession:
    """The pair's shared notes on a session (nobody else reads them). Raises NotFound or InvalidInput."""
    session = own_session(session_id, user_id)
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise InvalidInput(f"Please keep this to {NOTES_MAX} characters.", field="notes")
    session.notes = notes
    db.session.flush()
    return session
