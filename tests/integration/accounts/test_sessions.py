"""Logging out ends the session on the server, not only in this browser."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask.testing import FlaskClient

from mentoring.accounts.models import UserSession
from mentoring.extensions import db
from tests.conftest import PASSWORD, csrf_token, post_form
from tests.factories import make_user
from tests.helpers import count, page_text

LOGIN = "/account/login"
SETTINGS = "/account/settings"


def _log_in(client: FlaskClient, *, remember: bool = False) -> None:
    data = {"email": "mira@example.com", "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert post_form(client, LOGIN, data).status_code == 302


def _copy(client: FlaskClient, other: FlaskClient, *names: str) -> None:
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value, domain=cookie.domain)


def _logged_in(client: FlaskClient) -> bool:
    return client.get(SETTINGS).status_code == 200


def test_a_copied_session_cookie_stops_working_when_she_logs_out(
    client: FlaskClient, new_client: Callable[[], FlaskClient], ctx: None
) -> None:
    make_user("mira@example.com")
    db.session.commit()
    _log_in(client)
    thief = new_client()
    _copy(client, thief, "session")
    assert _logged_in(thief)
    client.post("/account/logout", data={"csrf_token": csrf_token(client, SETTINGS)})
    assert not _logged_in(client)
    assert not _logged_in(thief)


def test_a_copied_remember_me_cookie_stops_working_when_she_logs_out(
    client: FlaskClient, new_client: Callable[[], FlaskClient], ctx: None
) -> None:
    make_user("mira@example.com")
    db.session.commit()
    _log_in(client, remember=True)
    thief = new_client()
    _copy(client, thief, "remember_token")  # a year-long cookie, without the session
    assert _logged_in(thief)
    client.post("/account/logout", data={"csrf_token": csrf_token(client, SETTINGS)})
    fresh_thief = new_client()
    _copy(thief, fresh_thief, "remember_token")
    assert not _logged_in(fresh_thief)


def test_logging_out_on_one_device_keeps_her_other_devices(
    client: FlaskClient, new_client: Callable[[], FlaskClient], ctx: None
) -> None:
    make_user("mira@example.com")
    db.session.commit()
    phone = new_client()
    _log_in(client)
    _log_in(phone)
    client.post("/account/logout", data={"csrf_token": csrf_token(client, SETTINGS)})
    assert _logged_in(phone)


def test_log_out_everywhere_asks_first_then_ends_every_session(
    client: FlaskClient, new_client: Callable[[], FlaskClient], ctx: None
) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    phone = new_client()
    _log_in(client)
    _log_in(phone, remember=True)
    assert "/account/logout-everywhere" in page_text(client.get(SETTINGS))
    confirm = page_text(client.get("/account/logout-everywhere"))
    assert "Log out everywhere?" in confirm
    assert _logged_in(client) and _logged_in(phone)  # looking at the question changes nothing
    assert client.post("/account/logout-everywhere").status_code == 400  # no CSRF token
    response = post_form(client, "/account/logout-everywhere", {})
    assert response.status_code == 302
    assert not _logged_in(client) and not _logged_in(phone)
    assert count(UserSession, UserSession.user_id == user.id) == 0


def test_the_server_keeps_only_a_digest_of_each_session(client: FlaskClient, ctx: None) -> None:
    make_user("mira@example.com")
    db.session.commit()
    _log_in(client)
    [row] = db.session.query(UserSession).all()
    with client.session_transaction() as session:
        token = session["_user_id"].partition(":")[2]
    assert row.token_hash != token
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_her_open_sessions_are_in_her_data_export_without_their_secrets(
    client: FlaskClient, ctx: None
) -> None:
    make_user("mira@example.com")
    db.session.commit()
    _log_in(client)
    with client.session_transaction() as session:
        token = session["_user_id"].partition(":")[2]
    raw = client.get("/account/export").get_data(as_text=True)
    [row] = db.session.query(UserSession).all()
    assert '"sessions": [' in raw and row.created_at.isoformat()[:16] in raw
    assert token not in raw and row.token_hash not in raw


def test_a_session_ends_after_a_year_and_the_scheduler_clears_it(client: FlaskClient, ctx: None) -> None:
    from datetime import timedelta

    import time_machine

    from mentoring.accounts.jobs import end_expired_login_sessions
    from mentoring.db import utcnow

    make_user("mira@example.com")
    db.session.commit()
    _log_in(client, remember=True)
    with time_machine.travel(utcnow() + timedelta(days=364), tick=False):
        assert _logged_in(client)
        assert end_expired_login_sessions(utcnow()) == 0
    with time_machine.travel(utcnow() + timedelta(days=366), tick=False):
        assert not _logged_in(client)
        assert end_expired_login_sessions(utcnow()) == 1
    assert count(UserSession) == 0
