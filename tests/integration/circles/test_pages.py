"""The members' pages, through HTTP: what each visitor sees, and what joining changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.audit.models import AuditEntry
from mentoring.circles.models import Circle, Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import csrf_token, post_form
from tests.factories import enroll, login, make_circle, make_user
from tests.helpers import get_page

SECRET_LINK = "https://meet.example.com/very-secret-room"
SECRET_ADDRESS = "12 Hidden Lane, Leeds"


def commit() -> None:
    """Commit, then reload what the test holds so it can still be read outside the app context."""
    db.session.commit()
    for obj in list(db.session.identity_map.values()):
        db.session.refresh(obj)


def private_circle(app: Flask, **fields: object) -> dict[str, object]:
    with app.app_context():
        facilitator = make_user(roles=(Role.FACILITATOR,), display_name="Fiona Facilitator",
                                bio="Counsellor and mother of three.")
        circle = make_circle(facilitator, title="Back to work after baby", meeting_link=SECRET_LINK,
                             address=SECRET_ADDRESS, format="hybrid", **fields)
        member = make_user(display_name="Maya Member", email="maya@private.example")
        enroll(circle, member)
        outsider = make_user(display_name="Olive Outsider")
        commit()
        return {"circle": circle.id, "facilitator": facilitator, "member": member, "outsider": outsider}


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_only_published_circles_with_price_seats_and_badges(app: Flask,
                                                                          client: FlaskClient) -> None:
    with app.app_context():
        make_circle(title="Open and free", capacity=8, kids_welcome=True, language="Spanish")
        make_circle(title="Sliding one", price_mode="sliding", sliding_min_cents=0, sliding_max_cents=3000,
                    sliding_suggested_cents=1500, onsite_childcare=True)
        make_circle(title="Fixed one", price_mode="fixed", price_cents=1500)
        full = make_circle(title="Full one", capacity=4, status="full")
        for _ in range(4):
            enroll(full, make_user())
        make_circle(title="Secret draft", status="draft")
        make_circle(title="Called off", status="cancelled")
        commit()
    html = get_page(client, "/circles/")
    for title in ("Open and free", "Sliding one", "Fixed one", "Full one"):
        assert title in html
    assert "Secret draft" not in html and "Called off" not in html
    assert "Sliding scale $0–$30 per meeting" in html
    assert "$15 per meeting" in html
    assert "8 seats left" in html and "Waitlist" in html
    assert "Kids welcome" in html and "On-site childcare" in html and "Spanish" in html
    assert "(UTC)" in html or "UTC" in html


def test_the_list_and_the_circle_page_write_prices_the_way_her_browser_does(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        circle = make_circle(title="Fixed one", price_mode="fixed", price_cents=1550, currency="EUR")
        make_circle(title="Sliding one", price_mode="sliding", sliding_min_cents=0, sliding_max_cents=3000,
                    sliding_suggested_cents=1500)
        commit()
    german = {"Accept-Language": "de-DE,de;q=0.8,en;q=0.5"}
    html = client.get("/circles/", headers=german).get_data(as_text=True)
    assert "15,50\xa0€ per meeting" in html
    assert "Sliding scale 0\xa0$–30\xa0$ per meeting" in html
    detail = client.get(f"/circles/{circle.id}", headers=german).get_data(as_text=True)
    assert "15,50\xa0€ per meeting" in detail
    british = client.get("/circles/", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Sliding scale US$0–US$30" in british
    # A language we do not format in falls back to Hearth's default.
    chinese = client.get("/circles/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "Sliding scale $0–$30" in chinese


def test_the_list_filters_in_the_database(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_circle(title="Kids circle", kids_welcome=True, theme="new_and_expecting_mothers")
        make_circle(title="Quiet circle", theme="career_change", price_mode="fixed", price_cents=1000)
        commit()
    html = get_page(client, "/circles/?kids_welcome=y")
    assert "Kids circle" in html and "Quiet circle" not in html
    html = get_page(client, "/circles/?theme=career_change&price=fixed")
    assert "Quiet circle" in html and "Kids circle" not in html


def test_time_of_day_is_her_own_time(app: Flask, client: FlaskClient) -> None:
    # 20:30 in London is 12:30 in Los Angeles (school hours there) and after bedtime in London.
    with app.app_context():
        make_circle(title="London evening", start_time=time(20, 30), timezone="Europe/London")
        make_circle(title="London morning", start_time=time(10, 0), timezone="Europe/London")
        london = make_user(timezone="Europe/London")
        commit()
    html = get_page(client, "/circles/?time_of_day=school_hours&tz=America/Los_Angeles")
    assert "London evening" in html and "London morning" not in html
    assert "PST" in html or "PDT" in html
    login(client, london)
    html = get_page(client, "/circles/?time_of_day=after_bedtime")
    assert "London evening" in html and "London morning" not in html
    html = get_page(client, "/circles/?time_of_day=school_hours")
    assert "London morning" in html and "London evening" not in html


def test_weekday_filter_uses_her_day(app: Flask, client: FlaskClient) -> None:
    start = utcnow().date() + timedelta(days=7)
    with app.app_context():
        # 23:30 in London is already the next day in Tokyo (08:30).
        make_circle(title="Late London", start_time=time(23, 30), first_date=start, timezone="Europe/London")
        commit()
    london_day = start.weekday()
    tokyo_day = (london_day + 1) % 7
    assert "Late London" in get_page(client, f"/circles/?weekday={london_day}&tz=Europe/London")
    assert "Late London" not in get_page(client, f"/circles/?weekday={london_day}&tz=Asia/Tokyo")
    assert "Late London" in get_page(client, f"/circles/?weekday={tokyo_day}&tz=Asia/Tokyo")


def test_bad_filter_values_are_ignored_with_a_message(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_circle(title="Still listed")
        commit()
    html = get_page(client, "/circles/?theme=nonsense&weekday=9&price=%3Cscript%3E&tz=Mars/Base&page=abc")
    assert "Still listed" in html
    assert "We ignored" in html
    assert "<script>" not in html


def test_a_blank_filter_value_is_no_filter(app: Flask, client: FlaskClient) -> None:
    # A space is "empty" to the Optional validator, which then skips the check of the choices:
    # the time of day and the day were looked up as " " (a KeyError and int(" "): 500s).
    with app.app_context():
        make_circle(title="Still listed")
        commit()
    for name in ("time_of_day", "weekday", "theme", "format", "price", "language"):
        html = get_page(client, f"/circles/?{name}=%20")
        assert "Still listed" in html, name


def test_the_list_pages_twelve_at_a_time(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        for n in range(14):
            make_circle(title=f"Numbered circle {n:02d}")
        commit()
    first = get_page(client, "/circles/")
    second = get_page(client, "/circles/?page=2")
    assert len(re.findall("Numbered circle", first)) == 12
    assert len(re.findall("Numbered circle", second)) == 2
    assert "Next page" in first and "Next page" not in second


# --- the circle page and privacy -----------------------------------------------------------


def test_anonymous_visitors_see_the_circle_but_not_the_private_details(app: Flask,
                                                                       client: FlaskClient) -> None:
    ids = private_circle(app)
    html = get_page(client, f"/circles/{ids['circle']}")
    assert "Back to work after baby" in html and "Fiona Facilitator" in html
    assert "Counsellor and mother of three." in html
    assert "What is said here stays here." in html
    assert SECRET_LINK not in html and SECRET_ADDRESS not in html and "Maya Member" not in html
    assert "UTC" in html


def test_non_members_never_see_the_link_address_or_roster(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    login(client, ids["outsider"])
    html = get_page(client, f"/circles/{ids['circle']}")
    assert SECRET_LINK not in html and SECRET_ADDRESS not in html and "Maya Member" not in html
    assert "I agree to keep what is shared in this circle confidential" in html


def test_members_and_the_facilitator_see_link_address_and_names_but_no_emails(app: Flask,
                                                                              client: FlaskClient) -> None:
    ids = private_circle(app)
    for viewer in (ids["member"], ids["facilitator"]):
        login(client, viewer)
        html = get_page(client, f"/circles/{ids['circle']}")
        assert SECRET_LINK in html and SECRET_ADDRESS in html and "Maya Member" in html
        assert "@" not in html.replace(SECRET_LINK, "")
    login(client, ids["member"])
    assert "maya@private.example" not in get_page(client, "/circles/mine")


def test_a_member_of_one_circle_sees_nothing_private_of_another(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    with app.app_context():
        other = make_circle(title="Other circle", meeting_link="https://meet.example.com/other-room")
        member = make_user(display_name="Amy Other")
        enroll(other, member)
        commit()
        other_id = other.id
    login(client, member)
    html = get_page(client, f"/circles/{ids['circle']}")
    assert "Maya Member" not in html and SECRET_LINK not in html
    assert "https://meet.example.com/other-room" in get_page(client, f"/circles/{other_id}")


def test_a_waitlisted_member_does_not_see_private_details(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    with app.app_context():
        waiting = make_user()
        enroll(db.session.get(Circle, ids["circle"]), waiting, status="waitlisted")
        commit()
    login(client, waiting)
    html = get_page(client, f"/circles/{ids['circle']}")
    assert "You are number 1 on the waitlist" in html
    assert SECRET_LINK not in html and "Maya Member" not in html


def test_drafts_are_404_except_to_their_facilitator(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        facilitator = make_user(roles=(Role.FACILITATOR,))
        draft = make_circle(facilitator, status="draft", title="Work in progress")
        stranger = make_user()
        commit()
    assert client.get(f"/circles/{draft.id}").status_code == 404
    login(client, stranger)
    assert client.get(f"/circles/{draft.id}").status_code == 404
    login(client, facilitator)
    assert "Work in progress" in get_page(client, f"/circles/{draft.id}")


def test_a_paid_circle_sends_her_to_choose_how_to_pay(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        circle = make_circle(price_mode="fixed", price_cents=1500)
        member = make_user()
        commit()
    login(client, member)
    html = get_page(client, f"/circles/{circle.id}")
    assert f"/billing/circles/{circle.id}/join" in html


# --- joining through the form --------------------------------------------------------------


def test_joining_through_the_form_needs_the_tick(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        circle = make_circle()
        member = make_user()
        commit()
    login(client, member)
    path = f"/circles/{circle.id}"
    response = post_form(client, path, {}, action=f"{path}/join")
    assert response.status_code == 400
    assert "Please tick the box" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Enrollment)).all() == []
    response = post_form(client, path, {"agree": "y"}, action=f"{path}/join", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Welcome to the circle" in html and "You are a member of this circle" in html


def test_joining_twice_says_so_and_changes_nothing(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        circle = make_circle()
        member = make_user()
        enroll(circle, member)
        commit()
    login(client, member)
    token = csrf_token(client, "/circles/")
    response = client.post(f"/circles/{circle.id}/join", data={"agree": "y", "csrf_token": token},
                           follow_redirects=True)
    assert "already part of this circle" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Circle, circle.id).seats_taken == 1


def test_joining_a_cancelled_circle_is_refused_kindly(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        circle = make_circle(status="cancelled")
        member = make_user()
        commit()
    login(client, member)
    token = csrf_token(client, "/circles/")
    response = client.post(f"/circles/{circle.id}/join", data={"agree": "y", "csrf_token": token},
                           follow_redirects=True)
    assert "not taking new members" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Enrollment)).all() == []


def test_an_unverified_member_is_sent_to_confirm_her_email(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        circle = make_circle()
        member = make_user(verified=False)
        commit()
    login(client, member)
    token = csrf_token(client, "/circles/")
    response = client.post(f"/circles/{circle.id}/join", data={"agree": "y", "csrf_token": token})
    assert response.status_code == 302 and "/account/unverified" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalars(select(Enrollment)).all() == []


def test_a_full_circle_offers_the_waitlist_and_shows_her_position(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        circle = make_circle(capacity=4, status="full")
        for _ in range(4):
            enroll(circle, make_user())
        enroll(circle, make_user(), status="waitlisted")
        member = make_user()
        commit()
    login(client, member)
    path = f"/circles/{circle.id}"
    assert "Join the waitlist" in get_page(client, path)
    response = post_form(client, path, {"agree": "y"}, action=f"{path}/join", follow_redirects=True)
    assert "You are number 2 on the waitlist" in response.get_data(as_text=True)


def test_leaving_asks_first_then_frees_the_seat(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        circle = make_circle()
        member = make_user()
        enroll(circle, member)
        commit()
    login(client, member)
    confirm = get_page(client, f"/circles/{circle.id}/leave")
    assert "Leave" in confirm
    response = post_form(client, f"/circles/{circle.id}/leave", {}, follow_redirects=True)
    assert "You have left the circle" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Circle, circle.id).seats_taken == 0


def test_an_offer_can_be_accepted_from_the_page(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        circle = make_circle(capacity=4)
        member = make_user()
        offered = enroll(circle, member, status="offered")
        offered.offer_expires_at = utcnow() + timedelta(hours=10)
        commit()
    login(client, member)
    path = f"/circles/{circle.id}"
    html = get_page(client, path)
    assert "A seat is kept for you" in html and "Accept the seat" in html
    response = post_form(client, path, {}, action=f"{path}/offer/accept", follow_redirects=True)
    assert "The seat is yours" in response.get_data(as_text=True)


# --- the dashboard -------------------------------------------------------------------------


def test_dashboard_shows_her_next_meeting_with_link_and_her_places(app: Flask, client: FlaskClient) -> None:
    soon = utcnow().date() + timedelta(days=2)
    with app.app_context():
        member = make_user(timezone="America/New_York")
        mine = make_circle(title="My weekly circle", first_date=soon, meeting_link=SECRET_LINK)
        enroll(mine, member)
        full = make_circle(title="Popular circle", capacity=4)
        for _ in range(4):
            enroll(full, make_user())
        enroll(full, make_user(), status="waitlisted", now=datetime(2026, 1, 1, tzinfo=UTC))
        enroll(full, member, status="waitlisted")
        commit()
    login(client, member)
    html = get_page(client, "/circles/mine")
    assert "My weekly circle" in html and SECRET_LINK in html
    assert "EST" in html or "EDT" in html
    assert "Popular circle" in html and "you are number 2 on the waitlist" in html


def test_dashboard_needs_login(client: FlaskClient) -> None:
    response = client.get("/circles/mine")
    assert response.status_code == 302


# --- removing a member ---------------------------------------------------------------------


def test_the_facilitator_removes_a_member_with_a_reason(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    with app.app_context():
        enrollment_id = db.session.scalar(select(Enrollment.id).where(Enrollment.user_id == ids["member"].id))
    path = f"/circles/{ids['circle']}/members/{enrollment_id}/remove"
    login(client, ids["member"])
    assert "/remove" not in get_page(client, f"/circles/{ids['circle']}")
    assert client.get(path).status_code == 404
    login(client, ids["outsider"])
    assert client.get(path).status_code == 404
    login(client, ids["facilitator"])
    assert path in get_page(client, f"/circles/{ids['circle']}")
    assert "Remove Maya Member" in get_page(client, path)
    response = post_form(client, path, {"reason": ""})
    assert response.status_code == 400 and "Please give a reason" in response.get_data(as_text=True)
    response = post_form(client, path, {"reason": "Repeatedly broke confidentiality"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Enrollment, enrollment_id).status == "removed"
        assert db.session.scalar(select(AuditEntry.action)) == "circle.member_removed"


def test_no_page_shows_any_email_address(app: Flask, client: FlaskClient) -> None:
    ids = private_circle(app)
    with app.app_context():
        enrollment_id = db.session.scalar(select(Enrollment.id).where(Enrollment.user_id == ids["member"].id))
    circle = ids["circle"]
    pages = {
        ids["member"]: ["/circles/", f"/circles/{circle}", "/circles/mine", f"/circles/{circle}/leave"],
        ids["facilitator"]: ["/circles/", f"/circles/{circle}", "/circles/mine",
                             f"/circles/{circle}/members/{enrollment_id}/remove"],
        ids["outsider"]: ["/circles/", f"/circles/{circle}", "/circles/mine"],
    }
    for viewer, paths in pages.items():
        login(client, viewer)
        for path in paths:
            assert "@" not in get_page(client, path), (viewer.display_name, path)
