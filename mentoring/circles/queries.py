"""Reading circles for members: the circle list, the circle page and her dashboard.

Each page is a handful of queries whatever the size of the community: filters run in SQL, the
next meeting is a correlated subquery, and lists are loaded in one statement each.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from mentoring.accounts.models import User
from mentoring.availability.fit import Periods, fits_her_week, periods_from, starts_within
from mentoring.availability.service import week_of
from mentoring.availability.windows import fit_map
from mentoring.circles.agreement import newest_version
from mentoring.circles.calendar import CircleSchedule, MeetingTime, calendar_filename
from mentoring.circles.catalog import DURATION_MAX, format_label, theme_label
from mentoring.circles.display import TIME_WINDOWS, PriceTag
from mentoring.circles.enrollment import ViewerState, state_of, viewer_state
from mentoring.circles.models import (
    LIVE_ENROLLMENT_STATUSES,
    Attendance,
    AttendanceStatus,
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
    seats_left,
)
from mentoring.errors import NotFound
from mentoring.extensions import db
from mentoring.reads import constant, read_rows

UNPUBLISHED_STATUSES = (CircleStatus.DRAFT, CircleStatus.COMPLETED, CircleStatus.CANCELLED)


# --- the circle list -----------------------------------------------------------------------


@dataclass(frozen=True)
class CircleFilters:
    theme: str | None = None
    weekday: int | None = None
    time_of_day: str | None = None
    format: str | None = None
    kids_welcome: bool = False
    onsite_childcare: bool = False
    price: str | None = None
    language: str | None = None
    seats_available: bool = False
    fits_my_week: bool = False  # only for a member who is logged in


@dataclass(frozen=True)
class CircleCard:
    id: int
    title: str
    theme: str
    next_meeting_at: datetime | None
    seats_left: int
    status: str
    price: PriceTag
    format: str
    language: str
    kids_welcome: bool
    onsite_childcare: bool

    @property
    def seats_text(self) -> str:
        if self.seats_left == 0:
            return "Waitlist"
        return "1 seat left" if self.seats_left == 1 else f"{self.seats_left} seats left"


@dataclass(frozen=True)
class CirclePage:
    cards: list[CircleCard]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


# The statements below are built once per shape and reused with bound values (`now`, ids):
# building SQLAlchemy constructs costs more than running these small queries.


def _next_meeting() -> ColumnElement:
    return (
        select(func.min(Meeting.starts_at))
        .where(Meeting.circle_id == Circle.id, Meeting.starts_at > bindparam("now"),
               Meeting.status == constant(str(MeetingStatus.SCHEDULED)))
        .correlate(Circle)
        .scalar_subquery()
    )


# What a card shows, read as plain columns: a list of circles changes nothing, so it needs no
# model objects (loading a dozen full circles was a tenth of the page's work).
_CARD_COLUMNS = (Circle.id, Circle.title, Circle.theme, Circle.capacity, Circle.seats_taken, Circle.status,
                 Circle.price_mode, Circle.currency, Circle.price_cents, Circle.sliding_min_cents,
                 Circle.sliding_max_cents, Circle.format, Circle.language, Circle.kids_welcome,
                 Circle.onsite_childcare)


@lru_cache(maxsize=256)
def _browse_statement(filters: CircleFilters, periods: Periods, dialect: str, per_page: int) -> Select:
    next_start = _next_meeting()
    # NOT IN rather than IN: most circles are published, and an IN on the indexed status column
    # leads SQLite to read every published circle and sort them, where walking the primary key
    # newest first stops after one page.
    statement = select(*_CARD_COLUMNS, next_start.label("next_start")).where(
        Circle.status.not_in([constant(str(s)) for s in UNPUBLISHED_STATUSES])
    )
    if filters.theme:
        statement = statement.where(Circle.theme == filters.theme)
    if filters.format:
        statement = statement.where(Circle.format == filters.format)
    if filters.kids_welcome:
        statement = statement.where(Circle.kids_welcome.is_(True))
    if filters.onsite_childcare:
        statement = statement.where(Circle.onsite_childcare.is_(True))
    if filters.price:
        statement = statement.where(Circle.price_mode == filters.price)
    if filters.language:
        statement = statement.where(Circle.language == filters.language)
    if filters.seats_available:
        statement = statement.where(Circle.seats_taken < Circle.capacity)
    # The meeting tests run subqueries, so they come after the cheap column tests. Each judges
    # every meeting to come in her zone on its own date (see `availability.fit`).
    statement = statement.where(next_start.is_not(None))
    if filters.weekday is not None or filters.time_of_day:
        window = TIME_WINDOWS[filters.time_of_day][1:] if filters.time_of_day else None
        statement = statement.where(starts_within(filters.weekday, window, periods, dialect))
    if filters.fits_my_week:
        statement = statement.where(fits_her_week(periods, dialect))
    return statement.order_by(Circle.id.desc()).limit(per_page + 1).offset(bindparam("offset"))


def browse_circles(
    filters: CircleFilters, *, viewer_tz: str, now: datetime, viewer_id: int | None = None, page: int = 1,
    per_page: int = 12,
) -> CirclePage:
    """Published circles with a meeting still to come, newest first, one page at a time.

    Day, time of day and "fits my week" hold for every meeting to come, in the viewer's zone on
    that meeting's date. "Fits my week" needs `viewer_id` and is ignored without one.
    One query (two with "fits my week": her windows first): it reads one row more than a page
    to know whether there is a next page, so the cost does not grow with the number of circles.
    """
    page = max(page, 1)
    params: dict[str, object] = {"now": now, "offset": (page - 1) * per_page}
    if filters.fits_my_week:
        if viewer_id is None:
            filters = replace(filters, fits_my_week=False)
        else:
            params.update(fit_map=fit_map(week_of(viewer_id)), fit_ones=b"1" * DURATION_MAX)
    dialect = db.session.get_bind().dialect.name
    statement = _browse_statement(filters, periods_from(viewer_tz, now), dialect, per_page)
    rows = db.session.execute(statement, params).all()
    cards = [_card(row, row.next_start) for row in rows[:per_page]]
    return CirclePage(cards=cards, page=page, has_next=len(rows) > per_page)


def _aware(instant: datetime | None) -> datetime | None:
    # An aggregate over UTCDateTime keeps the type, but be sure: SQLite hands back naive values.
    if instant is not None and instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant


def _card(circle: Row, next_at: datetime | None) -> CircleCard:
    """A card from a circle's _CARD_COLUMNS."""
    next_at = _aware(next_at)
    return CircleCard(
        id=circle.id,
        title=circle.title,
        theme=theme_label(circle.theme),
        next_meeting_at=next_at,
        seats_left=seats_left(circle.capacity, circle.seats_taken),
        status=circle.status,
        price=price_of(circle),
        format=format_label(circle.format),
        language=circle.language,
        kids_welcome=circle.kids_welcome,
        onsite_childcare=circle.onsite_childcare,
    )


