"""Counting the SQL statements a block of code sends (query-count tests and the bench)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


class QueryLog(list[str]):
    """The statements sent, in order; `len()` or `.count` is how many."""

    @property
    def count(self) -> int:
        return len(self)


@contextmanager
def count_queries(engine: Engine | None = None) -> Iterator[QueryLog]:
    """Collect every statement `engine` (default: the app's `db.engine`) executes inside the block."""
    if engine is None:
        from mentoring.extensions import db

        engine = db.engine
    log = QueryLog()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        log.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
