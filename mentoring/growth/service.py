"""The rules for goals, check-ins and asking for support.

Functions take ids and plain values, flush and never commit; the caller owns the unit of work.
A member only ever reaches her own goals and check-ins: anyone else's id reads as not found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import bindparam, select

from mentoring.accounts.models import User
from mentoring.audit.service import record
from mentoring.buddies.queries import buddies_of
from mentoring.circles.models import Circle, Enrollment
from mentoring.db import insert_into
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.growth.jobs import withdraw_prompts
from mentoring.growth.models import (
    CheckIn,
    CheckInPreference,
    Goal,
    GoalNote,
    GoalStatus,
    Progress,
    Visibility,
)
from mentoring.growth.queries import active_place, circle_gaps, her_circle_gaps
from mentoring.growth.rhythm import open_gap
from mentoring.notify.service import queue_notification
from mentoring.web import public_link

TITLE_MAX, WHY_MAX, STEP_MAX, NOTE_MAX, WORDS_MAX = 120, 2000, 300, 2000, 2000
SUPPORT_KIND = "support"


class NoCheckInOpen(DomainError):
    """Check-ins open when a meeting ends and close when the next one starts; none is open now."""


class AlreadyCheckedIn(DomainError):
    """You have already checked in for this week. You can change what you wrote below."""


class CheckInClosed(DomainError):
    """The next meeting has started, so this check-in can no longer be changed."""


class NotYourCircle(NotFound):
    """We couldn't find that circle among yours."""


@dataclass(frozen=True)
class GoalInput:
    title: str
    why: str = ""
    next_step: str = ""
    target_date: date | None = None
    visibility: str = Visibility.PRIVATE
    circle_id: int | None = None


@dataclass(frozen=True)
class CheckInInput:
    mood: int | None
    win: str = ""
    obstacle: str = ""
    progress: Mapping[int, str] | None = None  # goal id -> Progress value
    visibility: str = Visibility.PRIVATE
    needs_support: bool = False
    support_shares_text: bool = False
    support_tells_buddy: bool = False


# Built once: every check-in and goal asks.
_HER_ACTIVE_PLACE = select(Enrollment.id).where(active_place(bindparam("circle_id"), bindparam("user_id")))


def is_active_member(circle_id: int, user_id: int) -> bool:
    found = db.session.execute(_HER_ACTIVE_PLACE, {"circle_id": circle_id, "user_id": user_id}).first()
    return found is not None


