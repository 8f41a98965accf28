from datetime import timedelta

import time_machine
from flask.testing import FlaskClient

from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import PASSWORD, post_form
from tests.factories import login, make_user
from tests.helpers import fresh, page_text
from tests.integration.accounts.helpers import link_in, notifications, token_in


def unverified_user_with_link(client: FlaskClient):  # noqa: ANN201
    from mentoring.accounts import service

    user = make_user("new@example.com", verified=False)
    service.send_verification(user.id, now=utcnow())
    db.session.commit()
    [mail] = notifications(user.id, "confirm your email")
    return user, link_in(mail)


def test_the_link_confirms_the_address_and_login_leads_to_the_dashboard(
    client: FlaskClient, ctx: None
) -> None:
    user, link = unverified_user_with_link(client)
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/login")
    assert fresh(user).is_verified
    login_response = post_form(client, "/account/login", {"email": "new@example.com", "password": PASSWORD})
    assert login_response.headers["Location"].endswith("/circles/mine")


def test_an_unconfirmed_member_is_sent_to_the_confirmation_page_after_login(
    client: FlaskClient, ctx: None
) -> None:
    make_user("new@example.com", verified=False)
    db.session.commit()
    response = post_form(client, "/account/login", {"email": "new@example.com", "password": PASSWORD})
    assert response.headers["Location"].endswith("/account/unverified")


def test_a_link_older_than_48_hours_changes_nothing(client: FlaskClient, ctx: None) -> None:
    user, link = unverified_user_with_link(client)
    with time_machine.travel(utcnow() + timedelta(hours=48, minutes=1), tick=False):
        response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in page_text(response)
    assert not fresh(user).is_verified


def test_a_tampered_link_changes_nothing(client: FlaskClient, ctx: None) -> None:
    user, link = unverified_user_with_link(client)
    token = link.rsplit("/", 1)[1]
    payload, rest = token.split(".", 1)
    for bad in (payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + rest, token[:-3], "garbage"):
        response = client.get(f"/account/verify/{bad}")
        assert response.status_code == 400
        assert "isn't valid" in page_text(response)
    assert not fresh(user).is_verified


def test_a_link_for_an_address_she_no_longer_uses_is_dead(client: FlaskClient, ctx: None) -> None:
    user, link = unverified_user_with_link(client)
    fresh(user).email = "other@example.com"
    db.session.commit()
    assert client.get(link).status_code == 400
    assert not fresh(user).is_verified


def test_she_can_ask_for_a_new_link_but_not_endlessly(client: FlaskClient, ctx: None) -> None:
    user = make_user("new@example.com", verified=False)
    db.session.commit()
    login(client, user)
    start = utcnow()
    for minute in range(6):
        # A minute apart, so each request is genuinely new and mails again.
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            response = post_form(client, "/account/unverified", {})
        assert response.status_code == (302 if minute < 5 else 429)
    assert len(notifications(user.id, "confirm your email")) == 5
    assert token_in(notifications(user.id, "confirm your email")[-1])


def test_asking_for_a_link_by_address_does_not_reveal_accounts(client: FlaskClient, ctx: None) -> None:
    user = make_user("new@example.com", verified=False)
    db.session.commit()
    known = post_form(client, "/account/unverified", {"email": "new@example.com"}, follow_redirects=True)
    unknown = post_form(client, "/account/unverified", {"email": "nobody@example.com"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "we've sent it a new link" in page_text(known)
    assert page_text(known).count("new link") == page_text(unknown).count("new link")
    assert len(notifications(user.id, "confirm your email")) == 1
