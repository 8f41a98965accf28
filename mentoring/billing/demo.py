"""Demo payments: what members of the paid demo circles paid when they joined."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from mentoring.billing import pricing
from mentoring.billing.checkout import price_terms
from mentoring.billing.models import Payment, PaymentStatus
from mentoring.circles.models import Circle, Enrollment, EnrollmentStatus, Meeting, MeetingStatus, PriceMode
from mentoring.extensions import db
from mentoring.money import CURRENCIES


def seed_payments(now: datetime) -> None:
    """One paid payment (local gateway) per active member of each paid circle that has none.

    Skips quietly when there are no paid circles. Running it again adds nothing.
    """
    rows = db.session.execute(
        select(Enrollment, Circle)
        .join(Circle, Circle.id == Enrollment.circle_id)
        .where(Circle.price_mode != PriceMode.FREE, Enrollment.status == EnrollmentStatus.ACTIVE)
        .order_by(Enrollment.id)
    ).all()
    paid = set(db.session.execute(select(Payment.enrollment_id)).scalars())
    for enrollment, circle in rows:
        if enrollment.id in paid or circle.currency.upper() not in CURRENCIES:
            continue
        sequences = sorted(db.session.execute(
            select(Meeting.sequence).where(
                Meeting.circle_id == circle.id, Meeting.status != MeetingStatus.CANCELLED
            )
        ).scalars())
        if not sequences:
            continue
        chosen = enrollment.price_cents if circle.price_mode == PriceMode.SLIDING else None
        try:
            unit = pricing.unit_price(price_terms(circle), chosen or None)
        except pricing.PriceOutOfRange:
            unit = pricing.unit_price(price_terms(circle))
        if unit == 0:
            continue
        paid_at = (enrollment.joined_at or now - timedelta(days=10)) - timedelta(minutes=5)
        db.session.add(Payment(
            enrollment_id=enrollment.id, user_id=enrollment.user_id, amount_cents=unit * len(sequences),
            unit_amount_cents=unit, currency=circle.currency.upper(), meetings_covered=len(sequences),
            first_sequence=sequences[0], gateway="local",
            gateway_session_id=f"cs_demo_{secrets.token_hex(10)}",
            gateway_payment_id=f"pi_demo_{secrets.token_hex(10)}", status=PaymentStatus.PAID,
            created_at=paid_at,
            expires_at=paid_at + timedelta(minutes=31), paid_at=paid_at,
        ))
    db.session.flush()
