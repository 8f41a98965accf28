"""A circle's life after publishing: it starts running, it finishes, and people are reminded.

Policies (chosen here; the jobs in `mentoring.circles.jobs` call these functions):

- Running: an open or full circle becomes `running` once its first meeting that was not
  cancelled has started. It stays joinable while a meeting is still to come.
- Full while running: `full` is only a before-the-start status. Once running, the status stays
  `running` whether or not seats are left; fullness is `seats_taken >= capacity`, which is what
  every member-facing place already reads (browse cards, the circle page, the join panel and
  the join view), and `take_seat` still refuses a seat beyond capacity. So a full running
  circle shows "Full: waitlist open" to members, and a seat freed in it goes to the waitlist.
- Completed: a circle whose last meeting that was not cancelled has ended becomes `completed`
  (from open, full or running). Active members become `completed`; holds are released through
  `release_hold` (billing's reconciliation refunds a payment that lands later); offers and the
  waitlist end as `left` and those people are told kindly, with a link to similar circles.
  Afterwards no enrollment holds a seat, so `seats_taken` is recounted to 0 (never below it).
  A circle whose every meeting was cancelled is left to its facilitator, who cancels it.
- Too few members: 48 hours before the first meeting, a facilitator whose circle has fewer
  active members than `min_to_run` is told once. Nothing is cancelled automatically.
- Reminders, her way: each active member and the facilitator chooses a `reminder` 24 hours
  before each scheduled meeting (the default) and/or 1 hour before (opt-out-able by email),
  with the time in her own timezone and a link to the circle page, never the meeting link. The
  dedup key carries the meeting's start instant (and `:1h` for the hour-ahead one), so a
  meeting moved after its reminder went out is reminded again with the right time, and a job
  that runs every few minutes reminds once. A reminder is due from its lead time until the
  start, so a scheduler that was down catches up, but never once the meeting has started. One
  whose moment falls in her quiet hours is due 15 minutes before they begin (`reminder_due_at`),
  so it goes out before them: the hour-ahead one always can; the day-ahead one is queued once the
  meeting is within 24 hours, so if that moment is already quiet it waits for them to end.
  Cancelling or moving a meeting withdraws its reminders not yet sent (`withdraw_reminders`):
  a cancelled meeting sends none, and a moved one is reminded afresh at its new time.

Every change is a conditional UPDATE (or an insert refused by a unique key), so two schedulers
running at once change each row once and queue each notification once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, overload

from sqlalchemy import ColumnElement, delete, exists, func, or_, select, update

from mentoring.accounts.models import User
from mentoring.circles.enrollment import release_hold
from mentoring.circles.models import (
    LIVE_CIRCLE_STATUSES,
    SEAT_STATUSES,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.circles.seating import transition
from mentoring.extensions import db
from mentoring.notify.models import Notification, NotificationStatus
from mentoring.notify.quiet_hours import in_quiet_hours, quiet_hours_start
from mentoring.notify.service import queue_notification
from mentoring.timekeeping.display import format_local

REMINDER_LEAD = timedelta(hours=24)
HOUR_LEAD = timedelta(hours=1)
# How far ahead the reminder job looks: the day-ahead lead plus up to a day by which her quiet
# hours can bring a reminder forward (one due in them goes out before they begin).
REMINDER_WINDOW = REMINDER_LEAD + timedelta(days=1)
# How long before her quiet hours a reminder that would fall in them is due: a few runs of the
# reminder job and the dispatcher, so it is sent before they begin.
BEFORE_QUIET = timedelta(minutes=15)
UNDER_MINIMUM_LEAD = timedelta(hours=48)
NOT_STARTED = (CircleStatus.OPEN, CircleStatus.FULL)
REMINDER_KIND = "reminder"
# Places that end as `left` when their circle completes (active ones become `completed`).
ENDED_AT_COMPLETION = (EnrollmentStatus.HELD, EnrollmentStatus.OFFERED, EnrollmentStatus.WAITLISTED)


# --- pure rules ----------------------------------------------------------------------------


@overload
def is_reminder_due(starts_at: datetime, now: datetime) -> bool: ...
@overload
def is_reminder_due(starts_at: ColumnElement[datetime], now: datetime) -> ColumnElement[bool]: ...
def is_reminder_due(starts_at: Any, now: datetime) -> Any:
    """A meeting is looked at for reminders in the 48 hours before it starts (`REMINDER_WINDOW`),
    never once it has started; when each of her reminders is due is `reminder_due_at`'s answer.

    The one statement of the rule: given a datetime it answers True or False, given the
    `Meeting.starts_at` column it is the SQL condition the reminder job selects with. `&` rather
    than `and` (or a chained comparison) is what lets the same expression build SQL.
    """
    return (starts_at > now) & (starts_at <= now + REMINDER_WINDOW)


def reminder_key(meeting_id: int, user_id: int, starts_at: datetime, lead: timedelta = REMINDER_LEAD) -> str:
    """One reminder per member, meeting, start instant and lead (a moved meeting is reminded
    again). The day-ahead key is the one used before members could choose, so it still dedups."""
    suffix = "" if lead == REMINDER_LEAD else f":{int(lead.total_seconds() // 3600)}h"
    return f"reminder:{meeting_id}:{user_id}:{starts_at:%Y%m%dT%H%MZ}{suffix}"


def reminder_leads(day_before: bool, hour_before: bool) -> list[timedelta]:
    """The reminders she chose, furthest first."""
    return [lead for lead, wanted in ((REMINDER_LEAD, day_before), (HOUR_LEAD, hour_before)) if wanted]


def reminder_due_at(starts_at: datetime, lead: timedelta, tzname: str, quiet_start: time | None,
                    quiet_end: time | None) -> datetime:
    """When her reminder `lead` ahead of a meeting is due: `starts_at - lead`, or, when her quiet
    hours hold that moment, BEFORE_QUIET before they begin (so it goes out before them)."""
    target = starts_at - lead
    if not in_quiet_hours(target, tzname, quiet_start, quiet_end):
        return target
    return quiet_hours_start(target, tzname, quiet_start, quiet_end) - BEFORE_QUIET


def under_minimum_text(title: str, active: int, needed: int) -> str:
    """'Your circle X has 3 of the 4 members it needs to run.'"""
    if active == 0:
        return f"Your circle {title} has no members yet (it needs {needed} to run)."
    return f"Your circle {title} has {active} of the {needed} members it needs to run."


# --- running -------------------------------------------------------------------------------


def _live_meeting(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Meeting.circle_id == Circle.id, Meeting.status != MeetingStatus.CANCELLED,
                          *conditions)


def _forget(circle_ids: list[int]) -> None:
    """The UPDATEs bypass the ORM; make loaded circles re-read what changed."""
    for circle_id in circle_ids:
        circle = db.session.identity_map.get(db.session.identity_key(Circle, circle_id))
        if circle is not None:
            db.session.expire(circle)


def start_running_circles(now: datetime) -> list[int]:
    """Open or full circles whose first meeting (not cancelled) has started become `running`.

    One conditional UPDATE: a second scheduler finds nothing left to change. Returns the ids
    this call started. Raises nothing.
    """
    started = db.session.scalars(
        update(Circle)
        .where(Circle.status.in_([str(s) for s in NOT_STARTED]), _live_meeting(Meeting.starts_at <= now))
        .values(status=CircleStatus.RUNNING)
        .returning(Circle.id)
        .execution_options(synchronize_session=False)
    ).all()
    _forget(list(started))
    return sorted(started)


# --- completing ----------------------------------------------------------------------------


def _finished(now: datetime) -> list[ColumnElement[bool]]:
    return [
        Circle.status.in_([str(s) for s in LIVE_CIRCLE_STATUSES]),
        _live_meeting(),
        ~_live_meeting(Meeting.ends_at > now),
    ]


def complete_finished_circles(now: datetime) -> list[int]:
    """Complete every circle whose last meeting (not cancelled) has ended; returns their ids.

    See `complete_circle` for what completing does. Idempotent. Raises nothing.
    """
    due = db.session.scalars(select(Circle.id).where(*_finished(now)).order_by(Circle.id)).all()
    return [circle_id for circle_id in due if complete_circle(circle_id, now=now)]


def complete_circle(circle_id: int, *, now: datetime) -> bool:
    """Mark one finished circle `completed` and close every place in it; True if this call did.

    Guarantees: only the call whose conditional UPDATE moved the circle does the rest, so a
    second scheduler changes nothing. Active members become `completed`; holds are released
    (`release_hold`, no money kept: billing refunds a payment that lands later); offers and
    waitlist places become `left`, and those people are told, with a link to similar circles.
    `seats_taken` ends at the number of places still holding a seat (0), never below zero.
    Returns False (and changes nothing) for a circle that is not finished or already done.
    """
    moved = db.session.execute(
        update(Circle)
        .where(Circle.id == circle_id, *_finished(now))
        .values(status=CircleStatus.COMPLETED)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    circle = db.session.get(Circle, circle_id, populate_existing=True)
    places = db.session.execute(
        select(Enrollment.id, Enrollment.status, Enrollment.user_id).where(
            Enrollment.circle_id == circle_id,
            Enrollment.status.in_([str(s) for s in ENDED_AT_COMPLETION]),
        ).order_by(Enrollment.id)
    ).all()
    for enrollment_id, status, user_id in places:
        if status == EnrollmentStatus.HELD:
            # The circle is completed now, so the freed seat is not offered to anyone.
            release_hold(enrollment_id, now=now)
        elif transition(enrollment_id, (status,), status=EnrollmentStatus.LEFT, left_at=now,
                        offer_expires_at=None):
            _tell_waiting_member(enrollment_id, user_id, circle)
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.circle_id == circle_id, Enrollment.status == EnrollmentStatus.ACTIVE)
        .values(status=EnrollmentStatus.COMPLETED)
        .execution_options(synchronize_session=False)
    )
    still_seated = (
        select(func.count(Enrollment.id))
        .where(Enrollment.circle_id == circle_id, Enrollment.status.in_([str(s) for s in SEAT_STATUSES]))
        .scalar_subquery()
    )
    db.session.execute(
        update(Circle).where(Circle.id == circle_id).values(seats_taken=still_seated)
        .execution_options(synchronize_session=False)
    )
    _forget([circle_id])
    # Read the loaded state without touching attributes, so an expired row is not reloaded here.
    for enrollment in [o for o in db.session.identity_map.values()
                       if isinstance(o, Enrollment) and o.__dict__.get("circle_id") == circle_id]:
        db.session.expire(enrollment)
    return True


def _tell_waiting_member(enrollment_id: int, user_id: int, circle: Circle) -> None:
    queue_notification(
        user_id,
        "circle_update",
        f"circle-finished:{enrollment_id}",
        subject=f"{circle.title} has finished",
        text=(
            f"Thank you for waiting for a place in {circle.title}. The circle has now had its last "
            "meeting, so your place on its waitlist has ended. Here are similar circles that are "
            "open now: we would love to see you in one of them."
        ),
        link=f"/circles/?theme={circle.theme}",
        extra={"circle_id": circle.id},
    )


# --- too few members -----------------------------------------------------------------------


def warn_facilitators_of_small_circles(now: datetime) -> int:
    """Tell a facilitator, once, that her circle has fewer active members than it needs to run.

    Applies to open or full circles whose first meeting (not cancelled) starts within 48 hours.
    Nothing is cancelled: she decides. One read query, then one insert per new warning (the
    dedup key `circle-under-minimum:{id}` makes every later run queue nothing). Returns how
    many warnings were queued. Raises nothing.
    """
    first_start = (
        select(func.min(Meeting.starts_at))
        .where(Meeting.circle_id == Circle.id, Meeting.status != MeetingStatus.CANCELLED)
        .correlate(Circle)
        .scalar_subquery()
    )
    active = (
        select(func.count(Enrollment.id))
        .where(Enrollment.circle_id == Circle.id, Enrollment.status == EnrollmentStatus.ACTIVE)
        .correlate(Circle)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Circle.id, Circle.title, Circle.min_to_run, Circle.facilitator_id, User.timezone, active,
               first_start)
        .join(User, User.id == Circle.facilitator_id)
        .where(Circle.status.in_([str(s) for s in NOT_STARTED]), User.deleted_at.is_(None),
               first_start > now, first_start <= now + UNDER_MINIMUM_LEAD, active < Circle.min_to_run)
        .order_by(Circle.id)
    ).all()
    queued = 0
    for circle_id, title, needed, facilitator_id, tz, count, starts_at in rows:
        queued += queue_notification(
            facilitator_id,
            "circle_update",
            f"circle-under-minimum:{circle_id}",
            subject=f"{title} needs more members to run",
            text=(
                f"{under_minimum_text(title, count, needed)} Its first meeting is "
                f"{format_local(_aware(starts_at), tz)}. You decide what happens: you can run it with "
                "the members you have, invite others, or cancel it (members are told and refunded)."
            ),
            link=f"/facilitate/circles/{circle_id}",
            due_at=now,
            extra={"circle_id": circle_id},
        )
    return queued


# --- reminders -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    timezone: str
    quiet_start: time | None
    quiet_end: time | None
    leads: tuple[timedelta, ...]


_RECIPIENT_COLUMNS = (User.id, User.timezone, User.quiet_start, User.quiet_end, User.remind_day_before,
                      User.remind_hour_before)


def _recipient(row: Any) -> tuple[int, _Recipient]:
    user_id, tz, quiet_start, quiet_end, day_before, hour_before = row
    return user_id, _Recipient(tz, quiet_start, quiet_end, tuple(reminder_leads(day_before, hour_before)))


def queue_meeting_reminders(now: datetime) -> int:
    """Queue the reminders each active member and the facilitator chose (a day and/or an hour
    ahead) of every meeting that starts within 48 hours and has not started, once each is due
    (`reminder_due_at`); returns how many were queued.

    Each reminder shows the time in her own timezone and links to the circle page, never to the
    meeting itself. One per member, meeting, start instant and lead (see `reminder_key`), however
    often this runs or however many schedulers run it. A constant number of reads (meetings with
    their circles, the members, the facilitators, the reminders already queued) whatever the
    number of meetings, then one insert per new reminder. Raises nothing.
    """
    meetings = db.session.execute(
        select(Meeting.id, Meeting.starts_at, Circle.id, Circle.title, Circle.facilitator_id)
        .join(Circle, Circle.id == Meeting.circle_id)
        .where(Meeting.status == MeetingStatus.SCHEDULED, is_reminder_due(Meeting.starts_at, now),
               Circle.status.in_([str(s) for s in LIVE_CIRCLE_STATUSES]))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    if not meetings:
        return 0
    circle_ids = {row[2] for row in meetings}
    members: dict[int, list[tuple[int, _Recipient]]] = defaultdict(list)
    for circle_id, *row in db.session.execute(
        select(Enrollment.circle_id, *_RECIPIENT_COLUMNS)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.circle_id.in_(circle_ids), Enrollment.status == EnrollmentStatus.ACTIVE,
               User.deleted_at.is_(None))
        .order_by(Enrollment.id)
    ):
        members[circle_id].append(_recipient(row))
    facilitator_ids = {row[4] for row in meetings}
    facilitators = dict(_recipient(row) for row in db.session.execute(
        select(*_RECIPIENT_COLUMNS).where(User.id.in_(facilitator_ids), User.deleted_at.is_(None))
    ))
    # Only a shortcut so repeated runs insert nothing; the unique dedup key is what guarantees
    # one reminder. Any reminder for a meeting still to come was queued within the window.
    already = set(db.session.scalars(
        select(Notification.dedup_key).where(Notification.kind == REMINDER_KIND,
                                             Notification.visible_at >= now - REMINDER_WINDOW)
    ))
    queued = 0
    for meeting_id, starts_at, circle_id, title, facilitator_id in meetings:
        starts_at = _aware(starts_at)
        recipients = dict(members[circle_id])
        if facilitator_id in facilitators:
            recipients[facilitator_id] = facilitators[facilitator_id]
        for user_id, her in recipients.items():
            for lead in her.leads:
                key = reminder_key(meeting_id, user_id, starts_at, lead)
                if key in already or now < reminder_due_at(starts_at, lead, her.timezone, her.quiet_start,
                                                           her.quiet_end):
                    continue
                queued += _queue_reminder(user_id, key, her.timezone, starts_at, now,
                                          title=title, circle_id=circle_id, meeting_id=meeting_id,
                                          facilitating=user_id == facilitator_id)
    return queued


def _queue_reminder(user_id: int, key: str, tz: str, starts_at: datetime, now: datetime, *, title: str,
                    circle_id: int, meeting_id: int, facilitating: bool) -> bool:
    when = format_local(starts_at, tz)
    circle_words = f"The circle you facilitate, {title}," if facilitating else f"Your circle {title}"
    return queue_notification(
        user_id,
        REMINDER_KIND,
        key,
        subject=f"Reminder: {title} meets {when}",
        text=f"{circle_words} meets {when} (your time). The meeting details are on the circle's page.",
        link=f"/circles/{circle_id}",
        due_at=now,
        stale_at=starts_at,
        # A member's reminder offers the one-tap "can't come" link, signed when it is sent.
        extra={"circle_id": circle_id, "meeting_id": meeting_id,
               **({} if facilitating else {"cant_come_meeting_id": meeting_id})},
    )


def withdraw_reminders(meeting_ids: Iterable[int]) -> int:
    """Drop the reminders not yet sent for these meetings, because they were cancelled or moved
    (the job reminds of a moved meeting afresh, at its new time). Sent ones stay in her
    notifications. Returns how many were dropped. Flushes."""
    ids = sorted(set(meeting_ids))
    if not ids:
        return 0
    result = db.session.execute(
        delete(Notification).where(
            Notification.kind == REMINDER_KIND, Notification.status == NotificationStatus.PENDING,
            or_(*[Notification.dedup_key.like(f"reminder:{meeting_id}:%") for meeting_id in ids]),
        )
    )
    return result.rowcount or 0


def _aware(instant: datetime) -> datetime:
    # An aggregate over a UTCDateTime column comes back naive from SQLite.
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
