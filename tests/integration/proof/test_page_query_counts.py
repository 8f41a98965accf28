"""Every key page sends a few queries, and the same number however much data there is.

The circle list, the filtered list, the circle page and her dashboard are counted in
tests/integration/circles/test_query_counts.py; here are the rest of the pages `make bench`
times: "fits my week", the facilitator's dashboard, her goals, the care view, the pulse page,
the sponsor dashboard and the programme page; and the pages `make loadtest` drives besides,
her check-in page and the attendance sheet. Each is counted with a little data, then again
after ten times as much was added.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient

from mentoring.accounts.models import Role, User
from mentoring.availability.models import AvailabilityWindow
from mentoring.availability.windows import PRESETS
from mentoring.circles.models import Attendance
from mentoring.extensions import db
from mentoring.growth.models import Goal
from mentoring.outcomes.jobs import close_outcome_terms
from mentoring.outcomes.models import PulseResponse
from mentoring.sponsors.models import SeatClaim
from mentoring.sponsors.reports import close_months
from tests.factories import enroll, login, make_circle, make_user
from tests.integration.circles.test_query_counts import queries_for
from tests.integration.growth.helpers import NOW, check_in, goal, meeting, member_of, running_circle
from tests.integration.outcomes.test_figures import ADMIN_NOW, circle_with
from tests.integration.sponsors.conftest import link_employee, make_org, make_pool, make_sponsor_admin

LIMIT = 10
SMALL, LARGE = 2, 20


def assert_flat(app: Flask, client: FlaskClient, viewer: User, path: str, grow: Callable[[int], None],
                at: datetime = NOW, limit: int = LIMIT) -> None:
    """For `viewer` at `at`, `path` sends at most `limit` queries, and as many after `grow(LARGE)`
    as after `grow(SMALL)`."""
    counts = []
    for size in (SMALL, LARGE):
        grow(size)
        db.session.commit()
        with time_machine.travel(at, tick=False):
            login(client, viewer)
            counts.append(queries_for(app, client, path))
    assert counts[0] <= limit, counts
    assert counts[0] == counts[1], counts


def test_fits_my_week_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    member = make_user()
    for window in (*PRESETS["after_bedtime"].windows, *PRESETS["default_blocks"].windows):
        db.session.add(AvailabilityWindow(
            user_id=member.id, weekday=window.weekday, start_minute=window.start, end_minute=window.end,
            kind=window.kind, hard=window.hard, label=window.label))
    facilitator = make_user(roles=(Role.FACILITATOR,))

    def grow(n: int) -> None:
        for _ in range(n):
            enroll(make_circle(facilitator, capacity=4), make_user())

    assert_flat(app, client, member, "/circles/?fits_my_week=y", grow, at=datetime.now(UTC))


def test_the_facilitator_dashboard_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))

    def grow(n: int) -> None:
        for k in range(n):
            circle = running_circle(facilitator, capacity=4)
            for _ in range(3):
                check_in(member_of(circle), circle, 1, needs_support=k % 2 == 0)
            enroll(circle, make_user(), status="waitlisted")
            make_circle(facilitator, status="completed", first_date=date(2024, 1, 1) + timedelta(weeks=k))

    assert_flat(app, client, facilitator, "/facilitate/", grow)


def test_her_goals_page_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    member = make_user()

    def grow(n: int) -> None:
        db.session.add_all(
            Goal(user_id=member.id, title=f"Goal {k}", status="active" if k % 3 else "achieved")
            for k in range(n))

    assert_flat(app, client, member, "/growth/goals", grow)


def test_the_care_view_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    circle = running_circle(capacity=12)

    def grow(n: int) -> None:  # a circle holds at most 12: 1, then 11 members
        for k in range(n // 2):
            member = member_of(circle)
            check_in(member, circle, 1, needs_support=k % 4 == 0)
            check_in(member, circle, 2)

    assert_flat(app, client, circle.facilitator, f"/growth/care/{circle.id}", grow)


def test_the_pulse_page_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    circle = running_circle(capacity=12)
    held = [m for m in circle.meetings if m.starts_at < NOW]

    def grow(n: int) -> None:  # a circle holds at most 12: 1, then 11 members
        for k in range(n // 2):
            member = member_of(circle)
            db.session.add_all(
                PulseResponse(meeting_id=m.id, circle_id=circle.id, user_id=member.id, felt_heard=4,
                              connected=3, learned=5, note_to_facilitator="Thank you." if k % 5 == 0 else "")
                for m in held
            )

    assert held
    assert_flat(app, client, circle.facilitator, f"/outcomes/circles/{circle.id}/pulse", grow)


def test_the_sponsor_dashboard_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    org = make_org()
    hr = make_sponsor_admin(org)
    pool = make_pool(org, seats=100)
    def grow(n: int) -> None:  # employees in circles of six
        for k in range(n):
            if k % 6 == 0:
                circle = make_circle(capacity=6)
            employee = link_employee(org)
            place = enroll(circle, employee)
            db.session.add(SeatClaim(pool_id=pool.id, enrollment_id=place.id, membership_number=1,
                                     user_id=employee.id))
            pool.seats_claimed += 1
        close_months(org.id, datetime.now(UTC))

    assert_flat(app, client, hr, f"/sponsors/{org.id}/", grow, at=datetime.now(UTC))


def test_the_programme_page_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):  # a circle of five in each of the terms before ADMIN_NOW's
            quarter = made[0]
            made[0] += 1
            first = date(2025 - quarter // 4, 10 - 3 * (quarter % 4), 6)
            circle_with(5, 2, title=f"Circle {quarter}", first=first)
        close_outcome_terms(ADMIN_NOW)

    assert_flat(app, client, admin, "/outcomes/programme", grow, at=ADMIN_NOW)


def test_her_check_in_page_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    # Her session, then the circle with her membership and her buddy, the meetings with her
    # excused marks, her check-ins and her goals: five.
    circle = running_circle(capacity=12)
    member = member_of(circle)
    check_in(member, circle, 1)
    db.session.add(Attendance(meeting_id=meeting(circle, 2).id, user_id=member.id, status="excused"))
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            goal(member, circle if made[0] % 2 else None, f"Goal {made[0]}")
        for k in range(n // 4):  # a circle holds at most 12
            check_in(member_of(circle), circle, 1 + k % 3)

    assert_flat(app, client, member, f"/growth/circles/{circle.id}/check-in", grow, limit=5)


def test_the_attendance_sheet_keeps_its_query_count(app: Flask, client: FlaskClient, ctx: None) -> None:
    # Her session, the meeting with its circle, the sheet, who said she can't come: four.
    circle = running_circle(capacity=12)
    held = meeting(circle, 3)

    def grow(n: int) -> None:  # a circle holds at most 12: 1, then 10 members
        for k in range(n // 2):
            member = member_of(circle)
            db.session.add(Attendance(meeting_id=held.id, user_id=member.id,
                                      status=("present", "absent", "excused")[k % 3]))

    assert_flat(app, client, circle.facilitator, f"/facilitate/meetings/{held.id}/attendance", grow, limit=4)