def price_of(circle: Circle) -> PriceTag:
    return PriceTag(
        circle.price_mode,
        circle.currency,
        price_cents=circle.price_cents,
        sliding_min_cents=circle.sliding_min_cents,
        sliding_max_cents=circle.sliding_max_cents,
    )


# --- the circle page -----------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    enrollment_id: int
    user_id: int
    display_name: str


@dataclass(frozen=True)
class CircleView:
    circle: Circle
    price: PriceTag
    theme: str
    format: str
    upcoming: list[Meeting]
    state: ViewerState
    roster: list[RosterEntry] = field(default_factory=list)

    @property
    def member_ids(self) -> list[int] | None:
        """Her active members' ids when the roster was loaded (what the circle's shared goals
        and check-ins are read for), else None."""
        return [entry.user_id for entry in self.roster] if self.state.can_see_private else None

    @property
    def next_meeting(self) -> Meeting | None:
        """The next meeting that is going ahead (its agenda is what members prepare for)."""
        return next((m for m in self.upcoming if m.status == MeetingStatus.SCHEDULED), None)


@lru_cache(maxsize=1)
def _circle_statement() -> Select:
    # The facilitator's name and bio only: her role rows are not needed here.
    return (
        select(Circle)
        .options(joinedload(Circle.facilitator).lazyload(User.roles))
        .where(Circle.id == bindparam("circle_id"))
    )


