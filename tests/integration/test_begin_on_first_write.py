"""On PostgreSQL a transaction's reads go out without BEGIN, and BEGIN goes out just before its
first statement that may write or lock (mentoring.db.begin_on_first_write): a request that only
reads costs no BEGIN and no COMMIT, and psycopg keeps the statements it prepared."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import func, insert, select

from mentoring.accounts.models import User
from mentoring.extensions import db
from tests.conftest import requires_postgres

pytestmark = requires_postgres

PROBE = select(func.count(User.id).label("prepared_probe")).where(User.deleted_at.is_(None))
PREPARED = sa.text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%prepared_probe%'")


def _prepared_on(conn: sa.Connection) -> int:
    return conn.execute(PREPARED).scalar_one()


def _server_side(conn: sa.Connection) -> TransactionStatus:
    return conn.connection.dbapi_connection.info.transaction_status  # type: ignore[union-attr]


def _read_six_times_with_a_rollback_after_each(conn: sa.Connection) -> None:
    # What six requests that only read do: psycopg prepares a statement at its fifth run.
    for _ in range(6):
        conn.execute(PROBE).scalar_one()
        conn.rollback()


def _add_user(conn: sa.Connection, email: str) -> None:
    conn.execute(insert(User).values(email=email, password_hash="x", display_name="U"))


def test_a_plain_engine_forgets_prepared_statements_at_every_rollback(app: Flask) -> None:
    # Why reads must not end in ROLLBACK: psycopg clears its cache there.
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


def test_reads_send_no_begin_and_the_first_write_does(ctx: None) -> None:
    with db.engine.connect() as conn:
        conn.execute(PROBE).scalar_one()
        assert _server_side(conn) == TransactionStatus.IDLE
        _add_user(conn, "first@example.com")
        assert _server_side(conn) == TransactionStatus.INTRANS
        conn.commit()
        conn.execute(PROBE).scalar_one()  # the next transaction reads without BEGIN again
        assert _server_side(conn) == TransactionStatus.IDLE


def test_a_rollback_after_a_write_still_undoes_it(ctx: None) -> None:
    with db.engine.connect() as conn:
        conn.execute(select(func.count(User.id))).scalar_one()
        _add_user(conn, "undone@example.com")
        _add_user(conn, "undone-too@example.com")
        conn.rollback()
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count(User.id))).scalar_one() == 0


def test_select_for_update_begins_and_holds_its_lock_until_the_end(ctx: None) -> None:
    with db.engine.connect() as conn:
        _add_user(conn, "locked@example.com")
        conn.commit()
        user_id = conn.execute(select(User.id)).scalar_one()
        conn.execute(select(User.id).where(User.id == user_id).with_for_update()).scalar_one()
        assert _server_side(conn) == TransactionStatus.INTRANS
        with db.engine.connect() as other, pytest.raises(sa.exc.OperationalError, match="obtain lock"):
            other.execute(select(User.id).where(User.id == user_id).with_for_update(nowait=True)).all()
        conn.rollback()
        with db.engine.connect() as other:  # released at the end of the first transaction
            assert other.execute(select(User.id).where(User.id == user_id)
                                 .with_for_update(nowait=True)).scalar_one() == user_id


def test_a_session_that_flushed_a_change_and_ended_without_commit_keeps_nothing(ctx: None) -> None:
    db.session.add(User(email="flushed@example.com", password_hash="x", display_name="F"))
    db.session.flush()
    db.session.remove()  # the end of a request that failed after flushing
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_savepoint_rolled_back_undoes_only_its_part(ctx: None) -> None:
    db.session.add(User(email="kept@example.com", password_hash="x", display_name="K"))
    with db.session.begin_nested() as nested:
        db.session.add(User(email="undone@example.com", password_hash="x", display_name="U"))
        db.session.flush()
        nested.rollback()
    db.session.commit()
    assert list(db.session.scalars(select(User.email))) == ["kept@example.com"]


def test_a_savepoint_as_the_first_statement_still_begins_a_transaction(ctx: None) -> None:
    with db.session.begin_nested():
        db.session.add(User(email="inner@example.com", password_hash="x", display_name="I"))
    db.session.rollback()  # the outer transaction undoes the released savepoint's work
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_autocommit_asked_for_is_left_alone(ctx: None) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        _add_user(conn, "autocommitted@example.com")
        assert _server_side(conn) == TransactionStatus.IDLE  # committed by itself, as asked
        conn.rollback()
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count(User.id))).scalar_one() == 1


def test_a_failed_statement_ends_in_a_rollback_and_the_connection_stays_usable(ctx: None) -> None:
    with db.engine.connect() as conn:
        with pytest.raises(sa.exc.DataError):
            conn.execute(select(func.count(User.id)).where(User.id == sa.cast("not a number", sa.Integer)))
        conn.rollback()
        assert conn.execute(select(func.count(User.id))).scalar_one() == 0


def test_a_failed_write_aborts_its_transaction_and_the_connection_stays_usable(ctx: None) -> None:
    with db.engine.connect() as conn:
        _add_user(conn, "twice@example.com")
        with pytest.raises(sa.exc.IntegrityError):
            _add_user(conn, "twice@example.com")
        conn.rollback()
        assert conn.execute(select(func.count(User.id))).scalar_one() == 0


def test_autocommit_asked_for_after_a_read_is_left_alone_too(ctx: None) -> None:
    with db.engine.connect() as conn:
        conn.execute(PROBE).scalar_one()
        conn.rollback()
        conn.execution_options(isolation_level="AUTOCOMMIT")
        _add_user(conn, "autocommitted@example.com")
        assert _server_side(conn) == TransactionStatus.IDLE
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count(User.id))).scalar_one() == 1
