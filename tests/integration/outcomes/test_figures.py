"""Outcome figures over members, through HTTP: the admin's programme page and the facilitator's
circle figure show a share only from 5 members, and only once the circle's end ratings closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from mentoring.accounts.models import Role
from mentoring.extensions import db
from mentoring.outcomes.jobs import close_outcome_terms
from mentoring.outcomes.models import OutcomeMeasure, OutcomeTerm
from tests.factories import enroll, login, make_circle, make_user

# Two circles that began in the first quarter of 2026 (four Monday meetings each); their last
# meetings end on 23 March, and their end ratings close 30 days later.
CLOSED = datetime(2026, 4, 23, 12, 0, tzinfo=UTC)
ADMIN_NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
RATED_AT_END = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


def circle_with(n: int, fell: int, *, title: str, first: date = date(2026, 3, 2)):  # noqa: ANN201
    circle = make_circle(
        title=title, status="completed", first_date=first, start_time=time(12, 0), meeting_count=4
    )
    for k in range(n):
        member = make_user()
        enroll(circle, member, status="completed")
        start = 6
        db.session.add_all(
            [
                OutcomeMeasure(
                    user_id=member.id,
                    circle_id=circle.id,
                    phase="start",
                    isolation=start,
                    confidence=3,
                    balance=3,
                    stress=5,
                    created_at=datetime(2026, 1, 5, tzinfo=UTC),
                ),
                OutcomeMeasure(
                    user_id=member.id,
                    circle_id=circle.id,
                    phase="end",
                    isolation=start - 2 if k < fell else start,
                    confidence=4,
                    balance=4,
                    stress=4,
                    created_at=RATED_AT_END,
                ),
            ]
        )
    db.session.flush()
    return circle


@pytest.fixture
def admin(ctx: None):  # noqa: ANN201
    return make_user(roles=(Role.ADMIN,))


def close_terms_at(at: datetime) -> None:
    """The scheduler's hourly run at `at`: terms closed by then get their figures written."""
    close_outcome_terms(at)
    db.session.commit()


def programme(client: FlaskClient, admin, at: datetime = ADMIN_NOW) -> str:  # noqa: ANN001
    close_terms_at(at)
    with time_machine.travel(at, tick=False):
        login(client, admin)
        response = client.get("/outcomes/programme")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_programme_page_shows_the_share_whose_isolation_fell_by_term_with_its_count(
    client: FlaskClient, admin
) -> None:  # noqa: ANN001
    circle_with(4, 3, title="A")
    circle_with(3, 1, title="B")
    db.session.commit()
    page = programme(client, admin)
    assert "2026-Q1" in page and "57% (4 of 7)" in page
    assert "<svg" in page and "2026-Q1: 57" in page


def test_a_term_resting_on_fewer_than_five_reads_fewer_than_five_and_stays_out_of_the_total(
    client: FlaskClient, admin
) -> None:  # noqa: ANN001
    circle_with(7, 3, title="Spring", first=date(2026, 3, 2))
    circle_with(6, 6, title="Autumn", first=date(2025, 11, 3))
    circle_with(2, 2, title="Summer", first=date(2025, 8, 4))
    db.session.commit()
    page = programme(client, admin)
    assert "43% (3 of 7)" in page  # 2026-Q1
    assert "100% (6 of 6)" in page  # 2025-Q4
    # 2025-Q3 rests on two members: hidden, and the total adds up only the terms shown, so
    # the total minus the rows shown is nobody.
    assert page.count('class="muted">fewer than 5</td>') == 1
    assert "(2 of 2)" not in page
    assert "69% (9 of 13)" in page


def test_nothing_counts_before_the_end_ratings_close(client: FlaskClient, admin) -> None:  # noqa: ANN001
    circle_with(6, 6, title="A")
    db.session.commit()
    assert "No circle has closed its end ratings yet" in programme(client, admin, CLOSED - timedelta(days=1))
    assert "100% (6 of 6)" in programme(client, admin, CLOSED + timedelta(days=1))


def test_only_an_admin_opens_the_programme_page(client: FlaskClient, ctx: None) -> None:
    with time_machine.travel(ADMIN_NOW, tick=False):
        login(client, make_user(roles=(Role.FACILITATOR,)))
        assert client.get("/outcomes/programme").status_code == 403


