from collections.abc import Callable
from datetime import timedelta

import time_machine
from flask.testing import FlaskClient

from mentoring.accounts.passwords import password_matches
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import PASSWORD, post_form
from tests.factories import login, make_user
from tests.helpers import fresh, page_text
from tests.integration.accounts.helpers import STRONG, link_in, notifications

NEW = "lantern meadow 1987 okra"


def ask_for_reset(client: FlaskClient, email: str):  # noqa: ANN201
    return post_form(client, "/account/reset", {"email": email}, follow_redirects=True)


def test_asking_for_a_reset_never_reveals_whether_an_account_exists(client: FlaskClient, ctx: None) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    known = ask_for_reset(client, "mira@example.com")
    unknown = ask_for_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert "If an account exists for that address" in page_text(known)
    [mail] = notifications(user.id, "reset your")
    assert mail.kind == "account"


def test_a_reset_link_works_once_and_logs_out_other_sessions(
    new_client: Callable[[], FlaskClient], client: FlaskClient, ctx: None
) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    other_device = new_client()
    login(other_device, user)
    assert other_device.get("/account/settings").status_code == 200

    ask_for_reset(client, "mira@example.com")
    link = link_in(notifications(user.id, "reset your")[0])
    response = post_form(client, link, {"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/login")
    assert password_matches(fresh(user).password_hash, NEW)
    assert other_device.get("/account/settings").status_code == 302  # logged out

    second = client.get(link)
    assert second.status_code == 400
    assert "already been used" in page_text(second)
    relogin = post_form(client, "/account/login", {"email": "mira@example.com", "password": NEW})
    assert relogin.status_code == 302


def test_a_reset_link_expires_after_an_hour(client: FlaskClient, ctx: None) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    ask_for_reset(client, "mira@example.com")
    link = link_in(notifications(user.id, "reset your")[0])
    token = client.get(link)
    assert token.status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        response = client.get(link)
        assert response.status_code == 400
        assert "expired" in page_text(response)
    assert password_matches(fresh(user).password_hash, PASSWORD)


def test_a_weak_or_mistyped_new_password_is_refused(client: FlaskClient, ctx: None) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    ask_for_reset(client, "mira@example.com")
    link = link_in(notifications(user.id, "reset your")[0])
    weak = post_form(client, link, {"password": "1234567890", "confirm": "1234567890"})
    assert "most commonly used" in page_text(weak)
    mismatch = post_form(client, link, {"password": NEW, "confirm": NEW + "x"})
    assert "don't match" in page_text(mismatch)
    assert password_matches(fresh(user).password_hash, PASSWORD)
    assert client.get(link).status_code == 200  # still usable


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    new_client: Callable[[], FlaskClient], client: FlaskClient, ctx: None
) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    other_device = new_client()
    login(other_device, user)
    login(client, user)

    wrong = post_form(client, "/account/password",
                      {"current_password": "not it at all", "password": NEW, "confirm": NEW})
    assert "That password isn't right." in page_text(wrong)
    assert password_matches(fresh(user).password_hash, PASSWORD)

    response = post_form(client, "/account/password",
                         {"current_password": PASSWORD, "password": STRONG, "confirm": STRONG})
    assert response.status_code == 302
    assert password_matches(fresh(user).password_hash, STRONG)
    assert client.get("/account/settings").status_code == 200
    assert other_device.get("/account/settings").status_code == 302
    assert notifications(user.id, "password was changed")


def _statements_of(app, action: Callable[[], object]) -> list[str]:  # noqa: ANN001
    from sqlalchemy import event

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_a_reset_request_does_the_same_database_work_for_known_and_unknown_addresses(
    app, new_client: Callable[[], FlaskClient], ctx: None  # noqa: ANN001
) -> None:
    from mentoring.notify.models import Notification
    from tests.conftest import csrf_token
    from tests.helpers import count

    make_user("mira@example.com")
    db.session.commit()

    def ask(email: str) -> list[str]:
        browser = new_client()
        token = csrf_token(browser, "/account/reset")
        return _statements_of(app, lambda: browser.post("/account/reset", data={"email": email,
                                                                                "csrf_token": token}))

    known, unknown = ask("mira@example.com"), ask("nobody@example.com")
    assert known == unknown
    assert any(s.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS") for s in known)
    assert count(Notification) == 1  # only the real account was sent a link
