"""What the circle page and the dashboards show of conversations: reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, literal, select, union_all

from mentoring.circles.models import Attendance, AttendanceStatus, Circle
from mentoring.conversations.absences import Absence, absences_by_meeting
from mentoring.conversations.models import Announcement, Thread
from mentoring.reads import NO_TEXT, NO_TIME, read_rows, utc_aware

ANNOUNCEMENTS_SHOWN = 5


@dataclass(frozen=True)
class AnnouncementView:
    body: str
    created_at: datetime


@dataclass(frozen=True)
class CirclePanel:
    announcements: list[AnnouncementView] = field(default_factory=list)
    thread_id: int | None = None  # her thread with the facilitator, once she has written
    cant_come: set[int] = field(default_factory=set)  # meetings she said she can't come to
    absences: dict[int, list[Absence]] = field(default_factory=dict)  # for the facilitator


# Built once (every circle page a member or her facilitator opens runs one of them); only the
# bound values change.
_ANNOUNCEMENTS = (
    select(literal("announcement").label("what"), Announcement.id.label("id"),
           Announcement.body.label("body"), Announcement.created_at.label("at"))
    .where(Announcement.circle_id == bindparam("circle_id"))
    .order_by(Announcement.created_at.desc(), Announcement.id.desc())
    .limit(ANNOUNCEMENTS_SHOWN)
)
_MEMBER_PANEL = union_all(
    select(_ANNOUNCEMENTS.subquery()),
    select(literal("thread"), Thread.id, NO_TEXT, NO_TIME)
    .join(Circle, Circle.id == Thread.circle_id)
    .where(Thread.circle_id == bindparam("circle_id"), Thread.member_id == bindparam("viewer_id"),
           Thread.facilitator_id == Circle.facilitator_id),
    select(literal("cant_come"), Attendance.meeting_id, NO_TEXT, NO_TIME)
    .where(Attendance.user_id == bindparam("viewer_id"),
           Attendance.meeting_id.in_(bindparam("meeting_ids", expanding=True)),
           Attendance.status == AttendanceStatus.EXCUSED),
)


def circle_panel(circle_id: int, viewer_id: int | None, meeting_ids: list[int], *, is_member: bool,
                 is_facilitator: bool) -> CirclePanel:
    """Announcements for members and the facilitator; her thread and her "can't come" answers
    for a member (one query for all three); who can't come for the facilitator. Nothing for
    anyone else."""
    if viewer_id is None or not (is_member or is_facilitator):
        return CirclePanel()
    if is_facilitator:
        return CirclePanel(announcements=[AnnouncementView(r.body, r.at)
                                          for r in read_rows(_ANNOUNCEMENTS, {"circle_id": circle_id})],
                           absences=absences_by_meeting(meeting_ids))
    found = read_rows(
        _MEMBER_PANEL, {"circle_id": circle_id, "viewer_id": viewer_id, "meeting_ids": meeting_ids or [-1]}
    )
    shown = sorted(((r.at, r.id, r.body) for r in found if r.what == "announcement"), reverse=True)
    return CirclePanel(
        announcements=[AnnouncementView(body, utc_aware(at)) for at, _id, body in shown],
        thread_id=next((r.id for r in found if r.what == "thread"), None),
        cant_come={r.id for r in found if r.what == "cant_come"},
    )
