"""The one-kept-payment migration upgrades a database that holds payments from the previous head."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from mentoring import create_app
from mentoring.extensions import db
from tests.conftest import TEST_DATABASE_URL, is_postgres
from tests.helpers import postgres_schema

PREVIOUS_HEAD = "6542bb54a1eb"  # the revision before one_kept_payment_per_membership
NOW = "2026-11-01 10:00:00+00:00"


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    if not is_postgres():
        yield f"sqlite:///{tmp_path / 'kept_payments.sqlite3'}"
        return
    with postgres_schema(TEST_DATABASE_URL, "hearth_kept") as url:
        yield url


def _seed(conn: sa.Connection, payment_statuses: list[str]) -> None:
    conn.execute(sa.text(
        "INSERT INTO users (id, email, password_hash, display_name, timezone, email_opt_out, "
        "session_version, created_at) VALUES (1, 'maya@example.com', 'x', 'Maya', 'UTC', '[]', 1, :now)"
    ), {"now": NOW})
    conn.execute(sa.text(
        "INSERT INTO circles (id, facilitator_id, title, theme, description, capacity, min_to_run, "
        "seats_taken, format, language, kids_welcome, onsite_childcare, timezone, weekday, start_time, "
        "duration_minutes, first_date, meeting_count, status, agreement_text, price_mode, currency, "
        "created_at) VALUES (1, 1, 'Evenings', 'returning_to_work', 'd', 8, 4, 1, 'virtual', 'English', "
        "false, false, 'UTC', 1, '20:30:00', 60, '2026-11-10', 8, 'open', 'a', 'fixed', 'USD', :now)"
    ), {"now": NOW})
    conn.execute(sa.text(
        "INSERT INTO enrollments (id, circle_id, user_id, status, funding, price_cents, created_at) "
        "VALUES (1, 1, 1, 'active', 'self', 1500, :now)"
    ), {"now": NOW})
    for n, status in enumerate(payment_statuses, start=1):
        conn.execute(sa.text(
            "INSERT INTO payments (id, enrollment_id, user_id, amount_cents, unit_amount_cents, currency, "
            "meetings_covered, first_sequence, gateway, gateway_session_id, status, refunded_cents, "
            "created_at) VALUES (:id, 1, 1, 12000, 1500, 'USD', 8, 1, 'local', :session, :status, 0, :now)"
        ), {"id": n, "session": f"cs_{n}", "status": status, "now": NOW})


def _upgrade_with(url: str, app_config: dict[str, Any], payment_statuses: list[str]) -> sa.Engine:
    app = create_app({**app_config, "DATABASE_URL": url})
    with app.app_context():
        upgrade(revision=PREVIOUS_HEAD)
        with db.engine.begin() as conn:
            _seed(conn, payment_statuses)
        upgrade()
        return db.engine


def test_existing_payments_and_places_become_first_memberships(
    empty_database_url: str, app_config: dict[str, Any]
) -> None:
    engine = _upgrade_with(empty_database_url, app_config, ["paid", "expired", "refunded"])
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT membership_number FROM enrollments")).scalar_one() == 1
        assert set(conn.execute(sa.text("SELECT membership_number FROM payments")).scalars()) == {1}
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("UPDATE payments SET status = 'partially_refunded' WHERE id = 2"))
    engine.dispose()


def test_payments_already_kept_twice_stop_the_upgrade_with_a_clear_message(
    empty_database_url: str, app_config: dict[str, Any]
) -> None:
    # Flask-Migrate logs the migration's error and exits, as `flask db upgrade` does.
    with pytest.raises(SystemExit) as stopped:
        _upgrade_with(empty_database_url, app_config, ["paid", "partially_refunded"])
    assert "more than one kept payment; refund the extra ones, then upgrade again: [1]" in str(
        stopped.value.__context__)
