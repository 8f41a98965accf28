"""Seats in a circle: holding, confirming, releasing and leaving.

TEMPORARY: a minimal stand-in written on the billing branch so payments can be built and tested.
It is to be replaced at merge by the membership helper's file, which owns these rules; billing
only relies on the four signatures below and on `CircleFull`.

A seat is taken with one conditional UPDATE on `circles.seats_taken`, so the database settles a
race for the last seat.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from mentoring.circles import signals
from mentoring.circles.models import Circle, Enrollment, EnrollmentStatus
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db

HOLD_EXPIRED = "hold expired"


class CircleFull(DomainError):
    """This circle is full. You can join the waitlist instead."""


def _take_seat(circle_id: int) -> bool:
    result = db.session.execute(
        update(Circle)
        .where(Circle.id == circle_id, Circle.seats_taken < Circle.capacity)
        .values(seats_taken=Circle.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(circle_id: int) -> None:
    db.session.execute(
        update(Circle)
        .where(Circle.id == circle_id, Circle.seats_taken > 0)
        .values(seats_taken=Circle.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _locked(enrollment_id: int) -> Enrollment:
    enrollment = db.session.execute(
        select(Enrollment).where(Enrollment.id == enrollment_id).with_for_update().execution_options(
            populate_existing=True
        )
    ).scalar_one_or_none()
    if enrollment is None:
        raise NotFound("We could not find that place in the circle.")
    return enrollment


def hold_seat(
    circle_id: int,
    user_id: int,
    *,
    price_cents: int,
    funding: str,
    agreed: bool,
    now: datetime,
    hold_minutes: int = 30,
) -> Enrollment:
    """Hold a seat for her while she pays. Her own live hold is returned as it is.

    Raises CircleFull when no seat is free.
    """
    enrollment = db.session.execute(
        select(Enrollment)
        .where(Enrollment.circle_id == circle_id, Enrollment.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    expires = now + timedelta(minutes=hold_minutes)
    if enrollment is not None and enrollment.status in (EnrollmentStatus.HELD, EnrollmentStatus.ACTIVE):
        if enrollment.status == EnrollmentStatus.HELD and (
            enrollment.hold_expires_at is None or enrollment.hold_expires_at <= now
        ):
            enrollment.hold_expires_at = expires
            enrollment.price_cents = price_cents
        db.session.flush()
        return enrollment
    seat_already_counted = enrollment is not None and enrollment.status == EnrollmentStatus.OFFERED
    if not seat_already_counted and not _take_seat(circle_id):
        raise CircleFull()
    if enrollment is None:
        enrollment = Enrollment(circle_id=circle_id, user_id=user_id, created_at=now)
        db.session.add(enrollment)
    enrollment.status = EnrollmentStatus.HELD
    enrollment.hold_expires_at = expires
    enrollment.offer_expires_at = None
    enrollment.price_cents = price_cents
    enrollment.funding = funding
    enrollment.agreed_at = now if agreed else None
    enrollment.left_at = None
    enrollment.removed_reason = None
    db.session.flush()
    return enrollment


def confirm_held_seat(enrollment_id: int, *, now: datetime) -> bool:
    """Turn her hold into a place (idempotent). If the hold lapsed and its seat was released,
    try to take a seat again; False when none is free (the caller refunds)."""
    enrollment = _locked(enrollment_id)
    if enrollment.status == EnrollmentStatus.ACTIVE:
        return True
    if enrollment.status == EnrollmentStatus.HELD:
        pass
    elif enrollment.status == EnrollmentStatus.LEFT and enrollment.removed_reason == HOLD_EXPIRED:
        if not _take_seat(enrollment.circle_id):
            return False
    else:
        return False
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.hold_expires_at = None
    enrollment.joined_at = now
    enrollment.left_at = None
    enrollment.removed_reason = None
    db.session.flush()
    return True


def release_hold(enrollment_id: int, *, now: datetime) -> None:
    """Free a held seat (idempotent: a seat already released or confirmed is left alone)."""
    result = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment_id, Enrollment.status == EnrollmentStatus.HELD)
        .values(status=EnrollmentStatus.LEFT, left_at=now, removed_reason=HOLD_EXPIRED)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        enrollment = db.session.get(Enrollment, enrollment_id)
        _free_seat(enrollment.circle_id)
    db.session.expire_all()


def leave_circle(enrollment_id: int, *, now: datetime) -> None:
    """She leaves: her seat is freed and `member_left` is sent (billing refunds on it)."""
    enrollment = _locked(enrollment_id)
    if enrollment.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.HELD):
        return
    enrollment.status = EnrollmentStatus.LEFT
    enrollment.left_at = now
    _free_seat(enrollment.circle_id)
    db.session.flush()
    signals.member_left.send(None, enrollment_id=enrollment_id, now=now)
