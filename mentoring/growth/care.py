"""What a facilitator sees of her members between meetings: counts and flags, never words.

The care view and the support flags select no text column but display names, so nothing a
member wrote can reach them (tests/integration/growth/test_support_and_care.py proves it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select

from mentoring.accounts.models import User
from mentoring.circles.models import Attendance, Circle, Enrollment, EnrollmentStatus, Meeting, MeetingStatus
from mentoring.extensions import db
from mentoring.growth.models import CheckIn
from mentoring.growth.queries import circle_gaps
from mentoring.growth.rhythm import excused_gaps, gone_quiet, opened_gaps, streak
from mentoring.reads import read_rows


@dataclass(frozen=True)
class CareRow:
    """One member, in counts and flags only: nothing she wrote can reach this view."""

    user_id: int
    display_name: str
    attended: int
    meetings_held: int
    check_ins: int
    possible_check_ins: int
    streak: int
    open_flags: list[int]  # check-in ids with an open request for support
    gone_quiet: bool

    @property
    def sort_key(self) -> tuple[int, int, float, str]:
        done = self.check_ins / self.possible_check_ins if self.possible_check_ins else 1.0
        return (-len(self.open_flags), -int(self.gone_quiet), done, self.display_name.casefold())


# The care view's statements, built once; only the bound values change.
_MEMBERS = (
    select(User.id, User.display_name)
    .join(Enrollment, Enrollment.user_id == User.id)
    .where(Enrollment.circle_id == bindparam("circle_id"), Enrollment.status == EnrollmentStatus.ACTIVE)
)
_HELD = (
    select(Meeting.id)
    .where(Meeting.circle_id == bindparam("circle_id"), Meeting.status != MeetingStatus.CANCELLED,
           Meeting.starts_at <= bindparam("now"))
    .order_by(Meeting.starts_at)
)
_MARKS = (
    select(Attendance.user_id, Attendance.meeting_id, Attendance.status)
    .join(Meeting, Meeting.id == Attendance.meeting_id)
    .where(Meeting.circle_id == bindparam("circle_id"),
           Attendance.user_id.in_(bindparam("member_ids", expanding=True)))
)
_CHECK_INS = select(
    CheckIn.id, CheckIn.user_id, CheckIn.after_meeting_id, CheckIn.needs_support,
    CheckIn.support_followed_up_at,
).where(CheckIn.circle_id == bindparam("circle_id"),
        CheckIn.user_id.in_(bindparam("member_ids", expanding=True)))


def care_view(circle_id: int, now: datetime) -> list[CareRow]:
    """Per active member: attendance this term, check-ins done out of possible, streak, open
    requests for support and whether she has gone quiet, those needing attention first.

    Four queries whatever the size of the circle's history; no text column is selected.
    """
    gaps = circle_gaps(circle_id)
    members = db.session.execute(_MEMBERS, {"circle_id": circle_id}).all()
    held = db.session.scalars(_HELD, {"circle_id": circle_id, "now": now}).all()
    # Only her active members' rows: a former member's history would only be read to be dropped.
    member_ids = [user_id for user_id, _ in members]
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    values = {"circle_id": circle_id, "member_ids": member_ids}
    for user_id, meeting_id, status in db.session.execute(_MARKS, values):
        marks[user_id][meeting_id] = status
    done: dict[int, set[int]] = defaultdict(set)
    flags: dict[int, list[int]] = defaultdict(list)
    for check_in_id, user_id, after_id, needs_support, followed_up_at in db.session.execute(
        _CHECK_INS, values
    ):
        done[user_id].add(after_id)
        if needs_support and followed_up_at is None:
            flags[user_id].append(check_in_id)
    opened = opened_gaps(gaps, now)
    opened_ids = {gap.after_meeting_id for gap in opened}
    last_held = held[-1] if held else None
    rows = []
    for user_id, name in members:
        hers = marks[user_id]
        excused = excused_gaps(gaps, {m for m, status in hers.items() if status == "excused"})
        rows.append(
            CareRow(
                user_id=user_id,
                display_name=name,
                attended=sum(1 for m in held if hers.get(m) == "present"),
                meetings_held=len(held),
                check_ins=len(done[user_id] & opened_ids),
                possible_check_ins=len(opened),
                streak=streak(gaps, done[user_id], excused, now),
                open_flags=flags[user_id],
                gone_quiet=gone_quiet(gaps, done[user_id], hers.get(last_held) if last_held else None, now),
            )
        )
    return sorted(rows, key=lambda row: row.sort_key)


@dataclass(frozen=True)
class SupportFlag:
    check_in_id: int
    member: str
    circle_id: int
    circle_title: str
    requested_at: datetime | None


@dataclass(frozen=True)
class SupportFlags:
    oldest: list[SupportFlag]  # the longest waiting, at most SUPPORT_FLAGS_SHOWN
    total: int  # how many are open in all

    @property
    def more(self) -> int:
        return self.total - len(self.oldest)


SUPPORT_FLAGS_SHOWN = 10


# Built once: her dashboard asks on every visit; only the bound values change. The oldest ten
# are chosen first and only their members' names read: naming every open flag before keeping
# ten read a user row per flag (445 buffers against 277 for a facilitator of 65 circles).
_OLDEST_OPEN = (
    select(CheckIn.id, CheckIn.user_id, Circle.id.label("circle_id"), Circle.title,
           CheckIn.support_requested_at, func.count().over().label("total"))
    .join(Circle, Circle.id == CheckIn.circle_id)
    .where(
        Circle.facilitator_id == bindparam("facilitator_id"),
        CheckIn.needs_support.is_(True),
        CheckIn.support_followed_up_at.is_(None),
    )
    .order_by(CheckIn.support_requested_at, CheckIn.id)
    .limit(SUPPORT_FLAGS_SHOWN)
    .subquery()
)
_OPEN_FLAGS = (
    select(_OLDEST_OPEN.c.id, User.display_name, _OLDEST_OPEN.c.circle_id, _OLDEST_OPEN.c.title,
           _OLDEST_OPEN.c.support_requested_at, _OLDEST_OPEN.c.total)
    .join(User, User.id == _OLDEST_OPEN.c.user_id)
    .order_by(_OLDEST_OPEN.c.support_requested_at, _OLDEST_OPEN.c.id)
)


def open_support_flags(facilitator_id: int) -> SupportFlags:
    """Requests for support in her circles not yet followed up: the oldest ten and how many in
    all (one query). The rest wait in each circle's care view, which lists them all."""
    flags = read_rows(_OPEN_FLAGS, {"facilitator_id": facilitator_id})
    return SupportFlags([SupportFlag(*row[:5]) for row in flags], flags[0][5] if flags else 0)
