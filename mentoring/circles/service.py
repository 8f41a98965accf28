"""Facilitators running circles: create, edit, publish and cancel them.

Meetings one at a time (cancel, skip, move, agenda, attendance) live in `meetings.py`.

Every function takes ids and plain values plus `now`, checks that the actor runs the circle
(or is an admin), flushes and never commits. Members hear about changes through
`queue_notification`; each dedup key names the change, so repeating it sends nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.circles import agreement, signals
from mentoring.circles.agenda import default_agenda, is_default_agenda
from mentoring.circles.catalog import WEEKDAYS
from mentoring.circles.circle_input import CheckedCircle, CircleInput, check_circle_input
from mentoring.circles.lifecycle import withdraw_reminders
from mentoring.circles.models import (
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.circles.schedule import local_date_of, weekly_slots
from mentoring.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.timekeeping.display import format_local

# Who hears that a circle is cancelled: everyone with a place or a place in the queue.
CIRCLE_AUDIENCE = (
    EnrollmentStatus.ACTIVE, EnrollmentStatus.HELD, EnrollmentStatus.OFFERED, EnrollmentStatus.WAITLISTED
)
MEETING_AUDIENCE = (EnrollmentStatus.ACTIVE,)


class NotAFacilitator(PermissionDenied):
    """Only approved facilitators can run circles."""


class NotYourCircle(PermissionDenied):
    """Only the circle's own facilitator can change it."""


class CircleClosed(DomainError):
    """This circle has ended or was cancelled, so it can no longer be changed."""


class NotADraft(DomainError):
    """This circle is already published."""


class NoFutureMeetings(DomainError):
    """A circle needs at least one meeting still to come before it can be published."""


class TooFewMeetingsLeft(InvalidInput):
    """The term cannot be shorter than the meetings already held."""

    field = "meeting_count"


# --- helpers ---------------------------------------------------------------------------------


def locked_circle(circle_id: int) -> Circle:
    # Locked (PostgreSQL; SQLite serialises writers) so two edits of one circle run one after the
    # other, each seeing what the first wrote.
    circle = db.session.get(Circle, circle_id, with_for_update=True, populate_existing=True)
    if circle is None:
        raise NotFound("We could not find that circle.")
    return circle


def require_manager(circle: Circle, actor_id: int) -> None:
    """The circle's facilitator (while she is one) or an admin; anyone else is refused."""
    actor = db.session.get(User, actor_id)
    if actor is None or actor.deleted_at is not None:
        raise NotYourCircle()
    roles = actor.active_roles()
    if str(Role.ADMIN) in roles:
        return
    if circle.facilitator_id != actor_id or str(Role.FACILITATOR) not in roles:
        raise NotYourCircle()


def require_open_for_changes(circle: Circle) -> None:
    if circle.status in (CircleStatus.CANCELLED, CircleStatus.COMPLETED):
        raise CircleClosed()


def circle_meetings(circle_id: int) -> list[Meeting]:
    return list(
        db.session.execute(
            select(Meeting).where(Meeting.circle_id == circle_id).order_by(Meeting.sequence)
        ).scalars()
    )


def audience(circle_id: int, statuses: Iterable[str]) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(
                Enrollment.circle_id == circle_id,
                Enrollment.status.in_([str(s) for s in statuses]),
                User.deleted_at.is_(None),
            )
            .order_by(User.id)
        ).scalars()
    )


def notify_members(users: Iterable[User], key: str, subject: str, link: str,
            body: Callable[[Callable[[datetime], str]], str]) -> None:
    """One notification per user. `body` gets a function that shows an instant in HER zone."""
    for user in users:
        def her_time(instant: datetime, zone: str = user.timezone) -> str:
            return format_local(instant, zone)

        queue_notification(
            user.id, "circle_update", f"{key}:{user.id}", subject=subject, text=body(her_time), link=link,
        )


def circle_path(circle: Circle) -> str:
    return f"/circles/{circle.id}"


def _apply_settings(circle: Circle, checked: CheckedCircle) -> None:
    data = checked.data
    circle.title = data.title.strip()
    circle.theme = data.theme
    circle.description = data.description.strip()
    circle.capacity = data.capacity
    circle.min_to_run = data.min_to_run
    circle.format = data.format
    circle.meeting_link = checked.meeting_link
    circle.address = checked.address
    circle.language = data.language.strip()
    circle.kids_welcome = data.kids_welcome
    circle.onsite_childcare = data.onsite_childcare
    circle.agreement_text = data.agreement_text.strip()
    prices = checked.prices
    circle.price_mode = prices.mode
    circle.currency = prices.currency
    circle.price_cents = prices.price_cents
    circle.sliding_min_cents = prices.sliding_min_cents
    circle.sliding_suggested_cents = prices.sliding_suggested_cents
    circle.sliding_max_cents = prices.sliding_max_cents


