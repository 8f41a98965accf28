"""Helpers for the facilitators' pages: a valid circle form and a facilitator logged in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from mentoring.accounts.models import Role, User
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.factories import login, make_user


def circle_form(**overrides: Any) -> dict[str, Any]:
    first: date = utcnow().date() + timedelta(days=10)
    data: dict[str, Any] = {
        "title": "Back to work after baby",
        "theme": "returning_to_work",
        "description": "For mothers going back to work after leave.",
        "capacity": "8",
        "min_to_run": "4",
        "format": "virtual",
        "meeting_link": "https://meet.example.com/hearth-123",
        "address": "",
        "language": "English",
        "kids_welcome": "y",
        "timezone": "Europe/London",
        "first_date": first.isoformat(),
        "start_time": "20:30",
        "duration_minutes": "60",
        "meeting_count": "8",
        "agreement_text": "What is said here stays here.",
        "price_mode": "sliding",
        "currency": "USD",
        "price": "",
        "sliding_min": "0",
        "sliding_suggested": "12",
        "sliding_max": "30",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def facilitator(ctx: None, client: FlaskClient) -> User:
    user = make_user(display_name="Fran Facilitator", timezone="Europe/London", roles=(Role.FACILITATOR,))
    db.session.commit()
    login(client, user)
    return user
