"""Downloading a circle's meetings for her own calendar: who gets the file, and what it holds."""

from __future__ import annotations

from datetime import time, timedelta

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from mentoring.accounts.models import Role, User
from mentoring.circles.meetings import cancel_meeting
from mentoring.circles.models import Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import enroll, login, make_circle, make_user
from tests.querycount import count_queries

SECRET_LINK = "https://meet.example.com/very-secret-room"


def private_circle(app: Flask, *, meeting_count: int = 6) -> dict[str, int]:
    with app.app_context():
        facilitator = make_user(roles=(Role.FACILITATOR,), display_name="Fiona Facilitator")
        circle = make_circle(facilitator, title="Back to work: after baby", meeting_link=SECRET_LINK,
                             first_date=utcnow().date() + timedelta(days=7), start_time=time(20, 30),
                             meeting_count=meeting_count)
        member = make_user(display_name="Maya Member", email="maya@private.example")
        enroll(circle, member)
        other = make_user(display_name="Priya Private", email="priya@private.example")
        enroll(circle, other)
        past = make_user(display_name="Paula Past")
        enroll(circle, past, status="completed")
        waiting = make_user(display_name="Wendy Waiting")
        enroll(circle, waiting, status="waitlisted")
        outsider = make_user(display_name="Olive Outsider")
        db.session.commit()
        return {"circle": circle.id, "facilitator": facilitator.id, "member": member.id, "past": past.id,
                "waiting": waiting.id, "outsider": outsider.id}


def as_user(app: Flask, client: FlaskClient, user_id: int) -> None:
    with app.app_context():
        login(client, db.session.get(User, user_id))


def download(client: FlaskClient, circle_id: int) -> Calendar:
    response = client.get(f"/circles/{circle_id}/calendar.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def series(calendar: Calendar):  # noqa: ANN201 - an icalendar Event
    (event,) = [e for e in calendar.events if "RECURRENCE-ID" not in e]
    return event


def test_a_member_gets_the_file_with_the_meeting_link_and_nobody_else_in_it(app: Flask,
                                                                            client: FlaskClient) -> None:
    ids = private_circle(app)
    as_user(app, client, ids["member"])
    response = client.get(f"/circles/{ids['circle']}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="back-to-work-after-baby.ics"'
    assert "no-store" in response.headers["Cache-Control"]
    event = series(Calendar.from_ical(response.data))
    assert str(event["LOCATION"]) == SECRET_LINK
    assert str(event["SUMMARY"]) == "Back to work: after baby"
    assert f"http://localhost/circles/{ids['circle']}" in str(event["DESCRIPTION"])
    assert event["RRULE"]["COUNT"] == [6]
    assert event.start.tzinfo is not None and str(event["DTSTART"].params["TZID"]) == "Europe/London"
    assert (event.start.hour, event.start.minute) == (20, 30)
    text = response.get_data(as_text=True)
    for private in ("Priya", "Maya", "Paula", "Wendy", "Fiona", "@private.example"):
        assert private not in text


def test_the_facilitator_gets_the_file_with_the_meeting_link(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    as_user(app, client, ids["facilitator"])
    assert str(series(download(client, ids["circle"]))["LOCATION"]) == SECRET_LINK


def test_a_past_member_gets_the_meetings_without_the_link(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    as_user(app, client, ids["past"])
    event = series(download(client, ids["circle"]))
    assert "LOCATION" not in event
    assert SECRET_LINK not in event.to_ical().decode()


def test_outsiders_and_the_waitlist_are_told_the_file_does_not_exist(app: Flask,
                                                                    client: FlaskClient) -> None:
    ids = private_circle(app)
    for user in ("outsider", "waiting"):
        as_user(app, client, ids[user])
        assert client.get(f"/circles/{ids['circle']}/calendar.ics").status_code == 404, user
    assert client.get("/circles/999999/calendar.ics").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    response = client.get(f"/circles/{ids['circle']}/calendar.ics")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_cancelled_meeting_becomes_an_exdate_and_the_sequence_rises(app: Flask,
                                                                      client: FlaskClient) -> None:
    ids = private_circle(app)
    as_user(app, client, ids["member"])
    before = series(download(client, ids["circle"]))
    with app.app_context():
        third = db.session.execute(
            db.select(Meeting).where(Meeting.circle_id == ids["circle"], Meeting.sequence == 3)
        ).scalar_one()
        cancel_meeting(third.id, ids["facilitator"], "School holiday", now=utcnow())
        db.session.commit()
        third_start = third.starts_at
    after = series(download(client, ids["circle"]))
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert str(after["UID"]) == str(before["UID"]) == f"circle-{ids['circle']}@hearth"
    assert [d.dt for d in after["EXDATE"].dts] == [third_start]


def test_the_circle_page_and_her_dashboard_link_to_the_file(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    link = f'href="/circles/{ids["circle"]}/calendar.ics"'
    as_user(app, client, ids["member"])
    page = client.get(f"/circles/{ids['circle']}").get_data(as_text=True)
    assert link in page and "Add the meetings to your calendar" in page
    dashboard = client.get("/circles/mine").get_data(as_text=True)
    assert link in dashboard
    assert 'Add to my calendar<span class="visually-hidden">: Back to work: after baby</span>' in dashboard
    as_user(app, client, ids["outsider"])
    assert link not in client.get(f"/circles/{ids['circle']}").get_data(as_text=True)


def queries_for_download(app: Flask, client: FlaskClient, circle_id: int) -> int:
    client.get(f"/circles/{circle_id}/calendar.ics")  # warm: first-request work is not what we count
    with app.app_context(), count_queries(db.engine) as statements:
        response = client.get(f"/circles/{circle_id}/calendar.ics")
    assert response.status_code == 200
    return len(statements)


def test_the_download_sends_a_few_queries_however_long_the_term(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        facilitator = make_user(roles=(Role.FACILITATOR,))
        member = make_user()
        short = make_circle(facilitator, meeting_count=2, first_date=utcnow().date() + timedelta(days=3))
        long = make_circle(facilitator, meeting_count=12, capacity=12,
                           first_date=utcnow().date() + timedelta(days=3))
        for circle in (short, long):
            enroll(circle, member)
        for _ in range(10):
            enroll(long, make_user())
        db.session.commit()
        member_id, short_id, long_id = member.id, short.id, long.id
    as_user(app, client, member_id)
    small = queries_for_download(app, client, short_id)
    large = queries_for_download(app, client, long_id)
    assert small <= 5, small
    assert small == large
