"""Taking attendance, the roster with its "missed two in a row" flag, and what the pages cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.circles import meetings, service
from mentoring.circles.models import Attendance, Circle, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import post_form
from tests.factories import enroll, login, make_circle, make_user
from tests.querycount import count_queries

MAX_QUERIES_PER_PAGE = 10


def running_circle(facilitator: User, members: list[User], *, weeks_ago: int = 3) -> Circle:
    first = utcnow().date() - timedelta(weeks=weeks_ago, days=1)
    circle = make_circle(facilitator, status="running", first_date=first, capacity=12)
    for member in members:
        enroll(circle, member)
    return circle


def attendance_rows(meeting_id: int) -> dict[int, tuple[str, str | None]]:
    db.session.expire_all()
    return {a.user_id: (a.status, a.note) for a in db.session.execute(
        select(Attendance).where(Attendance.meeting_id == meeting_id)).scalars()}


def test_facilitator_marks_present_absent_and_excused_with_a_note(
    client: FlaskClient, facilitator: User
) -> None:
    ada, bea, cat = (make_user(display_name=n) for n in ("Ada", "Bea", "Cat"))
    circle = running_circle(facilitator, [ada, bea, cat])
    meeting = circle.meetings[0]
    db.session.commit()
    path = f"/facilitate/meetings/{meeting.id}/attendance"
    page = client.get(path).get_data(as_text=True)
    assert "Ada" in page and "Excused" in page
    response = post_form(client, path, {
        f"status-{ada.id}": "present", f"status-{bea.id}": "excused", f"note-{bea.id}": "sick child",
        f"status-{cat.id}": "absent",
    })
    assert response.status_code == 302
    assert attendance_rows(meeting.id) == {
        ada.id: ("present", None), bea.id: ("excused", "sick child"), cat.id: ("absent", None)}
    assert db.session.get(Meeting, meeting.id).status == "held"

    # Marking again updates the same rows rather than adding more.
    post_form(client, path, {f"status-{cat.id}": "excused", f"note-{cat.id}": "work emergency"})
    rows = attendance_rows(meeting.id)
    assert len(rows) == 3 and rows[cat.id] == ("excused", "work emergency")


def test_only_members_of_the_circle_can_be_marked(ctx: None, facilitator: User) -> None:
    member, stranger, waiting = make_user(), make_user(), make_user()
    circle = running_circle(facilitator, [member])
    enroll(circle, waiting, status="waitlisted")
    meeting_id = circle.meetings[0].id
    for outsider in (stranger, waiting):
        with pytest.raises(meetings.NotInCircle):
            meetings.mark_attendance(meeting_id, facilitator.id, {outsider.id: "present"}, now=utcnow())
    with pytest.raises(service.InvalidInput):
        meetings.mark_attendance(meeting_id, facilitator.id, {member.id: "late"}, now=utcnow())
    assert attendance_rows(meeting_id) == {}


def test_a_locked_meeting_passed_in_must_be_the_one_marked(ctx: None, facilitator: User) -> None:
    member = make_user()
    circle = running_circle(facilitator, [member])
    first, second = circle.meetings[:2]
    with pytest.raises(ValueError, match="another one"):
        meetings.mark_attendance(first.id, facilitator.id, {member.id: "present"}, now=utcnow(),
                                 locked=second)
    assert attendance_rows(first.id) == {} and attendance_rows(second.id) == {}
    meetings.mark_attendance(first.id, facilitator.id, {member.id: "present"}, now=utcnow(), locked=first)
    assert attendance_rows(first.id) == {member.id: ("present", None)}


def test_attendance_waits_until_the_meeting_has_started(ctx: None, facilitator: User) -> None:
    member = make_user()
    circle = running_circle(facilitator, [member])
    future = circle.meetings[-1]
    with pytest.raises(meetings.MeetingNotStarted):
        meetings.mark_attendance(future.id, facilitator.id, {member.id: "present"}, now=utcnow())


def test_roster_flags_two_absences_in_a_row_but_never_excused_ones(
    client: FlaskClient, facilitator: User
) -> None:
    quiet = make_user(display_name="Quiet Quinn", email="quinn@private.example")
    sick = make_user(display_name="Excused Eve", email="eve@private.example")
    came_back = make_user(display_name="Back Bella", email="bella@private.example")
    circle = running_circle(facilitator, [quiet, sick, came_back])
    first, second, third = circle.meetings[:3]
    now = utcnow()
    meetings.mark_attendance(first.id, facilitator.id,
                            {quiet.id: "present", sick.id: "excused", came_back.id: "absent"}, now=now)
    meetings.mark_attendance(second.id, facilitator.id,
                            {quiet.id: "absent", sick.id: "excused", came_back.id: "absent"}, now=now)
    meetings.mark_attendance(third.id, facilitator.id,
                            {quiet.id: "absent", sick.id: "excused", came_back.id: "present"},
                            notes={sick.id: "sick child"}, now=now)
    db.session.commit()
    page = client.get(f"/facilitate/circles/{circle.id}").get_data(as_text=True)
    rows = {name: page[page.index(name):page.index("</tr>", page.index(name))]
            for name in ("Quiet Quinn", "Excused Eve", "Back Bella")}
    assert "Missed two in a row" in rows["Quiet Quinn"]
    assert "Missed two in a row" not in rows["Excused Eve"]
    assert "sick child" in rows["Excused Eve"]
    assert "Missed two in a row" not in rows["Back Bella"]
    enrollment_ids = {e.user_id: e.id for e in db.session.execute(
        select(service.Enrollment).where(service.Enrollment.circle_id == circle.id)).scalars()}
    assert f"/circles/{circle.id}/members/{enrollment_ids[quiet.id]}/remove" in rows["Quiet Quinn"]


def test_roster_shows_display_names_and_never_emails(client: FlaskClient, facilitator: User) -> None:
    members = [make_user(display_name=f"Mum {n}", email=f"mum{n}@secret-employer.example") for n in range(4)]
    circle = running_circle(facilitator, members)
    db.session.commit()
    for path in (f"/facilitate/circles/{circle.id}", "/facilitate/",
                 f"/facilitate/meetings/{circle.meetings[0].id}/attendance"):
        page = client.get(path).get_data(as_text=True)
        assert "@" not in page.replace("@demo", ""), path
        assert "secret-employer" not in page
    page = client.get(f"/facilitate/circles/{circle.id}").get_data(as_text=True)
    assert all(f"Mum {n}" in page for n in range(4))


def test_dashboard_lists_her_circles_with_seats_waitlist_and_upcoming_meetings_in_her_zone(
    client: FlaskClient, ctx: None
) -> None:
    fac = make_user(timezone="America/Los_Angeles", roles=(Role.FACILITATOR,))
    circle = make_circle(fac, title="Leaders who are mothers", capacity=6, timezone="Europe/London")
    for _ in range(2):
        enroll(circle, make_user())
    for _ in range(3):
        enroll(circle, make_user(), status="waitlisted")
    make_circle(title="Not hers")
    make_circle(fac, title="Draft for spring", status="draft")
    db.session.commit()
    login(client, fac)
    page = client.get("/facilitate/").get_data(as_text=True)
    assert "Leaders who are mothers" in page and "Not hers" not in page
    upcoming = page[page.index("Coming up"):page.index("circles-heading")]
    assert "Leaders who are mothers" in upcoming and "Draft for spring" not in upcoming
    assert "meeting 1 of 8" in " ".join(upcoming.split())
    assert f'href="/facilitate/circles/{circle.id}"' in upcoming
    assert "Draft for spring" in page
    assert "2 / 6" in page
    assert "<td>3</td>" in page
    assert "PST" in page or "PDT" in page


def _populate(facilitator: User, circles: int, members_each: int) -> list[Circle]:
    made = []
    for _ in range(circles):
        members = [make_user() for _ in range(members_each)]
        circle = running_circle(facilitator, members)
        for _ in range(2):
            enroll(circle, make_user(), status="waitlisted")
        for meeting in circle.meetings[:3]:
            meetings.mark_attendance(meeting.id, facilitator.id, {m.id: "present" for m in members},
                                    now=utcnow())
        made.append(circle)
    db.session.commit()
    return made


def _queries_for(client: FlaskClient, path: str) -> int:
    """Statements for one page load in its own app context (fresh session and `g`), like a real request."""
    with current_app.app_context(), count_queries() as log:
        response = client.get(path)
    assert response.status_code == 200
    return log.count


def test_dashboard_query_count_does_not_grow_with_circles(client: FlaskClient, facilitator: User) -> None:
    _populate(facilitator, circles=1, members_each=2)
    small = _queries_for(client, "/facilitate/")
    _populate(facilitator, circles=5, members_each=6)
    large = _queries_for(client, "/facilitate/")
    assert small == large
    assert large <= MAX_QUERIES_PER_PAGE


def test_circle_page_query_count_does_not_grow_with_members(client: FlaskClient, facilitator: User) -> None:
    [small_circle] = _populate(facilitator, circles=1, members_each=2)
    [large_circle] = _populate(facilitator, circles=1, members_each=10)
    small_path = f"/facilitate/circles/{small_circle.id}"
    large_path = f"/facilitate/circles/{large_circle.id}"
    small = _queries_for(client, small_path)
    large = _queries_for(client, large_path)
    assert small == large
    assert large <= MAX_QUERIES_PER_PAGE


@pytest.mark.parametrize("page", ["attendance", "agenda", "move", "cancel", "skip"])
def test_meeting_pages_query_count_does_not_grow_with_members(
    client: FlaskClient, facilitator: User, page: str
) -> None:
    [small_circle] = _populate(facilitator, circles=1, members_each=2)
    [large_circle] = _populate(facilitator, circles=1, members_each=10)
    index = 0 if page == "attendance" else -1
    small_path = f"/facilitate/meetings/{small_circle.meetings[index].id}/{page}"
    large_path = f"/facilitate/meetings/{large_circle.meetings[index].id}/{page}"
    small = _queries_for(client, small_path)
    large = _queries_for(client, large_path)
    assert small == large
    assert large <= MAX_QUERIES_PER_PAGE


def test_form_pages_stay_within_the_query_budget(client: FlaskClient, facilitator: User) -> None:
    [circle] = _populate(facilitator, circles=1, members_each=10)
    paths = ["/facilitate/circles/new", f"/facilitate/circles/{circle.id}/edit",
             f"/facilitate/circles/{circle.id}/cancel"]
    for path in paths:
        assert _queries_for(client, path) <= MAX_QUERIES_PER_PAGE, path
