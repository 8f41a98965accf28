"""The rules for practice buddies: suggesting, swapping and publishing pairs, "not with" wishes,
asking for a change, and what happens when a member leaves.

Functions take ids and plain values, flush and never commit; the caller owns the unit of work.
The caller checks that the facilitator may manage the circle (as the other manage pages do);
member functions check her membership themselves.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from mentoring.accounts.models import User
from mentoring.availability.service import weeks_of
from mentoring.availability.windows import Window, WindowKind
from mentoring.buddies.matching import (
    Candidate,
    breaks_hard_rule,
    free_half_hours,
    goal_themes,
    suggest_buddies,
)
from mentoring.buddies.models import BuddyApart, BuddyPair, BuddyPairMember
from mentoring.buddies.queries import active_members, active_pair_of
from mentoring.circles import signals
from mentoring.circles.models import Circle, Enrollment
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.growth.models import Goal, GoalStatus
from mentoring.growth.service import is_active_member
from mentoring.notify.service import queue_notification
from mentoring.sponsors.models import EmployeeLink
from mentoring.web import public_link

BUDDY_KIND = "circle_update"


class NoDraft(DomainError):
    """There is no suggestion to publish yet. Press "Suggest buddies" first."""


class CannotBePaired(DomainError):
    """Those two can't be buddies: they work for the same employer, or one asked not to be paired
    with the other."""


class NoBuddy(DomainError):
    """You don't have a practice buddy in this circle yet."""


def _apart_pairs(user_ids: set[int]) -> set[frozenset[int]]:
    rows = db.session.execute(
        select(BuddyApart.user_id, BuddyApart.other_id).where(
            BuddyApart.user_id.in_(user_ids), BuddyApart.other_id.in_(user_ids)
        )
    ).all()
    return {frozenset(row) for row in rows}


def _pairs_before(user_ids: set[int]) -> set[frozenset[int]]:
    """Pairs of these members who have been published buddies together, in any circle."""
    rows = db.session.execute(
        select(BuddyPairMember.pair_id, BuddyPairMember.user_id)
        .join(BuddyPair, BuddyPair.id == BuddyPairMember.pair_id)
        .where(BuddyPairMember.user_id.in_(user_ids), BuddyPair.active_from.is_not(None))
    ).all()
    by_pair: dict[int, set[int]] = {}
    for pair_id, user_id in rows:
        by_pair.setdefault(pair_id, set()).add(user_id)
    return {frozenset((a, b)) for members in by_pair.values() for a in members for b in members if a < b}


def _candidates(circle_id: int, now: datetime) -> list[Candidate]:
    members = active_members(circle_id)
    ids = [m.id for m in members]
    titles: dict[int, list[str]] = {}
    for user_id, title in db.session.execute(
        select(Goal.user_id, Goal.title).where(Goal.user_id.in_(ids), Goal.status == GoalStatus.ACTIVE)
    ):
        titles.setdefault(user_id, []).append(title)
    weeks = weeks_of(ids)
    # Her employer, while she is linked to it: two colleagues are never buddies.
    employers = dict(
        db.session.execute(
            select(EmployeeLink.user_id, EmployeeLink.organization_id).where(
                EmployeeLink.user_id.in_(ids), EmployeeLink.unlinked_at.is_(None)
            )
        ).all()
    )
    return [
        Candidate(
            user_id=m.id,
            name=m.display_name,
            timezone=m.timezone,
            organization_id=employers.get(m.id),
            themes=goal_themes(titles.get(m.id, [])),
            free=_free(weeks[m.id], m.timezone, now),
        )
        for m in members
    ]


