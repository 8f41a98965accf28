"""Her goals, notes, check-ins and check-in time in her data export, and gone with her account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from mentoring.accounts.signals import account_deleted, personal_data_export
from mentoring.extensions import db
from mentoring.growth.models import CheckIn, CheckInPreference, Goal, GoalNote


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


@personal_data_export.connect
def export_growth(sender: object, *, user_id: int, now: datetime, **_: object) -> dict[str, Any]:
    goals = db.session.scalars(select(Goal).where(Goal.user_id == user_id).order_by(Goal.id)).all()
    notes = db.session.scalars(
        select(GoalNote)
        .join(Goal, Goal.id == GoalNote.goal_id)
        .where(Goal.user_id == user_id)
        .order_by(GoalNote.id)
    ).all()
    check_ins = db.session.scalars(
        select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.id)
    ).all()
    preference = db.session.get(CheckInPreference, user_id)
    return {
        "goals": [
            {
                "id": g.id,
                "circle_id": g.circle_id,
                "title": g.title,
                "why": g.why,
                "next_step": g.next_step,
                "target_date": _iso(g.target_date),
                "visibility": g.visibility,
                "status": g.status,
                "created_at": _iso(g.created_at),
                "closed_at": _iso(g.closed_at),
                "notes": [
                    {"text": n.text, "created_at": _iso(n.created_at)} for n in notes if n.goal_id == g.id
                ],
            }
            for g in goals
        ],
        "check_ins": [
            {
                "circle_id": c.circle_id,
                "after_meeting_id": c.after_meeting_id,
                "mood": c.mood,
                "win": c.win,
                "obstacle": c.obstacle,
                "progress": c.progress,
                "visibility": c.visibility,
                "needs_support": c.needs_support,
                "support_shares_text": c.support_shares_text,
                "support_requested_at": _iso(c.support_requested_at),
                "support_followed_up_at": _iso(c.support_followed_up_at),
                "created_at": _iso(c.created_at),
                "updated_at": _iso(c.updated_at),
            }
            for c in check_ins
        ],
        "check_in_time": _iso(preference.prompt_time) if preference else None,
    }


@account_deleted.connect
def delete_growth(sender: object, *, user_id: int, now: datetime, **_: object) -> None:
    """Everything she wrote goes with her account; a follow-up she made stays, unsigned."""
    her_goals = select(Goal.id).where(Goal.user_id == user_id).scalar_subquery()
    db.session.execute(delete(GoalNote).where(GoalNote.goal_id.in_(her_goals)))
    db.session.execute(delete(Goal).where(Goal.user_id == user_id))
    db.session.execute(delete(CheckIn).where(CheckIn.user_id == user_id))
    db.session.execute(delete(CheckInPreference).where(CheckInPreference.user_id == user_id))
    db.session.execute(
        update(CheckIn)
        .where(CheckIn.support_followed_up_by_id == user_id)
        .values(support_followed_up_by_id=None)
    )
