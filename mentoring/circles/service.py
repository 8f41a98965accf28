"""Facilitators running circles: create, edit, publish, cancel, reschedule, agenda, attendance.

Every function takes ids and plain values plus `now`, checks that the actor runs the circle
(or is an admin), flushes and never commits. Members hear about changes through
`queue_notification`; each dedup key names the change, so repeating it sends nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.circles import signals
from mentoring.circles.agenda import default_agenda, is_default_agenda
from mentoring.circles.catalog import WEEKDAYS
from mentoring.circles.circle_input import CheckedCircle, CircleInput, check_circle_input
from mentoring.circles.models import (
    Attendance,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
)
from mentoring.circles.schedule import local_date_of, local_instant, shifted_by_weeks, weekly_slots
from mentoring.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.timekeeping.display import format_local

ATTENDANCE_STATUSES = ("present", "absent", "excused")
# Who hears that a circle is cancelled: everyone with a place or a place in the queue.
CIRCLE_AUDIENCE = (
    EnrollmentStatus.ACTIVE, EnrollmentStatus.HELD, EnrollmentStatus.OFFERED, EnrollmentStatus.WAITLISTED
)
MEETING_AUDIENCE = (EnrollmentStatus.ACTIVE,)
MARKABLE = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


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


class MeetingAlreadyStarted(DomainError):
    """This meeting has already started, so it can no longer be changed."""


class MeetingAlreadyCancelled(DomainError):
    """This meeting is already cancelled."""


class MeetingChangedMeanwhile(DomainError):
    """This meeting has already moved (perhaps the form was sent twice). Please check the schedule."""


class MeetingCollision(InvalidInput):
    """That time overlaps another meeting of this circle."""


class MeetingOutOfOrder(InvalidInput):
    """A meeting can only move between the meetings before and after it."""


class MeetingNotStarted(DomainError):
    """Attendance can be marked once the meeting has started."""


class NotInCircle(InvalidInput):
    """Attendance can only be marked for members of this circle."""


class TooFewMeetingsLeft(InvalidInput):
    """The term cannot be shorter than the meetings already held."""

    field = "meeting_count"


# --- helpers ---------------------------------------------------------------------------------


def _circle(circle_id: int) -> Circle:
    # Locked (PostgreSQL; SQLite serialises writers) so two edits of one circle run one after the
    # other, each seeing what the first wrote.
    circle = db.session.get(Circle, circle_id, with_for_update=True, populate_existing=True)
    if circle is None:
        raise NotFound("We could not find that circle.")
    return circle


def _meeting(meeting_id: int) -> Meeting:
    # Locked like the circle: a skip sent twice at once must see the first skip's new date.
    meeting = db.session.get(Meeting, meeting_id, with_for_update=True, populate_existing=True)
    if meeting is None:
        raise NotFound("We could not find that meeting.")
    return meeting


def _require_manager(circle: Circle, actor_id: int) -> None:
    """The circle's facilitator (while she is one) or an admin; anyone else is refused."""
    actor = db.session.get(User, actor_id)
    if actor is None or actor.deleted_at is not None:
        raise NotYourCircle()
    roles = actor.active_roles()
    if str(Role.ADMIN) in roles:
        return
    if circle.facilitator_id != actor_id or str(Role.FACILITATOR) not in roles:
        raise NotYourCircle()


def _require_open_for_changes(circle: Circle) -> None:
    if circle.status in (CircleStatus.CANCELLED, CircleStatus.COMPLETED):
        raise CircleClosed()


def _meetings(circle_id: int) -> list[Meeting]:
    return list(
        db.session.execute(
            select(Meeting).where(Meeting.circle_id == circle_id).order_by(Meeting.sequence)
        ).scalars()
    )


def _audience(circle_id: int, statuses: Iterable[str]) -> list[User]:
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


def _notify(users: Iterable[User], key: str, subject: str, link: str,
            body: Callable[[Callable[[datetime], str]], str]) -> None:
    """One notification per user. `body` gets a function that shows an instant in HER zone."""
    for user in users:
        def her_time(instant: datetime, zone: str = user.timezone) -> str:
            return format_local(instant, zone)

        queue_notification(
            user.id, "circle_update", f"{key}:{user.id}", subject=subject, text=body(her_time), link=link,
        )


