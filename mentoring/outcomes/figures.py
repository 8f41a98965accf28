"""Outcome figures over many members, only as aggregates under the sponsors' suppression rule
(`sponsors.suppression`: a figure resting on fewer than 5 people reads "fewer than 5").

Against differencing over time, a circle counts only once its end ratings have closed (30 days
after its last meeting), and a term only once all its circles have. A term's figures are then
written down once (`close_terms`, run hourly by the scheduler) and read back from those rows:
a figure never changes after it first appears, so two views taken before and after one member
answers (or leaves, or deletes her account) can't be compared, and the programme page and the
sponsor report read a few rows however many members there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, case, cast, func, select
from sqlalchemy.orm import aliased

from mentoring.circles.models import Circle, CircleStatus, Meeting, MeetingStatus
from mentoring.extensions import db
from mentoring.outcomes.models import OutcomeMeasure, OutcomeTerm, Phase
from mentoring.outcomes.service import END_MEASURE_OPEN
from mentoring.reads import NO_INT
from mentoring.sponsors.models import EmployeeLink
from mentoring.sponsors.suppression import (
    THRESHOLD,
    Group,
    Published,
    publish_closed_months,
    rate_percent,
    suppress_small_cells,
)


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


# Values or bound parameters: a statement built once takes `bindparam`s in their place.
Bound = Any


def _closed_before(ended_by: Bound, circle_id: Bound = None) -> Select:
    """Circles (or just `circle_id`, when given) whose last meeting ended by `ended_by`, that is
    whose end ratings have closed when `ended_by` is now - END_MEASURE_OPEN."""
    meetings = select(Meeting.circle_id).where(Meeting.status != MeetingStatus.CANCELLED)
    if circle_id is not None:
        meetings = meetings.where(Meeting.circle_id == circle_id)
    return meetings.group_by(Meeting.circle_id).having(func.max(Meeting.ends_at) <= ended_by)


def _rated_pairs(ended_by: Bound, key: ColumnElement, circle_id: Bound = None) -> Select:
    """One row per membership rated at both ends in a circle whose end ratings have closed (of
    every circle, or of `circle_id`): the member, `key` (the term or the circle), whether her
    isolation fell, and when she rated the end."""
    start, end = aliased(OutcomeMeasure), aliased(OutcomeMeasure)
    return (
        select(
            start.user_id.label("user_id"),
            key.label("key"),
            case((end.isolation < start.isolation, 1), else_=0).label("fell"),
            end.created_at.label("rated_at"),
        )
        .join(
            end,
            (end.user_id == start.user_id) & (end.circle_id == start.circle_id) & (end.phase == Phase.END),
        )
        .join(Circle, Circle.id == start.circle_id)
        .where(start.phase == Phase.START, start.circle_id.in_(_closed_before(ended_by, circle_id)))
    )


# One circle's figures, built once: the facilitator's pulse page shows them.
_CIRCLE_PAIRS = _rated_pairs(
    bindparam("ended_by"), cast(Circle.id, Integer), bindparam("circle_id")).subquery()
_CIRCLE_FIGURES = select(func.count(func.distinct(_CIRCLE_PAIRS.c.user_id)),
                         func.coalesce(func.sum(_CIRCLE_PAIRS.c.fell), 0), func.count())


def isolation_fell_in_circle(circle_id: int, now: datetime) -> ShareRow:
    """For one circle whose end ratings have closed: how many members rated themselves at both
    ends and for how many isolation fell, hidden below 5 people. One query over one circle."""
    people, fell, members = db.session.execute(
        _CIRCLE_FIGURES, {"ended_by": now - END_MEASURE_OPEN, "circle_id": circle_id}).one()
    groups = [Group(str(circle_id), people, (int(fell), members))] if members else []
    return share_rows(suppress_small_cells(groups, total_people=people))[0]


def close_terms(now: datetime) -> int:
    """Write the figures of every term whose circles have all closed their end ratings and that is
    not yet written: one row for the programme and one per employer with linked members who rated
    it (a member counts for an employer she was linked to when she gave her end rating). Returns
    how many terms were closed. Idempotent: a written term is never recomputed, and the unique
    keys make a second scheduler's copy fail and roll back its run."""
    dialect = db.session.get_bind().dialect.name
    ended_by = now - END_MEASURE_OPEN
    pairs = _rated_pairs(ended_by, _term(dialect)).subquery()
    live = aliased(Circle)
    still_open = set(db.session.scalars(
        select(_term(dialect, live)).distinct().where(
            live.status.not_in((CircleStatus.DRAFT, CircleStatus.CANCELLED)),
            live.id.not_in(_closed_before(ended_by)),
        )
    ))
    written = {(row.organization_id, row.term): row for row in db.session.scalars(select(OutcomeTerm))}
    due = sorted(
        term for term in db.session.scalars(select(pairs.c.key).distinct())
        if term not in still_open and (None, term) not in written
    )
    if not due:
        return 0
    employer = EmployeeLink.organization_id
    linked = (
        select(employer.label("organization_id"), pairs.c.user_id, pairs.c.key, pairs.c.fell)
        .join(EmployeeLink, EmployeeLink.user_id == pairs.c.user_id)
        .where(
            EmployeeLink.linked_at <= pairs.c.rated_at,
            EmployeeLink.unlinked_at.is_(None) | (EmployeeLink.unlinked_at > pairs.c.rated_at),
        )
        .subquery()
    )
    figures: dict[tuple[int | None, str], tuple[int, int, int]] = {}
    for scope_id, key, people, fell, members in db.session.execute(
        select(NO_INT, pairs.c.key, func.count(func.distinct(pairs.c.user_id)),
               func.coalesce(func.sum(pairs.c.fell), 0), func.count())
        .where(pairs.c.key.in_(due)).group_by(pairs.c.key)
        .union_all(
            select(linked.c.organization_id, linked.c.key, func.count(func.distinct(linked.c.user_id)),
                   func.coalesce(func.sum(linked.c.fell), 0), func.count())
            .where(linked.c.key.in_(due)).group_by(linked.c.organization_id, linked.c.key)
        )
    ):
        figures[(scope_id, key)] = (people, int(fell), members)
    for scope_id in sorted({s for s, _ in figures}, key=lambda s: (s is not None, s or 0)):
        rows = pairs if scope_id is None else (
            select(linked.c.user_id, linked.c.key).where(linked.c.organization_id == scope_id).subquery())
        shown = [t for (s, t), row in written.items() if s == scope_id and row.people >= THRESHOLD]
        through = max((row.people_through for (s, _), row in written.items() if s == scope_id), default=0)
        for term in due:
            if (scope_id, term) not in figures:
                continue
            people, fell, members = figures[(scope_id, term)]
            if people >= THRESHOLD:
                shown.append(term)
                through = int(db.session.scalar(
                    select(func.count(func.distinct(rows.c.user_id))).where(rows.c.key.in_(shown))) or 0)
            db.session.add(OutcomeTerm(organization_id=scope_id, term=term, people=people, members=members,
                                       fell=fell, people_through=through, closed_at=now))
    db.session.flush()
    return len(due)


_PROGRAMME_TERMS = select(OutcomeTerm).where(OutcomeTerm.organization_id.is_(None)).order_by(OutcomeTerm.term)
_EMPLOYER_TERMS = (select(OutcomeTerm).where(OutcomeTerm.organization_id == bindparam("organization_id"))
                   .order_by(OutcomeTerm.term))


def term_figures(organization_id: int | None = None) -> list[ShareRow]:
    """The closed terms' figures, oldest first, then the total of the terms shown: for the whole
    programme, or for one employer's linked members. A term resting on fewer than 5 people reads
    "fewer than 5" and stays out of the total. One query at any size."""
    if organization_id is None:
        rows = list(db.session.scalars(_PROGRAMME_TERMS))
    else:
        rows = list(db.session.scalars(_EMPLOYER_TERMS, {"organization_id": organization_id}))
    # Each row's people_through counts every shown term closed up to it: the newest row, all.
    through = max(rows, key=lambda row: row.id).people_through if rows else 0
    return share_rows(publish_closed_months(
        [Group(row.term, row.people, (row.fell, row.members)) for row in rows],
        distinct_people=lambda _: through,
    ))


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
