"""`id_url` writes the same links as `url_for`, for any ids."""

from __future__ import annotations

from flask import Flask, url_for
from hypothesis import given
from hypothesis import strategies as st

from mentoring.web import id_url

ids = st.integers(min_value=0, max_value=10**12)


@given(circle_id=ids, check_in_id=ids)
def test_it_writes_what_url_for_writes(app: Flask, circle_id: int, check_in_id: int) -> None:
    with app.test_request_context("/"):
        assert id_url("manage.circle", circle_id=circle_id) == url_for("manage.circle", circle_id=circle_id)
        assert id_url("growth.followed_up", check_in_id=check_in_id) == url_for(
            "growth.followed_up", check_in_id=check_in_id)
        # A value that is not a plain id goes through url_for itself.
        assert id_url("manage.circle", circle_id=circle_id, past="all") == url_for(
            "manage.circle", circle_id=circle_id, past="all")


def test_it_follows_the_script_root(app: Flask) -> None:
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/hearth"}):
        assert id_url("manage.circle", circle_id=7) == "/hearth/facilitate/circles/7"
    with app.test_request_context("/"):
        assert id_url("manage.circle", circle_id=7) == "/facilitate/circles/7"
