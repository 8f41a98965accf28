"""Asking for the pulse an hour after each meeting, and for outcome measures at joining and
after the last meeting.

Idempotent and safe beside a second scheduler: every notification has a unique dedup key (the
meeting or circle, the phase and the member). Reading what is already queued is a shortcut.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.circles.models import (
    LIVE_CIRCLE_STATUSES,
    Attendance,
    AttendanceStatus,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.extensions import db
from mentoring.growth.jobs import already_queued
from mentoring.jobs.registry import periodic
from mentoring.notify.service import NotificationDraft, queue_notifications
from mentoring.outcomes.figures import close_terms
from mentoring.outcomes.models import OutcomeMeasure, Phase, PulseResponse
from mentoring.outcomes.service import END_MEASURE_OPEN, LAST_PULSE_OPEN, PULSE_DELAY, pulse_windows

SURVEY_KIND = "reminder"


def pulse_key(meeting_id: int, user_id: int) -> str:
    return f"pulse:{meeting_id}:{user_id}"


@periodic(seconds=900)
def queue_pulse_prompts(now: datetime) -> int:
    """Ask each member marked present at a meeting that ended at least an hour ago, while its
    pulse is open and she has not answered. Returns how many were queued."""
    recent = db.session.execute(
        select(Meeting.circle_id).where(
            Meeting.ends_at <= now - PULSE_DELAY, Meeting.ends_at > now - PULSE_DELAY - LAST_PULSE_OPEN
        )
    ).scalars()
    circle_ids = set(recent)
    if not circle_ids:
        return 0
    rows = db.session.execute(
        select(Meeting.id, Meeting.circle_id, Meeting.starts_at, Meeting.ends_at, Meeting.status).where(
            Meeting.circle_id.in_(circle_ids)
        )
    ).all()
    open_now = {mid: w for mid, w in pulse_windows([tuple(r) for r in rows]).items() if w.is_open(now)}
    if not open_now:
        return 0
    titles = dict(db.session.execute(select(Circle.id, Circle.title).where(Circle.id.in_(circle_ids))).all())
    present = db.session.execute(
        select(Attendance.meeting_id, Attendance.user_id)
        .join(User, User.id == Attendance.user_id)
        .where(
            Attendance.meeting_id.in_(list(open_now)),
            Attendance.status == AttendanceStatus.PRESENT,
            User.deleted_at.is_(None),
        )
    ).all()
    answered = set(
        map(
            tuple,
            db.session.execute(
                select(PulseResponse.meeting_id, PulseResponse.user_id).where(
                    PulseResponse.meeting_id.in_(list(open_now))
                )
            ),
        )
    )
    due = [(pulse_key(m, u), m, u) for m, u in present if (m, u) not in answered]
    already = already_queued(key for key, *_ in due)
    drafts = []
    for key, meeting_id, user_id in due:
        if key in already:
            continue
        window = open_now[meeting_id]
        title = titles.get(window.circle_id, "your circle")
        drafts.append(
            NotificationDraft(
                user_id,
                SURVEY_KIND,
                key,
                subject=f"Three quick questions about today's {title} meeting",
                text="How was the meeting for you? Three questions, 1 to 5, under a minute. Your "
                "answers are only ever shown to your facilitator as averages of 3 or more people.",
                link=f"/outcomes/meetings/{meeting_id}/pulse",
                due_at=now,
                stale_at=window.closes_at,
            )
        )
    return queue_notifications(drafts)


@periodic(seconds=3600)
def queue_outcome_prompts(now: datetime) -> int:
    """Ask active members of live circles for their starting ratings, and members of circles
    whose last meeting ended in the last 30 days for their ending ones, once each."""
    members = db.session.execute(
        select(Enrollment.circle_id, Enrollment.user_id, Circle.title, Circle.status)
        .join(Circle, Circle.id == Enrollment.circle_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            User.deleted_at.is_(None),
            (
                (Circle.status.in_(LIVE_CIRCLE_STATUSES) & (Enrollment.status == EnrollmentStatus.ACTIVE))
                | (
                    (Circle.status == CircleStatus.COMPLETED)
                    & Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED))
                )
            ),
        )
    ).all()
    if not members:
        return 0
    circle_ids = {row.circle_id for row in members}
    last_end = dict(
        db.session.execute(
            select(Meeting.circle_id, Meeting.ends_at)
            .where(Meeting.circle_id.in_(circle_ids), Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.ends_at)
        ).all()
    )
    done = set(
        map(
            tuple,
            db.session.execute(
                select(OutcomeMeasure.circle_id, OutcomeMeasure.user_id, OutcomeMeasure.phase).where(
                    OutcomeMeasure.circle_id.in_(circle_ids)
                )
            ),
        )
    )
    due = []
    for circle_id, user_id, title, status in members:
        ended = last_end.get(circle_id)
        if ended is not None and ended <= now < ended + END_MEASURE_OPEN:
            phase = Phase.END
        elif status != CircleStatus.COMPLETED:
            phase = Phase.START
        else:
            continue
        if (circle_id, user_id, str(phase)) not in done:
            due.append((f"outcome-{phase}:{circle_id}:{user_id}", circle_id, user_id, title, phase))
    already = already_queued(key for key, *_ in due)
    drafts = [
        NotificationDraft(
            user_id,
            SURVEY_KIND,
            key,
            subject=f"Four questions for you ({title})"
            if phase == Phase.START
            else f"How are you now? ({title})",
            text="Rate four short statements from 1 to 7, so you can see your own change over the term. "
            "Only you see your answers; not a clinical measure.",
            link=f"/outcomes/circles/{circle_id}",
            due_at=now,
        )
        for key, circle_id, user_id, title, phase in due
        if key not in already
    ]
    return queue_notifications(drafts)


@periodic(seconds=3600)
def close_outcome_terms(now: datetime) -> int:
    """Terms whose circles have all closed their end ratings since the last run get their
    figures written once; returns how many. Hourly, so a term shows within an hour."""
    return close_terms(now)
