"""Reading growth: her goals and check-ins, what a circle shares, the facilitator's care view.

Each read takes a constant number of queries whatever the size of the community. The care view
and the support flags select counts and flags only, never a goal's or check-in's words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Row,
    and_,
    bindparam,
    exists,
    func,
    literal,
    select,
    union_all,
)

from mentoring.accounts.models import User
from mentoring.buddies.queries import buddies_of, has_buddy_in
from mentoring.circles.models import (
    Attendance,
    AttendanceStatus,
    Circle,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.errors import NotFound
from mentoring.extensions import db
from mentoring.growth.models import CheckIn, CheckInPreference, Goal, GoalNote, GoalStatus, Visibility
from mentoring.growth.rhythm import (
    DEFAULT_PROMPT_TIME,
    Gap,
    MeetingSlot,
    excused_gaps,
    gaps_between,
    may_read,
    open_gap,
    streak,
)
from mentoring.reads import NO_TEXT, NO_TIME, read_rows, utc_aware


def active_place(circle_id: ColumnElement[int], user_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Her enrollment in the circle is active (what `growth.service.is_active_member` asks), as a
    clause a statement can use on its own or inside another query."""
    return and_(Enrollment.circle_id == circle_id, Enrollment.user_id == user_id,
                Enrollment.status == EnrollmentStatus.ACTIVE)


def _slots(rows: Iterable[Row[Any]]) -> dict[int, list[MeetingSlot]]:
    by_circle: dict[int, list[MeetingSlot]] = defaultdict(list)
    for meeting_id, circle_id, starts_at, ends_at, status in rows:
        cancelled = status == MeetingStatus.CANCELLED
        by_circle[circle_id].append(MeetingSlot(meeting_id, starts_at, ends_at, cancelled))
    return by_circle


_MEETINGS_OF = select(
    Meeting.id, Meeting.circle_id, Meeting.starts_at, Meeting.ends_at, Meeting.status
).where(Meeting.circle_id.in_(bindparam("circle_ids", expanding=True)))


def gaps_of_circles(circle_ids: set[int]) -> dict[int, list[Gap]]:
    """Each circle's gaps between meetings, in one query."""
    if not circle_ids:
        return {}
    rows = db.session.execute(_MEETINGS_OF, {"circle_ids": list(circle_ids)}).all()
    return {circle_id: gaps_between(slots) for circle_id, slots in _slots(rows).items()}


def circle_gaps(circle_id: int) -> list[Gap]:
    return gaps_of_circles({circle_id}).get(circle_id, [])


# Built once: every check-in asks. Her active place joined to the circle's meetings: no row when
# she has none, one row without a meeting when the circle has none yet.
_HER_PLACE_AND_MEETINGS = (
    select(Meeting.id, Meeting.circle_id, Meeting.starts_at, Meeting.ends_at, Meeting.status)
    .select_from(Enrollment)
    .outerjoin(Meeting, Meeting.circle_id == Enrollment.circle_id)
    .where(active_place(bindparam("circle_id"), bindparam("user_id")))
)


def her_circle_gaps(circle_id: int, user_id: int) -> list[Gap] | None:
    """The circle's gaps between meetings if she is an active member of it, else None: what
    `is_active_member` and `circle_gaps` answer, in one query."""
    rows = read_rows(_HER_PLACE_AND_MEETINGS, {"circle_id": circle_id, "user_id": user_id})
    if not rows:
        return None
    return gaps_between(_slots(row for row in rows if row[0] is not None).get(circle_id, []))


def prompt_time_of(user_id: int) -> time:
    preference = db.session.get(CheckInPreference, user_id)
    return preference.prompt_time if preference else DEFAULT_PROMPT_TIME


# --- her goals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalsPage:
    active: list[Goal]
    achieved: list[Goal]
    dropped: list[Goal]


_HER_GOALS = select(Goal).where(Goal.user_id == bindparam("user_id")).order_by(Goal.created_at.desc(),
                                                                               Goal.id.desc())


def goals_page(user_id: int) -> GoalsPage:
    """All her goals, newest first, by status (one query)."""
    goals = db.session.scalars(_HER_GOALS, {"user_id": user_id}).all()
    return GoalsPage(
        active=[g for g in goals if g.status == GoalStatus.ACTIVE],
        achieved=[g for g in goals if g.status == GoalStatus.ACHIEVED],
        dropped=[g for g in goals if g.status == GoalStatus.DROPPED],
    )


@dataclass(frozen=True)
class ProgressMark:
    at: datetime
    progress: str


@dataclass(frozen=True)
class GoalHistory:
    goal: Goal
    notes: list[GoalNote]
    marks: list[ProgressMark]
    circle_title: str | None


