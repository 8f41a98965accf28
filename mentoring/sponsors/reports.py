"""The sponsor report: seat figures and monthly activity, suppressed by `suppression`.

Only aggregates leave this module: the report a sponsor admin sees (and its CSV) is built from
`Published` cells, never from rows about a person. An employee counts towards her employer's
activity only for meetings held while she was linked and after her claim. A month's figures are
computed once, when it is closed (`close_months`, run by the scheduler), and kept as they were:
unlinking, a deleted account or a late attendance mark changes no month already reported, and
the dashboard reads a dozen rows however many employees there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, bindparam, case, func, or_, select

from mentoring.audit.service import record
from mentoring.circles.models import Attendance, AttendanceStatus, Enrollment, Meeting
from mentoring.extensions import db
from mentoring.outcomes.figures import ShareRow, term_figures
from mentoring.sponsors.models import (
    ClaimStatus,
    EmployeeLink,
    Organization,
    ReportMonth,
    SeatClaim,
    SeatPool,
)
from mentoring.sponsors.suppression import (
    THRESHOLD,
    Band,
    Cell,
    Group,
    Published,
    free_range,
    live_band,
    publish_closed_months,
    publish_live_counts,
    rate_percent,
)

EXPIRING_DAYS = 30
SUPPRESSED = "fewer than 5"


@dataclass(frozen=True)
class PoolLine:
    pool_id: int
    status: str
    seats: int
    claimed: Band
    valid_until: datetime
    price_cap_cents: int
    currency: str

    @property
    def free(self) -> tuple[int, int] | None:
        """Free seats as the range the claimed band allows; None while that is hidden."""
        return free_range(self.seats, self.claimed)


@dataclass(frozen=True)
class MonthLine:
    cell: Cell

    @property
    def attended(self) -> int | None:
        return None if self.cell.suppressed else self.cell.figures[0]

    @property
    def rate(self) -> int | None:
        return None if self.cell.suppressed else rate_percent(self.cell.figures[0], self.cell.figures[1])


@dataclass(frozen=True)
class SponsorReport:
    organization_name: str
    pools: tuple[PoolLine, ...]
    seats_bought: int  # in active pools
    seats_claimed: Band  # in active pools
    seats_expiring: tuple[int, int] | None  # free seats in pools ending within EXPIRING_DAYS
    months: tuple[MonthLine, ...]
    months_total: MonthLine
    current_month: str
    # Share of employees whose isolation fell, by term, then the total (outcomes.figures).
    outcomes: tuple[ShareRow, ...] = ()

    @property
    def seats_free(self) -> tuple[int, int] | None:
        return free_range(self.seats_bought, self.seats_claimed)


def month_key(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m")


def _months_between(first: datetime, now: datetime) -> list[str]:
    """Calendar months (UTC) from `first`'s up to, not including, the month of `now`."""
    months, year, month = [], first.year, first.month
    while (year, month) < (now.year, now.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_expression():  # noqa: ANN202 - a SQL expression
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", Meeting.starts_at), "YYYY-MM")
    return func.strftime("%Y-%m", Meeting.starts_at)


_POOLS = (select(SeatPool).where(SeatPool.organization_id == bindparam("organization_id"))
          .order_by(SeatPool.valid_from, SeatPool.id))
# The rule only asks whether more than THRESHOLD people rest under a live count, so people are
# counted up to PEOPLE_ENOUGH (an index walk that stops there), and the claims are the ledger's
# own count (`SeatPool.seats_claimed`, see `ledger`): the dashboard reads as few rows for ten
# employees as for twenty thousand.
PEOPLE_ENOUGH = THRESHOLD + 1


def _people_up_to_enough(pools: ColumnElement[bool]) -> ScalarSelect[int]:
    holders = (select(SeatClaim.user_id).distinct()
               .where(pools, SeatClaim.status == ClaimStatus.CLAIMED)
               .limit(PEOPLE_ENOUGH).subquery())
    return select(func.count()).select_from(holders).scalar_subquery()


@lru_cache(maxsize=64)
def _people_statement(pools: int) -> Select:
    """The people of each of `pools` pools (bound as pool_0, pool_1, ...) and of the active ones
    together (`active`), built once per number of pools: building it cost more than running it."""
    return select(
        *(_people_up_to_enough(SeatClaim.pool_id == bindparam(f"pool_{n}")) for n in range(pools)),
        _people_up_to_enough(SeatClaim.pool_id.in_(bindparam("active", expanding=True))),
    )


def _pool_groups(organization_id: int, now: datetime) -> tuple[list[SeatPool], dict[int, Group], int]:
    """The organisation's pools, each pool's live claims as a Group (its people counted up to
    PEOPLE_ENOUGH), and the people holding a live claim in its active pools (as far). Two
    queries, whatever the number of claims."""
    pools = list(db.session.scalars(_POOLS, {"organization_id": organization_id}))
    if not pools:
        return pools, {}, 0
    active = [p.id for p in pools if p.shown_status(now) == "active"]
    *people, everyone = db.session.execute(
        _people_statement(len(pools)), {"active": active, **{f"pool_{n}": p.id for n, p in enumerate(pools)}}
    ).one()
    groups = {pool.id: Group(str(pool.id), held_by, (pool.seats_claimed,))
              for pool, held_by in zip(pools, people, strict=True)}
    return pools, groups, int(everyone or 0)


def _activity(organization_id: int, now: datetime):  # noqa: ANN202 - a subquery
    """One row per attendance mark that counts for the organisation: a sponsored employee's
    meeting in a month that is over, held while she was linked and after her claim."""
    linked_then = and_(EmployeeLink.user_id == Attendance.user_id,
                       EmployeeLink.organization_id == organization_id,
                       EmployeeLink.linked_at <= Meeting.starts_at,
                       or_(EmployeeLink.unlinked_at.is_(None), EmployeeLink.unlinked_at > Meeting.starts_at))
    return (
        select(_month_expression().label("month"), Attendance.user_id.label("user_id"),
               case((Attendance.status == AttendanceStatus.PRESENT, 1), else_=0).label("present"),
               case((Attendance.status != AttendanceStatus.EXCUSED, 1), else_=0).label("counted"))
        .select_from(Attendance)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Enrollment, and_(Enrollment.circle_id == Meeting.circle_id,
                               Enrollment.user_id == Attendance.user_id))
        .join(SeatClaim, SeatClaim.enrollment_id == Enrollment.id)
        .join(SeatPool, SeatPool.id == SeatClaim.pool_id)
        .join(EmployeeLink, linked_then)
        .where(SeatPool.organization_id == organization_id, Meeting.starts_at < _month_start(now),
               Meeting.starts_at >= SeatClaim.claimed_at)
        .subquery()
    )


