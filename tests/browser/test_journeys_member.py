"""Journey: a working mother, from signing up to meeting her practice buddy, in chromium.

She signs up and confirms her address from the email, says she is free after bedtime, finds a
sliding-scale circle that fits her week, chooses her price and pays on the local gateway, reads
her receipt, subscribes to her calendar feed, sets a goal, checks in after a meeting and asks for
support, answers the pulse and meets her buddy. What cannot happen inside one session (a meeting
that has been held, her buddy's pairing) is arranged with the services between steps.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

from flask import Flask
from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.circles.models import Attendance, Circle, Enrollment, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.browser.journey import Journey
from tests.browser.test_signup import _link_in_outbox as link_in_outbox
from tests.conftest import is_postgres
from tests.factories import enroll, make_circle, make_pair, make_user

PASSWORD = "a kettle, two kids and a plan"
EMAIL = "amara.o@example.com"


def _circles(live_app: Flask) -> int:
    with live_app.app_context():
        facilitator = make_user("fran@example.com", display_name="Fran", roles=(Role.FACILITATOR,))
        evenings = make_circle(facilitator, title="Evenings after bedtime", start_time=time(20, 30),
                               price_mode="sliding", currency="USD", sliding_min_cents=0,
                               sliding_suggested_cents=1200, sliding_max_cents=3000)
        make_circle(facilitator, title="Coffee at ten", start_time=time(10, 0), price_mode="sliding",
                    currency="USD", sliding_min_cents=0, sliding_suggested_cents=1200,
                    sliding_max_cents=3000)
        enroll(evenings, make_user("lena@example.com", display_name="Lena"))
        db.session.commit()
        return evenings.id


def _first_meeting_was_held(live_app: Flask, circle_id: int) -> None:
    """Two days ago the circle met for the first time, and both members came: her check-in and
    her pulse for that meeting are open, and the facilitator has paired her with Lena."""
    with live_app.app_context():
        first = db.session.scalar(
            select(Meeting).where(Meeting.circle_id == circle_id, Meeting.sequence == 1))
        first.starts_at = utcnow() - timedelta(days=2)
        first.ends_at = first.starts_at + timedelta(hours=1)
        first.status = "held"
        db.session.get(Circle, circle_id).status = "running"
        members = db.session.scalars(
            select(User).join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.circle_id == circle_id)
        ).all()
        for member in members:
            db.session.add(Attendance(meeting_id=first.id, user_id=member.id, status="present"))
        make_pair(db.session.get(Circle, circle_id), *members)
        db.session.commit()


def test_the_live_server_serves_the_test_database(live_app: Flask, database_url: str) -> None:
    """With TEST_DATABASE_URL set, the journeys' server runs on PostgreSQL, not on SQLite."""
    with live_app.app_context():
        engine = db.engine
        assert engine.url.render_as_string(hide_password=False) == database_url
        assert engine.dialect.name == ("postgresql" if is_postgres() else "sqlite")


