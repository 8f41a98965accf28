"""Joining a circle sends a welcome carrying the circle's meetings as an .ics attachment."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from mentoring.notify.models import Notification
from tests.conftest import post_form
from tests.factories import login, make_circle, make_user


def test_joining_a_free_circle_mails_a_welcome_with_its_calendar_attached(
        app: Flask, client: FlaskClient, ctx: None) -> None:
    circle = make_circle(title="Back to Work", meeting_count=6, meeting_link="https://meet.example/room")
    member = make_user(email="ada@example.com")
    member.quiet_start = member.quiet_end = None  # the test runs at whatever hour it is
    db.session.commit()
    login(client, member)
    post_form(client, f"/circles/{circle.id}", {"agree": "y"}, action=f"/circles/{circle.id}/join")
    welcome = db.session.scalars(select(Notification).where(Notification.kind == "joined")).one()
    assert welcome.user_id == member.id and welcome.payload["subject"] == "You're in: Back to Work"

    dispatch_due(utcnow() + timedelta(seconds=1))
    [eml] = [p for p in Path(app.config["OUTBOX_DIR"]).glob("*.eml") if "You're in" in p.read_text()]
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "back-to-work.ics"
    event = Calendar.from_ical(attachment.get_content()).events[0]
    assert str(event["UID"]) == f"circle-{circle.id}@hearth"
    assert event["RRULE"]["COUNT"] == [6]
    assert "meet.example/room" in str(event["LOCATION"])
    # Her inbox shows the welcome, never the file.
    assert "BEGIN:VCALENDAR" not in client.get("/notifications/").get_data(as_text=True)


def test_joining_the_waitlist_sends_no_welcome(client: FlaskClient, ctx: None) -> None:
    circle = make_circle(capacity=4)
    circle.seats_taken = 4
    member = make_user()
    db.session.commit()
    login(client, member)
    post_form(client, f"/circles/{circle.id}", {"agree": "y"}, action=f"/circles/{circle.id}/join")
    assert db.session.scalars(select(Notification).where(Notification.kind == "joined")).all() == []


def test_after_joining_she_is_asked_gently_about_her_week_only_while_it_is_empty(
        client: FlaskClient, ctx: None) -> None:
    first, second = make_circle(), make_circle()
    member = make_user()
    db.session.commit()
    login(client, member)
    page = post_form(client, f"/circles/{first.id}", {"agree": "y"}, action=f"/circles/{first.id}/join",
                     follow_redirects=True).get_data(as_text=True)
    assert '<a href="/my-week/">when your children let you come</a>' in page
    post_form(client, "/my-week/", {}, action="/my-week/presets/nap_time")
    page = post_form(client, f"/circles/{second.id}", {"agree": "y"}, action=f"/circles/{second.id}/join",
                     follow_redirects=True).get_data(as_text=True)
    assert "when your children let you come" not in page