@lru_cache(maxsize=1)
def _circle_and_place_statement() -> Select:
    # For a viewer who is logged in: the circle, her place in it (if any) and its agreement's
    # newest version, which `state_of` needs, in one statement.
    her_place = and_(Enrollment.circle_id == Circle.id, Enrollment.user_id == bindparam("user_id"))
    return (
        _circle_statement()
        .add_columns(Enrollment, newest_version(bindparam("circle_id")))
        .outerjoin(Enrollment, her_place)
    )


@lru_cache(maxsize=4)
def _upcoming_statement(limit: int) -> Select:
    return (
        select(Meeting)
        .where(Meeting.circle_id == bindparam("circle_id"), Meeting.starts_at > bindparam("now"))
        .order_by(Meeting.starts_at)
        .limit(limit)
    )


@lru_cache(maxsize=1)
def _roster_statement() -> Select:
    # Display names only: nothing else about another member is ever loaded for this page.
    return (
        select(Enrollment.id, Enrollment.user_id, User.display_name)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.circle_id == bindparam("circle_id"), Enrollment.status == EnrollmentStatus.ACTIVE)
        .order_by(User.display_name)
    )


def circle_page(circle_id: int, viewer_id: int | None, now: datetime, *, meetings: int = 4) -> CircleView:
    """The circle as this viewer may see it. Drafts exist only for their facilitator.

    The roster (display names only) is loaded only for those allowed to see it.
    Raises NotFound.
    """
    if viewer_id is None:
        circle, state = db.session.scalar(_circle_statement(), {"circle_id": circle_id}), ViewerState()
    else:
        found = db.session.execute(_circle_and_place_statement(),
                                   {"circle_id": circle_id, "user_id": viewer_id}).first()
        circle, enrollment, agreement_version = found or (None, None, None)
        state = state_of(circle, viewer_id, enrollment, agreement_version) if circle else ViewerState()
    if circle is None or (circle.status == CircleStatus.DRAFT and circle.facilitator_id != viewer_id):
        raise NotFound("We could not find that circle.")
    upcoming = list(db.session.scalars(_upcoming_statement(meetings), {"circle_id": circle_id, "now": now}))
    roster: list[RosterEntry] = []
    if state.can_see_private:
        roster = [
            RosterEntry(enrollment_id, user_id, name)
            for enrollment_id, user_id, name in read_rows(_roster_statement(), {"circle_id": circle_id})
        ]
    return CircleView(
        circle=circle,
        price=price_of(circle),
        theme=theme_label(circle.theme),
        format=format_label(circle.format),
        upcoming=upcoming,
        state=state,
        roster=roster,
    )


# --- her dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    enrollment_id: int
    circle_id: int
    title: str
    status: str
    next_meeting_at: datetime | None
    hold_expires_at: datetime | None
    offer_expires_at: datetime | None
    waitlist_position: int | None
    meeting_link: str | None
    address: str | None


@dataclass(frozen=True)
class DueMeeting:
    meeting_id: int
    circle_id: int
    title: str
    starts_at: datetime
    meeting_link: str | None
    address: str | None


