"""Journey: an employer's HR partner buys seats and an employee uses one, in chromium.

HR buys a pool of seats through the local gateway and makes an invite code; an employee links
herself with the code and joins a paid circle at no cost; HR's report counts the claim without
showing it (one seat is "too few to show"), and the employee opens "What my employer sees".
"""

from __future__ import annotations

import re

from flask import Flask

from mentoring.extensions import db
from tests.browser.journey import Journey
from tests.factories import make_circle, make_user
from tests.integration.sponsors.conftest import make_org, make_sponsor_admin


def _northwind(live_app: Flask) -> int:
    with live_app.app_context():
        make_sponsor_admin(make_org(), "hr@northwind.example")
        make_user("lena@example.com", display_name="Lena")
        circle = make_circle(title="Back to work", price_mode="fixed", price_cents=1500, currency="USD")
        db.session.commit()
        return circle.id


def test_hr_buys_seats_an_employee_joins_free_and_sees_what_her_employer_sees(
    journey: Journey, live_app: Flask
) -> None:
    from playwright.sync_api import expect

    circle_id = _northwind(live_app)
    hr = journey.person("hr")
    page = hr.page

    # HR buys ten seats on the local gateway.
    hr.log_in("hr@northwind.example")
    hr.follow("Sponsored seats")
    hr.see("report")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind: sponsored seats")
    hr.follow("Buy seats")
    hr.see("buy seats")
    hr.fill("Number of seats", "10", first=True)
    hr.fill("Price cap per meeting (USD)", "20")
    hr.press("Show the total")
    hr.see("the total")
    expect(page.get_by_text("Total: 10 seats × $160 = $1,600", exact=True)).to_be_visible()
    hr.press("Buy the seats")
    hr.see("local payment")
    expect(page).to_have_url(re.compile(r"/local-payment$"))
    hr.press("Pay")
    hr.see("pool paid")
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"Status\s*active"))

    # ...and makes a code for one employee.
    hr.follow("Back to the report")
    hr.see("report with a pool")
    hr.fill("How many employees can use it", "1", first=True)
    hr.press("Create a code")
    hr.see("code made")
    codes = page.get_by_role("region", name="Table of invite codes")
    # One landmark per name: the section is "Invite codes", its scrolling table is not.
    expect(page.get_by_role("region", name="Invite codes", exact=True)).to_have_count(1)
    code = codes.get_by_role("row").nth(1).get_by_role("cell").first.inner_text()

    # The employee links herself with the code and joins a paid circle at no cost.
    lena = journey.person("lena")
    lena.log_in("lena@example.com")
    lena.follow("Settings")
    lena.see("settings")
    lena.follow("Your employer")
    lena.see("your employer")
    lena.fill("Invite code from your employer", code.lower(), first=True)
    lena.press("Link me")
    lena.see("linked")
    expect(lena.page.get_by_role("main")).to_contain_text("You are linked to Northwind")

    lena.goto(f"/circles/{circle_id}", "the circle")
    lena.follow("Choose how to pay and join")
    lena.see("join, sponsored offer")
    offer = lena.page.get_by_role("region", name="Sponsored by your employer")
    expect(offer).to_contain_text("Northwind pays for your seat, so you pay nothing.")
    lena.follow("Use a seat sponsored by my employer", within=offer)
    lena.see("claim a seat")
    expect(lena.page.get_by_role("main")).to_contain_text("you pay nothing")
    lena.tick(lena.page.get_by_label("I agree to keep what is shared in this circle confidential."))
    lena.press("Use a seat sponsored by my employer")
    lena.see("joined free")
    expect(lena.page.get_by_role("status")).to_contain_text("You pay nothing")
    expect(lena.page.get_by_role("main")).to_contain_text("You are a member of this circle")

    # She opens "What my employer sees".
    lena.follow("Settings")
    lena.see("settings, sponsored")
    lena.follow("What my employer sees")
    lena.see("what my employer sees")
    main = lena.page.get_by_role("main")
    expect(main).to_contain_text("You use 1 sponsored seat")
    expect(main).to_contain_text("The report, exactly as Northwind sees it")

    # HR's report counts the claim without revealing it.
    hr.follow("Sponsored seats")
    hr.see("report after the claim")
    seats = page.get_by_role("region", name="Seats", exact=True)
    expect(seats).to_contain_text(re.compile(r"Claimed\s*too few to show"))
    expect(page.get_by_role("main")).not_to_contain_text("Lena")
    expect(page.get_by_role("main")).not_to_contain_text("Back to work")
    journey.finish()
