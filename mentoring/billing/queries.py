"""Reading payments for the pages that show them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mentoring.accounts.models import User
from mentoring.billing.models import Payment, PaymentStatus
from mentoring.circles.models import Enrollment
from mentoring.extensions import db


def payments_of(user_id: int) -> list[Payment]:
    """Her payments, newest first, with their circle and refunds loaded."""
    return list(db.session.execute(
        select(Payment)
        .where(Payment.user_id == user_id, Payment.status != PaymentStatus.PENDING)
        .options(joinedload(Payment.enrollment).joinedload(Enrollment.circle), selectinload(Payment.refunds))
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    ).unique().scalars())


# What a receipt shows: the payment's circle, member and refunds. The member's roles are not
# shown, and when she is the viewer they are loaded already.
DETAILS = (joinedload(Payment.enrollment).joinedload(Enrollment.circle),
           joinedload(Payment.user).lazyload(User.roles), selectinload(Payment.refunds))


def payment_with_details(payment_id: int) -> Payment | None:
    """One payment with its circle, member and refunds loaded (for receipts)."""
    return db.session.execute(
        select(Payment).where(Payment.id == payment_id).options(*DETAILS)
    ).unique().scalar_one_or_none()


def _start_of(day: date, tzname: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tzname))


def search_payments(
    *, status: str | None, date_from: date | None, date_to: date | None, email: str | None,
    tzname: str, page: int, per_page: int = 25,
) -> Pagination:
    """Payments for the admin list; dates are whole days in the admin's timezone."""
    query = (
        select(Payment)
        .join(User, User.id == Payment.user_id)
        .options(joinedload(Payment.enrollment).joinedload(Enrollment.circle), joinedload(Payment.user))
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    )
    if status:
        query = query.where(Payment.status == status)
    if date_from:
        query = query.where(Payment.created_at >= _start_of(date_from, tzname))
    if date_to:
        query = query.where(Payment.created_at < _start_of(date_to + timedelta(days=1), tzname))
    if email:
        needle = email.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(User.email.like(f"%{needle}%", escape="\\"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
