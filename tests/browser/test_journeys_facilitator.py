"""Journey: a facilitator, from her application to the care view and the pulse, in chromium.

She applies and the admin approves her in the browser; she plans a circle, finds the time that
suits the members who said they are interested, publishes it, takes attendance after its first
meeting, suggests and publishes practice buddies, then sees who asked for support and the pulse
averages. Members' part (interest, joining, the meeting itself, check-ins, pulse answers) is
arranged with the services between steps.
"""

from __future__ import annotations

from datetime import time, timedelta

from flask import Flask
from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.availability.models import AvailabilityWindow, CircleInterest
from mentoring.circles.models import Circle, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.growth.models import CheckIn
from mentoring.outcomes.service import record_pulse
from tests.browser.journey import Journey
from tests.factories import enroll, make_user

MEMBERS = ("Noor", "Lena", "Mira", "Zara")


def _people(live_app: Flask) -> None:
    with live_app.app_context():
        make_user("ada@example.com", display_name="Ada", roles=(Role.ADMIN,))
        make_user("joanne@example.com", display_name="Joanne E.")
        for name in MEMBERS:
            member = make_user(f"{name.lower()}@example.com", display_name=name)
            # Thursday evenings, after bedtime.
            db.session.add(AvailabilityWindow(user_id=member.id, weekday=3, start_minute=20 * 60,
                                              end_minute=22 * 60, kind="available", hard=False, label=""))
        db.session.commit()


def _members_say_they_are_interested(live_app: Flask) -> int:
    with live_app.app_context():
        circle = db.session.scalar(select(Circle).where(Circle.title == "Back to work, gently"))
        for name in MEMBERS:
            member_id = _user_id(name)
            db.session.add(CircleInterest(circle_id=circle.id, user_id=member_id))
        db.session.commit()
        return circle.id


def _user_id(name: str) -> int:
    return db.session.scalar(select(User.id).where(User.display_name == name))


def _members_join_and_meet(live_app: Flask, circle_id: int) -> None:
    """The four join; the first meeting took place two days ago."""
    with live_app.app_context():
        circle = db.session.get(Circle, circle_id)
        for name in MEMBERS:
            enroll(circle, db.session.get(User, _user_id(name)))
        first = db.session.scalar(
            select(Meeting).where(Meeting.circle_id == circle_id, Meeting.sequence == 1))
        first.starts_at = utcnow() - timedelta(days=2)
        first.ends_at = first.starts_at + timedelta(hours=1)
        circle.status = "running"
        db.session.commit()


def _members_answer(live_app: Flask, circle_id: int) -> None:
    """The three who came answer the pulse for the first meeting; Noor checks in and asks for
    support."""
    with live_app.app_context():
        first = db.session.scalar(
            select(Meeting.id).where(Meeting.circle_id == circle_id, Meeting.sequence == 1))
        for name, heard in zip(MEMBERS[:3], (5, 4, 3), strict=True):
            record_pulse(_user_id(name), first, {"felt_heard": heard, "connected": 4, "learned": 4},
                         "", now=utcnow())
        db.session.add(CheckIn(user_id=_user_id("Noor"), circle_id=circle_id, after_meeting_id=first, mood=2,
                               obstacle="A sick child all week", needs_support=True,
                               support_requested_at=utcnow()))
        db.session.commit()