@pytest.mark.parametrize(("members", "shown"), [(4, False), (5, True)])
def test_the_facilitator_sees_her_circles_outcome_only_from_five_members(
    client: FlaskClient, ctx: None, members: int, shown: bool
) -> None:
    circle = circle_with(members, 2, title="Mine")
    db.session.commit()
    with time_machine.travel(ADMIN_NOW, tick=False):
        login(client, circle.facilitator)
        page = client.get(f"/outcomes/circles/{circle.id}/pulse").get_data(as_text=True)
    assert (f"(2 of {members})" in page) is shown
    assert ("Not shown: fewer than 5 members" in page) is not shown


def sponsor_page(client: FlaskClient, employees: int, *, late: int = 0) -> str:
    """A closed circle whose `employees` members are linked to the employer before their end
    rating (and `late` more who linked only afterwards); the sponsor admin's report."""
    from mentoring.accounts.models import RoleAssignment
    from mentoring.sponsors.models import EmployeeLink, Organization

    org = Organization(name="Northwind", billing_email="ap@northwind.example")
    db.session.add(org)
    db.session.flush()
    hr = make_user()
    db.session.add(RoleAssignment(user_id=hr.id, role="sponsor_admin", organization_id=org.id))
    circle = circle_with(employees + late, 2, title="Sponsored")
    members = [e.user_id for e in circle_members(circle.id)]
    for n, user_id in enumerate(members):
        linked = datetime(2026, 1, 5, tzinfo=UTC) if n < employees else ADMIN_NOW - timedelta(days=1)
        db.session.add(
            EmployeeLink(user_id=user_id, organization_id=org.id, method="invite_code", linked_at=linked)
        )
    db.session.commit()
    close_terms_at(ADMIN_NOW)
    with time_machine.travel(ADMIN_NOW, tick=False):
        login(client, hr)
        response = client.get(f"/sponsors/{org.id}/")
        csv = client.get(f"/sponsors/{org.id}/report.csv").get_data(as_text=True)
    assert response.status_code == 200
    # The CSV export carries the same outcome figures, suppressed alike.
    return response.get_data(as_text=True).split("Is it helping?")[1] + "\n" + csv


def circle_members(circle_id: int):  # noqa: ANN201
    from mentoring.circles.models import Enrollment

    return db.session.scalars(
        select(Enrollment).where(Enrollment.circle_id == circle_id).order_by(Enrollment.id)
    )


def test_the_sponsor_report_shows_the_employees_share_only_from_five(client: FlaskClient, ctx: None) -> None:
    section = sponsor_page(client, 5, late=2)
    # Two members linked only after their end rating: not counted.
    assert "40% (2 of 5)" in section and "of 7)" not in section
    assert "outcomes,all terms,employees who rated,5" in section
    assert "outcomes,all terms,isolation fell (share),40%" in section


def test_the_sponsor_report_hides_a_share_resting_on_four(client: FlaskClient, ctx: None) -> None:
    section = sponsor_page(client, 4)
    assert "(2 of 4)" not in section and "fewer than 5" in section
    assert "employees who rated,4" not in section and "isolation fell,2" not in section


def test_a_term_waits_until_every_circle_of_it_has_closed(client: FlaskClient, admin) -> None:  # noqa: ANN001
    circle_with(6, 3, title="Closed")
    make_circle(title="Still running", status="running", first_date=date(2026, 3, 30), meeting_count=4)
    db.session.commit()
    assert "No circle has closed its end ratings yet" in programme(client, admin)
    assert "50% (3 of 6)" in programme(client, admin, datetime(2026, 5, 25, tzinfo=UTC))


def test_a_closed_terms_figures_never_change_afterwards(client: FlaskClient, admin) -> None:  # noqa: ANN001
    circle = circle_with(6, 3, title="Closed")
    db.session.commit()
    assert "50% (3 of 6)" in programme(client, admin)
    # One member deletes her ratings (as deleting her account does): the term stays as it was shown.
    gone = db.session.scalars(
        select(OutcomeMeasure.user_id).where(OutcomeMeasure.circle_id == circle.id)).first()
    db.session.execute(delete(OutcomeMeasure).where(OutcomeMeasure.user_id == gone))
    db.session.commit()
    assert "50% (3 of 6)" in programme(client, admin, ADMIN_NOW + timedelta(days=40))


def test_closing_the_terms_twice_writes_each_term_once(ctx: None) -> None:
    circle_with(6, 3, title="Closed")
    db.session.commit()
    assert close_outcome_terms(ADMIN_NOW) == 1
    assert close_outcome_terms(ADMIN_NOW + timedelta(hours=1)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutcomeTerm)) == 1
