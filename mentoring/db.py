"""The declarative base with a constraint naming convention, and the clock."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, MetaData, Table, event
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC. Rules take `now` as an argument instead."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and always read back timezone-aware.

    SQLite has no timezone-aware type and hands back naive values; PostgreSQL's timestamptz
    does the right thing. This keeps both the same for the code above it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant (UTC) is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def insert_into(session, target: type | Table) -> PostgresInsert | SQLiteInsert:  # noqa: ANN001 - a Session
    """INSERT INTO `target` (a model or a table) as the session's database writes it, so that
    it can say ON CONFLICT: PostgreSQL's and SQLite's constructs share on_conflict_do_nothing()
    and on_conflict_do_update()."""
    postgres = session.get_bind().dialect.name == "postgresql"
    return (postgres_insert if postgres else sqlite_insert)(target)


def keep_written(session, obj: object, values: Mapping[str, object]) -> None:  # noqa: ANN001 - a Session
    """Put what an UPDATE of `obj`'s row just wrote (`values`, by attribute) on the loaded object
    without reading it back. A value the database computed (`membership_number + 1`) is expired
    instead, and read again when next used."""
    for name, value in values.items():
        if isinstance(value, ClauseElement) or hasattr(value, "__clause_element__"):
            session.expire(obj, [name])
        else:
            set_committed_value(obj, name, value.value if isinstance(value, enum.Enum) else value)


def render_item(type_: str, obj: object, autogen_context) -> str | bool:  # noqa: ANN001
    """Alembic autogenerate: write UTCDateTime as the plain timezone-aware DateTime it is."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# --- PostgreSQL: a pooled connection is asked whether it lives only when it has news ----------


def ping_when_the_socket_stirs(engine: Engine) -> None:
    """Replace pool_pre_ping's round trip with a look at the pooled connection's socket.

    pool_pre_ping sends a query and waits for the answer each time a connection leaves the
    pool: once per request, and again after every commit. An idle PostgreSQL connection has
    nothing to say, so its socket is quiet; when the server ends it (a restart,
    pg_terminate_backend, an idle timeout) it sends the reason and closes, and the socket
    becomes readable. Only then is the connection pinged for real: a dead one makes the pool
    connect afresh (SQLAlchemy retries the checkout when a listener raises
    DisconnectionError), and a live one (the server had only reported a changed setting) is
    kept. A peer that vanishes without a word (a cable cut) is not seen here, as a ping would
    only have seen it by waiting for the network's timeout.
    """
    import select

    from sqlalchemy.exc import DisconnectionError

    stirred = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP

    @event.listens_for(engine.pool, "checkout")
    def _alive(dbapi_connection, record, proxy) -> None:  # noqa: ANN001
        if dbapi_connection.closed:
            raise DisconnectionError("the connection was closed")
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), stirred)
        if not poller.poll(0):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means: connect afresh
            raise DisconnectionError(str(error)) from error


# --- PostgreSQL: no transaction until a statement may write ----------------------------------

_LAZY = "hearth_lazy_begin"  # in the pooled connection's info: this module manages its autocommit
_LOCKING = re.compile(r"\bFOR (?:NO KEY UPDATE|UPDATE|KEY SHARE|SHARE)\b")


_PLAIN = "_hearth_plain_read"  # the answer, kept on SQLAlchemy's cached compiled statement


def _plain_read(statement: str, context) -> bool:  # noqa: ANN001 - an execution context
    """A SELECT built with SQLAlchemy that takes no row locks. Anything else (a write, a
    savepoint, SELECT ... FOR UPDATE, raw SQL) counts as a possible write. Decided once per
    compiled statement (SQLAlchemy caches those): a page's every read asks."""
    compiled = getattr(context, "compiled", None)
    if compiled is None:
        return False
    plain = compiled.__dict__.get(_PLAIN)
    if plain is None:
        plain = bool(getattr(compiled.statement, "is_select", False)) and _LOCKING.search(statement) is None
        compiled.__dict__[_PLAIN] = plain
    return plain


def begin_on_first_write(engine: Engine) -> None:
    """Run a transaction's reads outside any transaction on PostgreSQL, and send BEGIN just
    before its first statement that may write or lock.

    Most requests only read: a page sends its few SELECTs, and BEGIN before them and COMMIT
    or ROLLBACK after them were a third of its round trips to the database. Under PostgreSQL's
    READ COMMITTED every statement takes a fresh snapshot whether or not it is in a
    transaction, so a SELECT sees the same rows either way and holds no row lock either way;
    what a transaction adds (atomic writes, SELECT ... FOR UPDATE locks held until the end)
    starts with the first such statement, which goes out after a BEGIN as before.

    It also keeps psycopg's prepared statements: psycopg prepares a statement on the server
    once it has run five times on a connection (so PostgreSQL skips parsing and planning it)
    and forgets them all at every ROLLBACK, and a request that only read has nothing to end.
    """
    from psycopg.pq import TransactionStatus

    IDLE = TransactionStatus.IDLE

    @event.listens_for(engine, "begin")
    def _reads_first(conn) -> None:  # noqa: ANN001
        record, dbapi = conn.connection, conn.connection.dbapi_connection
        if dbapi.autocommit and not record.info.get(_LAZY):
            return  # autocommit someone asked for (an isolation_level option): not ours
        if dbapi.info.transaction_status == IDLE:
            dbapi.autocommit = True
            record.info[_LAZY] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writing(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, PLR0913
        record = conn.connection
        dbapi = record.dbapi_connection
        if record.info.get(_LAZY) and dbapi.autocommit and not _plain_read(statement, context):
            dbapi.autocommit = False  # psycopg sends BEGIN before this statement

    @event.listens_for(engine, "set_connection_execution_options")
    def _isolation_asked_for(conn, options) -> None:  # noqa: ANN001
        if "isolation_level" in options:
            conn.connection.info.pop(_LAZY, None)  # SQLAlchemy sets autocommit as asked

    @event.listens_for(engine.pool, "checkin")
    def _as_it_came(dbapi_connection, record) -> None:  # noqa: ANN001
        """Back in the pool (rolled back already) in psycopg's usual mode."""
        if record.info.pop(_LAZY, False) and dbapi_connection.info.transaction_status == IDLE:
            dbapi_connection.autocommit = False
