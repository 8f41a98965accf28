"""My week: presets, adding and removing windows, bad input, export and deletion."""

from __future__ import annotations

from flask.testing import FlaskClient

from mentoring.accounts.personal_data import export_user_data
from mentoring.availability.models import AvailabilityWindow, CalendarFeed
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import PASSWORD, post_form
from tests.factories import login, make_user
from tests.helpers import count


def _windows(user_id: int) -> list[tuple[int, int, int, str, bool, str]]:
    db.session.expire_all()
    rows = db.session.query(AvailabilityWindow).filter_by(user_id=user_id).all()
    return sorted((r.weekday, r.start_minute, r.end_minute, r.kind, r.hard, r.label) for r in rows)


def test_the_after_bedtime_preset_sets_every_evening_in_one_tap(client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    response = post_form(client, "/my-week/", {}, action="/my-week/presets/after_bedtime",
                         follow_redirects=True)
    assert "After bedtime" in response.get_data(as_text=True)
    assert _windows(user.id) == [(day, 1200, 1320, "available", False, "after bedtime") for day in range(7)]


def test_an_unknown_preset_is_a_404_and_changes_nothing(client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    assert post_form(client, "/my-week/", {}, action="/my-week/presets/naps_forever").status_code == 404
    assert _windows(user.id) == []


def test_a_window_on_several_days_merges_with_one_it_overlaps(client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    post_form(client, "/my-week/", {"weekdays": ["0", "2"], "start": "09:00", "end": "11:00",
                                    "kind": "available", "label": "gym"}, action="/my-week/windows")
    response = post_form(client, "/my-week/", {"weekdays": ["0"], "start": "10:30", "end": "12:00",
                                               "kind": "available"}, action="/my-week/windows")
    assert response.status_code == 302
    assert _windows(user.id) == [(0, 540, 720, "available", False, "gym"),
                                 (2, 540, 660, "available", False, "gym")]


def test_an_end_before_its_start_is_refused_next_to_the_field_and_nothing_is_saved(
        client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    for start, end, message in (("11:00", "09:00", "The end must be after the start."),
                                ("11:00", "11:00", "The end must be after the start."),
                                ("11:00", "25:00", "within the day")):
        response = post_form(client, "/my-week/", {"weekdays": ["1"], "start": start, "end": end,
                                                   "kind": "available"}, action="/my-week/windows")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    response = post_form(client, "/my-week/", {"start": "09:00", "end": "10:00", "kind": "available"},
                         action="/my-week/windows")
    assert "Please choose at least one day." in response.get_data(as_text=True)
    assert _windows(user.id) == []


def test_tapping_a_grid_cell_fills_in_the_form_without_javascript(client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    html = client.get("/my-week/?day=2&at=20:30").get_data(as_text=True)
    assert '<input checked id="weekdays-2"' in html and '<input checked id="weekdays-1"' not in html
    assert '<option selected value="20:30">' in html and '<option selected value="21:30">' in html


def test_she_removes_only_her_own_windows(client: FlaskClient, ctx: None) -> None:
    her, other = make_user(), make_user()
    db.session.add(AvailabilityWindow(user_id=other.id, weekday=0, start_minute=0, end_minute=60,
                                      kind="available", hard=False, label="theirs"))
    db.session.commit()
    theirs = db.session.query(AvailabilityWindow).one().id
    login(client, her)
    post_form(client, "/my-week/", {}, action=f"/my-week/windows/{theirs}/remove")
    assert count(AvailabilityWindow) == 1


def test_her_week_and_feed_are_in_her_export_and_go_with_her_account(client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.add(AvailabilityWindow(user_id=user.id, weekday=1, start_minute=450, end_minute=540,
                                      kind="blocked", hard=True, label="school run"))
    db.session.add(CalendarFeed(user_id=user.id, nonce="n"))
    db.session.commit()
    data = export_user_data(user.id, now=utcnow())
    assert data["availability"] == [{"weekday": 1, "start": "07:30", "end": "09:00", "kind": "blocked",
                                     "hard": True, "label": "school run"}]
    assert data["calendar_feed"]["revoked_at"] is None
    login(client, user)
    post_form(client, "/account/delete", {"password": PASSWORD})
    assert count(AvailabilityWindow) == 0 and count(CalendarFeed) == 0
