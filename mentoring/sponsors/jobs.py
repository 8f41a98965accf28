"""Periodic sponsor work: closing the report's months as they end.

Idempotent: a month already closed is never recomputed, and the (organisation, month) unique
key makes a second scheduler's copy of the same month fail its run instead of double-writing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.jobs.registry import periodic
from mentoring.sponsors.models import SeatPool
from mentoring.sponsors.reports import close_months


@periodic(seconds=3600)
def close_report_months(now: datetime) -> int:
    """Every organisation's months that ended since the last run get their figures; returns how
    many months were closed. Hourly, so a month shows within an hour of its end."""
    firsts = db.session.execute(select(SeatPool.organization_id, func.min(SeatPool.valid_from))
                                .group_by(SeatPool.organization_id)).all()
    return sum(close_months(organization_id, now, first=first) for organization_id, first in firsts)