def _free(week: list[Window], tzname: str, now: datetime) -> frozenset[int] | None:
    """Her free half hours in UTC this week; None when she has not given her week (then the
    same timezone stands in for overlapping time)."""
    if not week:
        return None
    offset = now.astimezone(ZoneInfo(tzname)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return free_half_hours(
        ((w.weekday, w.start, w.end, w.kind == WindowKind.AVAILABLE) for w in week), minutes
    )


def _published(circle_id: int) -> list[BuddyPair]:
    return list(
        db.session.scalars(
            select(BuddyPair).where(
                BuddyPair.circle_id == circle_id,
                BuddyPair.active_from.is_not(None),
                BuddyPair.active_until.is_(None),
            )
        )
    )


def _drafts(circle_id: int) -> list[BuddyPair]:
    return list(
        db.session.scalars(
            select(BuddyPair)
            .where(BuddyPair.circle_id == circle_id, BuddyPair.active_from.is_(None))
            .order_by(BuddyPair.id)
        )
    )


def suggest_pairs(circle_id: int, *, now: datetime) -> list[BuddyPair]:
    """Replace the circle's draft with a new suggestion for its active members.

    Pairs already published that are still whole are kept as they are (so a re-pair after
    someone left moves only those who need it); everyone else is matched afresh. Nothing is
    shown to members until `publish_pairs`.
    """
    db.session.execute(
        delete(BuddyPair).where(BuddyPair.circle_id == circle_id, BuddyPair.active_from.is_(None))
    )
    candidates = _candidates(circle_id, now)
    ids = {c.user_id for c in candidates}
    kept = [
        (pair.members[0].user_id, pair.members[1].user_id)
        for pair in _published(circle_id)
        if len(pair.members) == 2 and {m.user_id for m in pair.members} <= ids
    ]
    suggestion = suggest_buddies(candidates, apart=_apart_pairs(ids), before=_pairs_before(ids), kept=kept)
    drafts = []
    for group in suggestion.groups:
        pair = BuddyPair(circle_id=circle_id, reasons="\n".join(group.reasons), created_at=now)
        pair.members = [BuddyPairMember(user_id=user_id) for user_id in group.members]
        db.session.add(pair)
        drafts.append(pair)
    db.session.flush()
    return drafts


def swap_members(circle_id: int, first_id: int, second_id: int, *, now: datetime) -> None:
    """Swap two members between the draft's pairs, or put a member the draft left out in place
    of one in it. Raises NoDraft, InvalidInput, or CannotBePaired when a pair would break a hard
    rule (nothing changes then)."""
    drafts = _drafts(circle_id)
    if not drafts:
        raise NoDraft()
    slot = {m.user_id: m for pair in drafts for m in pair.members}
    active = {c.user_id: c for c in _candidates(circle_id, now)}
    if first_id == second_id or not {first_id, second_id} <= set(active):
        raise InvalidInput("Please choose two different members of the circle.", field="second")
    if first_id not in slot and second_id not in slot:
        raise InvalidInput("Please choose at least one member who is in a pair.", field="first")
    if first_id in slot and second_id in slot and slot[first_id].pair_id == slot[second_id].pair_id:
        raise InvalidInput("Those two are already in the same pair.", field="second")
    moves = [(slot[first_id], second_id)] if first_id in slot else []
    moves += [(slot[second_id], first_id)] if second_id in slot else []
    for member, new_user in moves:
        member.user_id = new_user
    db.session.flush()
    apart = _apart_pairs(set(active))
    for member, _ in moves:
        pair = db.session.get(BuddyPair, member.pair_id)
        assert pair is not None
        db.session.refresh(pair, ["members"])
        if breaks_hard_rule([active[m.user_id] for m in pair.members], apart):
            raise CannotBePaired()
        pair.reasons = "Chosen by the facilitator"
    db.session.flush()


def publish_pairs(circle_id: int, *, now: datetime) -> list[BuddyPair]:
    """Make the draft the circle's buddies and tell each member in a new pair who hers is.

    A published pair the draft repeats stays as it is (with its practice sessions); the other
    published pairs end now. Raises NoDraft.
    """
    drafts = _drafts(circle_id)
    if not drafts:
        raise NoDraft()
    current = {frozenset(m.user_id for m in pair.members): pair for pair in _published(circle_id)}
    circle = db.session.get(Circle, circle_id)
    assert circle is not None
    names = {u.id: u.display_name for u in active_members(circle_id)}
    fresh = []
    for draft in drafts:
        members = frozenset(m.user_id for m in draft.members)
        if members in current:
            current.pop(members)
            db.session.delete(draft)
        else:
            draft.active_from = now
            fresh.append(draft)
    for old in current.values():
        old.active_until = now
    db.session.flush()
    path, _url = public_link("buddies.mine", circle_id=circle_id)
    for pair in fresh:
        for member in pair.members:
            others = " and ".join(
                names.get(m.user_id, "a member") for m in pair.members if m.user_id != member.user_id
            )
            queue_notification(
                member.user_id,
                BUDDY_KIND,
                f"buddy-published:{pair.id}:{member.user_id}",
                subject=f"Your practice buddy in {circle.title}",
                text=f"Your practice buddy in {circle.title} is {others}. Between meetings you can try "
                "things out together in short practice sessions.",
                link=path,
                due_at=now,
            )
    return fresh


def keep_apart(user_id: int, circle_id: int, other_id: int, *, now: datetime) -> None:
    """She asks never to be paired with `other_id`, a member of the same circle. Private: the
    other member is not told and nothing she sees changes. Asking twice changes nothing."""
    if not is_active_member(circle_id, user_id):
        raise NotFound("We couldn't find that circle among yours.")
    if other_id == user_id or not is_active_member(circle_id, other_id):
        raise InvalidInput("Please choose a member of your circle.", field="other_id")
    exists = db.session.scalar(
        select(BuddyApart.id).where(BuddyApart.user_id == user_id, BuddyApart.other_id == other_id)
    )
    if exists is None:
        db.session.add(BuddyApart(user_id=user_id, other_id=other_id, created_at=now))
    db.session.flush()


def stop_keeping_apart(user_id: int, other_id: int) -> None:
    """She withdraws a "not with" wish (doing it twice changes nothing)."""
    db.session.execute(
        delete(BuddyApart).where(BuddyApart.user_id == user_id, BuddyApart.other_id == other_id)
    )


def request_change(user_id: int, circle_id: int, *, now: datetime) -> BuddyPair:
    """She asks for a different buddy; the facilitator is told (once per pair). Her buddy is not.
    Raises NoBuddy."""
    pair = active_pair_of(user_id, circle_id)
    if pair is None:
        raise NoBuddy()
    member = next(m for m in pair.members if m.user_id == user_id)
    member.change_requested_at = member.change_requested_at or now
    circle = db.session.get(Circle, circle_id)
    user = db.session.get(User, user_id)
    assert circle is not None and user is not None
    if circle.facilitator_id is not None:
        path, url = public_link("buddies.manage", circle_id=circle_id)
        queue_notification(
            circle.facilitator_id,
            BUDDY_KIND,
            f"buddy-change:{pair.id}:{user_id}",
            subject=f"{user.display_name} would like a different practice buddy",
            text=f"{user.display_name} in {circle.title} asked for a different practice buddy. "
            f"Her buddy has not been told. You can suggest and publish new pairs here: {url}",
            link=path,
            due_at=now,
        )
    db.session.flush()
    return pair


def leave_pairs(circle_id: int, user_id: int, *, now: datetime) -> None:
    """She left the circle: she leaves her pair (and the draft). A buddy left on her own ends the
    pair, and the facilitator is asked to re-pair; a trio goes on as a pair."""
    for draft in _drafts(circle_id):
        if user_id in {m.user_id for m in draft.members}:
            # A draft pair left with one member is no pair: its other member waits to be placed.
            if len(draft.members) <= 2:
                db.session.delete(draft)
            else:
                draft.members = [m for m in draft.members if m.user_id != user_id]
    pair = active_pair_of(user_id, circle_id)
    if pair is None:
        db.session.flush()
        return
    remaining = [m for m in pair.members if m.user_id != user_id]
    if len(remaining) >= 2:
        db.session.execute(
            delete(BuddyPairMember).where(
                BuddyPairMember.pair_id == pair.id, BuddyPairMember.user_id == user_id
            )
        )
        db.session.flush()
        return
    pair.active_until = now
    circle = db.session.get(Circle, circle_id)
    if circle is not None and circle.facilitator_id is not None:
        path, url = public_link("buddies.manage", circle_id=circle_id)
        queue_notification(
            circle.facilitator_id,
            BUDDY_KIND,
            f"buddy-repair:{pair.id}",
            subject=f"A practice buddy in {circle.title} needs a new pair",
            text=f"A member left {circle.title}, so her practice buddy has nobody to practise with. "
            f"Please suggest and publish new pairs: {url}",
            link=path,
            due_at=now,
        )
    db.session.flush()


@signals.member_left.connect
def _on_member_left(sender: object, *, enrollment_id: int, now: datetime, **_: object) -> None:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is not None:
        leave_pairs(enrollment.circle_id, enrollment.user_id, now=now)
