"""Outcome figures over many members, only as aggregates under the sponsors' suppression rule
(`sponsors.suppression`: a figure resting on fewer than 5 people reads "fewer than 5", with
complementary suppression so a total can't reveal a hidden row).

Against differencing over time, a circle counts only once its end ratings have closed (30 days
after its last meeting), and a term only once all its circles have: a figure never changes
after it first appears, so two views taken before and after one member answers can't be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import aliased

from mentoring.circles.models import Circle, CircleStatus, Meeting, MeetingStatus
from mentoring.extensions import db
from mentoring.outcomes.models import OutcomeMeasure, Phase
from mentoring.outcomes.service import END_MEASURE_OPEN
from mentoring.sponsors.models import EmployeeLink
from mentoring.sponsors.suppression import Group, Published, rate_percent, suppress_small_cells


@dataclass(frozen=True)
class ShareRow:
    key: str
    members: int | None  # None: "fewer than 5"
    fell: int | None
    percent: int | None


def _term(dialect: str, circle: type[Circle] = Circle) -> ColumnElement[str]:
    """The term a circle belongs to: the quarter of its first meeting, '2026-Q1'."""
    if dialect == "postgresql":
        return func.to_char(circle.first_date, 'YYYY-"Q"Q')
    month = cast(func.strftime("%m", circle.first_date), Integer)
    return func.printf("%s-Q%d", func.strftime("%Y", circle.first_date), (month + 2) / 3)


def _closed_before(now: datetime):  # noqa: ANN202 - a subquery
    """Circles whose end ratings have closed by `now`."""
    return (
        select(Meeting.circle_id)
        .where(Meeting.status != MeetingStatus.CANCELLED)
        .group_by(Meeting.circle_id)
        .having(func.max(Meeting.ends_at) <= now - END_MEASURE_OPEN)
    )


def isolation_fell(
    now: datetime, *, circle_id: int | None = None, organization_id: int | None = None
) -> Published:
    """Per term (or for one circle), how many members rated themselves at both ends and for how
    many isolation fell, as published cells: figures are (fell, members). One query.

    A term is shown only once every circle of it has closed its end ratings, so its row never
    changes after it first appears. With `organization_id`, only members linked to that
    employer when they gave their end rating count (a link made or ended later changes nothing).
    """
    start, end = aliased(OutcomeMeasure), aliased(OutcomeMeasure)
    dialect = db.session.get_bind().dialect.name
    term = _term(dialect)
    key = term if circle_id is None else cast(Circle.id, Integer)
    closed = _closed_before(now)
    pairs = (
        select(
            start.user_id, key.label("key"), case((end.isolation < start.isolation, 1), else_=0).label("fell")
        )
        .join(
            end,
            (end.user_id == start.user_id) & (end.circle_id == start.circle_id) & (end.phase == Phase.END),
        )
        .join(Circle, Circle.id == start.circle_id)
        .where(start.phase == Phase.START, start.circle_id.in_(closed))
    )
    if circle_id is not None:
        pairs = pairs.where(start.circle_id == circle_id)
    else:
        # The terms still open, taken once as a set: a subquery correlated on the term made the
        # database scan every circle for every pair, so the page slowed with the square of the data.
        open_circle = aliased(Circle)
        open_terms = select(_term(dialect, open_circle)).where(
            open_circle.status.not_in((CircleStatus.DRAFT, CircleStatus.CANCELLED)),
            open_circle.id.not_in(closed),
        )
        pairs = pairs.where(term.not_in(open_terms))
    if organization_id is not None:
        pairs = pairs.where(
            select(EmployeeLink.id)
            .where(
                EmployeeLink.user_id == start.user_id,
                EmployeeLink.organization_id == organization_id,
                EmployeeLink.linked_at <= end.created_at,
                EmployeeLink.unlinked_at.is_(None) | (EmployeeLink.unlinked_at > end.created_at),
            )
            .exists()
        )
    pairs = pairs.cte("pairs")
    everyone = select(func.count(func.distinct(pairs.c.user_id))).scalar_subquery()
    rows = db.session.execute(
        select(
            pairs.c.key,
            func.count(func.distinct(pairs.c.user_id)),
            func.coalesce(func.sum(pairs.c.fell), 0),
            func.count(),
            everyone,
        )
        .group_by(pairs.c.key)
        .order_by(pairs.c.key)
    ).all()
    total_people = rows[0][4] if rows else 0
    groups = [Group(str(k), people, (int(fell), members)) for k, people, fell, members, _ in rows]
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
