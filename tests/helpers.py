"""Helpers that tests of every feature share: reading pages, re-reading rows, counting, and a
throwaway PostgreSQL schema."""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
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
