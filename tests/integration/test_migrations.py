"""The migrations build the schema from nothing, and the models match what they build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from mentoring import create_app
from mentoring.extensions import db
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
