"""One rule for every form: no control characters in text, no dates outside 2000-2100."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from flask_wtf import FlaskForm

import mentoring
from mentoring.accounts.models import Role, User
from mentoring.circles.models import Circle, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.forms import HearthForm
from tests.conftest import PASSWORD, post_form
from tests.factories import login, make_circle, make_user
from tests.helpers import count, fresh, page_text
from tests.integration.manage.conftest import circle_form


def _all_form_classes() -> list[type]:
    for module in pkgutil.walk_packages(mentoring.__path__, "mentoring."):
        importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return [cls for cls in found if cls.__module__.startswith("mentoring.")]


def test_every_form_in_hearth_is_built_on_the_shared_base() -> None:
    forms = _all_form_classes()
    assert len(forms) > 20
    assert [cls.__qualname__ for cls in forms if not issubclass(cls, HearthForm)] == []


@pytest.mark.parametrize("junk", ["Ann\x00e", "Ann\x07e", "Ann\ne", "Ann\x1be"])
def test_a_control_character_in_a_name_is_refused_at_sign_up(
    client: FlaskClient, ctx: None, junk: str
) -> None:
    response = post_form(client, "/account/signup", {
        "email": "ann@example.com", "display_name": junk, "timezone": "Europe/London", "password": PASSWORD,
    })
    assert response.status_code == 200
    assert "invisible control character" in page_text(response)
    assert count(User) == 0


def test_settings_refuse_a_nul_in_her_name_and_change_nothing(client: FlaskClient, ctx: None) -> None:
    user = make_user(display_name="Ann")
    db.session.commit()
    login(client, user)
    response = post_form(client, "/account/settings",
                         {"display_name": "A\x00nn", "timezone": "Europe/London"})
    assert response.status_code == 200
    assert "invisible control character" in page_text(response)
    assert fresh(user).display_name == "Ann"


def test_a_circle_title_with_a_nul_is_refused_but_a_description_keeps_its_line_breaks(
    client: FlaskClient, ctx: None
) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    db.session.commit()
    login(client, facilitator)
    refused = post_form(client, "/facilitate/circles/new", circle_form(title="Back\x00 to work"))
    assert refused.status_code == 200
    assert "invisible control character" in page_text(refused)
    assert count(Circle) == 0
    saved = post_form(client, "/facilitate/circles/new",
                      circle_form(description="Line one.\r\n\tLine two.", agreement_text="Kept\nhere."))
    assert saved.status_code == 302
    assert count(Circle) == 1


def test_a_textarea_refuses_a_nul_too(client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    response = post_form(client, "/account/facilitate",
                         {"bio": "I run\x00 groups.", "training": "Ten years."})
    assert response.status_code == 200
    assert "invisible control character" in page_text(response)


def test_a_payment_search_up_to_year_9999_is_a_field_error_not_a_server_error(
    client: FlaskClient, ctx: None
) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(client, admin)
    response = client.get("/billing/admin/payments?date_to=9999-12-31")
    assert response.status_code == 200
    assert "Please enter a date between 2000 and 2100." in page_text(response)
    assert client.get("/billing/admin/payments?date_from=0001-01-01").status_code == 200


def test_moving_a_meeting_to_year_9999_is_a_field_error(client: FlaskClient, ctx: None) -> None:
    facilitator = make_user(roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator, first_date=utcnow().date() + timedelta(days=7))
    meeting = circle.meetings[0]
    before = meeting.starts_at
    db.session.commit()
    login(client, facilitator)
    path = f"/facilitate/meetings/{meeting.id}/move"
    response = post_form(client, path, {"date": "9999-12-31", "time": "23:59"})
    assert response.status_code == 200
    assert "Please enter a date between 2000 and 2100." in page_text(response)
    assert fresh(meeting).starts_at == before
    assert db.session.get(Meeting, meeting.id) is not None