def test_a_member_signs_up_joins_pays_checks_in_and_meets_her_buddy(
    journey: Journey, live_app: Flask
) -> None:
    from playwright.sync_api import expect

    circle_id = _circles(live_app)
    amara = journey.person("amara")
    page = amara.page

    # She signs up; the timezone comes from her browser.
    amara.goto("/account/signup", "sign up")
    expect(page.get_by_label("Your timezone")).to_have_value("Europe/London")
    amara.fill("Email address", "Amara.O@Example.com", first=True)
    amara.fill("What should we call you?", "Amara O.")
    amara.fill("Password", PASSWORD)
    amara.press("Create my account")
    amara.see("check your inbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    amara.goto(link_in_outbox(live_app, EMAIL), "email confirmed")
    expect(page.get_by_role("status")).to_contain_text("your email address is confirmed")
    amara.fill("Email address", EMAIL, first=True)
    amara.fill("Password", PASSWORD)
    amara.press("Log in")
    amara.see("my circles")
    expect(page.get_by_role("heading", level=1)).to_have_text("My circles")

    # Her week: free after bedtime.
    amara.follow("My week")
    amara.see("my week")
    amara.press("After bedtime (20:00–22:00)")
    amara.see("after bedtime added")
    expect(page.get_by_text("Monday 20:00–22:00: free (after bedtime)")).to_be_visible()

    # The circle list, filtered to what fits her week.
    amara.follow("Find a circle")
    amara.see("find a circle")
    amara.expand(page.get_by_text("Filter by day, time, theme, price and childcare"))
    amara.tick(page.get_by_label("Fits my week (every meeting, in my time)"))
    amara.press("Show circles")
    amara.see("circles that fit her week")
    expect(page.get_by_role("link", name="Evenings after bedtime")).to_be_visible()
    expect(page.get_by_role("link", name="Coffee at ten")).to_have_count(0)

    # She joins at a price she chooses and pays on the local gateway.
    amara.follow("Evenings after bedtime")
    amara.see("the circle")
    amara.follow("Choose how to pay and join")
    amara.see("her quote")
    expect(page.get_by_text("8 meetings × $12 = $96", exact=True)).to_be_visible()
    amara.fill("Your price per meeting", "9", first=True)
    amara.press("Update the total")
    amara.see("her price")
    expect(page.get_by_text("8 meetings × $9 = $72", exact=True)).to_be_visible()
    amara.tick(page.get_by_label("I agree to keep what is shared in this circle confidential."))
    amara.press("Continue to payment")
    amara.see("local checkout")
    expect(page).to_have_url(re.compile(r"/billing/local-checkout/cs_local_"))
    amara.press("Pay $72")
    amara.see("paid")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. You're in!")
    amara.follow("View your receipt")
    amara.see("receipt")
    receipt = page.get_by_role("main")
    expect(receipt).to_contain_text("Evenings after bedtime")
    expect(receipt).to_contain_text("8 × $9")
    expect(receipt).to_contain_text("$72")
    expect(receipt).to_contain_text(re.compile(r"\d{2}:\d{2} (GMT|BST)"))

    # Her calendar feed: a private https link (and its webcal twin) that serves a calendar.
    amara.follow("My circles")
    amara.see("my circles, a member")
    amara.follow("My calendar link")
    amara.see("calendar link off")
    amara.press("Turn on my calendar link")
    amara.see("calendar link")
    feed_url = page.get_by_label("Or copy this address into your calendar app").input_value()
    assert re.fullmatch(r"https?://127\.0\.0\.1:\d+/calendar/[\w-]+\.ics", feed_url), feed_url
    webcal = page.get_by_role("link", name="Add to my calendar").get_attribute("href")
    assert webcal == "webcal://" + feed_url.split("://", 1)[1]
    feed = amara.context.request.get(feed_url)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    assert body.startswith("BEGIN:VCALENDAR") and "SUMMARY:Evenings after bedtime" in body

    # A goal.
    amara.follow("My goals")
    amara.see("my goals")
    amara.fill("Your goal", "Ask for a flexible Friday", first=True)
    amara.fill("The next small step", "Book 15 minutes with my manager")
    amara.press("Save the goal")
    amara.see("her goal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a flexible Friday")

    _first_meeting_was_held(live_app, circle_id)

    # She checks in after the meeting and asks for support.
    amara.follow("My circles")
    amara.see("check-in open")
    amara.follow("Check in for Evenings after bedtime")
    amara.see("check in")
    progress = page.get_by_role("group", name="Ask for a flexible Friday").get_by_label("Some")
    amara.start_at(progress)
    amara.tick(progress)
    amara.tick(page.get_by_label("2 · hard"))
    amara.fill("What got in the way (optional)", "A sick child all week")
    support = page.get_by_label("I'd like support: tell my facilitator")
    below = page.get_by_text("She gets your name and that you asked").bounding_box()
    assert below["y"] >= support.bounding_box()["y"] + support.bounding_box()["height"], \
        "a checkbox's help belongs under it, not squeezing its label into a column"
    amara.tick(support)
    amara.press("Check in")
    amara.see("support asked")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your facilitator has been told")

    # The pulse for the meeting she came to.
    amara.goto(f"/circles/{circle_id}", "the circle, running")
    amara.follow("Pulse and your progress")
    amara.see("pulse and progress")
    amara.follow("Three questions about meeting 1")
    amara.see("pulse")
    heard = page.get_by_role("group", name="I felt heard")
    amara.start_at(heard.get_by_role("radio").first)
    amara.tick(heard.get_by_label("4"))
    amara.tick(page.get_by_role("group", name="I felt connected to the group").get_by_label("5 · very much"))
    amara.tick(page.get_by_role("group", name="I learned something I can use").get_by_label("3"))
    amara.press("Send")
    amara.see("pulse sent")
    expect(page.get_by_role("status")).to_contain_text("averages of 3 or more")

    # Her buddy.
    amara.goto(f"/circles/{circle_id}", "the circle, with a buddy")
    amara.follow("Your practice buddy")
    amara.see("her buddy")
    expect(page.get_by_role("paragraph").filter(has_text=re.compile(r"^Lena$"))).to_be_visible()
    journey.finish()