def _apply_schedule(circle: Circle, data: CircleInput) -> None:
    circle.timezone = data.timezone
    circle.weekday = data.first_date.weekday()
    circle.start_time = data.start_time
    circle.duration_minutes = data.duration_minutes
    circle.meeting_count = data.meeting_count


# --- circles ---------------------------------------------------------------------------------


def create_circle(facilitator_id: int, data: CircleInput, *, now: datetime) -> Circle:
    """A draft circle with its whole term of meetings, each with the guide for its position.

    Raises NotAFacilitator if the user is not an approved facilitator, and CircleInputInvalid
    (listing every problem, e.g. FirstDateInPast) if the settings break a rule.
    """
    user = db.session.get(User, facilitator_id)
    if user is None or str(Role.FACILITATOR) not in user.active_roles():
        raise NotAFacilitator()
    checked = check_circle_input(data, now=now)
    circle = Circle(facilitator_id=facilitator_id, status=CircleStatus.DRAFT, seats_taken=0,
                    first_date=data.first_date, created_at=now)
    _apply_settings(circle, checked)
    _apply_schedule(circle, data)
    db.session.add(circle)
    db.session.flush()
    agreement.version_to_accept(circle.id)
    for slot in weekly_slots(data.first_date, data.start_time, data.duration_minutes, data.timezone,
                             data.meeting_count):
        db.session.add(Meeting(
            circle_id=circle.id, sequence=slot.sequence, starts_at=slot.starts_at, ends_at=slot.ends_at,
            status=MeetingStatus.SCHEDULED, agenda=default_agenda(slot.sequence, data.meeting_count),
        ))
    db.session.flush()
    return circle


def next_schedule_date(circle: Circle, meetings: list[Meeting], now: datetime) -> date:
    """The date an edit's schedule starts from: the first meeting, or the next one once it has met."""
    if not any(m.starts_at <= now for m in meetings):
        return circle.first_date
    upcoming = [m for m in meetings if m.starts_at > now]
    if upcoming:
        return local_date_of(upcoming[0].starts_at, circle.timezone)
    return now.astimezone(ZoneInfo(circle.timezone)).date()


def update_circle(circle_id: int, actor_id: int, data: CircleInput, *, now: datetime) -> Circle:
    """Save new settings. A schedule change regenerates only meetings still to come.

    Meetings that have started keep their instants, sequences and attendance. The remaining
    meetings are rebuilt weekly from `data.first_date` (the next meeting, once the circle has
    met) at the new local time in the new zone, so each instant is right across DST changes.
    Future meetings the facilitator cancelled stay as they are and still count towards the
    term. Members with a place hear about a schedule change.

    A changed confidentiality agreement becomes a new version that active members are asked to
    accept (see `mentoring.circles.agreement`).

    Raises NotYourCircle, CircleClosed, CircleInputInvalid, TooFewMeetingsLeft.
    """
    circle = locked_circle(circle_id)
    require_manager(circle, actor_id)
    require_open_for_changes(circle)
    meetings = circle_meetings(circle.id)
    old_schedule = (circle.timezone, circle.start_time, circle.duration_minutes, circle.meeting_count,
                    next_schedule_date(circle, meetings, now))
    new_schedule = (data.timezone, data.start_time, data.duration_minutes, data.meeting_count,
                    data.first_date)
    schedule_changed = old_schedule != new_schedule
    checked = check_circle_input(data, now=now, check_first_date=schedule_changed,
                                 seats_taken=circle.seats_taken)
    used = sum(1 for m in meetings if m.starts_at <= now or m.status == MeetingStatus.CANCELLED)
    if schedule_changed and data.meeting_count < used:
        raise TooFewMeetingsLeft(
            f"This circle has already met or cancelled {used} meetings; the term cannot be shorter than that."
        )
    # The wording members accepted so far is on record before it may change.
    accepted_version = agreement.version_to_accept(circle.id)
    _apply_settings(circle, checked)
    if agreement.version_to_accept(circle.id) != accepted_version and circle.status != CircleStatus.DRAFT:
        _ask_to_accept_agreement(circle)
    if circle.status == CircleStatus.FULL and circle.seats_taken < circle.capacity:
        circle.status = CircleStatus.OPEN
    elif circle.status == CircleStatus.OPEN and circle.seats_taken >= circle.capacity:
        circle.status = CircleStatus.FULL
    if schedule_changed:
        _regenerate_future(circle, meetings, data, now)
        if circle.status != CircleStatus.DRAFT:
            _announce_schedule(circle, now)
    db.session.flush()
    return circle


def _ask_to_accept_agreement(circle: Circle) -> None:
    version = agreement.current_version(circle.id)
    notify_members(
        audience(circle.id, (EnrollmentStatus.ACTIVE,)), f"agreement-changed:{circle.id}:{version}",
        f"{circle.title}: please read the changed confidentiality agreement", circle_path(circle),
        lambda _: (f"Your facilitator has changed the confidentiality agreement of {circle.title}. "
                   "Please read it and accept it on the circle's page before your next meeting."),
    )


