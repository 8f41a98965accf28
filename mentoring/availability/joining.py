"""The email that confirms she has joined a circle, carrying its meetings as an .ics file.

Sent (queued in the joining transaction) whenever she becomes an active member: a free seat, a
paid seat whose payment landed, or an accepted waitlist offer (`circles.signals.member_joined`).
The attachment is the same series as the circle page's download, with the meeting link or
address, which an active member may see.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from mentoring.circles.calendar import calendar_filename, circle_calendar
from mentoring.circles.models import Enrollment, EnrollmentStatus
from mentoring.circles.queries import calendar_data
from mentoring.circles.signals import member_joined
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.timekeeping.display import format_local

JOINED_KIND = "joined"


def queue_join_confirmation(enrollment_id: int, *, now: datetime) -> bool:
    """Queue her welcome with the circle's .ics attached; True if it was new.

    One per place and joining (a member who leaves and joins again is welcomed again). Nothing
    for a place that is not active. Flushes.
    """
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        return False
    circle, user = enrollment.circle, enrollment.user
    page = f"/circles/{circle.id}"
    # An active member may have the schedule with its link or address: nothing to ask.
    data = calendar_data(circle, current_app.config["BASE_URL"].rstrip("/") + page, with_location=True)
    ics = circle_calendar(data.circle, data.meetings, include_location=data.location, now=now)
    upcoming = [m.starts_at for m in data.meetings if not m.cancelled and m.starts_at > now]
    first = (f" Your first meeting is {format_local(min(upcoming), user.timezone)} (your time)."
             if upcoming else "")
    joined_at = enrollment.joined_at or now
    return queue_notification(
        user.id,
        JOINED_KIND,
        f"joined:{enrollment.id}:{joined_at:%Y%m%dT%H%M%S}",
        subject=f"You're in: {circle.title}",
        text=(f"Welcome to {circle.title}.{first} The attached calendar file adds every meeting to your "
              "calendar; the circle's page always has the latest details."),
        link=page,
        extra={"circle_id": circle.id,
               "attachments": [{"filename": calendar_filename(circle.title, circle.id), "subtype": "calendar",
                                "text": ics.decode()}]},
    )


@member_joined.connect
def _on_member_joined(sender: object, *, enrollment_id: int, now: datetime, **_: object) -> None:
    queue_join_confirmation(enrollment_id, now=now)