@dataclass(frozen=True)
class Dashboard:
    active: list[Place]
    held: list[Place]
    offered: list[Place]
    waitlisted: list[Place]
    this_week: list[DueMeeting]
    cant_come: frozenset[int]  # of this week's meetings, those she said she can't come to

    @property
    def next_meeting(self) -> DueMeeting | None:
        return self.this_week[0] if self.this_week else None

    @property
    def is_empty(self) -> bool:
        return not (self.active or self.held or self.offered or self.waitlisted)


@lru_cache(maxsize=1)
def _dashboard_statement() -> Select:
    ahead = aliased(Enrollment)
    position = (
        select(func.count(ahead.id) + 1)
        .where(
            ahead.circle_id == Enrollment.circle_id,
            ahead.status == EnrollmentStatus.WAITLISTED,
            or_(
                ahead.waitlisted_at < Enrollment.waitlisted_at,
                and_(ahead.waitlisted_at == Enrollment.waitlisted_at, ahead.id < Enrollment.id),
            ),
        )
        .correlate(Enrollment)
        .scalar_subquery()
    )
    # Columns, not entities: the dashboard shows these, and loading objects cost more.
    return (
        select(Enrollment.id, Enrollment.status, Enrollment.hold_expires_at, Enrollment.offer_expires_at,
               Circle.id.label("circle_id"), Circle.title, Circle.meeting_link, Circle.address,
               _next_meeting(), position)
        .join(Circle, Circle.id == Enrollment.circle_id)
        .where(Enrollment.user_id == bindparam("user_id"),
               Enrollment.status.in_([str(s) for s in LIVE_ENROLLMENT_STATUSES]))
        .order_by(Circle.title)
    )


