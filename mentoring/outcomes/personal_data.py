"""Her pulse answers and outcome measures in her data export, and gone with her account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from mentoring.accounts.signals import account_deleted, personal_data_export
from mentoring.extensions import db
from mentoring.outcomes.models import OutcomeMeasure, PulseResponse


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


@personal_data_export.connect
def export_outcomes(sender: object, *, user_id: int, now: datetime, **_: object) -> dict[str, Any]:
    pulses = db.session.scalars(
        select(PulseResponse).where(PulseResponse.user_id == user_id).order_by(PulseResponse.id)
    )
    measures = db.session.scalars(
        select(OutcomeMeasure).where(OutcomeMeasure.user_id == user_id).order_by(OutcomeMeasure.id)
    )
    return {
        "pulse_answers": [
            {
                "meeting_id": p.meeting_id,
                "felt_heard": p.felt_heard,
                "connected": p.connected,
                "learned": p.learned,
                "note_to_facilitator": p.note_to_facilitator,
                "created_at": _iso(p.created_at),
            }
            for p in pulses
        ],
        "outcome_measures": [
            {
                "circle_id": m.circle_id,
                "phase": m.phase,
                "isolation": m.isolation,
                "confidence": m.confidence,
                "balance": m.balance,
                "stress": m.stress,
                "created_at": _iso(m.created_at),
            }
            for m in measures
        ],
    }


@account_deleted.connect
def delete_outcomes(sender: object, *, user_id: int, now: datetime, **_: object) -> None:
    """Her answers go with her account (a facilitator's averages then rest on fewer people)."""
    db.session.execute(delete(PulseResponse).where(PulseResponse.user_id == user_id))
    db.session.execute(delete(OutcomeMeasure).where(OutcomeMeasure.user_id == user_id))
