"""The circle list judges day, time of day and "fits my week" on every meeting to come, in her
zone on each meeting's date, and in the same single query."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import time_machine
from flask import Flask
from flask.testing import FlaskClient

from mentoring.availability.models import AvailabilityWindow
from mentoring.extensions import db
from tests.factories import login, make_circle, make_user
from tests.helpers import get_page
from tests.integration.circles.test_query_counts import check_page

TUESDAY = 1


def _session_user(user_id: int) -> SimpleNamespace:
    """What `login` needs of a user, kept after the app context that loaded her has ended."""
    return SimpleNamespace(id=user_id)


def _window(user_id: int, weekday: int, start: int, end: int, kind: str = "available",
            hard: bool = False) -> None:
    db.session.add(AvailabilityWindow(user_id=user_id, weekday=weekday, start_minute=start, end_minute=end,
                                      kind=kind, hard=hard, label=""))


def test_time_of_day_uses_her_offset_on_the_meetings_date_not_today(app: Flask, client: FlaskClient) -> None:
    # On 20 March London is on GMT; the circle's meetings are after 29 March, on BST. 20:30 BST
    # is after bedtime in London although it is 19:30 UTC (an "evening" time by today's offset).
    with time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=UTC), tick=False):
        with app.app_context():
            make_circle(title="Spring evenings", timezone="Europe/London", start_time=time(20, 30),
                        first_date=date(2026, 3, 31), meeting_count=4)
            member = make_user(timezone="Europe/London")
            db.session.commit()
            login(client, member)
        assert "Spring evenings" in get_page(client, "/circles/?time_of_day=after_bedtime")
        assert "Spring evenings" not in get_page(client, "/circles/?time_of_day=evening")


def test_a_new_york_circle_is_judged_on_each_date_through_both_countries_autumn_changes(
        app: Flask, client: FlaskClient) -> None:
    # New York 15:00 on Tuesdays from 13 October: 20:00 in London, except on 27 October (London
    # changed on the 25th, New York on 1 November), when it is 19:00.
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        with app.app_context():
            make_circle(title="New York afternoons", timezone="America/New_York", start_time=time(15, 0),
                        first_date=date(2026, 10, 13), meeting_count=4)
            early, late, blocked = (make_user(timezone="Europe/London") for _ in range(3))
            _window(early.id, TUESDAY, 19 * 60, 21 * 60 + 30)
            _window(late.id, TUESDAY, 19 * 60 + 30, 21 * 60 + 30)
            _window(blocked.id, TUESDAY, 19 * 60, 19 * 60 + 30, kind="blocked", hard=True)
            db.session.commit()
            # Logged in by id after the app context ends.
            early, late, blocked = (_session_user(u.id) for u in (early, late, blocked))
        login(client, early)
        assert "New York afternoons" in get_page(client, "/circles/?fits_my_week=y")
        assert "New York afternoons" not in get_page(client, "/circles/?time_of_day=after_bedtime")
        assert "New York afternoons" in get_page(client, f"/circles/?weekday={TUESDAY}")
        login(client, late)
        assert "New York afternoons" not in get_page(client, "/circles/?fits_my_week=y")
        login(client, blocked)
        # No free time marked: any time but her blocks, and 27 October hits her block.
        assert "New York afternoons" not in get_page(client, "/circles/?fits_my_week=y")
        assert "New York afternoons" in get_page(client, "/circles/")


def test_after_bedtime_and_fits_my_week_show_only_matching_circles(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_circle(title="Late circle", timezone="Europe/London", start_time=time(20, 30))
        make_circle(title="Too long", timezone="Europe/London", start_time=time(21, 30))
        make_circle(title="Morning circle", timezone="Europe/London", start_time=time(10, 0))
        make_circle(title="Berlin late", timezone="Europe/Berlin", start_time=time(21, 0))
        member = make_user(timezone="Europe/London")
        for day in range(7):
            _window(member.id, day, 20 * 60, 22 * 60)
        db.session.commit()
        login(client, member)
    html = get_page(client, "/circles/?fits_my_week=y")
    assert "Late circle" in html and "Berlin late" in html  # 21:00 Berlin is 20:00 London
    assert "Too long" not in html and "Morning circle" not in html


def test_fits_my_week_is_ignored_for_a_visitor(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_circle(title="Morning circle", timezone="Europe/London", start_time=time(10, 0))
        db.session.commit()
    assert "Morning circle" in get_page(client, "/circles/?fits_my_week=y")


def test_fits_my_week_keeps_the_lists_query_count(app: Flask, client: FlaskClient) -> None:
    check_page(app, client, lambda _: "/circles/?fits_my_week=y&time_of_day=after_bedtime&weekday=2")
