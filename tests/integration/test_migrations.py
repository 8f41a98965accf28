"""The migrations build the schema from nothing, and the models match what they build."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from mentoring import create_app
from mentoring.billing.models import Payment
from mentoring.circles.models import Attendance, Circle, Enrollment, Meeting
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import TEST_DATABASE_URL, is_postgres
from tests.helpers import postgres_schema


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    if not is_postgres():
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    with postgres_schema(TEST_DATABASE_URL, "hearth_mig") as url:
        yield url


def test_upgrade_from_empty_matches_the_models(empty_database_url: str, app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": False}
            )
            differences = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        db.engine.dispose()
    assert differences == [], f"models and migrations differ: {differences}"
    assert {"users", "circles", "meetings", "enrollments", "payments", "notifications"} <= tables


INITIAL = "8f0df6a46c8a"
T0 = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)

# A small community as a deployed database holds it at the initial revision.
ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [
        {"id": 1, "email": "fran@example.com", "password_hash": "x", "display_name": "Fran",
         "timezone": "Europe/London", "email_opt_out": [], "session_version": 1, "created_at": T0,
         "email_verified_at": T0},
        {"id": 2, "email": "maya@example.com", "password_hash": "x", "display_name": "Maya",
         "timezone": "America/Chicago", "email_opt_out": ["reminder"], "session_version": 1,
         "created_at": T0, "email_verified_at": T0},
        {"id": 3, "email": "wren@example.com", "password_hash": "x", "display_name": "Wren",
         "timezone": "UTC", "email_opt_out": [], "session_version": 1, "created_at": T0},
    ],
    "role_assignments": [{"id": 1, "user_id": 1, "role": "facilitator", "granted_at": T0}],
    "circles": [
        {"id": 1, "facilitator_id": 1, "title": "Back to work", "theme": "returning_to_work",
         "description": "", "capacity": 8, "min_to_run": 4, "seats_taken": 1, "format": "virtual",
         "meeting_link": "https://meet.example.org/r", "language": "English", "kids_welcome": True,
         "onsite_childcare": False, "timezone": "Europe/London", "weekday": 1, "start_time": time(20, 30),
         "duration_minutes": 60, "first_date": date(2026, 11, 3), "meeting_count": 8, "status": "running",
         "agreement_text": "What is said here stays here.", "price_mode": "fixed", "currency": "GBP",
         "price_cents": 1500, "created_at": T0, "published_at": T0},
    ],
    "meetings": [
        {"id": 1, "circle_id": 1, "sequence": 1, "starts_at": T0 + timedelta(days=1, hours=2, minutes=30),
         "ends_at": T0 + timedelta(days=1, hours=3, minutes=30), "status": "held", "agenda": "Welcome"},
        {"id": 2, "circle_id": 1, "sequence": 2, "starts_at": T0 + timedelta(days=8, hours=2, minutes=30),
         "ends_at": T0 + timedelta(days=8, hours=3, minutes=30), "status": "scheduled", "agenda": "Check-in"},
    ],
    "enrollments": [
        {"id": 1, "circle_id": 1, "user_id": 2, "status": "active", "funding": "self", "price_cents": 1500,
         "agreed_at": T0, "joined_at": T0, "created_at": T0},
        {"id": 2, "circle_id": 1, "user_id": 3, "status": "left", "funding": "free", "price_cents": 0,
         "created_at": T0, "left_at": T0},
    ],
    "attendance": [{"id": 1, "meeting_id": 1, "user_id": 2, "status": "excused", "note": "sick child",
                    "marked_at": T0 + timedelta(days=1, hours=4)}],
    "payments": [
        {"id": 1, "enrollment_id": 1, "user_id": 2, "amount_cents": 12000, "unit_amount_cents": 1500,
         "currency": "GBP", "meetings_covered": 8, "first_sequence": 1, "gateway": "stripe",
         "gateway_session_id": "cs_1", "gateway_payment_id": "pi_1", "status": "paid",
         "refunded_cents": 0, "created_at": T0, "paid_at": T0},
    ],
    "notifications": [
        {"id": 1, "user_id": 2, "kind": "reminder", "dedup_key": "reminder:2:2:20261110T2030Z",
         "due_at": T0, "visible_at": T0, "channel": "email", "status": "sent", "attempts": 1,
         "payload": {"subject": "Reminder", "text": "Your circle meets tomorrow."}, "created_at": T0,
         "sent_at": T0},
    ],
}


def _columns(name: str) -> list[str]:
    return list(dict.fromkeys(key for row in ROWS[name] for key in row))


def _table(conn: sa.Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=conn)


def _read(conn: sa.Connection, name: str, columns: list[str]) -> list[tuple[Any, ...]]:
    table = _table(conn, name)
    rows = conn.execute(sa.select(*[table.c[c] for c in columns]).order_by(table.c.id)).all()
    return [tuple(_plain(v) for v in row) for row in rows]


def _plain(value: Any) -> Any:
    # SQLite hands instants back naive; they were stored in UTC.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def test_upgrading_a_database_that_holds_data_keeps_every_row(
        empty_database_url: str, app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade(revision=INITIAL)
        with db.engine.begin() as conn:
            for name, rows in ROWS.items():
                conn.execute(sa.insert(_table(conn, name)),
                             [{c: row.get(c) for c in _columns(name)} for row in rows])
            if conn.dialect.name == "postgresql":  # explicit ids leave the sequences behind
                for name in ROWS:
                    conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                         f"(SELECT max(id) FROM {name}))"))
        with db.engine.connect() as conn:
            before = {name: _read(conn, name, _columns(name)) for name in ROWS}

        upgrade()

        with db.engine.connect() as conn:
            after = {name: _read(conn, name, _columns(name)) for name in ROWS}
            agreements = conn.execute(sa.text(
                "SELECT circle_id, version, text FROM circle_agreements ORDER BY id")).all()
            versions = conn.execute(sa.text(
                "SELECT id, agreement_version FROM enrollments ORDER BY id")).all()
        # The models read every migrated row, with whatever columns later revisions added.
        models = {"circles": Circle, "meetings": Meeting, "enrollments": Enrollment, "attendance": Attendance,
                  "payments": Payment, "notifications": Notification}
        for name, model in models.items():
            loaded = db.session.scalars(sa.select(model).order_by(model.id)).all()
            assert [row.id for row in loaded] == [row["id"] for row in ROWS[name]]
        maya = db.session.get(Enrollment, 1)
        db.session.remove()
        db.engine.dispose()
    assert after == before
    assert [tuple(a) for a in agreements] == [(1, 1, "What is said here stays here.")]
    # She agreed before versions were kept: the wording then is the only one on record.
    assert [tuple(v) for v in versions] == [(1, 1), (2, None)]
    assert maya.agreement_version == 1
