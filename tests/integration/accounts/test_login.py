from datetime import timedelta

import time_machine
from flask.testing import FlaskClient

from mentoring.accounts import personal_data
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import PASSWORD, post_form
from tests.factories import login, make_user
from tests.helpers import page_text

LOGIN = "/account/login"


def test_logging_in_leads_to_her_circles(client: FlaskClient, ctx: None) -> None:
    make_user("mira@example.com")
    db.session.commit()
    response = post_form(client, LOGIN, {"email": " Mira@Example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/circles/mine")
    assert "Settings" in client.get("/account/settings").get_data(as_text=True)


def test_login_follows_a_safe_next_and_ignores_another_site(client: FlaskClient, ctx: None) -> None:
    make_user("mira@example.com")
    db.session.commit()
    data = {"email": "mira@example.com", "password": PASSWORD}
    response = post_form(client, LOGIN + "?next=/circles/3", data, action=LOGIN + "?next=/circles/3")
    assert response.headers["Location"] == "/circles/3"
    client.post("/account/logout", data={"csrf_token": _token(client)})
    evil = LOGIN + "?next=https://evil.example/"
    response = post_form(client, evil, data, action=evil)
    assert response.headers["Location"].endswith("/circles/mine")


def _token(client: FlaskClient) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/account/settings")


def test_wrong_password_and_unknown_email_get_the_same_answer(client: FlaskClient, ctx: None) -> None:
    make_user("mira@example.com")
    db.session.commit()
    wrong = post_form(client, LOGIN, {"email": "mira@example.com", "password": "not her password"})
    unknown = post_form(client, LOGIN, {"email": "nobody@example.com", "password": "not her password"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "That email and password don't match." in page_text(response)
    assert "Settings" not in page_text(client.get("/"))


def test_a_deleted_member_cannot_log_in(client: FlaskClient, ctx: None) -> None:
    user = make_user("mira@example.com")
    personal_data.delete_account(user.id, PASSWORD, now=utcnow())
    db.session.commit()
    response = post_form(client, LOGIN, {"email": "mira@example.com", "password": PASSWORD})
    assert "That email and password don't match." in page_text(response)


def test_wrong_passwords_for_one_account_are_throttled(client: FlaskClient, ctx: None) -> None:
    make_user("mira@example.com")
    db.session.commit()
    for _ in range(10):
        response = post_form(client, LOGIN, {"email": "mira@example.com", "password": "guess guess guess"})
        assert response.status_code == 200
    throttled = post_form(client, LOGIN, {"email": "mira@example.com", "password": PASSWORD})
    assert throttled.status_code == 429
    assert "Please wait a moment" in page_text(throttled)
    assert client.get(LOGIN).status_code == 200  # reading the page is not limited
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        later = post_form(client, LOGIN, {"email": "mira@example.com", "password": PASSWORD})
    assert later.status_code == 302


def test_remember_me_sets_a_lasting_cookie(client: FlaskClient, ctx: None) -> None:
    make_user("mira@example.com")
    db.session.commit()
    response = post_form(client, LOGIN, {"email": "mira@example.com", "password": PASSWORD, "remember": "y"})
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_logging_out_takes_a_post(client: FlaskClient, ctx: None) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    login(client, user)
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400  # no CSRF token
    response = client.post("/account/logout", data={"csrf_token": _token(client)})
    assert response.status_code == 302
    assert client.get("/account/settings").status_code == 302
