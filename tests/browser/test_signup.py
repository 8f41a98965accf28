"""A new member signs up, confirms her address from the email, logs in and sees her dashboard."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from flask import Flask

from mentoring.db import utcnow
from mentoring.notify.dispatch import dispatch_due

PASSWORD = "a kettle, two kids and a plan"


def _link_in_outbox(live_app: Flask, to: str) -> str:
    """Send what is due, as the scheduler would, and return the link in the mail to `to`."""
    with live_app.app_context():
        dispatch_due(utcnow())
        outbox = Path(live_app.config["OUTBOX_DIR"])
        for path in sorted(outbox.glob("*.eml")):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if message["To"].addresses[0].addr_spec == to:
                body = message.get_body(preferencelist=("plain",)).get_content()
                return re.search(r"https?://\S+/account/verify/\S+", body).group(0)
    raise AssertionError(f"no mail to {to} in the outbox")


def test_sign_up_confirm_log_in_and_see_the_dashboard(
    browser: Any, live_server: str, live_app: Flask
) -> None:
    context = browser.new_context(base_url=live_server, timezone_id="America/Chicago",
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto("/account/signup")
    # The timezone is pre-filled from the browser.
    assert page.get_by_label("Your timezone").input_value() == "America/Chicago"
    page.get_by_label("Email address").fill("Amara.O@Example.com")
    page.get_by_label("What should we call you?").fill("Amara O.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign up|create", re.I)).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"

    link = _link_in_outbox(live_app, "amara.o@example.com")
    page.goto(link)
    assert "your email address is confirmed" in page.locator(".flashes").inner_text()

    page.get_by_label("Email address").fill("amara.o@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    assert page.get_by_role("heading", level=1).inner_text() == "My circles"
    assert "America/Chicago" in page.locator("footer").inner_text()
    context.close()


def test_typing_a_city_in_the_timezone_search_picks_its_zone(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, timezone_id="Europe/London",
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/account/signup")
    assert page.get_by_label("Your timezone").input_value() == "Europe/London"
    page.get_by_label("Search for your city").fill("chicago")
    assert page.get_by_label("Your timezone").input_value() == "America/Chicago"
    context.close()
