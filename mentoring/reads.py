"""Reads of plain columns on the session's connection, without the ORM's result machinery."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Row

from mentoring.extensions import db


def read_rows(statement: Executable, params: Mapping[str, Any] | None = None) -> Sequence[Row[Any]]:
    """The rows of a SELECT of columns (never of mapped objects), in the session's transaction.

    `db.session.execute` wraps even a select of plain columns in the ORM's result machinery,
    a quarter of the cost of each small read a page makes (on PostgreSQL about 190 µs against
    145 µs for the same statement on the connection); columns need none of it. Whatever the
    session holds unflushed is flushed first, as its autoflush would have.
    """
    db.session.flush()
    return db.session.connection().execute(statement, params or {}).all()
