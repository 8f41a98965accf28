"""The seat rules, through the enrollment service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentoring.accounts.models import Role
from mentoring.accounts.signals import account_deleted
from mentoring.audit.models import AuditEntry
from mentoring.circles import enrollment as seats
from mentoring.circles.models import Circle, Enrollment
from mentoring.circles.signals import member_left
from mentoring.db import utcnow
from mentoring.errors import InvalidInput, PermissionDenied
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.factories import enroll, make_circle, make_user

pytestmark = pytest.mark.usefixtures("ctx")


def fill(circle: Circle, n: int | None = None) -> list[Enrollment]:
    """Active members straight in (the factory keeps seats_taken true; we keep the status true)."""
    members = [enroll(circle, make_user()) for _ in range(circle.capacity if n is None else n)]
    if circle.seats_taken >= circle.capacity and circle.status == "open":
        circle.status = "full"
    db.session.flush()
    return members


def counts(circle_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.circle_id == circle_id)
        .group_by(Enrollment.status)
    ).all()
    return dict(rows)


def test_joining_a_free_circle_with_a_free_seat_makes_her_active() -> None:
    circle = make_circle(capacity=4)
    member = make_user()
    now = utcnow()
    enrollment = seats.join_free_circle(circle.id, member.id, agreed=True, now=now)
    assert enrollment.status == "active"
    assert enrollment.agreed_at == now and enrollment.joined_at == now
    assert db.session.get(Circle, circle.id).seats_taken == 1


def test_taking_the_last_seat_marks_the_circle_full() -> None:
    circle = make_circle(capacity=4)
    fill(circle, 3)
    seats.join_free_circle(circle.id, make_user().id, agreed=True, now=utcnow())
    circle = db.session.get(Circle, circle.id)
    assert (circle.seats_taken, circle.status) == (4, "full")


def test_full_circle_puts_the_next_member_on_the_waitlist_in_order() -> None:
    circle = make_circle(capacity=4)
    fill(circle)
    now = utcnow()
    first = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    second = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    assert (first.status, second.status) == ("waitlisted", "waitlisted")
    assert seats.waitlist_position(first) == 1
    assert seats.waitlist_position(second) == 2


@pytest.mark.parametrize("status", ["draft", "cancelled", "completed"])
def test_a_circle_that_is_not_published_cannot_be_joined(status: str) -> None:
    circle = make_circle(status=status)
    with pytest.raises(seats.CircleNotJoinable):
        seats.join_free_circle(circle.id, make_user().id, agreed=True, now=utcnow())
    assert counts(circle.id) == {}


def test_a_circle_without_future_meetings_cannot_be_joined() -> None:
    circle = make_circle(first_date=utcnow().date() - timedelta(days=70), meeting_count=4, status="running")
    with pytest.raises(seats.CircleNotJoinable):
        seats.join_free_circle(circle.id, make_user().id, agreed=True, now=utcnow())


def test_joining_needs_the_agreement_and_a_verified_email() -> None:
    circle = make_circle()
    with pytest.raises(seats.AgreementRequired):
        seats.join_free_circle(circle.id, make_user().id, agreed=False, now=utcnow())
    with pytest.raises(seats.EmailNotVerified):
        seats.join_free_circle(circle.id, make_user(verified=False).id, agreed=True, now=utcnow())
    assert counts(circle.id) == {}
    assert db.session.get(Circle, circle.id).seats_taken == 0


def test_joining_twice_is_refused_and_takes_one_seat() -> None:
    circle = make_circle()
    member = make_user()
    seats.join_free_circle(circle.id, member.id, agreed=True, now=utcnow())
    with pytest.raises(seats.AlreadyEnrolled):
        seats.join_free_circle(circle.id, member.id, agreed=True, now=utcnow())
    assert db.session.get(Circle, circle.id).seats_taken == 1
    assert counts(circle.id) == {"active": 1}


def test_a_paid_circle_is_not_joined_for_free() -> None:
    circle = make_circle(price_mode="fixed", price_cents=1500)
    with pytest.raises(seats.PaymentRequired):
        seats.join_free_circle(circle.id, make_user().id, agreed=True, now=utcnow())


def test_leaving_offers_the_seat_to_the_first_on_the_waitlist() -> None:
    circle = make_circle(capacity=4)
    members = fill(circle)
    now = utcnow()
    first = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    second = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    heard: list[int] = []

    def on_left(sender: object, **kw: object) -> None:
        heard.append(kw["enrollment_id"])

    member_left.connect(on_left)
    try:
        seats.leave_circle(members[0].id, members[0].user_id, now=now)
    finally:
        member_left.disconnect(on_left)
    assert heard == [members[0].id]
    db.session.expire_all()
    first = db.session.get(Enrollment, first.id)
    assert first.status == "offered"
    assert first.offer_expires_at == now + timedelta(hours=48)
    assert seats.waitlist_position(db.session.get(Enrollment, second.id)) == 1
    circle = db.session.get(Circle, circle.id)
    assert (circle.seats_taken, circle.status) == (4, "full")
    note = db.session.scalar(select(Notification).where(Notification.user_id == first.user_id))
    assert note.kind == "waitlist_offer"


def test_leaving_with_nobody_waiting_frees_the_seat_and_reopens_the_circle() -> None:
    circle = make_circle(capacity=4, status="full")
    members = fill(circle)
    seats.leave_circle(members[0].id, members[0].user_id, now=utcnow())
    circle = db.session.get(Circle, circle.id)
    assert (circle.seats_taken, circle.status) == (3, "open")


def test_she_can_leave_only_her_own_place_and_rejoin_later_on_the_same_row() -> None:
    circle = make_circle()
    member, other = make_user(), make_user()
    enrollment = seats.join_free_circle(circle.id, member.id, agreed=True, now=utcnow())
    with pytest.raises(seats.NotFound):
        seats.leave_circle(enrollment.id, other.id, now=utcnow())
    seats.leave_circle(enrollment.id, member.id, now=utcnow())
    again = seats.join_free_circle(circle.id, member.id, agreed=True, now=utcnow())
    assert again.id == enrollment.id and again.status == "active" and again.left_at is None


def test_accepting_an_offer_makes_her_active_and_declining_passes_it_on() -> None:
    circle = make_circle(capacity=4)
    members = fill(circle)
    now = utcnow()
    first = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    second = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    seats.leave_circle(members[0].id, members[0].user_id, now=now)
    seats.decline_offer(first.id, first.user_id, now=now)
    assert db.session.get(Enrollment, first.id).status == "left"
    accepted = seats.accept_offer(second.id, second.user_id, now=now)
    assert accepted.status == "active"
    assert db.session.get(Circle, circle.id).seats_taken == 4


def test_an_expired_offer_cannot_be_accepted() -> None:
    circle = make_circle(capacity=4)
    members = fill(circle)
    now = utcnow()
    waiting = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=now)
    seats.leave_circle(members[0].id, members[0].user_id, now=now)
    with pytest.raises(seats.OfferExpired):
        seats.accept_offer(waiting.id, waiting.user_id, now=now + timedelta(hours=49))


def test_hold_seat_takes_one_seat_even_when_clicked_twice() -> None:
    circle = make_circle(capacity=4, price_mode="fixed", price_cents=1500)
    member = make_user()
    now = utcnow()
    first = seats.hold_seat(circle.id, member.id, price_cents=1500, funding="self", agreed=True, now=now)
    later = now + timedelta(minutes=5)
    second = seats.hold_seat(circle.id, member.id, price_cents=1500, funding="self", agreed=True, now=later)
    assert first.id == second.id and second.status == "held"
    assert second.hold_expires_at == later + timedelta(minutes=30)
    assert db.session.get(Circle, circle.id).seats_taken == 1


def test_hold_seat_on_a_full_circle_raises_circle_full() -> None:
    circle = make_circle(capacity=4, price_mode="fixed", price_cents=1500)
    fill(circle)
    with pytest.raises(seats.CircleFull):
        seats.hold_seat(circle.id, make_user().id, price_cents=1500, funding="self", agreed=True,
                        now=utcnow())
    assert counts(circle.id) == {"active": 4}


def test_hold_seat_turns_her_offer_into_a_hold_without_another_seat() -> None:
    circle = make_circle(capacity=4, price_mode="fixed", price_cents=1500)
    members = fill(circle)
    now = utcnow()
    waiting = seats.join_waitlist(circle.id, make_user().id, agreed=True, now=now)
    seats.leave_circle(members[0].id, members[0].user_id, now=now)
    held = seats.hold_seat(circle.id, waiting.user_id, price_cents=1500, funding="self", agreed=True, now=now)
    assert held.id == waiting.id and held.status == "held" and held.offer_expires_at is None
    assert db.session.get(Circle, circle.id).seats_taken == 4


def test_confirming_a_hold_activates_it_and_is_idempotent() -> None:
    circle = make_circle(price_mode="fixed", price_cents=1500)
    now = utcnow()
    held = seats.hold_seat(circle.id, make_user().id, price_cents=1500, funding="self", agreed=True, now=now)
    assert seats.confirm_held_seat(held.id, now=now) is True
    assert seats.confirm_held_seat(held.id, now=now) is True
    assert db.session.get(Enrollment, held.id).status == "active"
    assert db.session.get(Circle, circle.id).seats_taken == 1


def test_confirming_a_released_hold_retakes_a_free_seat_or_says_no() -> None:
    circle = make_circle(capacity=4, price_mode="fixed", price_cents=1500)
    now = utcnow()
    held = seats.hold_seat(circle.id, make_user().id, price_cents=1500, funding="self", agreed=True, now=now)
    seats.release_hold(held.id, now=now)
    seats.release_hold(held.id, now=now)
    assert db.session.get(Circle, circle.id).seats_taken == 0
    assert seats.confirm_held_seat(held.id, now=now) is True
    assert db.session.get(Circle, circle.id).seats_taken == 1

    late = seats.hold_seat(circle.id, make_user().id, price_cents=1500, funding="self", agreed=True, now=now)
    seats.release_hold(late.id, now=now)
    fill(db.session.get(Circle, circle.id), 3)
    assert seats.confirm_held_seat(late.id, now=now) is False
    assert db.session.get(Enrollment, late.id).status == "left"
    assert db.session.get(Circle, circle.id).seats_taken == 4


def test_a_payment_landing_after_she_chose_to_leave_does_not_bring_her_back() -> None:
    circle = make_circle(price_mode="fixed", price_cents=1500)
    now = utcnow()
    held = seats.hold_seat(circle.id, make_user().id, price_cents=1500, funding="self", agreed=True, now=now)
    seats.leave_circle(held.id, held.user_id, now=now)
    assert seats.confirm_held_seat(held.id, now=now) is False
    assert db.session.get(Enrollment, held.id).status == "left"
    assert db.session.get(Circle, circle.id).seats_taken == 0


def test_only_the_facilitator_or_an_admin_removes_a_member_with_a_reason() -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator)
    member = make_user()
    enrollment = enroll(circle, member)
    with pytest.raises(PermissionDenied):
        seats.remove_member(enrollment.id, make_user().id, "no", now=utcnow())
    with pytest.raises(InvalidInput):
        seats.remove_member(enrollment.id, facilitator.id, "   ", now=utcnow())
    assert db.session.get(Enrollment, enrollment.id).status == "active"
    removed = seats.remove_member(enrollment.id, facilitator.id, "Shared a story outside", now=utcnow())
    assert removed.status == "removed"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "circle.member_removed"))
    assert audit.actor_id == facilitator.id and audit.subject_id == enrollment.id
    note = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert note.kind == "circle_removed"
    assert db.session.get(Circle, circle.id).seats_taken == 0
    with pytest.raises(seats.CircleNotJoinable):
        seats.join_free_circle(circle.id, member.id, agreed=True, now=utcnow())


def test_an_admin_may_remove_a_member() -> None:
    circle = make_circle()
    enrollment = enroll(circle, make_user())
    admin = make_user(roles=(Role.ADMIN,))
    assert seats.remove_member(enrollment.id, admin.id, "Asked us to", now=utcnow()).status == "removed"


def test_deleting_an_account_releases_her_seats_and_waitlist_places() -> None:
    member = make_user()
    a, b = make_circle(capacity=4), make_circle(capacity=4)
    enroll(a, member)
    fill(b)
    seats.join_free_circle(b.id, member.id, agreed=True, now=utcnow())
    account_deleted.send(None, user_id=member.id, now=utcnow())
    statuses = db.session.scalars(select(Enrollment.status).where(Enrollment.user_id == member.id)).all()
    assert statuses == ["left", "left"]
    assert db.session.get(Circle, a.id).seats_taken == 0


def test_viewer_state_tells_her_place_and_who_sees_private_details() -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator, capacity=4)
    active = enroll(circle, make_user())
    fill(circle, 3)
    waiting = seats.join_free_circle(circle.id, make_user().id, agreed=True, now=utcnow())
    assert seats.viewer_state(circle.id, None) == seats.ViewerState()
    assert seats.viewer_state(circle.id, active.user_id).can_see_private
    assert seats.viewer_state(circle.id, facilitator.id).can_see_private
    state = seats.viewer_state(circle.id, waiting.user_id)
    assert (state.status, state.waitlist_position, state.can_see_private) == ("waitlisted", 1, False)
    assert not seats.viewer_state(circle.id, make_user().id).can_see_private
