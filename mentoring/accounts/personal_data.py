"""Her own data: a complete export, and deleting her account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from mentoring.accounts.models import FacilitatorApplication, RoleAssignment, User
from mentoring.accounts.passwords import UNUSABLE_HASH, password_matches
from mentoring.accounts.service import WrongPassword
from mentoring.accounts.signals import account_deleted
from mentoring.audit.service import record
from mentoring.billing.models import Payment, Refund
from mentoring.circles.models import Attendance, Circle, Enrollment, Meeting
from mentoring.conversations.personal_data import export_conversations
from mentoring.errors import NotFound
from mentoring.extensions import db
from mentoring.notify.models import Notification

DELETED_NAME = "Former member"


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def export_user_data(user_id: int, *, now: datetime) -> dict[str, Any]:
    """Everything Hearth holds about her, as JSON-ready values. Never includes the password hash."""
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("We couldn't find that account.")
    enrollments = db.session.execute(
        select(Enrollment, Circle.title).join(Circle, Circle.id == Enrollment.circle_id)
        .where(Enrollment.user_id == user_id).order_by(Enrollment.id)
    ).all()
    attendance = db.session.execute(
        select(Attendance, Meeting.starts_at, Meeting.sequence, Circle.title)
        .join(Meeting, Meeting.id == Attendance.meeting_id).join(Circle, Circle.id == Meeting.circle_id)
        .where(Attendance.user_id == user_id).order_by(Meeting.starts_at)
    ).all()
    notifications = db.session.execute(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    ).scalars().all()
    payments = db.session.execute(
        select(Payment).where(Payment.user_id == user_id).order_by(Payment.id)
    ).scalars().all()
    refunds = db.session.execute(
        select(Refund).join(Payment, Payment.id == Refund.payment_id)
        .where(Payment.user_id == user_id).order_by(Refund.id)
    ).scalars().all()
    applications = db.session.execute(
        select(FacilitatorApplication).where(FacilitatorApplication.user_id == user_id)
        .order_by(FacilitatorApplication.id)
    ).scalars().all()
    return {
        "exported_at": now.isoformat(),
        "account": {
            "id": user.id,
            "email": user.email,
            "email_verified_at": _iso(user.email_verified_at),
            "display_name": user.display_name,
            "bio": user.bio,
            "created_at": _iso(user.created_at),
        },
        "settings": {
            "timezone": user.timezone,
            "quiet_hours": (
                {"start": _iso(user.quiet_start), "end": _iso(user.quiet_end)}
                if user.quiet_start is not None else None
            ),
            "email_opt_out": list(user.email_opt_out or []),
        },
        "roles": [
            {"role": r.role, "organization_id": r.organization_id, "granted_at": _iso(r.granted_at),
             "revoked_at": _iso(r.revoked_at)}
            for r in user.roles
        ],
        "facilitator_applications": [
            {"bio": a.bio, "training": a.training, "status": a.status, "created_at": _iso(a.created_at),
             "decided_at": _iso(a.decided_at)}
            for a in applications
        ],
        "enrollments": [
            {"circle": title, "circle_id": e.circle_id, "status": e.status, "funding": e.funding,
             "price_cents_per_meeting": e.price_cents, "agreed_at": _iso(e.agreed_at),
             "agreement_version": e.agreement_version,
             "joined_at": _iso(e.joined_at), "left_at": _iso(e.left_at), "created_at": _iso(e.created_at)}
            for e, title in enrollments
        ],
        "attendance": [
            {"circle": title, "meeting": sequence, "meeting_starts_at": _iso(starts_at), "status": a.status,
             "note": a.note}
            for a, starts_at, sequence, title in attendance
        ],
        "notifications": [
            {"kind": n.kind, "channel": n.channel, "status": n.status, "created_at": _iso(n.created_at),
             "sent_at": _iso(n.sent_at), "read_at": _iso(n.read_at),
             "subject": (n.payload or {}).get("subject"), "text": (n.payload or {}).get("text")}
            for n in notifications
        ],
        "payments": [
            {"id": p.id, "amount_cents": p.amount_cents, "currency": p.currency,
             "meetings_covered": p.meetings_covered, "status": p.status, "refunded_cents": p.refunded_cents,
             "created_at": _iso(p.created_at), "paid_at": _iso(p.paid_at)}
            for p in payments
        ],
        "refunds": [
            {"payment_id": r.payment_id, "amount_cents": r.amount_cents, "reason": r.reason,
             "status": r.status, "created_at": _iso(r.created_at)}
            for r in refunds
        ],
        "conversations": export_conversations(user_id),
    }


def delete_account(user_id: int, password: str, *, now: datetime) -> None:
    """Delete her account after checking her password.

    Personal data is anonymised in place (rows other people's records point at, such as payments
    kept for accounting, stay valid), her pending notifications are dropped, her roles revoked and
    every session ended; `account_deleted` lets circles release her seats in this same unit of
    work. Her address is free for a new account afterwards. Raises WrongPassword or NotFound.
    """
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("We couldn't find that account.")
    if not password_matches(user.password_hash, password):
        raise WrongPassword()
    revoked_roles = sorted(user.active_roles())
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.display_name = DELETED_NAME
    user.password_hash = UNUSABLE_HASH
    user.bio = None
    user.timezone = "UTC"
    user.quiet_start = None
    user.quiet_end = None
    user.email_opt_out = []
    user.email_verified_at = None
    user.deleted_at = now
    user.session_version += 1
    db.session.execute(
        update(RoleAssignment)
        .where(RoleAssignment.user_id == user_id, RoleAssignment.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        delete(FacilitatorApplication).where(FacilitatorApplication.user_id == user_id)
    )
    db.session.expire(user, ["roles"])
    account_deleted.send(None, user_id=user_id, now=now)
    db.session.flush()
    # After the receivers ran: what they queued (a refund notice, say) goes nowhere now.
    db.session.execute(
        delete(Notification).where(Notification.user_id == user_id, Notification.status == "pending")
    )
    record("account.deleted", actor_id=user_id, subject_type="user", subject_id=user_id,
           details={"roles_revoked": revoked_roles}, now=now)