def _regenerate_future(circle: Circle, meetings: list[Meeting], data: CircleInput, now: datetime) -> None:
    started = [m for m in meetings if m.starts_at <= now]
    kept_cancelled = [m for m in meetings if m.starts_at > now and m.status == MeetingStatus.CANCELLED]
    reusable = [m for m in meetings if m.starts_at > now and m.status != MeetingStatus.CANCELLED]
    wanted = data.meeting_count - len(started) - len(kept_cancelled)
    if not started:
        circle.first_date = data.first_date
    _apply_schedule(circle, data)
    slots = weekly_slots(data.first_date, data.start_time, data.duration_minutes, data.timezone, wanted)
    withdraw_reminders(m.id for m in reusable)
    for extra in reusable[wanted:]:
        db.session.delete(extra)
    future: list[Meeting] = list(kept_cancelled)
    for index, slot in enumerate(slots):
        if index < len(reusable):
            meeting = reusable[index]
        else:
            meeting = Meeting(circle_id=circle.id, status=MeetingStatus.SCHEDULED, agenda="")
            db.session.add(meeting)
        meeting.starts_at, meeting.ends_at = slot.starts_at, slot.ends_at
        future.append(meeting)
    # Sequences follow dates. Park the future rows on negative numbers first so that the unique
    # (circle, sequence) constraint never sees two rows on one number mid-flush.
    for offset, meeting in enumerate(future, start=1):
        meeting.sequence = -offset
    db.session.flush()
    future.sort(key=lambda m: m.starts_at)
    for position, meeting in enumerate(future, start=len(started) + 1):
        meeting.sequence = position
        if is_default_agenda(meeting.agenda):
            meeting.agenda = default_agenda(position, data.meeting_count)
    db.session.flush()
    db.session.expire(circle, ["meetings"])


def _announce_schedule(circle: Circle, now: datetime) -> None:
    upcoming = [m for m in circle_meetings(circle.id)
                if m.starts_at > now and m.status == MeetingStatus.SCHEDULED]
    if not upcoming:
        return
    fingerprint = "|".join(m.starts_at.isoformat() for m in upcoming)
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
    notify_members(
        audience(circle.id, MEETING_AUDIENCE), f"schedule-changed:{circle.id}:{digest}",
        subject=f"New meeting times for {circle.title}",
        link=circle_path(circle),
        body=lambda at: (
            f"{circle.title} has a new schedule: {len(upcoming)} meetings to come, on "
            f"{WEEKDAYS[circle.weekday]}s in {circle.timezone}. The next one is {at(upcoming[0].starts_at)} "
            f"(your time). The last one is {at(upcoming[-1].starts_at)}."
        ),
    )


def publish_circle(circle_id: int, actor_id: int, *, now: datetime) -> Circle:
    """Draft -> open, so members can find and join it.

    Raises NotYourCircle, NotADraft, NoFutureMeetings.
    """
    circle = locked_circle(circle_id)
    require_manager(circle, actor_id)
    if circle.status != CircleStatus.DRAFT:
        raise NotADraft()
    if not any(m.starts_at > now and m.status == MeetingStatus.SCHEDULED for m in circle_meetings(circle.id)):
        raise NoFutureMeetings()
    circle.status = CircleStatus.OPEN
    circle.published_at = now
    db.session.flush()
    return circle


def cancel_circle(circle_id: int, actor_id: int, reason: str, *, now: datetime) -> Circle:
    """Cancel the circle and every meeting still to come; everyone enrolled or waiting hears why.

    Sends `circle_cancelled` (billing refunds on it) -- not one `meeting_cancelled` per meeting,
    so nothing is refunded twice. Enrollments are left for the members' side to settle.
    Raises NotYourCircle, CircleClosed.
    """
    circle = locked_circle(circle_id)
    require_manager(circle, actor_id)
    require_open_for_changes(circle)
    reason = reason.strip()[:300]
    was_draft = circle.status == CircleStatus.DRAFT
    circle.status = CircleStatus.CANCELLED
    circle.cancelled_at = now
    for meeting in circle_meetings(circle.id):
        if meeting.starts_at > now and meeting.status == MeetingStatus.SCHEDULED:
            meeting.status = MeetingStatus.CANCELLED
            meeting.cancel_reason = reason or "The circle was cancelled."
            withdraw_reminders([meeting.id])
    db.session.flush()
    if not was_draft:
        because = f" The facilitator says: {reason}" if reason else ""
        notify_members(
            audience(circle.id, CIRCLE_AUDIENCE), f"circle-cancelled:{circle.id}",
            subject=f"{circle.title} has been cancelled",
            link=circle_path(circle),
            body=lambda at: (
                f"{circle.title} has been cancelled; its remaining meetings will not take place.{because}"
            ),
        )
    signals.circle_cancelled.send(None, circle_id=circle.id, now=now)
    return circle
