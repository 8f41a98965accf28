"""Login and reset limits: per account for a guesser, per address only far higher; proxies honoured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask.testing import FlaskClient

from mentoring import create_app
from mentoring.extensions import db
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_user
from tests.helpers import page_text
from tests.integration.accounts.helpers import STRONG

LOGIN = "/account/login"


def _post(client: FlaskClient, path: str, data: dict[str, str], address: str = "127.0.0.1"):  # noqa: ANN202
    token = csrf_token(client, path)
    return client.post(path, data={**data, "csrf_token": token}, environ_base={"REMOTE_ADDR": address})


def test_thirty_colleagues_behind_one_office_address_all_log_in_within_a_minute(
    new_client: Callable[[], FlaskClient], ctx: None
) -> None:
    emails = [make_user(f"colleague{n}@acme.example").email for n in range(30)]
    db.session.commit()
    for email in emails:
        response = _post(new_client(), LOGIN, {"email": email, "password": PASSWORD}, address="203.0.113.7")
        assert response.status_code == 302, email


def test_eleven_wrong_passwords_for_one_account_are_throttled_from_any_addresses(
    client: FlaskClient, ctx: None
) -> None:
    make_user("mira@example.com")
    db.session.commit()
    for n in range(10):
        guess = _post(client, LOGIN, {"email": "mira@example.com", "password": f"guess number {n}"},
                      address=f"198.51.100.{n + 1}")
        assert guess.status_code == 200
    throttled = _post(client, LOGIN, {"email": "Mira@Example.com ", "password": "guess number 10"},
                      address="198.51.100.99")
    assert throttled.status_code == 429
    assert "Please wait a moment" in page_text(throttled)
    # Someone else, from the very same address, is not held back by it.
    make_user("ann@example.com")
    db.session.commit()
    assert _post(client, LOGIN, {"email": "ann@example.com", "password": PASSWORD},
                 address="198.51.100.99").status_code == 302


def test_reset_requests_are_limited_per_account_too(client: FlaskClient, ctx: None) -> None:
    for n in range(5):
        assert _post(client, "/account/reset", {"email": "mira@example.com"},
                     address=f"192.0.2.{n + 1}").status_code == 302
    same_account = _post(client, "/account/reset", {"email": "mira@example.com"}, address="192.0.2.77")
    assert same_account.status_code == 429
    other_account = _post(client, "/account/reset", {"email": "ann@example.com"}, address="192.0.2.77")
    assert other_account.status_code == 302


def _seen_address(app_config: dict[str, Any], proxies: int) -> str:
    app = create_app({**app_config, "TRUSTED_PROXIES": proxies})
    app.add_url_rule("/_test/address", "address", lambda: f"{request.remote_addr} {request.scheme}")
    response = app.test_client().get(
        "/_test/address", environ_base={"REMOTE_ADDR": "10.0.0.2"},
        headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    return response.get_data(as_text=True)


def test_behind_one_trusted_proxy_each_member_is_known_by_her_own_address(app_config: dict[str, Any]) -> None:
    # The proxy appended the real client (203.0.113.9); what the client sent before it is ignored.
    assert _seen_address(app_config, 1) == "203.0.113.9 https"


def test_without_trusted_proxies_forwarded_headers_are_ignored(app_config: dict[str, Any]) -> None:
    assert _seen_address(app_config, 0) == "10.0.0.2 http"


def test_thirty_colleagues_behind_one_office_address_all_sign_up_within_the_hour(
    new_client: Callable[[], FlaskClient], ctx: None
) -> None:
    for n in range(30):
        response = _post(new_client(), "/account/signup",
                         {"email": f"colleague{n}@acme.example", "display_name": f"Colleague {n}",
                          "timezone": "Europe/London", "password": STRONG}, address="203.0.113.7")
        assert response.status_code == 302, n


def test_password_changes_are_limited_per_member_not_per_office(
    new_client: Callable[[], FlaskClient], ctx: None
) -> None:
    from tests.factories import login

    mira, ann = make_user("mira@example.com"), make_user("ann@example.com")
    db.session.commit()
    thief, colleague = new_client(), new_client()
    login(thief, mira)
    login(colleague, ann)
    wrong = {"current_password": "not it at all", "password": STRONG, "confirm": STRONG}
    for _ in range(10):
        assert _post(thief, "/account/password", wrong, address="203.0.113.7").status_code == 200
    assert _post(thief, "/account/password", wrong, address="198.51.100.1").status_code == 429
    assert _post(colleague, "/account/password", wrong, address="203.0.113.7").status_code == 200
