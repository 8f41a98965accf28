"""On PostgreSQL a transaction that only read ends with COMMIT, so psycopg keeps the statements it
prepared (mentoring.db.keep_prepared_statements); anything else still ends with a real ROLLBACK."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, insert, select

from mentoring.accounts.models import User
from mentoring.extensions import db
from tests.conftest import requires_postgres

pytestmark = requires_postgres

PROBE = select(func.count(User.id).label("prepared_probe")).where(User.deleted_at.is_(None))
PREPARED = sa.text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%prepared_probe%'")


def _prepared_on(conn: sa.Connection) -> int:
    return conn.execute(PREPARED).scalar_one()


def _read_six_times_with_a_rollback_after_each(conn: sa.Connection) -> None:
    # What six requests that only read do: psycopg prepares a statement at its fifth run.
    for _ in range(6):
        conn.execute(PROBE).scalar_one()
        conn.rollback()


def test_a_plain_engine_forgets_prepared_statements_at_every_rollback(app: Flask) -> None:
    # Why the app needs keep_prepared_statements: psycopg clears its cache on ROLLBACK.
    plain = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with plain.connect() as conn:
            _read_six_times_with_a_rollback_after_each(conn)
            assert _prepared_on(conn) == 0
    finally:
        plain.dispose()


def test_transactions_that_only_read_keep_what_psycopg_prepared(ctx: None) -> None:
    with db.engine.connect() as conn:
        _read_six_times_with_a_rollback_after_each(conn)
        assert _prepared_on(conn) == 1


def test_a_rollback_after_a_write_still_undoes_it(ctx: None) -> None:
    with db.engine.connect() as conn:
        conn.execute(select(func.count(User.id))).scalar_one()
        conn.execute(insert(User).values(email="undone@example.com", password_hash="x", display_name="U"))
        conn.rollback()
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count(User.id))).scalar_one() == 0


def test_a_session_that_flushed_a_change_and_ended_without_commit_keeps_nothing(ctx: None) -> None:
    db.session.add(User(email="flushed@example.com", password_hash="x", display_name="F"))
    db.session.flush()
    db.session.remove()  # the end of a request that failed after flushing
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_failed_statement_ends_in_a_rollback_and_the_connection_stays_usable(ctx: None) -> None:
    with db.engine.connect() as conn:
        with pytest.raises(sa.exc.DataError):
            conn.execute(select(func.count(User.id)).where(User.id == sa.cast("not a number", sa.Integer)))
        conn.rollback()
        assert conn.execute(select(func.count(User.id))).scalar_one() == 0
