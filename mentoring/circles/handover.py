"""A circle whose facilitator loses her role waits for a new one, and an admin hands it over.

Facilitator powers follow the live role. Rather than re-checking the role at every place that
compares `Circle.facilitator_id` with the viewer (roster, meeting link, calendar location,
removing members), revoking the role detaches her from her circles that are still going:
`facilitator_id` becomes None, so none of those comparisons can match her any more. Members are
told a new facilitator is being found; an admin reassigns the circle to an approved
facilitator. Both moves are audited. Functions flush and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mentoring.accounts.models import Role, RoleAssignment, User
from mentoring.accounts.signals import account_deleted, role_revoked
from mentoring.audit.service import record
from mentoring.circles.models import LIVE_ENROLLMENT_STATUSES, Circle, CircleStatus
from mentoring.circles.service import audience, circle_path, notify_members
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification

# Circles that still need someone to run them; completed and cancelled ones keep their history.
GOING = (CircleStatus.DRAFT, CircleStatus.OPEN, CircleStatus.FULL, CircleStatus.RUNNING)


class NotAFacilitator(DomainError):
    """Please choose someone who is an approved facilitator."""

    field = "facilitator_id"


class CircleNotAwaiting(DomainError):
    """That circle already has a facilitator."""


def detach_facilitator(facilitator_id: int, *, actor_id: int | None, now: datetime) -> list[int]:
    """Take her going circles from her: each waits for a new facilitator, its members are told,
    and it is audited. Returns the ids of the circles detached."""
    circles = db.session.execute(
        select(Circle).where(Circle.facilitator_id == facilitator_id, Circle.status.in_(GOING))
        .order_by(Circle.id).with_for_update()
    ).scalars().all()
    for circle in circles:
        circle.facilitator_id = None
        record("circle.facilitator_removed", actor_id=actor_id, subject_type="circle", subject_id=circle.id,
               details={"former_facilitator_id": facilitator_id}, now=now)
        title = circle.title
        notify_members(
            audience(circle.id, LIVE_ENROLLMENT_STATUSES),
            f"facilitator-leaving:{circle.id}:{facilitator_id}",
            f"{title} is getting a new facilitator", circle_path(circle),
            lambda _her_time, title=title: (
                f"The facilitator of {title} can no longer run it. Your place is safe: we are finding "
                "a new facilitator and will tell you who it is. Meetings go ahead as planned unless we "
                "tell you otherwise."
            ),
        )
    db.session.flush()
    return [circle.id for circle in circles]


def circles_awaiting_facilitator() -> list[Circle]:
    """Going circles without a facilitator, oldest first."""
    return list(db.session.execute(
        select(Circle).where(Circle.facilitator_id.is_(None), Circle.status.in_(GOING)).order_by(Circle.id)
    ).scalars())


def approved_facilitators() -> list[User]:
    """Live accounts holding the facilitator role, by name."""
    return list(db.session.execute(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.role == str(Role.FACILITATOR), RoleAssignment.revoked_at.is_(None),
            User.deleted_at.is_(None),
        ).order_by(User.display_name, User.id)
    ).scalars().unique())


def reassign_circle(circle_id: int, facilitator_id: int, *, actor_id: int, now: datetime) -> Circle:
    """Give a circle that waits for a facilitator to an approved one; she and its members are
    told, and it is audited. Raises NotFound, CircleNotAwaiting (also when a double-clicked
    button already did it) or NotAFacilitator."""
    circle = db.session.execute(
        select(Circle).where(Circle.id == circle_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if circle is None or circle.status not in GOING:
        raise NotFound("We couldn't find that circle.")
    if circle.facilitator_id is not None:
        raise CircleNotAwaiting()
    facilitator = db.session.get(User, facilitator_id)
    if facilitator is None or facilitator.id not in {f.id for f in approved_facilitators()}:
        raise NotAFacilitator()
    circle.facilitator_id = facilitator.id
    db.session.flush()
    record("circle.reassigned", actor_id=actor_id, subject_type="circle", subject_id=circle.id,
           details={"facilitator_id": facilitator.id}, now=now)
    name, title = facilitator.display_name, circle.title
    notify_members(
        audience(circle.id, LIVE_ENROLLMENT_STATUSES), f"facilitator-new:{circle.id}:{facilitator.id}",
        f"{name} is the new facilitator of {title}", circle_path(circle),
        lambda _her_time: f"{name} now runs {title}. Your place and the meeting times stay as they were.",
    )
    queue_notification(
        facilitator.id, "circle_update", f"facilitator-assigned:{circle.id}:{facilitator.id}",
        subject=f"You now facilitate {title}",
        text=f"Our team has asked you to take over {title}. Its roster and meetings are on your page.",
        link=f"/facilitate/circles/{circle.id}",
    )
    return circle


@role_revoked.connect
def _on_role_revoked(sender: object, *, user_id: int, role: str, actor_id: int | None, now: datetime,
                     **_: object) -> None:
    if role == Role.FACILITATOR:
        detach_facilitator(user_id, actor_id=actor_id, now=now)


@account_deleted.connect
def _on_account_deleted(sender: object, *, user_id: int, now: datetime, **_: object) -> None:
    detach_facilitator(user_id, actor_id=user_id, now=now)
