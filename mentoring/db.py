"""The declarative base with a constraint naming convention, and the clock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase, registry
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


def render_item(type_: str, obj: object, autogen_context) -> str | bool:  # noqa: ANN001
    """Alembic autogenerate: write UTCDateTime as the plain timezone-aware DateTime it is."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# --- PostgreSQL: keep psycopg's prepared statements across requests --------------------------

_WROTE = "hearth_wrote"  # in the pooled connection's info: a statement since the last end may have written


def keep_prepared_statements(engine: Engine) -> None:
    """End a transaction that only read with COMMIT instead of ROLLBACK, on PostgreSQL.

    psycopg prepares a statement on the server once it has run it five times on a connection,
    and then skips parsing and planning it (most of PostgreSQL's work for our small indexed
    queries). But it forgets every prepared statement on each ROLLBACK, and every request ends
    with one (SQLAlchemy rolls back the session's transaction when it hands the connection
    back), so nothing ever got prepared: each query of each page was parsed and planned anew.

    For a transaction that ran only SELECTs, COMMIT and ROLLBACK do the same (nothing to keep
    or undo; locks are released either way), and COMMIT keeps the prepared statements. Any
    other statement (a write, a savepoint, raw SQL) marks the transaction, which then ends
    with a real ROLLBACK, as does one PostgreSQL has already aborted.
    """
    from psycopg.pq import TransactionStatus

    INTRANS = TransactionStatus.INTRANS  # idle in a transaction that has not failed
    rollback = engine.dialect.do_rollback

    @event.listens_for(engine, "before_cursor_execute")
    def _mark_writes(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, PLR0913
        compiled = getattr(context, "compiled", None)
        if compiled is None or not getattr(compiled.statement, "is_select", False):
            conn.info[_WROTE] = True

    def do_rollback(connection) -> None:  # noqa: ANN001 - a pooled connection
        try:
            info = connection.info
        except NotImplementedError:  # the engine's first connection, not yet pooled
            rollback(connection)
            return
        if info.get(_WROTE) is False and connection.dbapi_connection.info.transaction_status == INTRANS:
            connection.dbapi_connection.commit()
        else:
            rollback(connection)
        info[_WROTE] = False

    @event.listens_for(engine, "commit")
    def _committed(conn) -> None:  # noqa: ANN001
        conn.info[_WROTE] = False

    @event.listens_for(engine, "connect")
    def _fresh(dbapi_connection, record) -> None:  # noqa: ANN001
        record.info[_WROTE] = False

    engine.dialect.do_rollback = do_rollback  # type: ignore[method-assign]