def _text(value: str, limit: int, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput("Please fill this in.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"Please keep this to {limit} characters.", field=field)
    return value


def _checked_goal(user_id: int, entry: GoalInput) -> dict[str, object]:
    if entry.visibility not in set(Visibility):
        raise InvalidInput("Please choose who can see this goal.", field="visibility")
    if entry.circle_id is not None and not is_active_member(entry.circle_id, user_id):
        raise InvalidInput("Please choose one of your circles.", field="circle_id")
    if entry.visibility == Visibility.CIRCLE and entry.circle_id is None:
        raise InvalidInput("Choose the circle to share it with, or keep it private.", field="circle_id")
    return {
        "title": _text(entry.title, TITLE_MAX, "title", required=True),
        "why": _text(entry.why, WHY_MAX, "why"),
        "next_step": _text(entry.next_step, STEP_MAX, "next_step"),
        "target_date": entry.target_date,
        "visibility": str(entry.visibility),
        "circle_id": entry.circle_id,
    }


def own_goal(goal_id: int, user_id: int) -> Goal:
    """Her goal; anyone else's (or a missing one) raises NotFound, so ids reveal nothing."""
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.user_id != user_id:
        raise NotFound("We couldn't find that goal.")
    return goal


def create_goal(user_id: int, entry: GoalInput, *, now: datetime) -> Goal:
    """Add an active goal for her. Raises InvalidInput (with the field) for bad input."""
    goal = Goal(
        user_id=user_id,
        status=GoalStatus.ACTIVE,
        created_at=now,
        updated_at=now,
        **_checked_goal(user_id, entry),
    )
    db.session.add(goal)
    db.session.flush()
    return goal


def update_goal(goal_id: int, user_id: int, entry: GoalInput, *, now: datetime) -> Goal:
    """Change her goal's words, date, circle or visibility. Raises NotFound or InvalidInput."""
    goal = own_goal(goal_id, user_id)
    for name, value in _checked_goal(user_id, entry).items():
        setattr(goal, name, value)
    goal.updated_at = now
    db.session.flush()
    return goal


def add_goal_note(goal_id: int, user_id: int, text: str, *, now: datetime) -> GoalNote:
    """Record a progress note on her goal. Raises NotFound or InvalidInput (field `text`)."""
    goal = own_goal(goal_id, user_id)
    note = GoalNote(goal_id=goal.id, text=_text(text, NOTE_MAX, "text", required=True), created_at=now)
    db.session.add(note)
    goal.updated_at = now
    db.session.flush()
    return note


def set_goal_status(goal_id: int, user_id: int, status: str, *, now: datetime) -> Goal:
    """Mark her goal reached, set it aside, or take it up again. Raises NotFound or InvalidInput."""
    goal = own_goal(goal_id, user_id)
    if status not in set(GoalStatus):
        raise InvalidInput("That is not a goal status.")
    goal.status = status
    goal.closed_at = None if status == GoalStatus.ACTIVE else now
    goal.updated_at = now
    db.session.flush()
    return goal


def _checked_entry(user_id: int, circle_id: int, entry: CheckInInput) -> dict[str, object]:
    if entry.mood is None or not 1 <= entry.mood <= 5:
        raise InvalidInput("Please choose how you feel, from 1 to 5.", field="mood")
    if entry.visibility not in set(Visibility):
        raise InvalidInput("Please choose who can see this check-in.", field="visibility")
    progress = {int(k): v for k, v in (entry.progress or {}).items()}
    if any(value not in set(Progress) for value in progress.values()):
        raise InvalidInput("Please choose how far each goal got.", field="progress")
    if progress:
        hers = set(
            db.session.scalars(
                select(Goal.id).where(
                    Goal.id.in_(progress), Goal.user_id == user_id, Goal.status == GoalStatus.ACTIVE
                )
            )
        )
        if set(progress) - hers:
            raise InvalidInput("Please report only on your own active goals.", field="progress")
    return {
        "mood": entry.mood,
        "win": _text(entry.win, WORDS_MAX, "win"),
        "obstacle": _text(entry.obstacle, WORDS_MAX, "obstacle"),
        "progress": {str(k): str(v) for k, v in sorted(progress.items())},
        "visibility": str(entry.visibility),
    }


def record_check_in(user_id: int, circle_id: int, entry: CheckInInput, *, now: datetime) -> CheckIn:
    """Her check-in for the gap open now in a circle she is an active member of.

    With `needs_support` the facilitator is told at once (see `_ask_for_support`); prompts for
    the gap not yet sent are withdrawn. Raises
    NotYourCircle, NoCheckInOpen, AlreadyCheckedIn (the database's unique key settles a double
    submit) or InvalidInput; nothing is kept when it raises.
    """
    gaps = her_circle_gaps(circle_id, user_id)
    if gaps is None:
        raise NotYourCircle()
    gap = open_gap(gaps, now)
    if gap is None:
        raise NoCheckInOpen()
    values = _checked_entry(user_id, circle_id, entry)
    # One statement: the unique key settles a double submit without a savepoint around it.
    check_in = db.session.scalars(
        insert_into(db.session, CheckIn)
        .values(user_id=user_id, circle_id=circle_id, after_meeting_id=gap.after_meeting_id,
                created_at=now, updated_at=now, **values)
        .on_conflict_do_nothing(index_elements=["user_id", "after_meeting_id"])
        .returning(CheckIn)
    ).one_or_none()
    if check_in is None:
        raise AlreadyCheckedIn()
    if entry.needs_support:
        _ask_for_support(check_in, entry.support_shares_text, entry.support_tells_buddy, now)
    withdraw_prompts(user_id, gap.after_meeting_id)
    db.session.flush()
    return check_in


def own_check_in(check_in_id: int, user_id: int) -> CheckIn:
    check_in = db.session.get(CheckIn, check_in_id)
    if check_in is None or check_in.user_id != user_id:
        raise NotFound("We couldn't find that check-in.")
    return check_in


def edit_check_in(check_in_id: int, user_id: int, entry: CheckInInput, *, now: datetime) -> CheckIn:
    """Change her check-in until the next meeting starts.

    Asking for support can be added on an edit; once asked, the facilitator has been told, so
    it is not taken back. Raises NotFound, CheckInClosed or InvalidInput.
    """
    check_in = own_check_in(check_in_id, user_id)
    gap = next(
        (g for g in circle_gaps(check_in.circle_id) if g.after_meeting_id == check_in.after_meeting_id), None
    )
    if gap is None or now >= gap.closes_at:
        raise CheckInClosed()
    for name, value in _checked_entry(user_id, check_in.circle_id, entry).items():
        setattr(check_in, name, value)
    check_in.updated_at = now
    if entry.needs_support and not check_in.needs_support:
        _ask_for_support(check_in, entry.support_shares_text, entry.support_tells_buddy, now)
    db.session.flush()
    return check_in


def _ask_for_support(check_in: CheckIn, shares_text: bool, tells_buddy: bool, now: datetime) -> None:
    """Flag the check-in and tell the circle's facilitator, by email and in the app, and her
    practice buddies if she chose so.

    The message names her and says she asked; her words go to the facilitator only if she chose
    so, and never to her buddy.
    """
    check_in.needs_support = True
    check_in.support_shares_text = shares_text
    check_in.support_requested_at = now
    member = db.session.get(User, check_in.user_id)
    circle = db.session.get(Circle, check_in.circle_id)
    assert member is not None and circle is not None
    path, url = public_link("growth.care", circle_id=circle.id)
    lines = [
        f"{member.display_name} in {circle.title} would like support. Please get in touch with her soon."
    ]
    if shares_text and (check_in.win or check_in.obstacle):
        lines.append(
            f"She chose to share her check-in with you.\nA win: {check_in.win or '-'}\n"
            f"In the way: {check_in.obstacle or '-'}"
        )
    lines.append(f"Mark it followed up once you have talked: {url}")
    if tells_buddy:
        buddy_path, _ = public_link("buddies.mine", circle_id=circle.id)
        for buddy_id in buddies_of(member.id, circle.id):
            queue_notification(
                buddy_id,
                SUPPORT_KIND,
                f"support-buddy:{check_in.id}:{buddy_id}",
                subject=f"{member.display_name} would like support",
                text=f"{member.display_name}, your practice buddy in {circle.title}, would like some "
                "support this week. A short message from you may help.",
                link=buddy_path,
                due_at=now,
            )
    queue_notification(
        circle.facilitator_id,
        SUPPORT_KIND,
        f"support:{check_in.id}",
        subject=f"{member.display_name} would like support",
        text="\n\n".join(lines),
        link=path,
        due_at=now,
    )


def follow_up_support(check_in_id: int, facilitator_id: int, *, now: datetime) -> CheckIn:
    """The facilitator has followed up a request for support; audited. Doing it twice changes
    nothing more. Raises NotFound unless she facilitates the circle and the request exists."""
    check_in = db.session.get(CheckIn, check_in_id)
    circle = db.session.get(Circle, check_in.circle_id) if check_in is not None else None
    if (
        check_in is None
        or circle is None
        or not check_in.needs_support
        or circle.facilitator_id != facilitator_id
    ):
        raise NotFound("We couldn't find that request for support.")
    if check_in.support_followed_up_at is None:
        check_in.support_followed_up_at = now
        check_in.support_followed_up_by_id = facilitator_id
        record(
            "support.followed_up",
            actor_id=facilitator_id,
            subject_type="check_in",
            subject_id=check_in.id,
            details={"circle_id": circle.id, "member_id": check_in.user_id},
            now=now,
        )
    db.session.flush()
    return check_in


def set_prompt_time(user_id: int, prompt_time: time | None) -> CheckInPreference:
    """When she wants to be asked for her check-in (local time). Raises InvalidInput without one."""
    if prompt_time is None:
        raise InvalidInput("Please choose a time.", field="prompt_time")
    preference = db.session.get(CheckInPreference, user_id)
    if preference is None:
        preference = CheckInPreference(user_id=user_id, prompt_time=prompt_time)
        db.session.add(preference)
    preference.prompt_time = prompt_time
    db.session.flush()
    return preference
