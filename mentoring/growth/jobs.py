"""Asking for check-ins: a prompt midway through each gap, a reminder a day before the next
meeting, to active members of running circles who have not checked in yet.

Idempotent and safe beside a second scheduler: every notification has a unique dedup key (the
gap, the member and, for the reminder, the next meeting's start, so a cancelled or moved meeting
gets a reminder of its own). Reading what is already queued is only a shortcut.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, delete, select

from mentoring.accounts.models import User
from mentoring.circles.models import Circle, CircleStatus, Enrollment, EnrollmentStatus
from mentoring.extensions import db
from mentoring.growth.models import CheckIn, CheckInPreference
from mentoring.growth.queries import gaps_of_circles
from mentoring.growth.rhythm import DEFAULT_PROMPT_TIME, Gap, open_gap, prompt_at, reminder_at
from mentoring.jobs.registry import periodic
from mentoring.notify.models import Notification, NotificationStatus
from mentoring.notify.quiet_hours import quiet_hours_end
from mentoring.notify.service import NotificationDraft, queue_notifications
from mentoring.timekeeping.display import format_local

CHECK_IN_KIND = "check_in"  # her "Check-in prompts" email choice, apart from meeting reminders
KEY_CHUNK = 1000


def _prompt_key(after_meeting_id: int, user_id: int) -> str:
    return f"checkin-prompt:{after_meeting_id}:{user_id}"


def _reminder_prefix(after_meeting_id: int, user_id: int) -> str:
    # Digits and colons only: nothing in it is a LIKE wildcard (see withdraw_prompts).
    return f"checkin-reminder:{after_meeting_id}:{user_id}:"


def prompt_key(gap: Gap, user_id: int) -> str:
    return _prompt_key(gap.after_meeting_id, user_id)


def reminder_key(gap: Gap, user_id: int) -> str:
    return f"{_reminder_prefix(gap.after_meeting_id, user_id)}{gap.closes_at:%Y%m%dT%H%M}"


# Built once: every check-in runs it.
_WITHDRAW_PROMPTS = (
    delete(Notification)
    .where(
        Notification.user_id == bindparam("user_id"),
        Notification.status == NotificationStatus.PENDING,
        (Notification.dedup_key == bindparam("prompt_key"))
        | Notification.dedup_key.like(bindparam("reminder_keys")),
    )
    .execution_options(synchronize_session=False)
)


def withdraw_prompts(user_id: int, after_meeting_id: int) -> int:
    """She has checked in: prompts and reminders for that gap not yet sent are dropped (a
    prompt held back by her quiet hours would otherwise arrive after she answered it)."""
    result = db.session.execute(_WITHDRAW_PROMPTS, {
        "user_id": user_id,
        "prompt_key": _prompt_key(after_meeting_id, user_id),
        "reminder_keys": _reminder_prefix(after_meeting_id, user_id) + "%",
    })
    return result.rowcount


def already_queued(keys: Iterable[str]) -> set[str]:
    """Which of `keys` are queued already (a shortcut; the unique key is the guarantee)."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        found.update(
            db.session.scalars(
                select(Notification.dedup_key).where(
                    Notification.dedup_key.in_(keys[start : start + KEY_CHUNK])
                )
            )
        )
    return found


@periodic(seconds=900)
def queue_check_in_prompts(now: datetime) -> int:
    """Queue the check-in prompts and reminders due by `now`; returns how many were queued.

    A prompt goes out once her clock reads her check-in time past the middle of the gap; a
    reminder from 24 hours before the next meeting. Both wait for the end of her quiet hours;
    a reminder stops being worth emailing once the meeting has started. Five reads whatever
    the number of members, then the new notifications in batched inserts.
    """
    running = dict(
        db.session.execute(select(Circle.id, Circle.title).where(Circle.status == CircleStatus.RUNNING)).all()
    )
    gaps = {
        cid: gap
        for cid, circle_gaps in gaps_of_circles(set(running)).items()
        if (gap := open_gap(circle_gaps, now)) is not None
    }
    if not gaps:
        return 0
    members = db.session.execute(
        select(
            Enrollment.circle_id,
            User.id,
            User.timezone,
            User.quiet_start,
            User.quiet_end,
            CheckInPreference.prompt_time,
        )
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(CheckInPreference, CheckInPreference.user_id == User.id)
        .where(
            Enrollment.circle_id.in_(gaps),
            Enrollment.status == EnrollmentStatus.ACTIVE,
            User.deleted_at.is_(None),
        )
        .order_by(Enrollment.id)
    ).all()
    checked_in = set(
        map(
            tuple,
            db.session.execute(
                select(CheckIn.user_id, CheckIn.after_meeting_id).where(
                    CheckIn.after_meeting_id.in_([gap.after_meeting_id for gap in gaps.values()])
                )
            ),
        )
    )
    due: list[tuple[str, int, int, Gap, str, datetime, str]] = []
    for circle_id, user_id, tz, quiet_start, quiet_end, prompt_time in members:
        gap = gaps[circle_id]
        if (user_id, gap.after_meeting_id) in checked_in:
            continue
        if now >= reminder_at(gap):
            key, kind = reminder_key(gap, user_id), "reminder"
        elif now >= prompt_at(gap, tz, prompt_time or DEFAULT_PROMPT_TIME):
            key, kind = prompt_key(gap, user_id), "prompt"
        else:
            continue
        due.append((key, user_id, circle_id, gap, kind, quiet_hours_end(now, tz, quiet_start, quiet_end), tz))
    if not due:
        return 0
    already = already_queued(key for key, *_ in due)
    drafts = []
    for key, user_id, circle_id, gap, kind, due_at, tz in due:
        if key in already:
            continue
        title = running[circle_id]
        next_meeting = format_local(gap.closes_at, tz)
        if kind == "reminder":
            subject = f"A minute for your {title} check-in?"
            text = (
                f"{title} meets {next_meeting} (your time). If you'd like, take a minute to check in "
                "before then: how your goals went, a win, what got in the way."
            )
        else:
            subject = f"How is your week going? ({title})"
            text = (
                f"Halfway to the next {title} meeting ({next_meeting}, your time). "
                "A short check-in takes under a minute: how your goals went, a win, what got in the way."
            )
        drafts.append(
            NotificationDraft(
                user_id,
                CHECK_IN_KIND,
                key,
                subject=subject,
                text=text,
                link=f"/growth/circles/{circle_id}/check-in",
                due_at=due_at,
                stale_at=gap.closes_at,
            )
        )
    return queue_notifications(drafts)
