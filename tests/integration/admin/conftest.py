"""Clients whose every request runs in its own app context, as in production.

With the shared `ctx` fixture pushed, Flask would otherwise reuse the test's app context for
each request, so `g` (Flask-Login's cached user, Flask-WTF's CSRF token) would leak from one
request into the next and hide session changes such as a bumped session version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
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
