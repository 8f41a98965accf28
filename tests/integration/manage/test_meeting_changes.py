"""Cancelling, skipping and moving meetings, and re-timing a circle that is already running."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.circles import meetings, service, signals
from mentoring.circles.circle_input import CircleInput, CircleInputInvalid, FirstDateInPast
from mentoring.circles.models import Circle, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import CSRF_RE, post_form
from tests.factories import enroll, make_circle, make_user

from .conftest import circle_form


def meetings_of(circle_id: int) -> list[Meeting]:
    db.session.expire_all()
    return list(db.session.execute(
        select(Meeting).where(Meeting.circle_id == circle_id).order_by(Meeting.sequence)).scalars())


def notifications() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.execute(select(Notification).order_by(Notification.user_id)).scalars())


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def test_cancelling_a_meeting_tells_each_active_member_in_her_own_time(
    client: FlaskClient, facilitator: User
) -> None:
    circle = make_circle(facilitator, timezone="Europe/London", start_time=time(20, 30))
    london = make_user(display_name="Ada", timezone="Europe/London")
    new_york = make_user(display_name="Bea", timezone="America/New_York")
    waiting = make_user(display_name="Cat")
    enroll(circle, london)
    enroll(circle, new_york)
    enroll(circle, waiting, status="waitlisted")
    meeting = circle.meetings[1]
    db.session.commit()
    received: list[int] = []

    def on_cancel(sender: object, meeting_id: int, now: datetime) -> None:
        received.append(meeting_id)

    page = f"/facilitate/meetings/{meeting.id}/cancel"
    assert "Yes, cancel this meeting" in client.get(page).get_data(as_text=True)
    with signals.meeting_cancelled.connected_to(on_cancel):
        response = post_form(client, page, {"reason": "I am unwell"})
    assert response.status_code == 302
    assert received == [meeting.id]
    cancelled = meetings_of(circle.id)[1]
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "I am unwell")
    sent = notifications()
    assert [n.user_id for n in sent] == sorted([london.id, new_york.id])
    assert all(n.kind == "circle_update" for n in sent)
    by_user = {n.user_id: n.payload["text"] for n in sent}
    london_time = local(cancelled.starts_at, "Europe/London")
    ny_time = local(cancelled.starts_at, "America/New_York")
    assert f"{london_time:%H:%M} {london_time.tzname()}" in by_user[london.id]
    assert f"{ny_time:%H:%M} {ny_time.tzname()}" in by_user[new_york.id]
    assert "I am unwell" in by_user[london.id]


def test_repeating_a_cancellation_sends_nothing_more(ctx: None, facilitator: User) -> None:
    circle = make_circle(facilitator, title="Braces {next} and {0} in a title")
    member = make_user()
    enroll(circle, member)
    meeting_id = circle.meetings[0].id
    now = utcnow()
    meetings.cancel_meeting(meeting_id, facilitator.id, "", now=now)
    with pytest.raises(meetings.MeetingAlreadyCancelled):
        meetings.cancel_meeting(meeting_id, facilitator.id, "", now=now)
    [note] = notifications()
    assert "Braces {next} and {0} in a title" in note.payload["text"]


def test_a_past_meeting_cannot_be_cancelled(ctx: None, facilitator: User) -> None:
    circle = make_circle(facilitator, status="running", first_date=utcnow().date() - timedelta(days=14))
    with pytest.raises(meetings.MeetingAlreadyStarted):
        meetings.cancel_meeting(circle.meetings[0].id, facilitator.id, "", now=utcnow())


def test_skipping_a_week_moves_that_meeting_and_every_later_one(
    client: FlaskClient, facilitator: User
) -> None:
    circle = make_circle(facilitator, timezone="America/New_York", start_time=time(19, 0))
    member = make_user(timezone="Europe/Paris")
    enroll(circle, member)
    db.session.commit()
    before = [(m.id, m.starts_at) for m in meetings_of(circle.id)]
    skipped_id = before[2][0]
    response = post_form(client, f"/facilitate/meetings/{skipped_id}/skip", {})
    assert response.status_code == 302
    after = meetings_of(circle.id)
    assert [m.starts_at for m in after[:2]] == [s for _, s in before[:2]]
    for meeting, (_, old) in zip(after[2:], before[2:], strict=True):
        new_local, old_local = local(meeting.starts_at, "America/New_York"), local(old, "America/New_York")
        assert new_local.date() == old_local.date() + timedelta(days=7)
        assert (new_local.hour, new_local.minute) == (19, 0)
    assert [m.sequence for m in after] == list(range(1, 9))
    [note] = notifications()
    assert note.user_id == member.id and "week off" in note.payload["text"]


def test_a_skip_form_sent_twice_skips_only_one_week(client: FlaskClient, facilitator: User) -> None:
    circle = make_circle(facilitator)
    meeting_id = circle.meetings[2].id
    db.session.commit()
    original = meetings_of(circle.id)[2].starts_at
    page = client.get(f"/facilitate/meetings/{meeting_id}/skip").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    form = {"csrf_token": token, "starts_at": original.isoformat()}
    for _ in range(2):
        assert client.post(f"/facilitate/meetings/{meeting_id}/skip", data=form).status_code == 302
    skipped = meetings_of(circle.id)[2].starts_at
    week_later = local(original, "Europe/London").date() + timedelta(days=7)
    assert local(skipped, "Europe/London").date() == week_later


def test_moving_one_meeting_checks_collisions_and_order(client: FlaskClient, facilitator: User) -> None:
    circle = make_circle(facilitator, timezone="Europe/London", start_time=time(20, 0))
    member = make_user()
    enroll(circle, member)
    db.session.commit()
    meetings = meetings_of(circle.id)
    third, fourth = meetings[2], meetings[3]
    third_day = local(third.starts_at, "Europe/London").date()
    fourth_day = local(fourth.starts_at, "Europe/London").date()
    path = f"/facilitate/meetings/{third.id}/move"

    response = post_form(client, path, {"date": fourth_day.isoformat(), "time": "20:30"})
    assert response.status_code == 200
    assert "overlaps meeting 4" in response.get_data(as_text=True)
    after_fourth = (fourth_day + timedelta(days=1)).isoformat()
    response = post_form(client, path, {"date": after_fourth, "time": "20:00"})
    assert "between the meetings before and after it" in response.get_data(as_text=True)
    response = post_form(client, path, {"date": "2020-01-01", "time": "20:00"})
    assert "still to come" in response.get_data(as_text=True)
    assert meetings_of(circle.id)[2].starts_at == third.starts_at
    assert notifications() == []

    new_day = third_day + timedelta(days=2)
    response = post_form(client, path, {"date": new_day.isoformat(), "time": "18:15"})
    assert response.status_code == 302
    moved = meetings_of(circle.id)
    local_start = local(moved[2].starts_at, "Europe/London")
    assert (local_start.date(), local_start.hour, local_start.minute) == (new_day, 18, 15)
    assert moved[2].ends_at - moved[2].starts_at == timedelta(minutes=60)
    assert [m.starts_at for i, m in enumerate(moved) if i != 2] == [
        m.starts_at for i, m in enumerate(meetings) if i != 2]
    [note] = notifications()
    assert note.user_id == member.id and "has moved to" in note.payload["text"]


def test_editing_a_running_circles_time_changes_only_meetings_to_come(
    client: FlaskClient, facilitator: User
) -> None:
    first = utcnow().date() - timedelta(days=15)
    circle = make_circle(facilitator, status="running", first_date=first, timezone="Europe/London",
                         start_time=time(20, 30), meeting_link="https://meet.example.com/x")
    member = make_user(timezone="Asia/Kolkata")
    enroll(circle, member)
    db.session.commit()
    before = meetings_of(circle.id)
    past = [(m.id, m.sequence, m.starts_at) for m in before[:3]]
    next_day = local(before[3].starts_at, "Europe/London").date()
    edit = f"/facilitate/circles/{circle.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert f'value="{next_day.isoformat()}"' in page  # the schedule restarts from the next meeting
    assert "already met" in page and "Next meeting" in page

    response = post_form(client, edit, circle_form(first_date=next_day.isoformat(), start_time="19:00",
                                                   meeting_count="8", price_mode="free"))
    assert response.status_code == 302
    after = meetings_of(circle.id)
    assert [(m.id, m.sequence, m.starts_at) for m in after[:3]] == past
    assert len(after) == 8
    for k, meeting in enumerate(after[3:]):
        start = local(meeting.starts_at, "Europe/London")
        assert start.date() == next_day + timedelta(weeks=k)
        assert (start.hour, start.minute) == (19, 0)
    db.session.expire_all()
    saved = db.session.get(Circle, circle.id)
    assert saved.first_date == first and saved.start_time == time(19, 0)
    [note] = notifications()
    assert note.user_id == member.id and "IST" in note.payload["text"]


def _input_for(circle: Circle, **changes: object) -> CircleInput:
    values = dict(title=circle.title, theme=circle.theme, timezone=circle.timezone,
                  start_time=circle.start_time, first_date=circle.first_date, capacity=circle.capacity,
                  meeting_link="https://meet.example.com/x", meeting_count=circle.meeting_count,
                  duration_minutes=circle.duration_minutes)
    values.update(changes)
    return CircleInput(**values)


def test_regenerated_meetings_keep_local_time_across_the_spring_change(ctx: None, facilitator: User) -> None:
    circle = make_circle(facilitator, status="running", first_date=date(2027, 2, 9),
                         timezone="Europe/London", start_time=time(20, 30))
    now = datetime(2027, 2, 24, 12, 0, tzinfo=UTC)  # meetings on 9, 16 and 23 Feb have been held
    past = [(m.sequence, m.starts_at) for m in meetings_of(circle.id)[:3]]
    service.update_circle(circle.id, facilitator.id,
                          _input_for(circle, timezone="America/New_York", start_time=time(19, 0),
                                     first_date=date(2027, 3, 4), meeting_count=9), now=now)
    after = meetings_of(circle.id)
    assert [(m.sequence, m.starts_at) for m in after[:3]] == past
    # Thursdays at 19:00 New York time: EST until 14 March, EDT after.
    assert [m.starts_at for m in after[3:]] == [
        datetime(2027, 3, 5, 0, 0, tzinfo=UTC),
        datetime(2027, 3, 12, 0, 0, tzinfo=UTC),
        datetime(2027, 3, 18, 23, 0, tzinfo=UTC),
        datetime(2027, 3, 25, 23, 0, tzinfo=UTC),
        datetime(2027, 4, 1, 23, 0, tzinfo=UTC),
        datetime(2027, 4, 8, 23, 0, tzinfo=UTC),
    ]
    assert [m.sequence for m in after] == list(range(1, 10))
    saved = db.session.get(Circle, circle.id)
    assert (saved.weekday, saved.meeting_count) == (3, 9)


def test_a_shorter_term_drops_meetings_from_the_end_and_keeps_a_custom_agenda(
    ctx: None, facilitator: User
) -> None:
    circle = make_circle(facilitator, status="running", first_date=date(2027, 2, 9),
                         timezone="Europe/London", start_time=time(20, 30))
    now = datetime(2027, 2, 24, 12, 0, tzinfo=UTC)
    fourth = meetings_of(circle.id)[3]
    meetings.set_agenda(fourth.id, facilitator.id, "Guest: a career coach")
    service.update_circle(circle.id, facilitator.id,
                          _input_for(circle, first_date=date(2027, 3, 2), meeting_count=6), now=now)
    after = meetings_of(circle.id)
    assert len(after) == 6
    assert after[3].id == fourth.id and after[3].agenda == "Guest: a career coach"
    assert "Reflection on the term" in after[-1].agenda


def test_the_term_cannot_shrink_below_the_meetings_already_held(ctx: None, facilitator: User) -> None:
    circle = make_circle(facilitator, status="running", first_date=date(2027, 2, 9),
                         timezone="Europe/London", start_time=time(20, 30))
    after_five = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    with pytest.raises(service.TooFewMeetingsLeft):
        service.update_circle(circle.id, facilitator.id,
                              _input_for(circle, first_date=date(2027, 3, 16), meeting_count=4),
                              now=after_five)
    assert len(meetings_of(circle.id)) == 8


def test_cancelling_the_circle_cancels_meetings_to_come_and_tells_everyone_enrolled(
    client: FlaskClient, facilitator: User
) -> None:
    circle = make_circle(facilitator, status="running", first_date=utcnow().date() - timedelta(days=8))
    active, waiting, gone = make_user(), make_user(), make_user()
    enroll(circle, active)
    enroll(circle, waiting, status="waitlisted")
    enroll(circle, gone, status="left")
    db.session.commit()
    received: list[int] = []

    def on_cancel(sender: object, circle_id: int, now: datetime) -> None:
        received.append(circle_id)

    page = f"/facilitate/circles/{circle.id}/cancel"
    assert "Yes, cancel the circle" in client.get(page).get_data(as_text=True)
    with signals.circle_cancelled.connected_to(on_cancel):
        assert post_form(client, page, {"reason": "Moving abroad"}).status_code == 302
    assert received == [circle.id]
    meetings = meetings_of(circle.id)
    assert [m.status for m in meetings[:2]] == ["scheduled", "scheduled"]  # already happened
    assert {m.status for m in meetings[2:]} == {"cancelled"}
    assert sorted(n.user_id for n in notifications()) == sorted([active.id, waiting.id])
    saved = db.session.get(Circle, circle.id)
    assert saved.status == "cancelled"


def test_publishing_needs_a_meeting_still_to_come(ctx: None, facilitator: User) -> None:
    circle = make_circle(facilitator, status="draft", first_date=date(2027, 2, 9))
    with pytest.raises(service.NoFutureMeetings):
        service.publish_circle(circle.id, facilitator.id, now=datetime(2027, 6, 1, tzinfo=UTC))
    assert service.publish_circle(circle.id, facilitator.id,
                                  now=datetime(2027, 2, 1, tzinfo=UTC)).status == "open"
    with pytest.raises(service.NotADraft):
        service.publish_circle(circle.id, facilitator.id, now=datetime(2027, 2, 1, tzinfo=UTC))


def test_services_refuse_anyone_but_her_facilitator(ctx: None, facilitator: User) -> None:
    circle = make_circle(facilitator)
    other = make_user(roles=(Role.FACILITATOR,))
    now = utcnow()
    meeting_id = circle.meetings[0].id
    for call in (
        lambda: service.update_circle(circle.id, other.id, _input_for(circle), now=now),
        lambda: service.cancel_circle(circle.id, other.id, "", now=now),
        lambda: meetings.cancel_meeting(meeting_id, other.id, "", now=now),
        lambda: meetings.skip_week(circle.id, other.id, meeting_id, now=now),
        lambda: meetings.move_meeting(meeting_id, other.id, date(2030, 1, 1), time(9), now=now),
        lambda: meetings.set_agenda(meeting_id, other.id, "x"),
        lambda: meetings.mark_attendance(meeting_id, other.id, {}, now=now),
        lambda: service.publish_circle(circle.id, other.id, now=now),
    ):
        with pytest.raises(service.NotYourCircle):
            call()
    with pytest.raises(service.NotAFacilitator):
        service.create_circle(make_user().id, _input_for(circle), now=now)


def test_more_places_reopen_a_full_circle_and_fewer_than_taken_are_refused(
    ctx: None, facilitator: User
) -> None:
    circle = make_circle(facilitator, status="full", capacity=4)
    for _ in range(4):
        enroll(circle, make_user())
    now = utcnow()
    service.update_circle(circle.id, facilitator.id, _input_for(circle, capacity=6), now=now)
    assert (circle.capacity, circle.status) == (6, "open")
    enroll(circle, make_user())
    enroll(circle, make_user())
    service.update_circle(circle.id, facilitator.id, _input_for(circle, title="Renamed"), now=now)
    assert circle.status == "full"
    with pytest.raises(CircleInputInvalid) as caught:
        service.update_circle(circle.id, facilitator.id, _input_for(circle, capacity=5), now=now)
    assert "6 members already hold places" in caught.value.by_field["capacity"]


def test_a_draft_moved_to_a_new_first_date_gets_a_whole_new_term(ctx: None, facilitator: User) -> None:
    circle = make_circle(facilitator, status="draft", first_date=date(2027, 2, 9))
    ids = [m.id for m in meetings_of(circle.id)]
    now = datetime(2027, 1, 10, tzinfo=UTC)
    service.update_circle(circle.id, facilitator.id,
                          _input_for(circle, first_date=date(2027, 2, 12), start_time=time(9, 30)), now=now)
    after = meetings_of(circle.id)
    assert [m.id for m in after] == ids  # rows (and their agendas) are reused, not replaced
    assert local(after[0].starts_at, "Europe/London").date() == date(2027, 2, 12)
    saved = db.session.get(Circle, circle.id)
    assert (saved.first_date, saved.weekday) == (date(2027, 2, 12), 4)
    assert notifications() == []  # a draft has nobody to tell
    with pytest.raises(CircleInputInvalid) as caught:
        service.update_circle(circle.id, facilitator.id, _input_for(circle, first_date=date(2027, 1, 5)),
                              now=now)
    assert isinstance(caught.value.problems[0], FirstDateInPast)


def test_a_cancelled_meeting_takes_no_attendance_and_a_cancelled_circle_takes_no_edits(
    ctx: None, facilitator: User
) -> None:
    circle = make_circle(facilitator)
    meeting = circle.meetings[0]
    meetings.cancel_meeting(meeting.id, facilitator.id, "", now=utcnow())
    with pytest.raises(meetings.MeetingAlreadyCancelled):
        meetings.mark_attendance(meeting.id, facilitator.id, {}, now=meeting.ends_at)
    service.cancel_circle(circle.id, facilitator.id, "", now=utcnow())
    with pytest.raises(service.CircleClosed):
        service.update_circle(circle.id, facilitator.id, _input_for(circle), now=utcnow())
    with pytest.raises(service.CircleClosed):
        service.cancel_circle(circle.id, facilitator.id, "", now=utcnow())