def test_a_facilitator_is_approved_plans_publishes_takes_attendance_pairs_buddies_and_sees_care(
    journey: Journey, live_app: Flask
) -> None:
    from playwright.sync_api import expect

    _people(live_app)
    joanne = journey.person("joanne")
    page = joanne.page

    # She applies to facilitate, from her settings.
    joanne.log_in("joanne@example.com")
    joanne.follow("Settings")
    joanne.see("settings")
    joanne.follow("Apply to facilitate circles")
    joanne.see("application")
    joanne.fill("About you", "Counsellor and mother of two.", first=True)
    joanne.fill("Your facilitation training and experience", "Group facilitation course, 2019.")
    joanne.press("Send my application")
    joanne.see("application sent")
    expect(page.get_by_role("main")).to_contain_text("is with our team")

    # The admin approves her.
    ada = journey.person("ada")
    ada.log_in("ada@example.com")
    ada.follow("Admin")
    ada.see("applications")
    application = ada.page.get_by_role("article").filter(has_text="Joanne E.")
    ada.press("Approve", within=application)
    ada.see("approved")
    expect(ada.page.get_by_role("status")).to_contain_text("Approved. She is now a facilitator.")

    # She plans a circle.
    joanne.goto("/account/facilitate", "now a facilitator")
    joanne.follow("Go to your circles")
    joanne.see("her circles")
    joanne.follow("Start a new circle")
    joanne.see("new circle")
    joanne.fill("Title", "Back to work, gently", first=True)
    joanne.fill("Description", "For mothers going back to work after leave.")
    joanne.fill("Meeting link (online and hybrid)", "https://meet.example.org/back-to-work")
    joanne.fill_date("First meeting", utcnow().date() + timedelta(days=14))
    joanne.fill_time("Start time (local)", time(10, 0))
    joanne.press("Save draft")
    joanne.see("draft saved")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Back to work, gently")

    circle_id = _members_say_they_are_interested(live_app)

    # Find a time that suits the interested members, then publish.
    joanne.follow("Find a time")
    joanne.see("find a time")
    best_times = page.get_by_role("region", name="Best times")
    expect(best_times).not_to_contain_text("0 of 4 can come")
    best = best_times.get_by_role("listitem").first
    expect(best).to_contain_text("Thursday 20:00")
    expect(best).to_contain_text("4 of 4 can come")
    joanne.press("Use this time", within=best)
    joanne.see("time set")
    expect(page.get_by_role("status")).to_contain_text("The new time is set")
    expect(page.get_by_role("main")).to_contain_text("Thursdays at 20:00")
    joanne.press("Publish")
    joanne.see("published")
    expect(page.get_by_role("heading", level=1)).to_contain_text("open")

    _members_join_and_meet(live_app, circle_id)

    # Attendance for the first meeting.
    joanne.goto(f"/facilitate/circles/{circle_id}", "circle after the first meeting")
    joanne.follow("Attendance for meeting 1")
    joanne.see("attendance")
    noor_present = page.get_by_role("group", name="Noor").get_by_label("Present")
    joanne.start_at(noor_present)
    joanne.tick(noor_present)
    joanne.tick(page.get_by_role("group", name="Lena").get_by_label("Present"))
    joanne.tick(page.get_by_role("group", name="Mira").get_by_label("Present"))
    joanne.tick(page.get_by_role("group", name="Zara").get_by_label("Excused"))
    joanne.press("Save attendance")
    joanne.see("attendance saved")
    roster = page.get_by_role("region", name="Table of members and attendance")
    expect(roster.get_by_role("row", name="Zara")).to_contain_text("excused")

    # Practice buddies.
    joanne.follow("Practice buddies")
    joanne.see("buddies")
    joanne.press("Suggest buddies")
    joanne.see("buddies suggested")
    joanne.press("Publish these buddies")
    joanne.see("buddies published")
    expect(page.get_by_role("status")).to_contain_text("Each member has been told")

    _members_answer(live_app, circle_id)

    # Who asked for support (never what she wrote), and the pulse averages.
    joanne.follow("Facilitate")
    joanne.see("support flag")
    flags = page.get_by_role("region", name="Asked for support")
    expect(flags).to_contain_text("Noor")
    expect(flags).not_to_contain_text("A sick child all week")
    joanne.follow("Back to work, gently", within=flags)
    joanne.see("care view")
    noor = page.get_by_role("row", name="Noor")
    expect(noor).to_contain_text("Asked for support")
    expect(page.get_by_role("main")).not_to_contain_text("A sick child all week")
    joanne.follow("Back to work, gently")
    joanne.see("circle page")
    joanne.follow("Pulse after meetings")
    joanne.see("pulse averages")
    chart = page.get_by_role("img", name="Average pulse per meeting (1 to 5)")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= 640, "the chart outgrows its labels on a wide screen"
    first = page.get_by_role("row", name="#1")
    expect(first).to_contain_text("3")
    expect(first).to_contain_text("4.0")
    journey.finish()
