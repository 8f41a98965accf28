"""Helpers that tests of every feature share: reading pages, re-reading rows, counting, a
throwaway PostgreSQL schema, and running work in threads released at the same moment."""

from __future__ import annotations

import html
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentoring.audit.models import AuditEntry
from mentoring.extensions import db

Row = TypeVar("Row")


def fresh(row: Row) -> Row:
    """The row as the database holds it now (what a request committed since it was loaded)."""
    db.session.expire_all()
    return db.session.get(type(row), row.id)  # type: ignore[attr-defined]


def count(model: type, *where: Any) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def audit_actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def get_page(client: FlaskClient, path: str) -> str:
    """The HTML of a page that must load (200)."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def page_text(response) -> str:  # noqa: ANN001
    """The page as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


@contextmanager
def postgres_schema(url: str, prefix: str) -> Iterator[str]:
    """`url` working in a new, empty schema that is dropped afterwards, so that two runs on one
    PostgreSQL database never see each other's rows."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_at_once(app: Flask, targets: Sequence[Callable[[], object]]) -> list[BaseException]:
    """Run each target in its own thread and app context, all released together by a barrier,
    and wait for every one; what each raised is rolled back and returned (in no set order).

    The threads-behind-a-barrier runner of the race tests: each thread has its own database
    session (and so its own connection), so on PostgreSQL the targets really overlap. A target
    commits its own work; its session is removed when it ends.
    """
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def run(target: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                target()
            except BaseException as error:  # noqa: BLE001 - handed back to the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def readers_wait_for_each_other(monkeypatch: Any, module: Any, parties: int = 2) -> list[int]:
    """Make `module.already_queued` hold each caller at a barrier after reading, so every
    scheduler has read "what is queued" before any of them inserts: only the unique dedup key can
    then keep a notification single. Returns how many keys each reader found."""
    barrier = threading.Barrier(parties)
    seen: list[int] = []
    read_queued = module.already_queued

    def read_then_wait(keys):  # noqa: ANN001, ANN202
        found = read_queued(keys)
        seen.append(len(found))
        barrier.wait()
        return found

    monkeypatch.setattr(module, "already_queued", read_then_wait)
    return seen