def close_months(organization_id: int, now: datetime, *, first: datetime | None = None) -> int:
    """Write the figures of every month that is over and not yet closed (oldest first); returns
    how many. Idempotent: a closed month is never recomputed, and (organization_id, month) is
    unique, so a second scheduler's insert of the same month fails and rolls back its run."""
    if first is None:
        first = db.session.scalar(select(func.min(SeatPool.valid_from))
                                  .where(SeatPool.organization_id == organization_id))
    if first is None:
        return 0
    closed = {row.month: row for row in db.session.scalars(
        select(ReportMonth).where(ReportMonth.organization_id == organization_id))}
    due = [m for m in _months_between(first, now) if m not in closed]
    if not due:
        return 0
    activity = _activity(organization_id, now)
    figures = {month: (people, int(present or 0), int(counted or 0)) for month, people, present, counted in
               db.session.execute(select(activity.c.month, func.count(func.distinct(activity.c.user_id)),
                                         func.sum(activity.c.present), func.sum(activity.c.counted))
                                  .where(activity.c.month.in_(due)).group_by(activity.c.month))}
    shown = [m for m, row in closed.items() if row.people >= THRESHOLD]
    through = max((row.people_through for row in closed.values()), default=0)
    for month in due:
        people, attended, counted = figures.get(month, (0, 0, 0))
        if people >= THRESHOLD:
            shown.append(month)
            through = int(db.session.scalar(select(func.count(func.distinct(activity.c.user_id)))
                                             .where(activity.c.month.in_(shown))) or 0)
        db.session.add(ReportMonth(organization_id=organization_id, month=month, people=people,
                                   attended=attended, counted=counted, people_through=through, closed_at=now))
    db.session.flush()
    return len(due)


_MONTHS = (select(ReportMonth).where(ReportMonth.organization_id == bindparam("organization_id"))
           .order_by(ReportMonth.month))


def monthly_activity(organization_id: int) -> Published:
    """The closed months of the organisation's sponsored employees, oldest first, published:
    people taking part and (meetings attended, attended + missed). One query at any size."""
    rows = list(db.session.scalars(_MONTHS, {"organization_id": organization_id}))
    through = {row.month: row.people_through for row in rows}
    return publish_closed_months([Group(r.month, r.people, (r.attended, r.counted)) for r in rows],
                                 distinct_people=lambda keys: through[keys[-1]])


