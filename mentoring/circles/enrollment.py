"""Joining and leaving circles: who may take a seat, hold it, wait for one, or give it up.

Seats are counted and handed on by `mentoring.circles.seating` (one conditional UPDATE per
seat, so 40 simultaneous joins for 8 seats end with exactly 8 active); this module holds the
rules around it.

Policies (chosen here, relied on by billing and the jobs):
- A hold that expires or is released becomes `left`: she can start again, but she does not keep
  a place in the queue. Her seat is offered to the waitlist.
- An offer that lapses (48 hours) or is declined becomes `left` too, and the next person on the
  waitlist is offered the seat. Putting her back at the end of the list would keep offering
  seats to someone who did not answer.
- A `left` enrollment may rejoin by reusing its row (one row per circle and member, enforced by
  a unique constraint). A `removed` member cannot rejoin that circle. If she had an active
  place before, the rejoin starts her next membership (`membership_number`), so billing can
  tell a payment for the new membership from a duplicate payment for the old one.

Every state change is a conditional UPDATE on the row's current status, so a member's
double-click, the billing webhook and a second scheduler cannot process the same row twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select

from mentoring.accounts.auth import is_admin
from mentoring.accounts.models import User
from mentoring.accounts.signals import account_deleted
from mentoring.audit.service import record
from mentoring.circles.agreement import newest_version, version_to_accept
from mentoring.circles.models import (
    LIVE_CIRCLE_STATUSES,
    LIVE_ENROLLMENT_STATUSES,
    SEAT_STATUSES,
    Circle,
    Enrollment,
    EnrollmentStatus,
    Funding,
    PriceMode,
)
from mentoring.circles.seating import (
    give_back_seat,
    has_future_meeting,
    is_joinable,
    offer_freed_seat,
    take_seat,
    transition,
    waitlist_position,
)
from mentoring.circles.signals import member_joined, member_left
from mentoring.db import insert_into
from mentoring.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from mentoring.extensions import db
from mentoring.notify.service import queue_notification


class EmailNotVerified(DomainError):
    """Please confirm your email address before joining a circle."""


class AgreementRequired(DomainError):
    """Please tick the box to agree to keep what is shared in this circle confidential."""

    field = "agree"


class CircleNotJoinable(DomainError):
    """This circle is not taking new members."""


class AlreadyEnrolled(DomainError):
    """You are already part of this circle. Your place is shown on the circle's page."""


class CircleFull(DomainError):
    """Sorry, the last seat has just been taken. You can join the waitlist instead."""


class NotEnrolled(DomainError):
    """You do not have a place in this circle."""


class OfferExpired(DomainError):
    """Sorry, this offer has expired and the seat went to the next person on the waitlist."""


class PaymentRequired(DomainError):
    """This circle has a price: please choose how you would like to pay to take the seat."""