def goal_history(goal_id: int, user_id: int) -> GoalHistory:
    """Her goal with its notes and what her check-ins said about it. Raises NotFound for a
    goal that is not hers."""
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.user_id != user_id:
        raise NotFound("We couldn't find that goal.")
    notes = db.session.scalars(
        select(GoalNote)
        .where(GoalNote.goal_id == goal.id)
        .order_by(GoalNote.created_at.desc(), GoalNote.id.desc())
    ).all()
    check_ins = db.session.execute(
        select(CheckIn.created_at, CheckIn.progress)
        .where(CheckIn.user_id == user_id)
        .order_by(CheckIn.created_at.desc())
    ).all()
    marks = [
        ProgressMark(at, progress[str(goal.id)]) for at, progress in check_ins if str(goal.id) in progress
    ]
    title = (
        db.session.scalar(select(Circle.title).where(Circle.id == goal.circle_id)) if goal.circle_id else None
    )
    return GoalHistory(goal=goal, notes=list(notes), marks=marks, circle_title=title)


_HER_CIRCLES = (
    select(Circle.id, Circle.title)
    .join(Enrollment, Enrollment.circle_id == Circle.id)
    .where(Enrollment.user_id == bindparam("user_id"), Enrollment.status == EnrollmentStatus.ACTIVE)
    .order_by(Circle.title)
)


def her_circles(user_id: int) -> list[tuple[int, str]]:
    """(id, title) of the circles she is an active member of, for choosing a goal's circle."""
    rows = db.session.execute(_HER_CIRCLES, {"user_id": user_id}).all()
    return [(circle_id, title) for circle_id, title in rows]


# --- her check-in -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInPage:
    circle: Circle
    gap: Gap | None
    check_in: CheckIn | None
    goals: list[Goal]
    streak: int
    has_buddy: bool


# Built once, like every statement below that a busy page runs: building a statement costs more
# than running it. The circle, whether she is an active member, and whether she has a buddy in
# it, in one query.
_CHECK_IN_CIRCLE = select(
    Circle,
    exists().where(active_place(Circle.id, bindparam("user_id"))).label("is_member"),
    has_buddy_in(Circle.id, bindparam("user_id")).label("has_buddy"),
).where(Circle.id == bindparam("circle_id"))
# The circle's meetings for its gaps, each with whether she was excused from it.
_CHECK_IN_MEETINGS = (
    select(
        Meeting.id, Meeting.circle_id, Meeting.starts_at, Meeting.ends_at, Meeting.status,
        Attendance.status == AttendanceStatus.EXCUSED,
    )
    .outerjoin(Attendance, and_(Attendance.meeting_id == Meeting.id,
                                Attendance.user_id == bindparam("user_id")))
    .where(Meeting.circle_id == bindparam("circle_id"))
)
_HER_CHECK_INS = select(CheckIn).where(CheckIn.user_id == bindparam("user_id"),
                                       CheckIn.circle_id == bindparam("circle_id"))
_GOALS_FOR_CHECK_IN = (
    select(Goal)
    .where(
        Goal.user_id == bindparam("user_id"),
        Goal.status == GoalStatus.ACTIVE,
        (Goal.circle_id == bindparam("circle_id")) | Goal.circle_id.is_(None),
    )
    .order_by(Goal.created_at, Goal.id)
)


def check_in_page(circle_id: int, user_id: int, now: datetime) -> CheckInPage:
    """What her check-in page shows: the gap open now (if any), her check-in for it, her
    active goals (this circle's and those of no circle), her streak and whether she has a
    buddy here, in four queries. Raises NotFound unless she is an active member."""
    ids = {"circle_id": circle_id, "user_id": user_id}
    found = db.session.execute(_CHECK_IN_CIRCLE, ids).one_or_none()
    if found is None or not found.is_member:
        raise NotFound("We couldn't find that circle among yours.")
    meetings = read_rows(_CHECK_IN_MEETINGS, ids)
    gaps = gaps_between(_slots(row[:5] for row in meetings)[circle_id])
    excused = {row[0] for row in meetings if row[5]}
    gap = open_gap(gaps, now)
    mine = {c.after_meeting_id: c for c in db.session.scalars(_HER_CHECK_INS, ids)}
    goals = db.session.scalars(_GOALS_FOR_CHECK_IN, ids).all()
    return CheckInPage(
        circle=found.Circle,
        gap=gap,
        check_in=mine.get(gap.after_meeting_id) if gap else None,
        goals=list(goals),
        streak=streak(gaps, set(mine), excused_gaps(gaps, excused), now),
        has_buddy=bool(found.has_buddy),
    )


