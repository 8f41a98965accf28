"""Her pairs, "not with" wishes and practice sessions in her data export, and gone with her account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from mentoring.accounts.signals import account_deleted, personal_data_export
from mentoring.buddies.models import BuddyApart, BuddyPair, BuddyPairMember, PracticeSession
from mentoring.buddies.service import leave_pairs
from mentoring.extensions import db


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


@personal_data_export.connect
def export_buddies(sender: object, *, user_id: int, now: datetime, **_: object) -> dict[str, Any]:
    pairs = db.session.execute(
        select(BuddyPair, BuddyPairMember.change_requested_at)
        .join(BuddyPairMember, BuddyPairMember.pair_id == BuddyPair.id)
        .where(BuddyPairMember.user_id == user_id, BuddyPair.active_from.is_not(None))
        .order_by(BuddyPair.id)
    ).all()
    sessions = db.session.scalars(
        select(PracticeSession)
        .where(PracticeSession.pair_id.in_([pair.id for pair, _ in pairs]))
        .order_by(PracticeSession.id)
    ).all()
    apart = db.session.scalars(
        select(BuddyApart).where(BuddyApart.user_id == user_id).order_by(BuddyApart.id)
    )
    return {
        "buddy_pairs": [
            {
                "circle_id": pair.circle_id,
                "active_from": _iso(pair.active_from),
                "active_until": _iso(pair.active_until),
                "change_requested_at": _iso(requested),
            }
            for pair, requested in pairs
        ],
        "practice_sessions": [
            {
                "starts_at": _iso(s.starts_at),
                "duration_minutes": s.duration_minutes,
                "topic": s.topic,
                "status": s.status,
                "proposed_by_me": s.proposed_by_id == user_id,
                "done_at": _iso(s.done_at),
                "notes": s.notes,
            }
            for s in sessions
        ],
        "not_paired_with": [{"member_id": a.other_id, "asked_at": _iso(a.created_at)} for a in apart],
    }


@account_deleted.connect
def delete_buddies(sender: object, *, user_id: int, now: datetime, **_: object) -> None:
    """She leaves her pairs (her buddy's facilitator is asked to re-pair), her wishes go, and the
    sessions she proposed no longer name her. Notes stay with the pair she shared them with."""
    circle_ids = db.session.scalars(
        select(BuddyPair.circle_id)
        .join(BuddyPairMember, BuddyPairMember.pair_id == BuddyPair.id)
        .where(BuddyPairMember.user_id == user_id, BuddyPair.active_until.is_(None))
    ).all()
    for circle_id in set(circle_ids):
        leave_pairs(circle_id, user_id, now=now)
    db.session.execute(delete(BuddyPairMember).where(BuddyPairMember.user_id == user_id))
    db.session.execute(
        delete(BuddyApart).where((BuddyApart.user_id == user_id) | (BuddyApart.other_id == user_id))
    )
    db.session.execute(
        update(PracticeSession).where(PracticeSession.proposed_by_id == user_id).values(proposed_by_id=None)
    )
