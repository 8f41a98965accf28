"""What the circle page and the dashboards show of conversations: reads only."""

from __future__ import annotations

from dataclasses import dataclass, field

from mentoring.conversations.absences import Absence, absences_by_meeting, meetings_she_cant_come_to
from mentoring.conversations.announcements import recent_announcements
from mentoring.conversations.models import Announcement
from mentoring.conversations.threads import member_thread


@dataclass(frozen=True)
class CirclePanel:
    announcements: list[Announcement] = field(default_factory=list)
    thread_id: int | None = None  # her thread with the facilitator, once she has written
    cant_come: set[int] = field(default_factory=set)  # meetings she said she can't come to
    absences: dict[int, list[Absence]] = field(default_factory=dict)  # for the facilitator


def circle_panel(circle_id: int, viewer_id: int | None, meeting_ids: list[int], *, is_member: bool,
                 is_facilitator: bool) -> CirclePanel:
    """Announcements for members and the facilitator; her thread and her "can't come" answers
    for a member; who can't come for the facilitator. Nothing for anyone else."""
    if viewer_id is None or not (is_member or is_facilitator):
        return CirclePanel()
    if is_facilitator:
        return CirclePanel(announcements=recent_announcements(circle_id),
                           absences=absences_by_meeting(meeting_ids))
    thread = member_thread(circle_id, viewer_id)
    return CirclePanel(announcements=recent_announcements(circle_id),
                       thread_id=thread.id if thread else None,
                       cant_come=meetings_she_cant_come_to(viewer_id, meeting_ids))
