"""On PostgreSQL a pooled connection is pinged only when its socket says the server spoke
(mentoring.db.ping_when_the_socket_stirs): no round trip per request, and a connection the
server ended is still replaced before a request uses it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask

from mentoring.db import ping_when_the_socket_stirs
from mentoring.extensions import db
from tests.conftest import requires_postgres

pytestmark = requires_postgres

PID = sa.text("SELECT pg_backend_pid()")
OneConnection = tuple[sa.Engine, str, list[object]]  # the engine, its URL, the pings it sent


def _counting_pings(monkeypatch: pytest.MonkeyPatch, engine: sa.Engine) -> list[object]:
    pinged: list[object] = []
    real = engine.dialect.do_ping

    def do_ping(dbapi_connection: object) -> bool:
        pinged.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", do_ping)
    return pinged


def _from_another_connection(url: str, sql: str, *params: object) -> None:
    plain = sa.make_url(url).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as other:
        other.execute(sql, params)


def test_the_apps_quiet_connections_are_not_pinged(ctx: None, monkeypatch: pytest.MonkeyPatch) -> None:
    pinged = _counting_pings(monkeypatch, db.engine)
    for _ in range(3):  # three requests' worth of checkouts
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    assert pinged == []


@pytest.fixture
def one_connection(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[OneConnection]:
    """An engine of one pooled connection with the socket check, its URL, and the pings sent."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    ping_when_the_socket_stirs(engine)
    pinged = _counting_pings(monkeypatch, engine)
    try:
        yield engine, url, pinged
    finally:
        engine.dispose()


def test_a_connection_the_server_ended_is_replaced_before_use(
    one_connection: OneConnection,
) -> None:
    engine, url, pinged = one_connection
    with engine.connect() as conn:
        first = conn.execute(PID).scalar_one()
    _from_another_connection(url, "SELECT pg_terminate_backend(%s)", first)
    time.sleep(0.2)  # the server's goodbye reaches the socket
    with engine.connect() as conn:
        second = conn.execute(PID).scalar_one()
    assert second != first
    assert len(pinged) == 1  # the dead one, once; its replacement was quiet


def test_a_live_connection_that_heard_something_is_kept(
    one_connection: OneConnection,
) -> None:
    # Something arrives on an idle connection that is alive: a notification it listens for.
    engine, url, pinged = one_connection
    with engine.connect() as conn:
        first = conn.execute(PID).scalar_one()
        conn.execute(sa.text("LISTEN hearth_test"))
        conn.commit()
    _from_another_connection(url, "NOTIFY hearth_test")
    time.sleep(0.2)
    with engine.connect() as conn:
        assert conn.execute(PID).scalar_one() == first
    assert len(pinged) == 1
