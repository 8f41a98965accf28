"""\"I can't come this week\": pre-filled excused, undo until the start, the facilitator told."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.circles.meetings import mark_attendance
from mentoring.circles.models import Attendance, Meeting
from mentoring.circles.roster import circle_roster
from mentoring.conversations import absences
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import post_form
from tests.factories import enroll, login, make_user
from tests.helpers import count, get_page, page_text
from tests.integration.conversations.helpers import circle_with_members


def _first_meeting(circle) -> Meeting:  # noqa: ANN001
    return db.session.execute(
        select(Meeting).where(Meeting.circle_id == circle.id).order_by(Meeting.sequence)
    ).scalars().first()


def _mark(meeting_id: int, user_id: int) -> Attendance | None:
    db.session.expire_all()
    return db.session.execute(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.user_id == user_id)
    ).scalar_one_or_none()


def _short_warnings() -> int:
    return count(Notification, Notification.dedup_key.like("meeting-short:%"))


def test_she_says_she_cant_come_from_her_dashboard_and_is_pre_filled_as_excused(
    client: FlaskClient, ctx: None
) -> None:
    setup = circle_with_members(first_date=utcnow().date() + timedelta(days=2))
    mira = setup.members[0]
    meeting = _first_meeting(setup.circle)
    login(client, mira)

    dashboard = get_page(client, "/circles/mine")
    form_path = f"/talk/meetings/{meeting.id}/cant-come?back=dashboard"
    assert form_path.replace("&", "&amp;") in dashboard
    response = post_form(client, form_path, {"reason": "sick_child", "own_words": "", "back": "dashboard"},
                         action=f"/talk/meetings/{meeting.id}/cant-come")
    assert response.status_code == 302 and response.headers["Location"].endswith("/circles/mine")

    mark = _mark(meeting.id, mira.id)
    assert mark is not None and mark.status == "excused" and mark.note == "Sick child"
    assert "You can't come: excused" in page_text(client.get("/circles/mine"))
    circle_page = page_text(client.get(f"/circles/{setup.circle.id}"))
    assert circle_page.count("You can't come: excused") == 1
    assert f"/talk/meetings/{meeting.id}/can-come" in circle_page


def test_her_own_words_are_the_reason_and_only_the_facilitator_reads_them(
    client: FlaskClient, new_client, ctx: None  # noqa: ANN001
) -> None:
    setup = circle_with_members(first_date=utcnow().date() + timedelta(days=2))
    mira, other = setup.members[0], setup.members[1]
    meeting = _first_meeting(setup.circle)
    login(client, mira)
    post_form(client, f"/talk/meetings/{meeting.id}/cant-come",
              {"reason": "", "own_words": "Twins have chickenpox"})

    facilitator = new_client()
    login(facilitator, setup.facilitator)
    assert "Twins have chickenpox" in page_text(facilitator.get("/facilitate/"))
    attendance = facilitator.get(f"/facilitate/meetings/{meeting.id}/attendance")
    assert "Twins have chickenpox" in page_text(attendance)
    assert "Twins have chickenpox" in page_text(facilitator.get(f"/circles/{setup.circle.id}"))
    member = new_client()
    login(member, other)
    assert "Twins have chickenpox" not in page_text(member.get(f"/circles/{setup.circle.id}"))


def test_a_reason_over_120_characters_is_refused_next_to_the_field_and_nothing_changes(
    client: FlaskClient, ctx: None
) -> None:
    setup = circle_with_members(first_date=utcnow().date() + timedelta(days=2))
    meeting = _first_meeting(setup.circle)
    login(client, setup.members[0])
    response = post_form(client, f"/talk/meetings/{meeting.id}/cant-come", {"own_words": "x" * 121})
    assert response.status_code == 400
    assert "Please keep the reason under 120 characters." in page_text(response)
    assert _mark(meeting.id, setup.members[0].id) is None


def test_she_can_undo_it_before_the_meeting_starts(client: FlaskClient, ctx: None) -> None:
    setup = circle_with_members(first_date=utcnow().date() + timedelta(days=2))
    mira = setup.members[0]
    meeting = _first_meeting(setup.circle)
    login(client, mira)
    post_form(client, f"/talk/meetings/{meeting.id}/cant-come", {"reason": "work"})
    response = post_form(client, "/circles/mine", {"back": "dashboard"},
                         action=f"/talk/meetings/{meeting.id}/can-come")
    assert response.status_code == 302
    assert _mark(meeting.id, mira.id) is None


def test_after_the_start_she_can_neither_undo_nor_say_it_and_the_mark_stays(ctx: None) -> None:
    setup = circle_with_members(first_date=utcnow().date() + timedelta(days=2))
    mira = setup.members[0]
    meeting = _first_meeting(setup.circle)
    before = meeting.starts_at - timedelta(hours=1)
    absences.cant_come(meeting.id, mira.id, "Work", now=before)
    db.session.commit()

    after = meeting.starts_at + timedelta(minutes=1)
    for change in (lambda: absences.undo_cant_come(meeting.id, mira.id, now=after),
                   lambda: absences.cant_come(meeting.id, setup.members[1].id, None, now=after)):
        try:
            change()
        except absences.MeetingAlreadyStarted:
            db.session.rollback()
        else:
            raise AssertionError("a change after the start was accepted")
    assert _mark(meeting.id, mira.id).status == "excused"
    assert _mark(meeting.id, setup.members[1].id) is None


def test_a_past_meeting_is_refused_with_a_message_and_nothing_changes(client: FlaskClient, ctx: None) -> None:
    setup = circle_with_members(first_date=utcnow().date() - timedelta(days=1))
    meeting = _first_meeting(setup.circle)
    login(client, setup.members[0])
    response = client.get(f"/talk/meetings/{meeting.id}/cant-come", follow_redirects=True)
    assert "That meeting has already started" in page_text(response)
    assert _mark(meeting.id, setup.members[0].id) is None


def test_someone_elses_meeting_is_not_found(client: FlaskClient, ctx: None) -> None:
    setup = circle_with_members(first_date=utcnow().date() + timedelta(days=2))
    stranger = make_user()
    waiting = make_user()
    enroll(setup.circle, waiting, status="waitlisted")
    db.session.commit()
    meeting = _first_meeting(setup.circle)
    for outsider in (stranger, waiting, setup.facilitator):
        login(client, outsider)
        assert client.get(f"/talk/meetings/{meeting.id}/cant-come").status_code == 404
        assert client.post(f"/talk/meetings/{meeting.id}/can-come").status_code in (400, 404)
    assert count(Attendance) == 0


def test_cant_come_never_counts_towards_missed_two_in_a_row(ctx: None) -> None:
    setup = circle_with_members(first_date=utcnow().date() - timedelta(days=7))
    mira = setup.members[0]
    first, second = db.session.execute(
        select(Meeting).where(Meeting.circle_id == setup.circle.id).order_by(Meeting.sequence).limit(2)
    ).scalars().all()
    mark_attendance(first.id, setup.facilitator.id, {mira.id: "absent"},
                    now=first.starts_at + timedelta(hours=2))
    absences.cant_come(second.id, mira.id, "Sick child", now=second.starts_at - timedelta(days=1))
    # The facilitator saves the sheet as it was pre-filled.
    sheet_mark = _mark(second.id, mira.id)
    mark_attendance(second.id, setup.facilitator.id, {mira.id: sheet_mark.status},
                    notes={mira.id: sheet_mark.note}, now=second.starts_at + timedelta(hours=2))
    db.session.commit()
    row = next(r for r in circle_roster(setup.circle.id).rows if r.enrollment.user_id == mira.id)
    assert [m.status for m in row.marks] == ["absent", "excused"]
    assert row.missed_two is False


def test_the_facilitator_is_told_once_when_fewer_than_the_minimum_can_come(ctx: None) -> None:
    setup = circle_with_members(5, min_to_run=4, first_date=utcnow().date() + timedelta(days=3))
    meeting = _first_meeting(setup.circle)
    now = meeting.starts_at - timedelta(days=1)
    a, b, c = setup.members[:3]

    absences.cant_come(meeting.id, a.id, None, now=now)  # 4 of 5 can come: enough
    assert _short_warnings() == 0
    absences.cant_come(meeting.id, b.id, None, now=now)  # 3 can come
    assert _short_warnings() == 1
    absences.cant_come(meeting.id, c.id, None, now=now)
    absences.undo_cant_come(meeting.id, c.id, now=now)
    absences.cant_come(meeting.id, c.id, "Work", now=now)
    db.session.commit()
    warnings = db.session.execute(
        select(Notification).where(Notification.dedup_key.like("meeting-short:%"))
    ).scalars().all()
    assert len(warnings) == 1
    assert warnings[0].user_id == setup.facilitator.id
    assert "3 members can still come" in warnings[0].payload["text"]


def test_a_moved_meeting_that_is_short_again_warns_again(ctx: None) -> None:
    setup = circle_with_members(4, min_to_run=4, first_date=utcnow().date() + timedelta(days=3))
    meeting = _first_meeting(setup.circle)
    now = meeting.starts_at - timedelta(days=1)
    absences.cant_come(meeting.id, setup.members[0].id, None, now=now)
    meeting.starts_at += timedelta(days=1)
    meeting.ends_at += timedelta(days=1)
    absences.cant_come(meeting.id, setup.members[1].id, None, now=now)
    db.session.commit()
    assert _short_warnings() == 2
