"""Outcome figures over many members, only as aggregates under the sponsors' suppression rule
(`sponsors.suppression`: a figure resting on fewer than 5 people reads "fewer than 5", with
complementary suppression so a total can't reveal a hidden row).

Against differencing over time, a circle counts only once its end ratings have closed (30 days
after its last meeting): its figures never change after they first appear, so two views taken
before and after one member answers can't be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import aliased

from mentoring.circles.models import Circle, Meeting, MeetingStatus
from mentoring.extensions import db
from mentoring.outcomes.models import OutcomeMeasure, Phase
from mentoring.outcomes.service import END_MEASURE_OPEN
from mentoring.sponsors.suppression import Group, Published, rate_percent, suppress_small_cells


@dataclass(frozen=True)
class ShareRow:
    key: str
    members: int | None  # None: "fewer than 5"
    fell: int | None
    percent: int | None


def _term(dialect: str) -> ColumnElement[str]:
    """The term a circle belongs to: the quarter of its first meeting, '2026-Q1'."""
    if dialect == "postgresql":
        return func.to_char(Circle.first_date, 'YYYY-"Q"Q')
    month = cast(func.strftime("%m", Circle.first_date), Integer)
    return func.printf("%s-Q%d", func.strftime("%Y", Circle.first_date), (month + 2) / 3)


def _closed_before(now: datetime):  # noqa: ANN202 - a subquery
    """Circles whose end ratings have closed by `now`."""
    return (
        select(Meeting.circle_id)
        .where(Meeting.status != MeetingStatus.CANCELLED)
        .group_by(Meeting.circle_id)
        .having(func.max(Meeting.ends_at) <= now - END_MEASURE_OPEN)
    )


def isolation_fell(now: datetime, *, circle_id: int | None = None) -> Published:
    """Per term (or for one circle), how many members rated themselves at both ends and for how
    many isolation fell, as published cells: figures are (fell, members). Two queries."""
    start, end = aliased(OutcomeMeasure), aliased(OutcomeMeasure)
    dialect = db.session.get_bind().dialect.name
    key = _term(dialect) if circle_id is None else cast(Circle.id, Integer)
    pairs = (
        select(
            start.user_id, key.label("key"), case((end.isolation < start.isolation, 1), else_=0).label("fell")
        )
        .join(
            end,
            (end.user_id == start.user_id) & (end.circle_id == start.circle_id) & (end.phase == Phase.END),
        )
        .join(Circle, Circle.id == start.circle_id)
        .where(start.phase == Phase.START, start.circle_id.in_(_closed_before(now)))
    )
    if circle_id is not None:
        pairs = pairs.where(start.circle_id == circle_id)
    pairs = pairs.subquery()
    rows = db.session.execute(
        select(
            pairs.c.key,
            func.count(func.distinct(pairs.c.user_id)),
            func.coalesce(func.sum(pairs.c.fell), 0),
            func.count(),
        )
        .group_by(pairs.c.key)
        .order_by(pairs.c.key)
    ).all()
    total_people = db.session.scalar(select(func.count(func.distinct(pairs.c.user_id)))) or 0
    groups = [Group(str(k), people, (int(fell), members)) for k, people, fell, members in rows]
    return suppress_small_cells(groups, total_people=total_people)


def share_rows(published: Published) -> list[ShareRow]:
    """The published cells as rows to show (share of memberships whose isolation fell)."""
    return [
        ShareRow(
            cell.key,
            cell.figures[1] if cell.figures else None,
            cell.figures[0] if cell.figures else None,
            rate_percent(cell.figures[0], cell.figures[1]) if cell.figures else None,
        )
        for cell in (*published.rows, published.total)
    ]
