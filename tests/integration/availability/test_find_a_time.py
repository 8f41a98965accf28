"""Find a time: the facilitator fits interested or active members, and sets the schedule."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.availability.find_time import interest_key
from mentoring.availability.models import AvailabilityWindow, CircleInterest
from mentoring.circles.models import Circle, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import post_form
from tests.factories import enroll, login, make_circle, make_user
from tests.helpers import count, fresh


def _free(user_id: int, weekday: int, start: int, end: int, label: str = "private label") -> None:
    db.session.add(AvailabilityWindow(user_id=user_id, weekday=weekday, start_minute=start, end_minute=end,
                                      kind="available", hard=False, label=label))


def _next(weekday: int) -> date:
    today = utcnow().date() + timedelta(days=14)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def test_members_say_they_are_interested_in_a_draft_from_its_shared_link(client: FlaskClient,
                                                                          ctx: None) -> None:
    draft = make_circle(status="draft", title="Planning")
    member = make_user()
    db.session.commit()
    link = f"/circles/{draft.id}/interest/{interest_key(draft.id, client.application.config['SECRET_KEY'])}"
    login(client, member)
    assert client.get(f"/circles/{draft.id}").status_code == 404  # the draft itself stays hers
    page = client.get(link).get_data(as_text=True)
    assert "Planning" in page and "I&#39;m interested" in page
    post_form(client, link, {"interested": "yes"})
    post_form(client, link, {"interested": "yes"})  # twice is once
    assert count(CircleInterest, CircleInterest.user_id == member.id) == 1
    post_form(client, link, {"interested": "no"})
    assert count(CircleInterest) == 0
    # Without the link's key, walking circle ids shows nothing.
    assert client.get(f"/circles/{draft.id}/interest/{'0' * 24}").status_code == 404


def test_a_published_circle_has_no_interest_page(client: FlaskClient, ctx: None) -> None:
    circle = make_circle()
    member = make_user()
    db.session.commit()
    login(client, member)
    key = interest_key(circle.id, client.application.config["SECRET_KEY"])
    assert client.get(f"/circles/{circle.id}/interest/{key}").status_code == 404


def test_find_a_time_ranks_the_draft_interested_and_never_shows_their_labels(
        client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,), timezone="Europe/London")
    draft = make_circle(facilitator, status="draft", timezone="Europe/London", first_date=_next(1))
    anna = make_user(display_name="Anna", timezone="Europe/London")
    bea = make_user(display_name="Bea", timezone="America/New_York")
    for person in (anna, bea):
        db.session.add(CircleInterest(circle_id=draft.id, user_id=person.id))
    _free(anna.id, 2, 20 * 60, 22 * 60, "after bedtime")
    _free(bea.id, 2, 15 * 60, 17 * 60, "nap time")  # 20:00-22:00 London is 15:00-17:00 New York
    _free(anna.id, 3, 20 * 60, 22 * 60, "after bedtime")  # Thursdays suit Anna alone
    db.session.commit()
    login(client, facilitator)
    page = client.get(f"/facilitate/circles/{draft.id}/find-a-time?duration=60&count=8"
                      f"&first_date={_next(1).isoformat()}&people={anna.id}&people={bea.id}").get_data(as_text=True)
    best = page.split('<ol class="slot-list">')[1]
    assert best.split("</li>")[0].count("Wednesday 20:00") == 1
    assert "2 of 2 can come on every date" in best.split("</li>")[0]
    assert "after bedtime" not in page and "nap time" not in page
    assert "busy on" in page  # the others, in neutral words


def test_find_a_time_is_only_for_the_circles_facilitator(client: FlaskClient, ctx: None) -> None:
    circle = make_circle()
    other = make_user(roles=(Role.FACILITATOR,))
    db.session.commit()
    login(client, other)
    # Someone else's circle looks exactly like a missing one.
    assert client.get(f"/facilitate/circles/{circle.id}/find-a-time").status_code == 404
    assert client.get("/facilitate/circles/999999/find-a-time").status_code == 404


def test_a_length_that_does_not_fit_is_a_message_next_to_the_field(client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator)
    db.session.commit()
    login(client, facilitator)
    response = client.get(f"/facilitate/circles/{circle.id}/find-a-time?duration=0&count=8"
                          f"&first_date={_next(1).isoformat()}")
    assert response.status_code == 400
    assert "Number must be between 30 and 120" in response.get_data(as_text=True)


def test_choosing_a_slot_sets_the_schedule_and_tells_members(client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator, first_date=_next(1), start_time=time(20, 30),
                         meeting_link="https://meet.example.com/c")
    member = make_user()
    enroll(circle, member)
    db.session.commit()
    login(client, facilitator)
    search = f"/facilitate/circles/{circle.id}/find-a-time"
    response = post_form(client, search, {"weekday": 3, "start": 19 * 60, "duration": 90,
                                          "from_date": _next(1).isoformat()})
    assert response.status_code == 302
    circle = fresh(circle)
    assert (circle.weekday, circle.start_time, circle.duration_minutes) == (3, time(19, 0), 90)
    first = db.session.scalars(select(Meeting).where(Meeting.circle_id == circle.id)
                               .order_by(Meeting.sequence)).first()
    assert first.starts_at.astimezone(ZoneInfo("Europe/London")).weekday() == 3
    assert count(Notification, Notification.user_id == member.id) == 1


def test_a_slot_outside_the_day_is_refused_and_changes_nothing(client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator, first_date=_next(1), start_time=time(20, 30))
    db.session.commit()
    login(client, facilitator)
    search = f"/facilitate/circles/{circle.id}/find-a-time"
    for weekday, start in ((3, 23 * 60 + 30), (9, 600), (2, 615)):
        response = post_form(client, search, {"weekday": weekday, "start": start, "duration": 60,
                                              "from_date": _next(1).isoformat()}, follow_redirects=True)
        assert "not on the half-hour grid" in response.get_data(as_text=True)
    assert db.session.get(Circle, circle.id).start_time == time(20, 30)


def test_re_planning_a_running_circle_fits_its_members_over_the_meetings_to_come(
        client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator, status="running", first_date=utcnow().date() - timedelta(weeks=3),
                         meeting_count=8)
    member = make_user(display_name="Runner")
    enroll(circle, member)
    db.session.commit()
    login(client, facilitator)
    to_come = sum(1 for m in circle.meetings if m.starts_at > utcnow())
    page = client.get(f"/facilitate/circles/{circle.id}/find-a-time").get_data(as_text=True)
    assert re.search(r'id="count"[^>]*value="(\d+)"', page).group(1) == str(to_come)
    assert "Runner" in page and "1 of 1 can come on every date" in page


def test_best_times_never_offer_a_time_none_of_them_can_make(client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,), timezone="Europe/London")
    draft = make_circle(facilitator, status="draft", timezone="Europe/London", first_date=_next(1))
    anna = make_user(display_name="Anna", timezone="Europe/London")
    db.session.add(CircleInterest(circle_id=draft.id, user_id=anna.id))
    _free(anna.id, 2, 20 * 60, 21 * 60)  # one hour on Wednesdays: one 60-minute slot fits
    db.session.commit()
    login(client, facilitator)
    search = f"/facilitate/circles/{draft.id}/find-a-time?count=8&first_date={_next(1).isoformat()}"
    page = client.get(f"{search}&duration=60&people={anna.id}").get_data(as_text=True)
    best = page.split('<ol class="slot-list">')[1].split("</ol>")[0]
    assert best.count("<li>") == 1 and "Wednesday 20:00" in best
    assert "0 of 1 can come" not in page

    page = client.get(f"{search}&duration=90&people={anna.id}").get_data(as_text=True)
    assert 'class="slot-list"' not in page and "Use this time" not in page
    assert "No weekly time suits any of them on every date of the term." in page


def test_with_nobody_chosen_the_times_say_so_instead_of_none_of_none(client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,), timezone="Europe/London")
    draft = make_circle(facilitator, status="draft", timezone="Europe/London", first_date=_next(1))
    db.session.commit()
    login(client, facilitator)
    page = client.get(f"/facilitate/circles/{draft.id}/find-a-time?duration=60&count=8"
                      f"&first_date={_next(1).isoformat()}").get_data(as_text=True)
    assert "Nobody is chosen, so every time suits" in page
    assert "0 of 0" not in page
    assert '<ol class="slot-list">' in page  # the first times of the week still stand
