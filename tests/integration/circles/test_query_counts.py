"""Each members' page sends a few queries, and the same number however much data there is."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role, User
from mentoring.circles.models import Enrollment
from mentoring.extensions import db
from tests.factories import enroll, login, make_circle, make_user
from tests.querycount import count_queries

LIMIT = 10


def grow(app: Flask, facilitator_id: int, member_id: int, circles: int) -> int:
    """Add `circles` circles, each with members and a waitlist, the member in every one."""
    with app.app_context():
        facilitator = db.session.get(User, facilitator_id)
        member = db.session.get(User, member_id)
        last = 0
        for n in range(circles):
            circle = make_circle(facilitator, capacity=4, kids_welcome=n % 2 == 0,
                                 meeting_link="https://meet.example.com/r")
            for _ in range(3):
                enroll(circle, make_user())
            enroll(circle, member, status="active" if n % 3 else "waitlisted")
            enroll(circle, make_user(), status="waitlisted")
            last = circle.id
        db.session.commit()
        return last


def queries_for(app: Flask, client: FlaskClient, path: str) -> int:
    client.get(path)  # warm: first-request work is not what we count
    with app.app_context(), count_queries(db.engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def check_page(app: Flask, client: FlaskClient, path_for: Callable[[int], str], *,
               as_facilitator: bool = False) -> None:
    with app.app_context():
        facilitator = make_user(roles=(Role.FACILITATOR,))
        member = make_user()
        db.session.commit()
        facilitator_id, member_id = facilitator.id, member.id
        login(client, facilitator if as_facilitator else member)
    small_circle = grow(app, facilitator_id, member_id, 3)
    small = queries_for(app, client, path_for(small_circle))
    large_circle = grow(app, facilitator_id, member_id, 30)
    large = queries_for(app, client, path_for(large_circle))
    assert small <= LIMIT, small
    assert small == large, (small, large)


def test_the_circle_list_query_count_is_small_and_constant(app: Flask, client: FlaskClient) -> None:
    check_page(app, client, lambda _: "/circles/")


def test_the_filtered_circle_list_query_count_is_small_and_constant(app: Flask, client: FlaskClient) -> None:
    check_page(app, client, lambda _: "/circles/?kids_welcome=y&time_of_day=evening&weekday=2&page=2")


def test_the_circle_page_query_count_is_small_and_constant(app: Flask, client: FlaskClient) -> None:
    check_page(app, client, lambda circle_id: f"/circles/{circle_id}")


def test_the_dashboard_query_count_is_small_and_constant(app: Flask, client: FlaskClient) -> None:
    check_page(app, client, lambda _: "/circles/mine")



def test_the_leave_page_query_count_is_small_and_constant(app: Flask, client: FlaskClient) -> None:
    check_page(app, client, lambda circle_id: f"/circles/{circle_id}/leave")


def test_the_remove_member_page_query_count_is_small_and_constant(app: Flask, client: FlaskClient) -> None:
    def path(circle_id: int) -> str:
        with app.app_context():
            enrollment_id = db.session.scalar(select(Enrollment.id).where(Enrollment.circle_id == circle_id))
        return f"/circles/{circle_id}/members/{enrollment_id}/remove"

    check_page(app, client, path, as_facilitator=True)