def _month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def sponsor_report(organization_id: int, now: datetime) -> SponsorReport:
    """What a sponsor admin of this organisation may see. A fixed number of queries, whatever
    the number of employees."""
    organization = db.session.get(Organization, organization_id)
    pools, groups, everyone = _pool_groups(organization_id, now)
    active = [p for p in pools if p.shown_status(now) == "active"]
    summary = publish_live_counts([groups[p.id] for p in active], total_people=everyone)
    bands = dict(zip((p.id for p in active), summary.rows, strict=True))
    lines = tuple(
        PoolLine(
            p.id, p.shown_status(now), p.seats,
            bands.get(p.id) or live_band(groups[p.id].people, groups[p.id].figures[0]),
            p.valid_until, p.price_cap_cents, p.currency,
        )
        for p in pools
    )
    expiring = [line for line in lines if line.status == "active"
                and line.valid_until <= now + timedelta(days=EXPIRING_DAYS)]
    ranges = [line.free for line in expiring]
    seats_expiring = (
        None if any(r is None for r in ranges)
        else (sum(r[0] for r in ranges), sum(r[1] for r in ranges))  # type: ignore[index]
    )
    monthly = monthly_activity(organization_id)
    return SponsorReport(
        organization_name=organization.name,
        pools=lines,
        seats_bought=sum(p.seats for p in active),
        seats_claimed=summary.total,
        seats_expiring=seats_expiring,
        months=tuple(MonthLine(cell) for cell in monthly.rows),
        months_total=MonthLine(monthly.total),
        current_month=month_key(now),
        outcomes=tuple(term_figures(organization_id)),
    )


def export_report(organization_id: int, *, actor_id: int, now: datetime) -> list[list[str]]:
    """The report as CSV rows for a sponsor admin; the export is written to the audit log."""
    rows = report_csv_rows(sponsor_report(organization_id, now))
    record("sponsor.report_exported", actor_id=actor_id, subject_type="organization",
           subject_id=organization_id, details={"format": "csv"}, now=now)
    return rows


def seat_range(free: tuple[int, int] | None) -> str:
    """Free seats as published: a range, one number when it is exact, or "not shown"."""
    if free is None:
        return "not shown"
    return str(free[0]) if free[0] == free[1] else f"{free[0]}–{free[1]}"


def report_csv_rows(report: SponsorReport) -> list[list[str]]:
    """The report's figures as CSV rows: the same cells the page shows, suppressed alike."""

    def shown(value: int | None, suffix: str = "") -> str:
        return SUPPRESSED if value is None else f"{value}{suffix}"

    rows = [
        ["section", "period or pool", "figure", "value"],
        ["seats", "all active pools", "bought", str(report.seats_bought)],
        ["seats", "all active pools", "claimed", str(report.seats_claimed)],
        ["seats", "all active pools", "free", seat_range(report.seats_free)],
        ["seats", f"ending within {EXPIRING_DAYS} days", "free", seat_range(report.seats_expiring)],
    ]
    for line in report.pools:
        label = f"pool {line.pool_id} ({line.status}, until {line.valid_until:%Y-%m-%d})"
        rows += [
            ["pool", label, "bought", str(line.seats)],
            ["pool", label, "claimed", str(line.claimed)],
            ["pool", label, "free", seat_range(line.free)],
        ]
    for line in (*report.months, report.months_total):
        label = "months shown" if line.cell.key == "total" else line.cell.key
        rows += [
            ["activity", label, "employees taking part", shown(line.cell.people)],
            ["activity", label, "meetings attended", shown(line.attended)],
            ["activity", label, "attendance rate", shown(line.rate, "%")],
        ]
    # Outcomes as the page shows them: only once a term has closed (the last row is the total).
    if report.outcomes[:-1]:
        for share in report.outcomes:
            label = "all terms" if share.key == "total" else share.key
            rows += [
                ["outcomes", label, "employees who rated", shown(share.members)],
                ["outcomes", label, "isolation fell", shown(share.fell)],
                ["outcomes", label, "isolation fell (share)", shown(share.percent, "%")],
            ]
    return rows


@dataclass(frozen=True)
class OwnContribution:
    """What one employee adds to her employer's report, for her own eyes only."""

    organization_id: int
    organization_name: str
    linked_at: datetime
    method: str
    months_counted: tuple[str, ...]
    months_shown: tuple[str, ...]  # of those, the ones that rest on 5 or more people
    live_claims: int


def own_contribution(user_id: int, now: datetime) -> OwnContribution | None:
    """Her part in her employer's report, or None when she is not linked."""
    link = db.session.scalar(
        select(EmployeeLink).where(EmployeeLink.user_id == user_id, EmployeeLink.unlinked_at.is_(None))
    )
    if link is None:
        return None
    activity = _activity(link.organization_id, now)
    counted = tuple(db.session.scalars(select(activity.c.month).where(activity.c.user_id == user_id)
                                       .distinct().order_by(activity.c.month)))
    published = monthly_activity(link.organization_id)
    shown_keys = {c.key for c in published.rows if not c.suppressed}
    counted = tuple(k for k in counted if k in {c.key for c in published.rows})
    claims = db.session.scalar(
        select(func.count(SeatClaim.id))
        .join(SeatPool, SeatPool.id == SeatClaim.pool_id)
        .where(
            SeatClaim.user_id == user_id,
            SeatClaim.status == ClaimStatus.CLAIMED,
            SeatPool.organization_id == link.organization_id,
        )
    )
    return OwnContribution(
        link.organization_id,
        link.organization.name,
        link.linked_at,
        link.method,
        counted,
        tuple(k for k in counted if k in shown_keys),
        int(claims or 0),
    )
