"""The sponsor report: monthly figures from 5 people up, "fewer than 5" below, live seat counts in
bands, nothing that names anyone, the same figures in the CSV, and the employee's own view of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from mentoring.circles.models import Attendance
from mentoring.extensions import db
from mentoring.sponsors.claims import claim_sponsored_seat
from mentoring.sponsors.eligibility import unlink
from mentoring.sponsors.jobs import close_report_months
from mentoring.sponsors.reports import report_csv_rows, sponsor_report
from tests.factories import login, make_circle, make_user
from tests.helpers import audit_actions
from tests.integration.sponsors.conftest import link_employee, make_org, make_pool, make_sponsor_admin, mark

# Two closed months: October's circle has 6 employees, November's has 3.
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def northwind(ctx: None):  # noqa: ANN201
    org = make_org()
    make_pool(org, seats=20, cap_cents=2000, now=datetime(2026, 9, 20, tzinfo=UTC), valid_days=365)
    october = make_circle(
        title="Grief and loss",
        theme="grief",
        first_date=date(2026, 10, 5),
        meeting_count=4,
        price_mode="fixed",
        price_cents=1500,
        currency="USD",
    )
    november = make_circle(
        title="Burnout at work",
        first_date=date(2026, 11, 2),
        meeting_count=4,
        price_mode="fixed",
        price_cents=1500,
        currency="USD",
    )
    joined = datetime(2026, 9, 25, tzinfo=UTC)
    big, small = [], []
    for i in range(6):
        employee = link_employee(
            org,
            make_user(display_name=f"Anya {i}", email=f"anya{i}@mail.example"),
            linked_at=joined - timedelta(days=1),
        )
        claim_sponsored_seat(october.id, employee.id, agreed=True, now=joined)
        for sequence in (1, 2, 3, 4):
            mark(october, employee, sequence, "present" if sequence != 4 or i else "absent")
        big.append(employee)
    for i in range(3):
        employee = link_employee(
            org,
            make_user(display_name=f"Bea {i}", email=f"bea{i}@mail.example"),
            linked_at=joined - timedelta(days=1),
        )
        claim_sponsored_seat(november.id, employee.id, agreed=True, now=joined)
        mark(november, employee, 1)
        small.append(employee)
    hr = make_sponsor_admin(org)
    close_report_months(NOW)  # the scheduler's hourly job
    db.session.commit()
    return org, hr, big, small


def test_a_month_of_six_shows_figures_and_a_month_of_three_reads_fewer_than_five(northwind) -> None:  # noqa: ANN001
    org, _, _, _ = northwind
    report = sponsor_report(org.id, NOW)
    months = {line.cell.key: line for line in report.months}
    assert (months["2026-10"].cell.people, months["2026-10"].attended, months["2026-10"].rate) == (6, 23, 96)
    assert months["2026-11"].cell.suppressed
    assert months["2026-09"].cell.suppressed  # nobody took part: nothing to show either
    assert report.months_total.cell.people == 6 and report.months_total.attended == 23
    # 9 seats claimed: a live count under 10 reads "too few to show", and so do the free seats.
    assert report.seats_claimed.hidden and report.seats_free is None
    assert report.current_month == "2026-12"


def test_nothing_done_after_a_month_is_closed_changes_it(northwind) -> None:  # noqa: ANN001
    """Unlinking, a late attendance mark, or the job running again: a reported month stays."""
    org, _, big, _ = northwind
    before = sponsor_report(org.id, NOW)
    unlink(big[0].id, now=NOW)
    db.session.execute(update(Attendance).where(Attendance.user_id.in_([u.id for u in big]))
                       .values(status="absent"))
    assert close_report_months(NOW) == 0
    assert sponsor_report(org.id, NOW).months == before.months


def test_the_job_closes_each_month_once_as_it_ends(northwind) -> None:  # noqa: ANN001
    org, _, _, _ = northwind
    assert close_report_months(NOW) == 0
    assert [line.cell.key for line in sponsor_report(org.id, NOW).months][-1] == "2026-11"
    next_month = NOW + timedelta(days=31)
    assert close_report_months(next_month) == 1
    assert [line.cell.key for line in sponsor_report(org.id, next_month).months][-1] == "2026-12"


def test_a_month_not_yet_closed_is_not_shown(ctx: None) -> None:
    org = make_org()
    make_pool(org, now=datetime(2026, 9, 20, tzinfo=UTC))
    db.session.commit()
    assert sponsor_report(org.id, NOW).months == ()


def test_no_page_or_csv_names_an_employee_or_her_circle(client: FlaskClient, northwind, monkeypatch) -> None:  # noqa: ANN001
    org, hr, big, small = northwind
    monkeypatch.setattr("mentoring.sponsors.views.utcnow", lambda: NOW)
    login(client, hr)
    dashboard = client.get(f"/sponsors/{org.id}/").get_data(as_text=True)
    csv = client.get(f"/sponsors/{org.id}/report.csv").get_data(as_text=True)
    pool_page = client.get(f"/sponsors/{org.id}/pools/1").get_data(as_text=True)
    assert "fewer than 5" in dashboard and "fewer than 5" in csv
    assert "activity,2026-10,employees taking part,6" in csv
    for text in (dashboard, csv, pool_page):
        for person in (*big, *small):
            assert person.display_name not in text and person.email not in text
        for secret in ("Grief and loss", "Burnout at work", "grief"):
            assert secret not in text
    assert "sponsor.report_exported" in audit_actions()


def test_what_my_employer_sees_explains_her_own_part(client: FlaskClient, northwind, monkeypatch) -> None:  # noqa: ANN001
    _, _, big, small = northwind
    monkeypatch.setattr("mentoring.sponsors.employee_views.utcnow", lambda: NOW)
    login(client, small[0])
    page = client.get("/sponsors/employer/report").get_data(as_text=True)
    assert "Your attendance is counted in the months 2026-11" in page
    assert "rested on fewer than 5 people" in page
    assert "The report, exactly as Northwind sees it" in page
    login(client, big[0])
    page = client.get("/sponsors/employer/report").get_data(as_text=True)
    assert "In 2026-10 at least 5 people took part" in page


def test_someone_not_linked_is_told_nothing_reaches_an_employer(client: FlaskClient, ctx: None) -> None:
    member = make_user()
    db.session.commit()
    login(client, member)
    assert "nothing about you reaches" in client.get("/sponsors/employer/report").get_data(as_text=True)


def test_members_and_facilitators_reach_no_sponsor_page(client: FlaskClient, northwind) -> None:  # noqa: ANN001
    org, _, big, _ = northwind
    login(client, big[0])
    for path in (f"/sponsors/{org.id}/", f"/sponsors/{org.id}/report.csv", "/sponsors/"):
        assert client.get(path).status_code in (403, 404), path


def _seat_rows(org_id: int, now: datetime) -> list[list[str]]:
    return [row for row in report_csv_rows(sponsor_report(org_id, now)) if row[0] in ("seats", "pool")]


def test_two_reports_around_one_person_joining_reveal_no_count_under_five(ctx: None) -> None:
    """The differencing case: "fewer than 5" claimed, then 5 after one more employee joined,
    showed it had been 4. Now neither report shows a count until it rests on more people."""
    now = datetime.now(UTC)
    org = make_org()
    make_pool(org, seats=20, now=now)
    circles = [make_circle(first_date=(now + timedelta(days=10)).date(), capacity=12) for _ in range(2)]
    employees = [link_employee(org, make_user(email=f"e{i}@mail.example")) for i in range(12)]
    reports = []
    for i, employee in enumerate(employees):
        claim_sponsored_seat(circles[i % 2].id, employee.id, agreed=True, now=now)
        db.session.flush()
        reports.append(_seat_rows(org.id, now))
    # Four, then five, six, ... nine, ten seats: the same report throughout.
    assert all(rows == reports[3] for rows in reports[3:9])
    assert ["seats", "all active pools", "claimed", "too few to show"] in reports[4]
    # The first band appears from 10 seats held by more than 5 people, with the free seats it leaves.
    assert ["seats", "all active pools", "claimed", "10–14"] in reports[9]
    assert ["seats", "all active pools", "free", "6–10"] in reports[9]
    assert reports[10] == reports[9] == reports[11]
