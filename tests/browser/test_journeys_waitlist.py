"""Journey: a member leaves a paid circle in time for a refund, and the first on the waitlist
takes her seat, in chromium.

Maya paid for a full circle's term and leaves a week before its first meeting: she is told what
comes back before she confirms, and sees the refund on her payments and her receipt. Priya, first
on the waitlist, is offered the seat by email and in her notifications, accepts it and pays.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Flask

from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from tests.browser.journey import Journey
from tests.factories import enroll, make_circle, make_user
from tests.integration.billing.conftest import buy


def _full_paid_circle(live_app: Flask) -> int:
    """Four places: Maya paid for all eight meetings, three others are in, Priya waits."""
    with live_app.app_context():
        circle = make_circle(title="Sunday mornings", capacity=4, price_mode="fixed", price_cents=1500,
                             currency="USD")
        maya = make_user("maya@example.com", display_name="Maya")
        db.session.commit()
        buy(circle, maya, now=utcnow())
        for n in range(3):
            enroll(circle, make_user(f"member{n}@example.com"))
        priya = make_user("priya@example.com", display_name="Priya")
        # Quiet hours off, so the offer's email goes out at whatever hour the test runs.
        priya.quiet_start = priya.quiet_end = None
        enroll(circle, priya, status="waitlisted")
        db.session.commit()
        return circle.id


def _mail_to(live_app: Flask, to: str) -> str:
    """Send what is due, as the scheduler would, and return the subject of the mail to `to`."""
    with live_app.app_context():
        dispatch_due(utcnow())
    for path in sorted(Path(live_app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"].addresses[0].addr_spec == to:
            return str(message["Subject"])
    raise AssertionError(f"no mail to {to} in the outbox")


def test_leaving_in_time_refunds_her_and_the_first_waiting_takes_the_seat(
    journey: Journey, live_app: Flask
) -> None:
    from playwright.sync_api import expect

    circle_id = _full_paid_circle(live_app)
    maya = journey.person("maya")
    page = maya.page

    # Maya leaves a week before the first meeting: all eight meetings come back.
    maya.log_in("maya@example.com")
    maya.follow("Sunday mornings")
    maya.see("the circle")
    maya.follow("Leave this circle")
    maya.see("leave?")
    expect(page.get_by_role("main")).to_contain_text("You will get $120 back for the 8 meetings")
    maya.press("Yes, leave")
    maya.see("left")
    maya.follow("Payments")
    maya.see("payments")
    row = page.get_by_role("row", name=re.compile("Sunday mornings"))
    expect(row).to_contain_text("$120")
    expect(row).to_contain_text("refunded")
    maya.follow(re.compile("Receipt"), exact=False)
    maya.see("receipt with the refund")
    expect(page.get_by_role("heading", name="Refunds")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Net paid: $0")

    # Priya, first on the waitlist, is offered the seat by email and in her notifications.
    assert "Sunday mornings" in _mail_to(live_app, "priya@example.com")
    priya = journey.person("priya")
    priya.log_in("priya@example.com")
    priya.follow(re.compile("^Notifications"), exact=False)
    priya.see("notifications")
    offer = priya.page.get_by_role("listitem").filter(has_text="A seat is free in Sunday mornings")
    expect(offer).to_contain_text("Sunday mornings")
    priya.follow(re.compile("^Open"), within=offer, exact=False)
    priya.see("the seat kept for her")
    expect(priya.page.get_by_role("main")).to_contain_text("A seat is kept for you")
    priya.press("Accept the seat")
    priya.see("pay to take the seat")
    priya.tick(priya.page.get_by_label("I agree to keep what is shared in this circle confidential."))
    priya.press("Continue to payment")
    priya.see("local checkout")
    priya.press("Pay $120")
    priya.see("paid")
    expect(priya.page.get_by_role("heading", level=1)).to_have_text("Thank you. You're in!")
    priya.goto(f"/circles/{circle_id}", "a member now")
    expect(priya.page.get_by_role("main")).to_contain_text("You are a member of this circle")
    journey.finish()