@dataclass(frozen=True)
class ViewerState:
    """What one viewer's relationship to one circle is, for the circle page."""

    enrollment_id: int | None = None
    status: str | None = None
    waitlist_position: int | None = None
    hold_expires_at: datetime | None = None
    offer_expires_at: datetime | None = None
    is_facilitator: bool = False
    can_see_private: bool = False
    # An active member who has not accepted the circle's agreement as it reads now.
    agreement_to_accept: bool = False

    @property
    def has_place(self) -> bool:
        """She facilitates the circle or holds a place in it (a seat, a hold, an offer, the
        waitlist): nothing to join."""
        return self.is_facilitator or self.status in LIVE_ENROLLMENT_STATUSES

    @property
    def may_download_calendar(self) -> bool:
        """Her circle's meetings may go into her calendar: facilitator, active or past member."""
        return self.is_facilitator or self.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def _find(circle_id: int, user_id: int, *, lock: bool = False) -> Enrollment | None:
    statement = select(Enrollment).where(Enrollment.circle_id == circle_id, Enrollment.user_id == user_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(statement)


def _check_member(user_id: int, agreed: bool) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("We could not find your account.")
    if not user.is_verified:
        raise EmailNotVerified()
    if not agreed:
        raise AgreementRequired()
    return user


def _joinable_circle(circle_id: int, now: datetime) -> Circle:
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        raise NotFound("We could not find that circle.")
    if circle.status not in LIVE_CIRCLE_STATUSES:
        raise CircleNotJoinable()
    if not has_future_meeting(circle.id, now):
        raise CircleNotJoinable("This circle has no meetings left to join.")
    return circle


def _refuse_existing(existing: Enrollment | None) -> None:
    if existing is None or existing.status == EnrollmentStatus.LEFT:
        return
    if existing.status == EnrollmentStatus.REMOVED:
        raise CircleNotJoinable("You can't rejoin this circle. Other circles are open to you.")
    if existing.status == EnrollmentStatus.COMPLETED:
        raise CircleNotJoinable("You have completed this circle already.")
    raise AlreadyEnrolled()


def _place(circle_id: int, user_id: int, existing: Enrollment | None, values: dict[str, object]) -> int:
    """Create her row, or reuse her `left` row; returns its id.

    Concurrent duplicates (a double-click) are settled by the (circle_id, user_id) unique
    constraint: the loser's insert does nothing and it raises AlreadyEnrolled.
    """
    if existing is not None:
        reset: dict[str, object] = {
            "left_at": None, "removed_reason": None, "hold_expires_at": None, "offer_expires_at": None}
        if existing.joined_at is not None:
            # She had a place in this circle before: this is a new membership, which may be paid
            # for again. (A lapsed hold, waitlist place or offer never had joined_at.)
            reset["membership_number"] = Enrollment.membership_number + 1
        if not transition(existing.id, (EnrollmentStatus.LEFT,), **{**reset, **values}):
            raise AlreadyEnrolled()
        return existing.id
    new_id = db.session.execute(
        insert_into(db.session, Enrollment)
        .values(circle_id=circle_id, user_id=user_id, **values)
        .on_conflict_do_nothing(index_elements=["circle_id", "user_id"])
        .returning(Enrollment.id)
    ).scalar_one_or_none()
    if new_id is None:
        raise AlreadyEnrolled()
    return new_id


def _get(enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id, populate_existing=True)
    if enrollment is None:
        raise NotFound("We could not find that place.")
    return enrollment


def _get_own(enrollment_id: int, user_id: int) -> Enrollment:
    enrollment = _get(enrollment_id)
    if enrollment.user_id != user_id:
        raise NotFound("We could not find that place.")
    return enrollment


# --- joining -------------------------------------------------------------------------------


def join_free_circle(circle_id: int, user_id: int, *, agreed: bool, now: datetime) -> Enrollment:
    """Join a free circle: an active seat if one is free, else a place on the waitlist.

    Guarantees: never more active/held/offered members than capacity, one row per member.
    Raises EmailNotVerified, AgreementRequired, NotFound, CircleNotJoinable (draft, cancelled,
    completed, no future meeting, removed earlier), PaymentRequired (a paid circle),
    AlreadyEnrolled.
    """
    _check_member(user_id, agreed)
    circle = _joinable_circle(circle_id, now)
    if circle.price_mode != PriceMode.FREE:
        raise PaymentRequired()
    existing = _find(circle_id, user_id)
    _refuse_existing(existing)
    base = {"agreed_at": now, "agreement_version": version_to_accept(circle_id), "funding": Funding.FREE,
            "price_cents": 0}
    if take_seat(circle_id):
        try:
            enrollment_id = _place(circle_id, user_id, existing, {
                **base, "status": EnrollmentStatus.ACTIVE, "joined_at": now, "waitlisted_at": None})
        except AlreadyEnrolled:
            give_back_seat(circle_id)
            raise
        member_joined.send(None, enrollment_id=enrollment_id, now=now)
    else:
        enrollment_id = _place(circle_id, user_id, existing, {
            **base, "status": EnrollmentStatus.WAITLISTED, "waitlisted_at": now, "joined_at": None})
    return _get(enrollment_id)


def join_waitlist(circle_id: int, user_id: int, *, agreed: bool, now: datetime) -> Enrollment:
    """Put her at the end of the circle's waitlist (free or paid circle).

    Raises EmailNotVerified, AgreementRequired, NotFound, CircleNotJoinable, AlreadyEnrolled.
    """
    _check_member(user_id, agreed)
    _joinable_circle(circle_id, now)
    existing = _find(circle_id, user_id)
    _refuse_existing(existing)
    enrollment_id = _place(circle_id, user_id, existing, {
        "status": EnrollmentStatus.WAITLISTED, "waitlisted_at": now, "agreed_at": now,
        "agreement_version": version_to_accept(circle_id), "joined_at": None})
    return _get(enrollment_id)


def hold_seat(
    circle_id: int,
    user_id: int,
    *,
    price_cents: int,
    funding: Funding,
    agreed: bool,
    now: datetime,
    hold_minutes: int = 30,
) -> Enrollment:
    """Hold a seat while she pays: status held until `now + hold_minutes`. Her row is left locked
    until the caller commits (on PostgreSQL): written in this transaction, or read FOR UPDATE.

    An offer she holds becomes the hold without taking another seat, as long as it has not
    lapsed (the same rule as accepting an offer in a free circle); a hold she already has is
    extended and returned (a double-click takes one seat, and does not raise). Raises
    EmailNotVerified, AgreementRequired, NotFound, CircleNotJoinable, OfferExpired,
    AlreadyEnrolled (already active), CircleFull (no seat: offer the waitlist).
    """
    _check_member(user_id, agreed)
    _joinable_circle(circle_id, now)
    if price_cents < 0:
        raise InvalidInput("The price cannot be negative.", field="price_cents")
    values = {
        "status": EnrollmentStatus.HELD,
        "hold_expires_at": now + timedelta(minutes=hold_minutes),
        "price_cents": price_cents,
        "funding": funding,
        "agreed_at": now,
        "agreement_version": version_to_accept(circle_id),
    }
    existing = _find(circle_id, user_id)
    if existing is not None and existing.status in (EnrollmentStatus.HELD, EnrollmentStatus.OFFERED):
        if existing.status == EnrollmentStatus.OFFERED and _offer_lapsed(existing, now):
            raise OfferExpired()
        # Her seat is already counted: turn it into (or keep it as) a hold. The condition repeats
        # the expiry check, so an offer that lapses between the read and the write stays lapsed.
        still_hers = or_(Enrollment.status == EnrollmentStatus.HELD, Enrollment.offer_expires_at.is_(None),
                         Enrollment.offer_expires_at > now)
        if transition(existing.id, (EnrollmentStatus.HELD, EnrollmentStatus.OFFERED), still_hers,
                       offer_expires_at=None, **values):
            return _get(existing.id)
        existing = _find(circle_id, user_id)
        if existing is not None and existing.status == EnrollmentStatus.OFFERED:
            raise OfferExpired()
    if existing is not None and existing.status == EnrollmentStatus.WAITLISTED:
        if not take_seat(circle_id):
            raise CircleFull()
        if not transition(existing.id, (EnrollmentStatus.WAITLISTED,), **values):
            give_back_seat(circle_id)
            raise AlreadyEnrolled()
        return _get(existing.id)
    _refuse_existing(existing)
    if not take_seat(circle_id):
        raise CircleFull()
    try:
        enrollment_id = _place(circle_id, user_id, existing,
                               {**values, "waitlisted_at": None, "joined_at": None})
    except AlreadyEnrolled:
        give_back_seat(circle_id)
        again = _find(circle_id, user_id, lock=True)
        if again is not None and again.status == EnrollmentStatus.HELD:
            return again  # a simultaneous double-click made this hold a moment ago
        raise
    return _get(enrollment_id)


def _offer_lapsed(enrollment: Enrollment, now: datetime) -> bool:
    return enrollment.offer_expires_at is not None and enrollment.offer_expires_at <= now


def confirm_held_seat(enrollment_id: int, *, now: datetime) -> bool:
    """Payment landed: make her seat active. True if she has the seat, False if none is left.

    Idempotent (already active -> True). If her hold expired and was released, a seat is taken
    again with the same conditional statement; False means billing must refund. A member who
    chose to leave, was removed or rejoined the waitlist since, or a circle that no longer runs,
    gets False.
    """
    enrollment = _get(enrollment_id)
    if enrollment.status == EnrollmentStatus.ACTIVE:
        return True
    activate = {"status": EnrollmentStatus.ACTIVE, "joined_at": now, "hold_expires_at": None,
                "offer_expires_at": None}
    if enrollment.status in (EnrollmentStatus.HELD, EnrollmentStatus.OFFERED):
        if transition(enrollment_id, (EnrollmentStatus.HELD, EnrollmentStatus.OFFERED), **activate):
            member_joined.send(None, enrollment_id=enrollment_id, now=now)
            return True
        return _get(enrollment_id).status == EnrollmentStatus.ACTIVE
    # Only a released hold keeps its expiry when it becomes `left`; leaving on purpose clears it.
    if enrollment.status != EnrollmentStatus.LEFT or enrollment.hold_expires_at is None:
        return False
    circle = db.session.get(Circle, enrollment.circle_id)
    if circle is None or not is_joinable(circle, now) or not take_seat(circle.id):
        return False
    if transition(enrollment_id, (EnrollmentStatus.LEFT,), left_at=None, **activate):
        member_joined.send(None, enrollment_id=enrollment_id, now=now)
        return True
    give_back_seat(circle.id)
    return _get(enrollment_id).status == EnrollmentStatus.ACTIVE


def release_hold(enrollment_id: int, *, now: datetime) -> None:
    """Give up a hold (checkout expired or abandoned): she becomes `left`, the seat is offered.

    Idempotent: anything but a held enrollment is left alone.
    """
    enrollment = _get(enrollment_id)
    if transition(enrollment_id, (EnrollmentStatus.HELD,), status=EnrollmentStatus.LEFT, left_at=now):
        offer_freed_seat(enrollment.circle_id, now)


def expire_hold(enrollment_id: int, *, now: datetime) -> bool:
    """Release a hold only if it has really expired; True if this call released it."""
    enrollment = _get(enrollment_id)
    if not transition(enrollment_id, (EnrollmentStatus.HELD,), Enrollment.hold_expires_at <= now,
                      status=EnrollmentStatus.LEFT, left_at=now):
        return False
    offer_freed_seat(enrollment.circle_id, now)
    return True


def expire_offer(enrollment_id: int, *, now: datetime) -> bool:
    """Let a lapsed offer go: she becomes `left`, the next person is offered. True if done here."""
    enrollment = _get(enrollment_id)
    if not transition(enrollment_id, (EnrollmentStatus.OFFERED,), Enrollment.offer_expires_at <= now,
                      status=EnrollmentStatus.LEFT, left_at=now):
        return False
    circle = db.session.get(Circle, enrollment.circle_id)
    queue_notification(
        enrollment.user_id,
        "waitlist_offer_lapsed",
        f"waitlist-offer-lapsed:{enrollment.id}:{now.isoformat()}",
        subject=f"Your offer for {circle.title} has lapsed",
        text=(f"The seat we kept for you in {circle.title} has gone to the next person on the waitlist. "
              "You are welcome to join the waitlist again, or find another circle."),
        link=f"/circles/{circle.id}",
    )
    offer_freed_seat(enrollment.circle_id, now)
    return True


# --- offers --------------------------------------------------------------------------------


def accept_offer(enrollment_id: int, user_id: int, *, now: datetime) -> Enrollment:
    """Accept a waitlist offer in a free circle: the reserved seat becomes hers (active).

    Raises NotFound (not hers), NotEnrolled (no offer open), OfferExpired, PaymentRequired
    (paid circles go through billing, which calls hold_seat).
    """
    enrollment = _get_own(enrollment_id, user_id)
    if enrollment.status != EnrollmentStatus.OFFERED:
        raise NotEnrolled("There is no open offer for you in this circle.")
    if _offer_lapsed(enrollment, now):
        raise OfferExpired()
    if enrollment.circle.price_mode != PriceMode.FREE:
        raise PaymentRequired()
    if not transition(enrollment_id, (EnrollmentStatus.OFFERED,), status=EnrollmentStatus.ACTIVE,
                       joined_at=now, offer_expires_at=None):
        raise OfferExpired()
    member_joined.send(None, enrollment_id=enrollment_id, now=now)
    return _get(enrollment_id)


def decline_offer(enrollment_id: int, user_id: int, *, now: datetime) -> Enrollment:
    """Decline a waitlist offer: she becomes `left` and the next person is offered the seat.

    Idempotent for an offer already declined. Raises NotFound (not hers), NotEnrolled.
    """
    enrollment = _get_own(enrollment_id, user_id)
    if enrollment.status == EnrollmentStatus.LEFT:
        return enrollment
    if enrollment.status != EnrollmentStatus.OFFERED:
        raise NotEnrolled("There is no open offer for you in this circle.")
    if transition(enrollment_id, (EnrollmentStatus.OFFERED,), status=EnrollmentStatus.LEFT, left_at=now,
                   offer_expires_at=None):
        offer_freed_seat(enrollment.circle_id, now)
    return _get(enrollment_id)


# --- leaving -------------------------------------------------------------------------------


def _end_place(enrollment: Enrollment, new_status: str, now: datetime, **values: object) -> bool:
    """End a live place; frees (and offers) her seat if she had one. True if this call did it."""
    had_seat = enrollment.status in SEAT_STATUSES
    if not transition(enrollment.id, (enrollment.status,), status=new_status, left_at=now,
                       hold_expires_at=None, offer_expires_at=None, **values):
        return False
    if had_seat:
        offer_freed_seat(enrollment.circle_id, now)
    member_left.send(None, enrollment_id=enrollment.id, now=now)
    return True


def leave_circle(enrollment_id: int, user_id: int, *, now: datetime) -> Enrollment:
    """She leaves (or leaves the waitlist). Frees her seat for the waitlist, tells billing.

    Idempotent for a place already left. Raises NotFound (not hers), NotEnrolled.
    """
    enrollment = _get_own(enrollment_id, user_id)
    if enrollment.status == EnrollmentStatus.LEFT:
        return enrollment
    if enrollment.status not in LIVE_ENROLLMENT_STATUSES:
        raise NotEnrolled()
    if not _end_place(enrollment, EnrollmentStatus.LEFT, now):
        raise NotEnrolled("Your place changed a moment ago. Please look again.")
    return _get(enrollment_id)


def remove_member(enrollment_id: int, actor_id: int, reason: str, *, now: datetime) -> Enrollment:
    """The circle's facilitator (or an admin) removes a member, with a reason that is audited.

    The member is told kindly, her seat is offered to the waitlist, billing hears member_left.
    Raises NotFound, PermissionDenied, InvalidInput (no reason), NotEnrolled.
    """
    enrollment = _get(enrollment_id)
    actor = db.session.get(User, actor_id)
    circle = enrollment.circle
    if actor is None or not (circle.facilitator_id == actor_id or is_admin(actor)):
        raise PermissionDenied("Only this circle's facilitator can remove a member.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Please give a reason. It is kept in the audit log.", field="reason")
    if len(reason) > 300:
        raise InvalidInput("Please keep the reason under 300 characters.", field="reason")
    if enrollment.status not in LIVE_ENROLLMENT_STATUSES:
        raise NotEnrolled("This member no longer has a place in the circle.")
    if not _end_place(enrollment, EnrollmentStatus.REMOVED, now, removed_reason=reason):
        raise NotEnrolled("This member's place changed a moment ago. Please look again.")
    record(
        "circle.member_removed",
        actor_id=actor_id,
        subject_type="enrollment",
        subject_id=enrollment_id,
        details={"circle_id": circle.id, "user_id": enrollment.user_id, "reason": reason},
        now=now,
    )
    queue_notification(
        enrollment.user_id,
        "circle_removed",
        f"circle-removed:{enrollment_id}:{now.isoformat()}",
        subject=f"About your place in {circle.title}",
        text=(
            f"Your facilitator has ended your place in {circle.title}. We know this can be hard to "
            "hear. If you paid for meetings that have not happened yet, they are refunded. "
            "Other circles are open to you, and you can write to us if you think this was a mistake."
        ),
        link="/circles/",
    )
    return _get(enrollment_id)


def release_seats_of_deleted_user(user_id: int, now: datetime) -> int:
    """Her account is deleted: end every live place she has. Returns how many were ended."""
    enrollments = db.session.scalars(
        select(Enrollment).where(Enrollment.user_id == user_id,
                                 Enrollment.status.in_(LIVE_ENROLLMENT_STATUSES))
    ).all()
    return sum(1 for enrollment in enrollments if _end_place(enrollment, EnrollmentStatus.LEFT, now))


@account_deleted.connect
def _on_account_deleted(sender: object, *, user_id: int, now: datetime, **_: object) -> None:
    release_seats_of_deleted_user(user_id, now)


# --- reading one viewer's place ------------------------------------------------------------


# Built once: every circle page a member opens runs it; only the bound values change.
_HER_PLACE = select(Enrollment, newest_version(bindparam("circle_id"))).where(
    Enrollment.circle_id == bindparam("circle_id"), Enrollment.user_id == bindparam("user_id")
)


def viewer_state(circle_id: int, user_id: int | None) -> ViewerState:
    """Her place in the circle (if any) and whether she may see its private details.

    Only active members and the circle's facilitator see the meeting link, address and roster.
    """
    if user_id is None:
        return ViewerState()
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        return ViewerState()
    # Her place and the agreement's newest version in one statement.
    found = db.session.execute(_HER_PLACE, {"circle_id": circle_id, "user_id": user_id}).first()
    return state_of(circle, user_id, *(found or (None, None)))


def state_of(circle: Circle, user_id: int, enrollment: Enrollment | None,
             agreement_version: int | None) -> ViewerState:
    """`viewer_state` from what the caller has read already: her enrollment in the circle (None:
    she has none) and the circle's newest agreement version (`newest_version`)."""
    is_facilitator = circle.facilitator_id == user_id
    if enrollment is None:
        return ViewerState(is_facilitator=is_facilitator, can_see_private=is_facilitator)
    status = enrollment.status
    return ViewerState(
        enrollment_id=enrollment.id,
        status=status,
        waitlist_position=waitlist_position(enrollment) if status == EnrollmentStatus.WAITLISTED else None,
        hold_expires_at=enrollment.hold_expires_at if status == EnrollmentStatus.HELD else None,
        offer_expires_at=enrollment.offer_expires_at if status == EnrollmentStatus.OFFERED else None,
        is_facilitator=is_facilitator,
        can_see_private=is_facilitator or enrollment.status == EnrollmentStatus.ACTIVE,
        agreement_to_accept=(status == EnrollmentStatus.ACTIVE
                             and enrollment.agreement_version != agreement_version),
    )
