"""Her private calendar feed: read back as a calendar app reads it, cached by ETag, revoked,
regenerated, and rate limited."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from flask.testing import FlaskClient
from icalendar import Calendar

from mentoring.accounts.models import Role
from mentoring.extensions import db
from tests.conftest import PASSWORD, post_form
from tests.factories import enroll, login, make_circle, make_user

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
URL_RE = re.compile(r'value="(http://localhost/calendar/[^"]+\.ics)"')


def _turn_on(client: FlaskClient) -> str:
    page = post_form(client, "/my-calendar", {}, action="/my-calendar/new-link", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "webcal://localhost/calendar/" in html
    return URL_RE.search(html).group(1).removeprefix("http://localhost")


def _starts(body: bytes, title: str) -> list[datetime]:
    """Every start of the circle's series, expanded as a calendar app does (UTC instants)."""
    calendar = Calendar.from_ical(body)
    series = next(e for e in calendar.events if str(e["SUMMARY"]) == title and "RECURRENCE-ID" not in e)
    start = series.decoded("DTSTART")
    rule = rrulestr(series["RRULE"].to_ical().decode(), dtstart=start)
    excluded = {d.dt for ex in ([series["EXDATE"]] if "EXDATE" in series else []) for d in ex.dts}
    return [s.astimezone(UTC) for s in rule if s not in excluded]


def test_the_feed_holds_each_of_her_circles_and_keeps_london_time_through_october(
        client: FlaskClient, ctx: None) -> None:
    member = make_user(timezone="America/New_York")
    london = make_circle(title="London evenings", timezone="Europe/London", start_time=time(20, 30),
                         first_date=date(2030, 10, 15), meeting_count=4, meeting_link="https://meet.example/x")
    other = make_circle(title="Not hers")
    enroll(london, member)
    db.session.commit()
    login(client, member)
    url = _turn_on(client)
    client.get("/account/logout")
    anonymous = client.application.test_client()  # calendar apps send no cookies
    response = anonymous.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data()
    starts = _starts(body, "London evenings")
    # 20:30 in London on both sides of the change on 27 October 2030...
    assert [s.astimezone(LONDON).time() for s in starts] == [time(20, 30)] * 4
    assert starts[1] == datetime(2030, 10, 22, 19, 30, tzinfo=UTC)
    assert starts[2] == datetime(2030, 10, 29, 20, 30, tzinfo=UTC)
    # ...and her New York copy shows the right instant through both zones' changes
    # (London on 27 October, New York on 3 November 2030).
    assert [s.astimezone(NEW_YORK).strftime("%H:%M") for s in starts] == ["15:30", "15:30", "16:30", "15:30"]
    assert b"https://meet.example/x" in body
    assert other.title.encode() not in body


def test_an_unchanged_feed_answers_304_to_its_etag_and_a_change_gives_a_new_one(
        client: FlaskClient, ctx: None) -> None:
    member = make_user()
    circle = make_circle(title="Tuesdays")
    enroll(circle, member)
    db.session.commit()
    login(client, member)
    url = _turn_on(client)
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()
    circle.meetings[2].status = "cancelled"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_revoked_link_is_a_404_and_a_new_link_replaces_the_old(client: FlaskClient, ctx: None) -> None:
    member = make_user()
    db.session.commit()
    login(client, member)
    first = _turn_on(client)
    second = _turn_on(client)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    post_form(client, "/my-calendar", {}, action="/my-calendar/turn-off")
    assert client.get(second).status_code == 404
    assert "turned off" in client.get("/my-calendar").get_data(as_text=True)
    for nonsense in ("/calendar/abc.ics", "/calendar/1-" + "0" * 40 + ".ics", "/calendar/99999999-x.ics"):
        assert client.get(nonsense).status_code == 404


def test_a_facilitators_feed_has_her_circles_with_their_place(client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    make_circle(facilitator, title="Hers", meeting_link="https://meet.example/h")
    make_circle(facilitator, title="Draft", status="draft")
    db.session.commit()
    login(client, facilitator)
    body = client.get(_turn_on(client)).get_data()
    assert b"Hers" in body and b"https://meet.example/h" in body and b"Draft" not in body


def test_the_feed_is_rate_limited_per_link(client: FlaskClient, ctx: None) -> None:
    member = make_user()
    db.session.commit()
    login(client, member)
    url = _turn_on(client)
    statuses = [client.get(url).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


def test_the_feed_ends_with_her_account(client: FlaskClient, ctx: None) -> None:
    member = make_user()
    db.session.commit()
    login(client, member)
    url = _turn_on(client)
    post_form(client, "/account/delete", {"password": PASSWORD})
    assert client.get(url).status_code == 404
