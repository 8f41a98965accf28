"""Sponsored seats: which pool covers a circle for her, claiming a seat, and giving it back.

Claiming takes one pool seat (`mentoring.sponsors.ledger`) and one circle seat
(`mentoring.circles.seating`, through `hold_seat`), each with one conditional UPDATE, in the
caller's single transaction: if either is gone, the caller rolls back and neither is taken.
So a pool is never over-claimed and a circle never oversold.

Policies: a claim returns to its pool when she leaves before her second meeting has begun;
after that the seat is used. A pool that expires leaves running claims intact (nothing here
looks at a claim's pool once it is made, except to give a seat back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from mentoring.circles.enrollment import AlreadyEnrolled, confirm_held_seat, hold_seat
from mentoring.circles.models import (
    Circle,
    Enrollment,
    EnrollmentStatus,
    Funding,
    Meeting,
    MeetingStatus,
    PriceMode,
)
from mentoring.circles.signals import member_left
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.sponsors.ledger import return_claim, take_pool_seat
from mentoring.sponsors.models import (
    ClaimStatus,
    EmployeeLink,
    Organization,
    PoolStatus,
    SeatClaim,
    SeatPool,
)


class NotSponsored(DomainError):
    """Your employer's seats don't cover this circle. You can still join it yourself."""


class CheckoutInProgress(DomainError):
    """You have a payment for this circle in progress. Finish it, or give up that seat from the
    circle's page, before using a sponsored seat."""


class PoolFull(DomainError):
    """Your employer's sponsored seats have all been claimed. You can still join this circle yourself."""


@dataclass(frozen=True)
class SponsoredOffer:
    pool_id: int
    organization_name: str
    circle_id: int


def circle_price_per_meeting(circle: Circle) -> int:
    """What the cap is compared with: the price, the suggested one on a sliding scale, 0 if free."""
    if circle.price_mode == PriceMode.FIXED:
        return circle.price_cents or 0
    if circle.price_mode == PriceMode.SLIDING:
        return circle.sliding_suggested_cents or 0
    return 0


def _candidate_pools_query(user_id: int, circle: Circle, now: datetime) -> Select[tuple[SeatPool]]:
    price = circle_price_per_meeting(circle)
    # A free circle is under every cap, whatever currency its pool was bought in.
    priced = [SeatPool.currency == circle.currency, SeatPool.price_cap_cents >= price] if price else []
    return (
        select(SeatPool)
        .join(EmployeeLink, EmployeeLink.organization_id == SeatPool.organization_id)
        .where(
            EmployeeLink.user_id == user_id,
            EmployeeLink.unlinked_at.is_(None),
            SeatPool.status == PoolStatus.ACTIVE,
            SeatPool.valid_from <= now,
            SeatPool.valid_until > now,
            *priced,
        )
        # The pool that ends first is used first, so seats that would lapse are used.
        .order_by(SeatPool.valid_until, SeatPool.id)
    )


def _candidate_pools(user_id: int, circle: Circle, now: datetime) -> list[SeatPool]:
    return list(db.session.scalars(_candidate_pools_query(user_id, circle, now)))


def sponsored_offer(user_id: int, circle_id: int, now: datetime) -> SponsoredOffer | None:
    """A pool of her employer that covers this circle and has a seat free, if any. One query
    (the circle itself comes from the session when the page has loaded it), so the circle page
    can offer it."""
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        return None
    row = db.session.execute(
        _candidate_pools_query(user_id, circle, now)
        .where(SeatPool.seats_claimed < SeatPool.seats)
        .join(Organization, Organization.id == SeatPool.organization_id)
        .with_only_columns(SeatPool.id, Organization.name)
        .limit(1)
    ).first()
    return None if row is None else SponsoredOffer(row[0], row[1], circle_id)


def claim_sponsored_seat(circle_id: int, user_id: int, *, agreed: bool, now: datetime) -> SeatClaim:
    """Join the circle on a seat her employer sponsors: she pays nothing.

    One pool seat and one circle seat are taken in the caller's transaction (commit once; on an
    error roll back, and neither is taken). Raises NotFound, NotSponsored (no link, no pool,
    circle priced above the cap), CheckoutInProgress (her own checkout holds a seat), PoolFull,
    AlreadyEnrolled (a second claim for the circle too), and what `hold_seat` raises
    (EmailNotVerified, AgreementRequired, CircleNotJoinable, CircleFull, OfferExpired).
    """
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        raise NotFound("We could not find that circle.")
    pools = _candidate_pools(user_id, circle, now)
    if not pools:
        raise NotSponsored()
    # A seat held for her own checkout could still be paid for: a sponsored seat must never
    # be paid twice, so she settles that checkout first.
    held = db.session.scalar(select(Enrollment.id).where(
        Enrollment.circle_id == circle_id, Enrollment.user_id == user_id,
        Enrollment.status == EnrollmentStatus.HELD))
    if held is not None:
        raise CheckoutInProgress()
    pool = next((p for p in pools if take_pool_seat(p.id, now)), None)
    if pool is None:
        raise PoolFull()
    enrollment = hold_seat(circle_id, user_id, price_cents=0, funding=Funding.SPONSOR, agreed=agreed, now=now)
    if not confirm_held_seat(enrollment.id, now=now):
        raise AlreadyEnrolled("Your place changed a moment ago. Please look again.")
    enrollment = db.session.get(Enrollment, enrollment.id, populate_existing=True)
    claim = SeatClaim(
        pool_id=pool.id,
        enrollment_id=enrollment.id,
        membership_number=enrollment.membership_number,
        user_id=user_id,
        claimed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError as error:
        raise AlreadyEnrolled() from error
    return claim


def _her_second_meeting_started(circle_id: int, claimed_at: datetime, now: datetime) -> bool:
    starts = db.session.scalars(
        select(Meeting.starts_at)
        .where(
            Meeting.circle_id == circle_id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at > claimed_at,
        )
        .order_by(Meeting.sequence)
        .limit(2)
    ).all()
    return len(starts) == 2 and starts[1] <= now


def return_on_early_leave(enrollment_id: int, now: datetime) -> bool:
    """She left (or was removed): before her circle's second meeting, her seat goes back to the
    pool. True if a seat was returned. Idempotent."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.funding != Funding.SPONSOR:
        return False
    claim = db.session.scalar(
        select(SeatClaim).where(
            SeatClaim.enrollment_id == enrollment_id,
            SeatClaim.membership_number == enrollment.membership_number,
            SeatClaim.status == ClaimStatus.CLAIMED,
        )
    )
    if claim is None or _her_second_meeting_started(enrollment.circle_id, claim.claimed_at, now):
        return False
    return return_claim(claim.id, now)


@member_left.connect
def _on_member_left(sender: object, *, enrollment_id: int, now: datetime, **_: object) -> None:
    return_on_early_leave(enrollment_id, now)
