"""The confidentiality agreement each member accepted is kept, and a changed one is asked again."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import Role
from mentoring.circles import service
from mentoring.circles.agreement import agreed_text
from mentoring.circles.circle_input import CircleInput
from mentoring.circles.enrollment import join_free_circle, join_waitlist
from mentoring.circles.models import Circle, CircleAgreement, Enrollment
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import post_form
from tests.factories import login, make_circle, make_user
from tests.helpers import fresh, get_page

FIRST = "What is said here stays here."
SECOND = "What is said here stays here. No screenshots or recordings of the call."


def change_agreement(circle: Circle, text: str) -> None:
    data = CircleInput(
        title=circle.title, theme=circle.theme, timezone=circle.timezone, start_time=circle.start_time,
        first_date=circle.first_date, description=circle.description, capacity=circle.capacity,
        min_to_run=circle.min_to_run, format=circle.format, meeting_link=circle.meeting_link,
        language=circle.language, duration_minutes=circle.duration_minutes,
        meeting_count=circle.meeting_count, agreement_text=text, price_mode=circle.price_mode,
        currency=circle.currency,
    )
    service.update_circle(circle.id, circle.facilitator_id, data, now=utcnow())
    db.session.commit()


def a_circle_she_joined() -> tuple[Circle, Enrollment]:
    circle = make_circle(make_user(roles=(Role.FACILITATOR,), display_name="Fran"), agreement_text=FIRST,
                         meeting_link="https://meet.example.org/room")
    member = make_user(display_name="Maya")
    enrollment = join_free_circle(circle.id, member.id, agreed=True, now=utcnow())
    db.session.commit()
    return circle, enrollment


def test_joining_keeps_the_wording_she_accepted_even_after_it_changes(ctx: None) -> None:
    circle, enrollment = a_circle_she_joined()
    assert fresh(enrollment).agreement_version == 1
    change_agreement(circle, SECOND)
    assert agreed_text(enrollment.id) == FIRST
    versions = db.session.scalars(select(CircleAgreement.text).where(CircleAgreement.circle_id == circle.id)
                                  .order_by(CircleAgreement.version)).all()
    assert versions == [FIRST, SECOND]


def test_a_changed_agreement_is_asked_again_notified_and_shown_to_the_facilitator(
        client: FlaskClient, ctx: None) -> None:
    circle, enrollment = a_circle_she_joined()
    waiting = make_user()
    join_waitlist(circle.id, waiting.id, agreed=True, now=utcnow())
    db.session.commit()
    change_agreement(circle, SECOND)

    told = db.session.scalars(select(Notification.user_id)
                              .where(Notification.dedup_key.like(f"agreement-changed:{circle.id}:%"))).all()
    assert told == [enrollment.user_id]  # active members only; the waitlist accepts on taking a seat

    login(client, circle.facilitator)
    assert "Not yet accepted" in get_page(client, f"/facilitate/circles/{circle.id}")

    login(client, enrollment.user)
    path = f"/circles/{circle.id}"
    html = get_page(client, path)
    assert "Please accept the changed agreement" in html and "No screenshots" in html
    response = post_form(client, path, {"agree": "y"}, action=f"/circles/{circle.id}/agreement")
    assert response.status_code == 302
    assert fresh(enrollment).agreement_version == 2
    assert agreed_text(enrollment.id) == SECOND
    assert "Please accept the changed agreement" not in get_page(client, path)

    login(client, circle.facilitator)
    assert "Not yet accepted" not in get_page(client, f"/facilitate/circles/{circle.id}")


def test_accepting_without_the_tick_is_explained_and_changes_nothing(client: FlaskClient, ctx: None) -> None:
    circle, enrollment = a_circle_she_joined()
    change_agreement(circle, SECOND)
    login(client, enrollment.user)
    path = f"/circles/{circle.id}"
    response = post_form(client, path, {}, action=f"/circles/{circle.id}/agreement")
    assert response.status_code == 400
    assert "Please tick the box" in response.get_data(as_text=True)
    assert fresh(enrollment).agreement_version == 1


def test_an_edit_that_keeps_the_wording_asks_nobody_again(ctx: None) -> None:
    circle, enrollment = a_circle_she_joined()
    change_agreement(circle, FIRST)
    assert db.session.scalars(select(CircleAgreement.version)
                              .where(CircleAgreement.circle_id == circle.id)).all() == [1]
    assert not db.session.scalars(select(Notification.id)
                                  .where(Notification.dedup_key.like("agreement-changed:%"))).all()


def test_someone_else_cannot_accept_for_her(client: FlaskClient, ctx: None) -> None:
    circle, enrollment = a_circle_she_joined()
    change_agreement(circle, SECOND)
    outsider = make_user()
    db.session.commit()
    login(client, outsider)
    response = post_form(client, f"/circles/{circle.id}", {"agree": "y"},
                         action=f"/circles/{circle.id}/agreement")
    assert response.status_code == 404
    assert fresh(enrollment).agreement_version == 1


def test_her_data_export_says_which_version_she_accepted(ctx: None) -> None:
    from mentoring.accounts.personal_data import export_user_data

    circle, enrollment = a_circle_she_joined()
    change_agreement(circle, SECOND)
    exported = export_user_data(enrollment.user_id, now=utcnow())["enrollments"]
    assert [(e["circle_id"], e["agreement_version"]) for e in exported] == [(circle.id, 1)]