# --- what a circle shares -----------------------------------------------------------------


@dataclass(frozen=True)
class SharedGoal:
    owner: str
    title: str
    why: str
    next_step: str
    status: str


@dataclass(frozen=True)
class SharedCheckIn:
    owner: str
    at: datetime
    win: str
    obstacle: str


@dataclass(frozen=True)
class CircleShared:
    goals: list[SharedGoal] = field(default_factory=list)
    check_ins: list[SharedCheckIn] = field(default_factory=list)


SHARED_CHECK_INS = 20


def _shared_statement(*, unattached_too: bool) -> CompoundSelect:
    """Goals these members have not kept private (nor dropped) for the circle (and, with
    `unattached_too`, those tied to no circle), and their latest check-ins in it that they have
    not kept private and wrote something in: one statement, only the columns shown, each row
    named by `what` and placed by `rank` (the order each list is shown in)."""
    in_circle = Goal.circle_id == bindparam("circle_id")
    goals = (
        select(literal("goal").label("what"),
               func.row_number().over(order_by=(User.display_name, Goal.id)).label("rank"),
               Goal.user_id.label("user_id"), Goal.circle_id.label("circle_id"),
               Goal.visibility.label("visibility"), User.display_name.label("display_name"),
               Goal.title.label("title"), Goal.why.label("why"), Goal.next_step.label("next_step"),
               Goal.status.label("status"), NO_TIME.label("at"))
        .join(User, User.id == Goal.user_id)
        .where(
            Goal.user_id.in_(bindparam("owner_ids", expanding=True)),
            Goal.visibility != Visibility.PRIVATE,
            Goal.status != GoalStatus.DROPPED,
            (in_circle | Goal.circle_id.is_(None)) if unattached_too else in_circle,
        )
    )
    # A check-in's win and obstacle come in the goal's title and why.
    check_ins = (
        select(literal("check_in"),
               func.row_number().over(order_by=(CheckIn.created_at.desc(), CheckIn.id.desc())),
               CheckIn.user_id, CheckIn.circle_id, CheckIn.visibility, User.display_name, CheckIn.win,
               CheckIn.obstacle, NO_TEXT, NO_TEXT, CheckIn.created_at)
        .join(User, User.id == CheckIn.user_id)
        .where(
            CheckIn.circle_id == bindparam("circle_id"),
            CheckIn.visibility != Visibility.PRIVATE,
            CheckIn.user_id.in_(bindparam("owner_ids", expanding=True)),
            (CheckIn.win != "") | (CheckIn.obstacle != ""),
        )
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
        .limit(SHARED_CHECK_INS)
    )
    return union_all(goals, select(check_ins.subquery()))


# Built once: every circle page and buddy page runs one; only the bound values change.
_CIRCLE_SHARED = _shared_statement(unattached_too=False)
_BUDDY_SHARED = _shared_statement(unattached_too=True)
_ACTIVE_MEMBERS = select(Enrollment.user_id).where(
    Enrollment.circle_id == bindparam("circle_id"), Enrollment.status == EnrollmentStatus.ACTIVE
)


def _shared(owner_ids: Iterable[int], circle_id: int, *,
            unattached_too: bool = False) -> tuple[list[Row], list[Row]]:
    """What these members shared (see `_shared_statement`): their goals, then their check-ins,
    each in the order shown. Each item still passes `may_read` before anyone sees it."""
    rows = read_rows(_BUDDY_SHARED if unattached_too else _CIRCLE_SHARED,
                     {"owner_ids": list(owner_ids), "circle_id": circle_id})
    goals = sorted((r for r in rows if r.what == "goal"), key=lambda r: r.rank)
    check_ins = sorted((r for r in rows if r.what == "check_in"), key=lambda r: r.rank)
    return goals, check_ins


