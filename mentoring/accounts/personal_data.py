"""Her own data: a complete export, and deleting her account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from mentoring.accounts.models import FacilitatorApplication, RoleAssignment, User
from mentoring.accounts.passwords import UNUSABLE_HASH, password_matches
from mentoring.accounts.service import WrongPassword
from mentoring.accounts.sessions import end_all_sessions, session_history
from mentoring.accounts.signals import account_deleted, personal_data_export
from mentoring.audit.service import record
from mentoring.billing.models import Payment, Refund
from mentoring.billing.refunds import REFUND_NOTICE_KIND, LeavingRefund, leaving_refund
from mentoring.circles.models import LIVE_ENROLLMENT_STATUSES, Attendance, Circle, Enrollment, Meeting
from mentoring.errors import NotFound
from mentoring.extensions import db
from mentoring.notify.messages import shown_in_app
from mentoring.notify.models import Notification, NotificationStatus

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
    export: dict[str, Any] = {
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
            "reminders": {"day_before": user.remind_day_before, "hour_before": user.remind_hour_before},
        },
        "roles": [
            {"role": r.role, "organization_id": r.organization_id, "granted_at": _iso(r.granted_at),
             "revoked_at": _iso(r.revoked_at)}
            for r in user.roles
        ],
        "sessions": [{"started_at": _iso(started)} for started in session_history(user_id)],
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
             "subject": (n.payload or {}).get("subject"), "text": shown_in_app(n.payload or {})[0]}
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
    }
    for _receiver, sections in personal_data_export.send(None, user_id=user_id, now=now):
        export.update(sections)
    return export


def delete_account(user_id: int, password: str, *, now: datetime) -> None:
    """Delete her account after checking her password.

    Personal data is anonymised in place (rows other people's records point at, such as payments
    kept for accounting, stay valid), her roles revoked and every session ended; `account_deleted`
    lets circles release her seats (and billing refund them) in this same unit of work. Her
    pending mail is dropped except refund notices, which still go to the address she had; links
    that proved control of her mailbox are erased. Her address is free for a new account
    afterwards. Raises WrongPassword or NotFound.
    """
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("We couldn't find that account.")
    if not password_matches(user.password_hash, password):
        raise WrongPassword()
    revoked_roles = sorted(user.active_roles())
    old_email, was_verified = user.email, user.is_verified
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
    end_all_sessions(user_id)
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
    # After the receivers ran, so the refund notices they queued are among her pending mail.
    _settle_mail_of_deleted_account(user_id, old_email if was_verified else None)
    record("account.deleted", actor_id=user_id, subject_type="user", subject_id=user_id,
           details={"roles_revoked": revoked_roles}, now=now)


def _settle_mail_of_deleted_account(user_id: int, last_address: str | None) -> None:
    """Keep only what she must still hear (money returned to her), addressed to `last_address`
    (None when it was never confirmed, so nothing goes), and erase every mailbox-proof link."""
    for notification in db.session.execute(
        select(Notification).where(Notification.user_id == user_id)
    ).scalars():
        payload = dict(notification.payload or {})
        pending = notification.status == NotificationStatus.PENDING
        if payload.get("mailbox_only"):
            db.session.delete(notification)
        elif pending and notification.kind == REFUND_NOTICE_KIND and last_address:
            notification.payload = {**payload, "to": last_address}
        elif pending:
            db.session.delete(notification)
    db.session.flush()


@dataclass(frozen=True)
class RefundOnDeletion:
    circle_title: str
    refund: LeavingRefund


def refunds_on_deletion(user_id: int, *, now: datetime) -> list[RefundOnDeletion]:
    """What deleting her account at `now` would give back, per circle she would leave (only
    circles with money to return). Deletion leaves each circle as leaving it would."""
    rows = db.session.execute(
        select(Enrollment.id, Circle.title).join(Circle, Circle.id == Enrollment.circle_id)
        .where(Enrollment.user_id == user_id, Enrollment.status.in_(LIVE_ENROLLMENT_STATUSES))
        .order_by(Enrollment.id)
    ).all()
    refunds = [RefundOnDeletion(title, leaving_refund(enrollment_id, now=now))
               for enrollment_id, title in rows]
    return [r for r in refunds if r.refund.amount_cents > 0]