@lru_cache(maxsize=1)
def _week_statement() -> Select:
    # Each meeting with whether she said she can't come (her excused mark), in the same query.
    said_cant_come = and_(Attendance.meeting_id == Meeting.id, Attendance.user_id == bindparam("user_id"),
                          Attendance.status == AttendanceStatus.EXCUSED)
    return (
        select(Meeting.id, Meeting.starts_at, Circle.id.label("circle_id"), Circle.title, Circle.meeting_link,
               Circle.address, Attendance.id.is_not(None).label("cant_come"))
        .join(Circle, Circle.id == Meeting.circle_id)
        .outerjoin(Attendance, said_cant_come)
        .where(
            Meeting.circle_id.in_(bindparam("circle_ids", expanding=True)),
            Meeting.starts_at > bindparam("now"),
            Meeting.starts_at <= bindparam("week_end"),
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .order_by(Meeting.starts_at)
    )


def member_dashboard(user_id: int, now: datetime) -> Dashboard:
    """Her circles, holds, offers and waitlist places, and the meetings due in the next 7 days.

    Two queries however many circles she has. The meeting link and address are only filled in
    for circles where she is an active member.
    """
    places: dict[str, list[Place]] = {str(s): [] for s in LIVE_ENROLLMENT_STATUSES}
    for (enrollment_id, status, hold_expires_at, offer_expires_at, circle_id, title, meeting_link, address,
         next_at, rank) in read_rows(_dashboard_statement(), {"now": now, "user_id": user_id}):
        active = status == EnrollmentStatus.ACTIVE
        places[status].append(
            Place(
                enrollment_id=enrollment_id,
                circle_id=circle_id,
                title=title,
                status=status,
                next_meeting_at=_aware(next_at),
                hold_expires_at=hold_expires_at,
                offer_expires_at=offer_expires_at,
                waitlist_position=rank if status == EnrollmentStatus.WAITLISTED else None,
                meeting_link=meeting_link if active else None,
                address=address if active else None,
            )
        )
    active_ids = [p.circle_id for p in places[EnrollmentStatus.ACTIVE]]
    this_week: list[DueMeeting] = []
    cant_come: set[int] = set()
    if active_ids:
        meetings = read_rows(
            _week_statement(),
            {"now": now, "week_end": now + timedelta(days=7), "circle_ids": active_ids, "user_id": user_id},
        )
        this_week = [
            DueMeeting(meeting_id=m.id, circle_id=m.circle_id, title=m.title, starts_at=m.starts_at,
                       meeting_link=m.meeting_link, address=m.address)
            for m in meetings
        ]
        cant_come = {m.id for m in meetings if m.cant_come}
    return Dashboard(
        active=places[EnrollmentStatus.ACTIVE],
        held=places[EnrollmentStatus.HELD],
        offered=places[EnrollmentStatus.OFFERED],
        waitlisted=places[EnrollmentStatus.WAITLISTED],
        cant_come=frozenset(cant_come),
        this_week=this_week,
    )


# --- her calendar file ------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarData:
    circle: CircleSchedule
    meetings: list[MeetingTime]
    location: str | None  # only for those who may see the meeting link and address
    filename: str


def calendar_schedule(circle: Circle, page_url: str) -> CircleSchedule:
    """What a calendar file needs of a circle, as plain values."""
    return CircleSchedule(
        id=circle.id, title=circle.title, timezone=circle.timezone, weekday=circle.weekday,
        start_time=circle.start_time, duration_minutes=circle.duration_minutes,
        first_date=circle.first_date, page_url=page_url,
    )


def calendar_location(circle: Circle) -> str | None:
    """The address and meeting link as one LOCATION; pass it only to those who may see them."""
    return "; ".join(p for p in (circle.address, circle.meeting_link) if p) or None


@lru_cache(maxsize=1)
def _calendar_meetings_statement() -> Select:
    return (
        select(Meeting.sequence, Meeting.starts_at, Meeting.ends_at, Meeting.status)
        .where(Meeting.circle_id == bindparam("circle_id"))
        .order_by(Meeting.sequence)
    )


def circle_calendar_data(circle_id: int, viewer_id: int, page_url: str) -> CalendarData:
    """The circle's schedule for the viewer's calendar, as plain values (three queries).

    Only the circle's facilitator and its active or past members get it; the meeting link and
    address only those who may see them on the circle page (active members, the facilitator).
    Raises NotFound for anyone else, as if the circle did not exist.
    """
    # Held here first, so viewer_state finds it in the session instead of loading it again.
    circle = db.session.get(Circle, circle_id)
    state = viewer_state(circle_id, viewer_id)
    if circle is None or not state.may_download_calendar:
        raise NotFound("We could not find that circle.")
    return calendar_data(circle, page_url, with_location=state.can_see_private)


def calendar_data(circle: Circle, page_url: str, *, with_location: bool) -> CalendarData:
    """The circle's schedule as plain values (one query), for a viewer the caller knows may have
    it: `with_location` only for those who may see the meeting link or address."""
    meetings = [
        MeetingTime(sequence=sequence, starts_at=starts_at, ends_at=ends_at,
                    cancelled=status == MeetingStatus.CANCELLED)
        for sequence, starts_at, ends_at, status in db.session.execute(
            _calendar_meetings_statement(), {"circle_id": circle.id}
        )
    ]
    return CalendarData(
        circle=calendar_schedule(circle, page_url),
        meetings=meetings,
        location=calendar_location(circle) if with_location else None,
        filename=calendar_filename(circle.title, circle.id),
    )


# --- the facilitator's remove page ---------------------------------------------------------


def enrollment_in_circle(circle_id: int, enrollment_id: int) -> Enrollment:
    """The enrollment with its member and circle loaded; NotFound unless it belongs to the circle."""
    enrollment = db.session.scalar(
        select(Enrollment)
        .options(joinedload(Enrollment.user).lazyload(User.roles), joinedload(Enrollment.circle))
        .where(Enrollment.id == enrollment_id, Enrollment.circle_id == circle_id)
    )
    if enrollment is None:
        raise NotFound("We could not find that member in this circle.")
    return enrollment
