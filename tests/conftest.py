"""Shared fixtures: one app per run, a clean database per test, CSRF left on.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set; on
PostgreSQL each run works in its own schema, so two runs never see each other's rows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from mentoring import create_app
from mentoring.extensions import db, limiter
from tests.helpers import postgres_schema

# No per-example deadline: timings on a shared 2-core CI machine are noise, and a property is
# about what the code returns, not how fast (speed is measured by `make bench`).
settings.register_profile("hearth", deadline=None)
settings.load_profile("hearth")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery staple"


def is_postgres() -> bool:
    return TEST_DATABASE_URL.startswith("postgresql")


requires_postgres = pytest.mark.skipif(
    not is_postgres(), reason="needs PostgreSQL: set TEST_DATABASE_URL to run it"
)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not is_postgres():
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with postgres_schema(TEST_DATABASE_URL, "hearth_test") as url:
        yield url


@pytest.fixture(scope="session")
def app_config(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "BASE_URL": "http://localhost",
        "MAIL_BACKEND": "outbox",
        "OUTBOX_DIR": str(tmp_path_factory.mktemp("outbox")),
        "PAYMENT_GATEWAY": "local",
        "STRIPE_WEBHOOK_SECRET": "whsec_test_secret",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
    }


@pytest.fixture(scope="session")
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with empty tables and a fresh rate limiter."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()
    outbox = Path(app.config["OUTBOX_DIR"])
    for eml in outbox.glob("*.eml"):
        eml.unlink()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for calling services and reading the database directly."""
    with app.app_context():
        yield
        db.session.remove()


class IsolatedClient(FlaskClient):
    """A client whose every request runs in its own app context, as in production.

    With the `ctx` fixture pushed, Flask would otherwise reuse the test's app context for each
    request, so `g` (Flask-Login's cached user, Flask-WTF's CSRF token) and the database session
    would leak from one request into the next and hide changes such as a bumped session version.
    """

    def open(self, *args: Any, **kwargs: Any):  # noqa: ANN201
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def new_client(app: Flask) -> Callable[[], FlaskClient]:
    """Another browser or device."""
    return lambda: IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """Load a page and return the CSRF token its form carries, as a browser would."""
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, form_path: str, data: dict[str, Any], *, action: str | None = None,
              follow_redirects: bool = False):  # noqa: ANN201
    """Submit a form the way a browser does: GET the page for its token, then POST."""
    token = csrf_token(client, form_path)
    return client.post(action or form_path, data={**data, "csrf_token": token},
                       follow_redirects=follow_redirects)
