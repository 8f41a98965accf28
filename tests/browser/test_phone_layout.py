"""At a phone's width (390 px): no page scrolls sideways, and every control is big enough to tap.

WCAG 2.2 (2.5.8) asks for targets of at least 24 x 24 CSS px; the main actions (buttons) get
44 px, the size phone platforms recommend. Links inside running text are exempt, as in WCAG.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.circles.agreement import version_to_accept
from mentoring.circles.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import PASSWORD, enroll, make_circle, make_user

PHONE_WIDTH = 390
TARGET = 24
MAIN_ACTION = 44

# Controls that must be tappable: navigation, links standing on their own, form controls.
# Links inside a sentence (p a, li a within text, dd a) are the WCAG inline exception.
CONTROLS = """
  header nav a, header nav button, nav[aria-label] a, .actions a, td a, .pagination a, .roster a,
  input[type=checkbox], input[type=radio], select, input[type=text], input[type=email],
  input[type=password], input[type=search], input[type=date], input[type=time], input[type=url],
  input[type=number], textarea, button, .button, summary
"""

MEASURE = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.offsetParent !== null)
  .map((el) => {
    const r = el.getBoundingClientRect();
    const main = el.matches("button, .button") && !el.matches(".link-button");
    return {what: el.outerHTML.slice(0, 90), w: Math.round(r.width * 10) / 10,
            h: Math.round(r.height * 10) / 10, main};
  })"""


@pytest.fixture
def circle_with_attendance(app: Flask) -> dict[str, Any]:
    """A running circle of eight members that has held six meetings, attendance taken."""
    with app.app_context():
        facilitator = make_user("fac@example.com", display_name="Joanne E.", roles=(Role.FACILITATOR,),
                                timezone="America/New_York")
        admin = make_user("admin@example.com", display_name="Hearth team", roles=(Role.ADMIN,))
        circle = make_circle(facilitator, title="Back to work, gently", capacity=8, status="running",
                             first_date=utcnow().date() - timedelta(weeks=6, days=1),
                             meeting_link="https://meet.example.org/a-very-long-meeting-room-name-0123456789")
        members = [make_user(f"m{n}@example.com", display_name=f"Member with a longer name {n}")
                   for n in range(8)]
        for member in members:
            enroll(circle, member)
        # The facilitator has since changed the agreement: members are asked to accept it again.
        circle.agreement_text = "What is said here stays here. No recordings."
        version_to_accept(circle.id)
        meetings = db.session.scalars(select(Meeting).where(Meeting.circle_id == circle.id)
                                      .order_by(Meeting.sequence)).all()
        statuses = list(AttendanceStatus)
        for meeting in meetings:
            if meeting.starts_at > utcnow():
                continue
            meeting.status = MeetingStatus.HELD
            for n, member in enumerate(members):
                db.session.add(Attendance(meeting_id=meeting.id, user_id=member.id,
                                          status=statuses[(n + meeting.sequence) % 3],
                                          note="sick child" if n == 1 else None))
        db.session.commit()
        return {"circle": circle.id, "facilitator": facilitator.email, "member": members[0].email,
                "admin": admin.email}


def _log_in(page: Any, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _fits(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""(limit) => [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > limit
                      && !(el.parentElement && el.parentElement.getBoundingClientRect().right > limit))
      .map((el) => el.outerHTML.slice(0, 100) + ' ' + Math.round(el.getBoundingClientRect().right))""",
                         PHONE_WIDTH)
    assert width <= PHONE_WIDTH, f"{path} is {width}px wide on a {PHONE_WIDTH}px screen: {wide}"


def _small_targets(page: Any, path: str) -> list[str]:
    page.goto(path)
    small = []
    for c in page.evaluate(MEASURE, CONTROLS):
        need = MAIN_ACTION if c["main"] else TARGET
        if c["h"] < need or c["w"] < TARGET:
            small.append(f'{c["w"]}x{c["h"]} (needs {need}) {c["what"]}')
    return small


def test_the_facilitators_circle_page_fits_a_phone_once_attendance_exists(
        page: Any, circle_with_attendance: dict[str, Any]) -> None:
    _log_in(page, circle_with_attendance["facilitator"])
    _fits(page, f"/facilitate/circles/{circle_with_attendance['circle']}")
    remove = page.get_by_role("link", name="Remove Member with a longer name 0").first
    box = remove.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    assert "Not yet accepted the changed agreement" in page.inner_text("main")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_member_asked_to_accept_the_changed_agreement_can_do_it_on_a_phone(
        page: Any, circle_with_attendance: dict[str, Any]) -> None:
    _log_in(page, circle_with_attendance["member"])
    _fits(page, f"/circles/{circle_with_attendance['circle']}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_label("I agree to keep what is shared in this circle confidential").check()
    page.get_by_role("button", name="Accept the agreement").click()
    page.wait_for_load_state()
    assert "Thank you for accepting the circle's agreement." in page.inner_text("main")
    assert "Please accept the changed agreement" not in page.inner_text("main")


def test_every_control_is_big_enough_to_tap_on_a_phone(page: Any,
                                                       circle_with_attendance: dict[str, Any]) -> None:
    circle = circle_with_attendance["circle"]
    small = _small_targets(page, "/circles/") + _small_targets(page, "/account/signup")
    _log_in(page, circle_with_attendance["facilitator"])
    for path in ("/facilitate/", f"/facilitate/circles/{circle}", "/facilitate/circles/new",
                 f"/circles/{circle}", "/account/settings"):
        small += _small_targets(page, path)
    page.context.clear_cookies()
    _log_in(page, circle_with_attendance["admin"])
    small += _small_targets(page, "/admin/")
    assert not small, "too small to tap:\n" + "\n".join(small)


def test_a_visitor_sees_times_in_her_browsers_timezone(browser: Any, live_server: str,
                                                       circle_with_attendance: dict[str, Any]) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": PHONE_WIDTH, "height": 844},
                                  timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        # The first visit tells the server her zone and reloads once; no second visit is needed.
        page.goto(f"/circles/{circle_with_attendance['circle']}")
        page.locator("footer", has_text="Times are shown in Tokyo time (Asia/Tokyo)").wait_for()
        assert " JST" in page.inner_text("main")
    finally:
        context.close()
