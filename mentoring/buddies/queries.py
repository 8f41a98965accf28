"""Reading buddies: who her buddy is, the facilitator's suggestion, her buddy page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Exists, and_, exists, select
from sqlalchemy.orm import aliased

from mentoring.accounts.models import User
from mentoring.buddies.models import BuddyApart, BuddyPair, BuddyPairMember, PracticeSession, SessionStatus
from mentoring.circles.models import Circle, Enrollment, EnrollmentStatus
from mentoring.extensions import db

# A published pair that has not ended: the only kind whose members are each other's buddies.
LIVE_PAIR = and_(BuddyPair.active_from.is_not(None), BuddyPair.active_until.is_(None))

_hers = aliased(BuddyPairMember)
_other = aliased(BuddyPairMember)


def has_buddy_in(circle_id: ColumnElement[int], user_id: ColumnElement[int]) -> Exists:
    """Whether `buddies_of(user_id, circle_id)` would be non-empty, as a clause a page can read
    in the same query as the circle."""
    return exists().where(
        BuddyPair.circle_id == circle_id, LIVE_PAIR,
        _hers.pair_id == BuddyPair.id, _hers.user_id == user_id,
        _other.pair_id == BuddyPair.id, _other.user_id != user_id,
    )


def buddies_of(user_id: int, circle_id: int | None) -> frozenset[int]:
    """Her practice buddies (one, or two in a trio) in a published, active pair of `circle_id`;
    with no circle, in any of her circles. Empty when she has none."""
    mine = (
        select(BuddyPairMember.pair_id)
        .join(BuddyPair, BuddyPair.id == BuddyPairMember.pair_id)
        .where(BuddyPairMember.user_id == user_id, LIVE_PAIR)
    )
    if circle_id is not None:
        mine = mine.where(BuddyPair.circle_id == circle_id)
    return frozenset(
        db.session.scalars(
            select(BuddyPairMember.user_id).where(
                BuddyPairMember.pair_id.in_(mine.scalar_subquery()), BuddyPairMember.user_id != user_id
            )
        )
    )


def active_pair_of(user_id: int, circle_id: int) -> BuddyPair | None:
    return db.session.scalar(
        select(BuddyPair)
        .join(BuddyPairMember, BuddyPairMember.pair_id == BuddyPair.id)
        .where(
            BuddyPair.circle_id == circle_id,
            BuddyPairMember.user_id == user_id,
            LIVE_PAIR,
        )
    )


def active_members(circle_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(
                Enrollment.circle_id == circle_id,
                Enrollment.status == EnrollmentStatus.ACTIVE,
                User.deleted_at.is_(None),
            )
            .order_by(User.display_name, User.id)
        )
    )


@dataclass(frozen=True)
class PairView:
    id: int
    members: list[tuple[int, str]]  # (user id, display name)
    reasons: list[str]
    change_requested_by: list[str]


@dataclass(frozen=True)
class CirclePairs:
    circle: Circle
    published: list[PairView]
    drafts: list[PairView]
    unpaired: list[tuple[int, str]]  # active members in no published pair
    undrafted: list[tuple[int, str]]  # active members in no draft pair (while a draft exists)


def _views(pairs: list[BuddyPair], names: dict[int, str]) -> list[PairView]:
    return [
        PairView(
            id=pair.id,
            members=[(m.user_id, names.get(m.user_id, "Former member")) for m in pair.members],
            reasons=[line for line in pair.reasons.splitlines() if line],
            change_requested_by=[
                names.get(m.user_id, "Former member") for m in pair.members if m.change_requested_at
            ],
        )
        for pair in pairs
    ]


def circle_pairs(circle: Circle) -> CirclePairs:
    """The facilitator's view of a circle's buddies: the published pairs, the draft suggestion
    with its reasons, and who is in neither. Names only, never a "not with" wish."""
    names = {u.id: u.display_name for u in active_members(circle.id)}
    pairs = list(
        db.session.scalars(
            select(BuddyPair)
            .where(BuddyPair.circle_id == circle.id, BuddyPair.active_until.is_(None))
            .order_by(BuddyPair.id)
        )
    )
    published = [p for p in pairs if p.active_from is not None]
    drafts = [p for p in pairs if p.active_from is None]
    in_published = {m.user_id for p in published for m in p.members}
    in_drafts = {m.user_id for p in drafts for m in p.members}
    return CirclePairs(
        circle=circle,
        published=_views(published, names),
        drafts=_views(drafts, names),
        unpaired=[(uid, name) for uid, name in names.items() if uid not in in_published],
        undrafted=[(uid, name) for uid, name in names.items() if drafts and uid not in in_drafts],
    )


@dataclass(frozen=True)
class SessionView:
    session: PracticeSession
    proposed_by_me: bool


@dataclass(frozen=True)
class BuddyPage:
    circle: Circle
    pair: BuddyPair | None
    buddies: list[User]
    sessions: list[SessionView]
    others: list[tuple[int, str]]  # circle members she may ask not to be paired with
    apart: list[tuple[int, str]]  # those she asked not to be paired with
    change_requested: bool


def buddy_page(circle: Circle, user_id: int) -> BuddyPage:
    """Her buddy page in a circle she is an active member of (the caller checks that)."""
    pair = active_pair_of(user_id, circle.id)
    members = active_members(circle.id)
    by_id = {u.id: u for u in members}
    buddy_ids = [m.user_id for m in pair.members if m.user_id != user_id] if pair else []
    sessions = (
        db.session.scalars(
            select(PracticeSession)
            .where(PracticeSession.pair_id == pair.id, PracticeSession.status != SessionStatus.REPLACED)
            .order_by(PracticeSession.starts_at.desc(), PracticeSession.id.desc())
        ).all()
        if pair
        else []
    )
    apart_ids = set(db.session.scalars(select(BuddyApart.other_id).where(BuddyApart.user_id == user_id)))
    return BuddyPage(
        circle=circle,
        pair=pair,
        buddies=[by_id[i] for i in buddy_ids if i in by_id],
        sessions=[SessionView(s, s.proposed_by_id == user_id) for s in sessions],
        others=[(u.id, u.display_name) for u in members if u.id != user_id and u.id not in apart_ids],
        apart=[(u.id, u.display_name) for u in members if u.id in apart_ids],
        change_requested=bool(
            pair and any(m.user_id == user_id and m.change_requested_at for m in pair.members)
        ),
    )


def session_pair_members(session_id: int) -> tuple[PracticeSession, set[int]] | None:
    session = db.session.get(PracticeSession, session_id)
    if session is None:
        return None
    members = set(
        db.session.scalars(select(BuddyPairMember.user_id).where(BuddyPairMember.pair_id == session.pair_id))
    )
    return session, members