def circle_shared(
    circle_id: int, viewer_id: int | None, member_ids: Iterable[int] | None = None
) -> CircleShared:
    """What members chose to share with the circle, for its active members and facilitator.

    Anyone else (a visitor, an admin, a sponsor admin, a former member) gets nothing. Each item
    also passes `rhythm.may_read`, so the visibility rule is written once. `member_ids`, the
    active members' ids when the caller has them already (the circle page's roster), saves
    asking for them again.
    """
    if viewer_id is None:
        return CircleShared()
    circle = db.session.get(Circle, circle_id)
    member_ids = set(db.session.scalars(_ACTIVE_MEMBERS, {"circle_id": circle_id})
                     if member_ids is None else member_ids)
    if circle is None or (viewer_id not in member_ids and viewer_id != circle.facilitator_id):
        return CircleShared()
    goals, check_ins = _shared(member_ids, circle_id)

    # Buddies are mutual: the owner's buddies in this circle are those whose buddy she is. Asked
    # only when something is shared with buddies, so the page costs no query more otherwise.
    viewers_buddies = (
        buddies_of(viewer_id, circle_id)
        if any(row.visibility == Visibility.BUDDY for row in (*goals, *check_ins))
        else frozenset()
    )

    def readable(visibility: str, owner_id: int) -> bool:
        return may_read(
            visibility,
            owner_id=owner_id,
            viewer_id=viewer_id,
            shares_circle=True,
            owners_buddies={viewer_id} if owner_id in viewers_buddies else set(),
        )

    return CircleShared(
        goals=[
            SharedGoal(g.display_name, g.title, g.why, g.next_step, g.status)
            for g in goals
            if readable(g.visibility, g.user_id)
        ],
        check_ins=[
            SharedCheckIn(c.display_name, utc_aware(c.at), c.title, c.why)
            for c in check_ins
            if readable(c.visibility, c.user_id)
        ],
    )


def buddy_shared(viewer_id: int, circle_id: int) -> CircleShared:
    """What her practice buddies in `circle_id` shared with "buddy" or "circle" visibility, for
    her buddy page. Nothing when she has no buddy there."""
    buddies = buddies_of(viewer_id, circle_id)
    if not buddies:
        return CircleShared()
    goals, check_ins = _shared(buddies, circle_id, unattached_too=True)

    def readable(visibility: str, owner_id: int, goal_circle: int | None) -> bool:
        return may_read(
            visibility,
            owner_id=owner_id,
            viewer_id=viewer_id,
            shares_circle=goal_circle == circle_id,
            owners_buddies={viewer_id},
        )

    return CircleShared(
        goals=[
            SharedGoal(g.display_name, g.title, g.why, g.next_step, g.status)
            for g in goals
            if readable(g.visibility, g.user_id, g.circle_id)
        ],
        check_ins=[
            SharedCheckIn(c.display_name, utc_aware(c.at), c.title, c.why)
            for c in check_ins
            if readable(c.visibility, c.user_id, c.circle_id)
        ],
    )


# --- her dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class DueCheckIn:
    circle_id: int
    circle_title: str
    closes_at: datetime
    done: bool


@dataclass(frozen=True)
class GrowthPanel:
    due: list[DueCheckIn]
    goals: list[Goal]


PANEL_GOALS = 5


# The panel's statements, built once (her dashboard runs them on every visit).
# Her circles' meetings with the circles' titles, and whether she has checked in after each: one
# query, so the panel costs the same whether or not a check-in is open.
_HER_CHECK_IN = (
    select(CheckIn.id)
    .where(CheckIn.user_id == bindparam("user_id"), CheckIn.after_meeting_id == Meeting.id)
    .correlate(Meeting)
    .exists()
)
_HER_MEETINGS = (
    select(Meeting.id, Meeting.circle_id, Meeting.starts_at, Meeting.ends_at, Meeting.status, Circle.title,
           _HER_CHECK_IN.label("checked_in"))
    .join(Circle, Circle.id == Meeting.circle_id)
    .join(Enrollment, Enrollment.circle_id == Meeting.circle_id)
    .where(Enrollment.user_id == bindparam("user_id"), Enrollment.status == EnrollmentStatus.ACTIVE)
)
_PANEL_GOALS = (
    select(Goal)
    .where(Goal.user_id == bindparam("user_id"), Goal.status == GoalStatus.ACTIVE)
    .order_by(Goal.created_at.desc(), Goal.id.desc())
    .limit(PANEL_GOALS)
)


def growth_panel(user_id: int, now: datetime) -> GrowthPanel:
    """Her check-ins open now (done or not) and her active goals, for her dashboard. Two queries."""
    meetings = read_rows(_HER_MEETINGS, {"user_id": user_id})
    circles = {row.circle_id: row.title for row in meetings}
    done = {row.id for row in meetings if row.checked_in}
    slots = _slots(row[:5] for row in meetings)
    gaps = {circle_id: gaps_between(circle_slots) for circle_id, circle_slots in slots.items()}
    open_now = {cid: gap for cid in circles if (gap := open_gap(gaps.get(cid, []), now)) is not None}
    goals = db.session.scalars(_PANEL_GOALS, {"user_id": user_id}).all()
    due = [
        DueCheckIn(cid, circles[cid], gap.closes_at, gap.after_meeting_id in done)
        for cid, gap in sorted(open_now.items(), key=lambda item: item[1].closes_at)
    ]
    return GrowthPanel(due=due, goals=list(goals))
