"""The world of the proof tests, and a client for each persona in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from mentoring.extensions import db
from tests.factories import login
from tests.integration.proof.world import World, build_world


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        world = build_world(app)
        for user in world.users.values():
            db.session.refresh(user)
            db.session.expunge(user)
        return world


def csrf_for(client: FlaskClient) -> str:
    """A valid CSRF token for this client's session, as Flask-WTF would put in a form."""
    app = client.application
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", "proof-csrf-raw-token-0123456789abcdef")
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def persona_client(app: Flask, new_client: Callable[[], FlaskClient], world: World
                   ) -> Callable[[str], FlaskClient]:
    def make(persona: str) -> FlaskClient:
        client = new_client()
        user = world.user(persona)
        if user is not None:
            with app.app_context():
                login(client, user)
        return client

    return make


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (except server-side sessions, which note when she was last seen)."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name == "user_sessions":
            continue
        rows[table.name] = sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
    return rows