def _link(circle: Circle) -> str:
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
    for slot in weekly_slots(data.first_date, data.start_time, data.duration_minutes, data.timezone,
                             data.meeting_count):
        db.session.add(Meeting(
            circle_id=circle.id, sequence=slot.sequence, starts_at=slot.starts_at, ends_at=slot.ends_at,
            status="scheduled", agenda=default_agenda(slot.sequence, data.meeting_count),
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

    Raises NotYourCircle, CircleClosed, CircleInputInvalid, TooFewMeetingsLeft.
    """
    circle = _circle(circle_id)
    _require_manager(circle, actor_id)
    _require_open_for_changes(circle)
    meetings = _meetings(circle.id)
    old_schedule = (circle.timezone, circle.start_time, circle.duration_minutes, circle.meeting_count,
                    next_schedule_date(circle, meetings, now))
    new_schedule = (data.timezone, data.start_time, data.duration_minutes, data.meeting_count,
                    data.first_date)
    schedule_changed = old_schedule != new_schedule
    checked = check_circle_input(data, now=now, check_first_date=schedule_changed,
                                 seats_taken=circle.seats_taken)
    used = sum(1 for m in meetings if m.starts_at <= now or m.status == "cancelled")
    if schedule_changed and data.meeting_count < used:
        raise TooFewMeetingsLeft(
            f"This circle has already met or cancelled {used} meetings; the term cannot be shorter than that."
        )
    _apply_settings(circle, checked)
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


def _regenerate_future(circle: Circle, meetings: list[Meeting], data: CircleInput, now: datetime) -> None:
    started = [m for m in meetings if m.starts_at <= now]
    kept_cancelled = [m for m in meetings if m.starts_at > now and m.status == "cancelled"]
    reusable = [m for m in meetings if m.starts_at > now and m.status != "cancelled"]
    wanted = data.meeting_count - len(started) - len(kept_cancelled)
    if not started:
        circle.first_date = data.first_date
    _apply_schedule(circle, data)
    slots = weekly_slots(data.first_date, data.start_time, data.duration_minutes, data.timezone, wanted)
    for extra in reusable[wanted:]:
        db.session.delete(extra)
    future: list[Meeting] = list(kept_cancelled)
    for index, slot in enumerate(slots):
        if index < len(reusable):
            meeting = reusable[index]
        else:
            meeting = Meeting(circle_id=circle.id, status="scheduled", agenda="")
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
    upcoming = [m for m in _meetings(circle.id) if m.starts_at > now and m.status == "scheduled"]
    if not upcoming:
        return
    fingerprint = "|".join(m.starts_at.isoformat() for m in upcoming)
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
    _notify(
        _audience(circle.id, MEETING_AUDIENCE), f"schedule-changed:{circle.id}:{digest}",
        subject=f"New meeting times for {circle.title}",
        link=_link(circle),
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
    circle = _circle(circle_id)
    _require_manager(circle, actor_id)
    if circle.status != CircleStatus.DRAFT:
        raise NotADraft()
    if not any(m.starts_at > now and m.status == "scheduled" for m in _meetings(circle.id)):
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
    circle = _circle(circle_id)
    _require_manager(circle, actor_id)
    _require_open_for_changes(circle)
    reason = reason.strip()[:300]
    was_draft = circle.status == CircleStatus.DRAFT
    circle.status = CircleStatus.CANCELLED
    circle.cancelled_at = now
    for meeting in _meetings(circle.id):
        if meeting.starts_at > now and meeting.status == "scheduled":
            meeting.status = "cancelled"
            meeting.cancel_reason = reason or "The circle was cancelled."
    db.session.flush()
    if not was_draft:
        because = f" The facilitator says: {reason}" if reason else ""
        _notify(
            _audience(circle.id, CIRCLE_AUDIENCE), f"circle-cancelled:{circle.id}",
            subject=f"{circle.title} has been cancelled",
            link=_link(circle),
            body=lambda at: (
                f"{circle.title} has been cancelled; its remaining meetings will not take place.{because}"
            ),
        )
    signals.circle_cancelled.send(None, circle_id=circle.id, now=now)
    return circle


# --- meetings --------------------------------------------------------------------------------


def _changeable_meeting(meeting_id: int, actor_id: int, now: datetime) -> Meeting:
    meeting = _meeting(meeting_id)
    _require_manager(meeting.circle, actor_id)
    _require_open_for_changes(meeting.circle)
    if meeting.starts_at <= now:
        raise MeetingAlreadyStarted()
    if meeting.status == "cancelled":
        raise MeetingAlreadyCancelled()
    return meeting


def cancel_meeting(meeting_id: int, actor_id: int, reason: str, *, now: datetime) -> Meeting:
    """Cancel one meeting still to come; its members hear when (in their own time) and why.

    Sends `meeting_cancelled` (billing refunds that meeting). The term does not grow: to keep
    the number of meetings, skip the week instead.
    Raises NotYourCircle, CircleClosed, MeetingAlreadyStarted, MeetingAlreadyCancelled.
    """
    meeting = _changeable_meeting(meeting_id, actor_id, now)
    circle = meeting.circle
    reason = reason.strip()[:300]
    meeting.status = "cancelled"
    meeting.cancel_reason = reason or None
    db.session.flush()
    because = f" The facilitator says: {reason}" if reason else ""
    _notify(
        _audience(circle.id, MEETING_AUDIENCE), f"meeting-cancelled:{meeting.id}",
        subject=f"{circle.title}: a meeting is cancelled",
        link=_link(circle),
        body=lambda at: (
            f"The {circle.title} meeting on {at(meeting.starts_at)} (your time) is cancelled.{because}"
        ),
    )
    signals.meeting_cancelled.send(None, meeting_id=meeting.id, now=now)
    return meeting


def skip_week(circle_id: int, actor_id: int, meeting_id: int, *, now: datetime,
              expected_start: datetime | None = None) -> list[Meeting]:
    """A holiday week: this meeting and every later one move one week later, same local time.

    The term keeps its number of meetings and ends a week later. Returns the moved meetings.
    `expected_start` (the start she saw when she asked) makes a form sent twice skip once.
    Raises NotYourCircle, CircleClosed, NotFound (meeting of another circle),
    MeetingAlreadyStarted, MeetingAlreadyCancelled, MeetingChangedMeanwhile.
    """
    meeting = _changeable_meeting(meeting_id, actor_id, now)
    if meeting.circle_id != circle_id:
        raise NotFound("We could not find that meeting in this circle.")
    if expected_start is not None and meeting.starts_at != expected_start:
        raise MeetingChangedMeanwhile()
    circle = meeting.circle
    old_start = meeting.starts_at
    moved = [m for m in _meetings(circle.id) if m.sequence >= meeting.sequence]
    for m in moved:
        m.starts_at = shifted_by_weeks(m.starts_at, circle.timezone, 1)
        m.ends_at = m.starts_at + timedelta(minutes=circle.duration_minutes)
    db.session.flush()
    _notify(
        _audience(circle.id, MEETING_AUDIENCE),
        f"meeting-skipped:{meeting.id}:{meeting.starts_at:%Y%m%dT%H%M}",
        subject=f"{circle.title}: a week off",
        link=_link(circle),
        body=lambda at: (
            f"{circle.title} takes a week off: there is no meeting on {at(old_start)}. The next meeting is "
            f"{at(meeting.starts_at)} (your time), and every later meeting moves a week later; the last one "
            f"is now {at(moved[-1].starts_at)}."
        ),
    )
    return moved


def move_meeting(meeting_id: int, actor_id: int, new_local_date: date, new_local_time: time, *,
                 now: datetime) -> Meeting:
    """Move one meeting to another local date and time in the circle's zone.

    It must stay in the future, keep its place between the meetings before and after it, and
    overlap no other meeting. Raises NotYourCircle, CircleClosed, MeetingAlreadyStarted,
    MeetingAlreadyCancelled, InvalidInput (in the past), MeetingOutOfOrder, MeetingCollision.
    """
    meeting = _changeable_meeting(meeting_id, actor_id, now)
    circle = meeting.circle
    starts = local_instant(new_local_date, new_local_time, circle.timezone)
    ends = starts + timedelta(minutes=circle.duration_minutes)
    if starts <= now:
        raise InvalidInput("Please choose a time that is still to come.", field="date")
    others = [m for m in _meetings(circle.id) if m.id != meeting.id]
    for other in others:
        if other.status != "cancelled" and starts < other.ends_at and other.starts_at < ends:
            raise MeetingCollision(
                f"That overlaps meeting {other.sequence} ({format_local(other.starts_at, circle.timezone)}).",
                field="date",
            )
    before = [m for m in others if m.sequence < meeting.sequence]
    after = [m for m in others if m.sequence > meeting.sequence]
    if (before and starts <= before[-1].starts_at) or (after and starts >= after[0].starts_at):
        raise MeetingOutOfOrder(
            "A meeting can only move between the meetings before and after it. "
            "To take a week off, use \u201cSkip this week\u201d instead.",
            field="date",
        )
    old_start = meeting.starts_at
    if starts == old_start:
        return meeting
    meeting.starts_at, meeting.ends_at = starts, ends
    db.session.flush()
    _notify(
        _audience(circle.id, MEETING_AUDIENCE), f"meeting-moved:{meeting.id}:{starts:%Y%m%dT%H%M}",
        subject=f"{circle.title}: a meeting has moved",
        link=_link(circle),
        body=lambda at: (
            f"The {circle.title} meeting on {at(old_start)} has moved to {at(starts)} (your time)."
        ),
    )
    return meeting


def set_agenda(meeting_id: int, actor_id: int, text: str) -> Meeting:
    """Replace a meeting's agenda; an empty agenda goes back to the guide for its position.

    Raises NotYourCircle, InvalidInput (over 5,000 characters).
    """
    meeting = _meeting(meeting_id)
    circle = meeting.circle
    _require_manager(circle, actor_id)
    text = text.strip()
    if len(text) > 5000:
        raise InvalidInput("Please keep the agenda under 5,000 characters.", field="agenda")
    meeting.agenda = text or default_agenda(meeting.sequence, circle.meeting_count)
    db.session.flush()
    return meeting


def mark_attendance(meeting_id: int, actor_id: int, marks: Mapping[int, str], *, now: datetime,
                    notes: Mapping[int, str] | None = None) -> list[Attendance]:
    """Record present / absent / excused per member (upsert); the meeting becomes "held".

    Only members enrolled in the circle (active or completed) can be marked. Excused (with an
    optional note such as "sick child") never counts as missed. Raises NotYourCircle,
    MeetingNotStarted, MeetingAlreadyCancelled, InvalidInput, NotInCircle.
    """
    meeting = _meeting(meeting_id)
    circle = meeting.circle
    _require_manager(circle, actor_id)
    if meeting.status == "cancelled":
        raise MeetingAlreadyCancelled()
    if meeting.starts_at > now:
        raise MeetingNotStarted()
    if any(status not in ATTENDANCE_STATUSES for status in marks.values()):
        raise InvalidInput("Attendance is present, absent or excused.")
    members = set(db.session.execute(
        select(Enrollment.user_id).where(
            Enrollment.circle_id == circle.id, Enrollment.status.in_([str(s) for s in MARKABLE])
        )
    ).scalars())
    strangers = set(marks) - members
    if strangers:
        raise NotInCircle()
    existing = {
        a.user_id: a
        for a in db.session.execute(select(Attendance).where(Attendance.meeting_id == meeting.id)).scalars()
    }
    rows: list[Attendance] = []
    for user_id, status in marks.items():
        note = ((notes or {}).get(user_id) or "").strip()[:120] or None
        row = existing.get(user_id)
        if row is None:
            row = Attendance(meeting_id=meeting.id, user_id=user_id)
            db.session.add(row)
        row.status, row.note, row.marked_at = status, note, now
        rows.append(row)
    if marks:
        meeting.status = "held"
    db.session.flush()
    return rows
