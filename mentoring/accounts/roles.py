"""Roles and facilitator applications. Every role change is written to the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mentoring.accounts.models import FacilitatorApplication, Role, RoleAssignment, User
from mentoring.accounts.signals import role_revoked
from mentoring.audit.service import record
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.web import public_link

BIO_MAX = 2000
TRAINING_MAX = 2000


class ApplicationNotAllowed(DomainError):
    """You can't apply to facilitate right now."""


class ApplicationAlreadyDecided(DomainError):
    """That application has already been decided."""


def grant_role(user_id: int, role: Role, *, actor_id: int | None, now: datetime,
               organization_id: int | None = None, reason: str | None = None) -> RoleAssignment:
    """Give `user_id` the role (again, if it was revoked) and audit it; a role she holds is left alone."""
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("We couldn't find that account.")
    assignment = db.session.execute(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user_id,
            RoleAssignment.role == str(role),
            RoleAssignment.organization_id.is_(None) if organization_id is None
            else RoleAssignment.organization_id == organization_id,
        )
    ).scalar_one_or_none()
    if assignment is not None and assignment.revoked_at is None:
        return assignment
    if assignment is None:
        assignment = RoleAssignment(user_id=user_id, role=str(role), organization_id=organization_id)
        db.session.add(assignment)
    assignment.granted_by_id = actor_id
    assignment.granted_at = now
    assignment.revoked_at = None
    db.session.flush()
    db.session.refresh(user, ["roles"])
    record("role.granted", actor_id=actor_id, subject_type="user", subject_id=user_id,
           details={"role": str(role), "organization_id": organization_id, "reason": reason}, now=now)
    return assignment


def revoke_role(user_id: int, role: Role, *, actor_id: int | None, now: datetime,
                reason: str | None = None) -> int:
    """Revoke every active assignment of `role` from the user and audit it; returns how many.

    `role_revoked` lets other features take back what the role gave her, in this unit of work
    (a facilitator's circles wait for a new one)."""
    assignments = db.session.execute(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user_id,
            RoleAssignment.role == str(role),
            RoleAssignment.revoked_at.is_(None),
        )
    ).scalars().all()
    for assignment in assignments:
        assignment.revoked_at = now
        record("role.revoked", actor_id=actor_id, subject_type="user", subject_id=user_id,
               details={"role": str(role), "organization_id": assignment.organization_id, "reason": reason},
               now=now)
    db.session.flush()
    user = db.session.get(User, user_id)
    if user is not None:
        db.session.refresh(user, ["roles"])
    if assignments:
        role_revoked.send(None, user_id=user_id, role=str(role), actor_id=actor_id, now=now)
    return len(assignments)


def pending_application(user_id: int) -> FacilitatorApplication | None:
    """Her facilitator application waiting for a decision, if any."""
    return db.session.execute(
        select(FacilitatorApplication).where(
            FacilitatorApplication.user_id == user_id, FacilitatorApplication.status == "pending"
        )
    ).scalar_one_or_none()


def apply_to_facilitate(user_id: int, *, bio: str, training: str, now: datetime) -> FacilitatorApplication:
    """File a facilitator application and tell the admins.

    Raises InvalidInput for an empty or overlong bio/training, ApplicationNotAllowed when she is
    already a facilitator or has an application waiting.
    """
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("We couldn't find that account.")
    bio, training = bio.strip(), training.strip()
    for field, value, limit in (("bio", bio, BIO_MAX), ("training", training, TRAINING_MAX)):
        if not value:
            raise InvalidInput("Please fill this in.", field=field)
        if len(value) > limit:
            raise InvalidInput(f"Please keep this to {limit} characters.", field=field)
    if str(Role.FACILITATOR) in user.active_roles():
        raise ApplicationNotAllowed("You are already a facilitator.")
    if pending_application(user_id) is not None:
        raise ApplicationNotAllowed("Your application is already with our team.")
    application = FacilitatorApplication(user_id=user_id, bio=bio, training=training, created_at=now)
    db.session.add(application)
    db.session.flush()
    admin_ids = db.session.execute(
        select(RoleAssignment.user_id).join(User, User.id == RoleAssignment.user_id).where(
            RoleAssignment.role == str(Role.ADMIN), RoleAssignment.revoked_at.is_(None),
            User.deleted_at.is_(None),
        )
    ).scalars().all()
    path, url = public_link("admin.index")
    for admin_id in set(admin_ids):
        queue_notification(
            admin_id, "account", f"facilitator-application:{application.id}:admin:{admin_id}",
            subject="A new facilitator application is waiting",
            text=f"A member has applied to facilitate circles. Review it here: {url}",
            link=path, channel="in_app",
        )
    return application


def _decide(application_id: int, status: str, admin_id: int, now: datetime) -> FacilitatorApplication:
    application = db.session.get(FacilitatorApplication, application_id)
    if application is None:
        raise NotFound("We couldn't find that application.")
    if application.status != "pending":
        raise ApplicationAlreadyDecided()
    application.status = status
    application.decided_by_id = admin_id
    application.decided_at = now
    db.session.flush()
    return application


def approve_application(application_id: int, *, admin_id: int, now: datetime) -> FacilitatorApplication:
    """Make the applicant a facilitator, copy her bio to her profile, tell her, and audit it.

    Raises NotFound or ApplicationAlreadyDecided.
    """
    application = _decide(application_id, "approved", admin_id, now)
    user = application.user
    user.bio = application.bio
    grant_role(user.id, Role.FACILITATOR, actor_id=admin_id, now=now,
               reason=f"facilitator application {application.id} approved")
    path, url = public_link("manage.dashboard")
    queue_notification(
        user.id, "account", f"facilitator-application:{application.id}:approved",
        subject="You're approved as a Hearth facilitator",
        text=(f"Hello {user.display_name},\n\nWelcome aboard: your application to facilitate circles was "
              f"approved. You can set up your first circle here: {url}"),
        link=path,
    )
    return application


def decline_application(application_id: int, *, admin_id: int, now: datetime) -> FacilitatorApplication:
    """Decline the application, tell the applicant, and audit it.

    Raises NotFound or ApplicationAlreadyDecided.
    """
    application = _decide(application_id, "declined", admin_id, now)
    record("facilitator_application.declined", actor_id=admin_id, subject_type="user",
           subject_id=application.user_id, details={"application_id": application.id}, now=now)
    queue_notification(
        application.user_id, "account", f"facilitator-application:{application.id}:declined",
        subject="About your facilitator application",
        text=(f"Hello {application.user.display_name},\n\n"
              "Thank you for applying to facilitate Hearth circles. "
              "We can't approve your application at the moment. You are welcome to apply again once "
              "you have more facilitation training or experience."),
    )
    return application
