"""The scheduler's heartbeat, as /healthz and the admin mail page report it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentoring.accounts.models import Role
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.jobs.heartbeat import HEARTBEAT_SECONDS, STALE_AFTER, record_heartbeat
from mentoring.jobs.registry import load_jobs
from mentoring.jobs.runner import run_job
from tests.factories import login, make_notification, make_user

HEARTBEAT = "mentoring.jobs.heartbeat.record_heartbeat"


def beat(app: Flask, ago: timedelta) -> None:
    with app.app_context():
        record_heartbeat(utcnow() - ago)
        db.session.commit()
        db.session.remove()


def test_the_heartbeat_is_a_registered_job(app: Flask, client: FlaskClient) -> None:
    spec = load_jobs()[HEARTBEAT]
    assert spec.seconds == HEARTBEAT_SECONDS
    assert run_job(app, spec)
    assert client.get("/healthz").get_json()["scheduler"] == "ok"


def test_healthz_with_a_fresh_heartbeat_says_the_scheduler_is_ok(app: Flask, client: FlaskClient) -> None:
    beat(app, timedelta(seconds=20))
    beat(app, timedelta(seconds=5))  # a second beat updates the same row
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["database"], body["scheduler"]) == ("ok", "ok", "ok")
    assert "scheduler_last_beat" in body


def test_healthz_with_a_stale_heartbeat_names_the_scheduler_and_fails(
    app: Flask, client: FlaskClient
) -> None:
    beat(app, STALE_AFTER + timedelta(minutes=1))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["database"], body["scheduler"]) == ("degraded", "ok", "stale")


def test_a_missing_heartbeat_is_reported_in_development(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "scheduler": "not started"}


def test_a_missing_heartbeat_fails_the_check_in_production(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "HEARTH_ENV", "production")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "ok", "scheduler": "not started"}


def test_the_admin_mail_page_shows_the_scheduler_and_the_oldest_due_email(
    app: Flask, ctx: None, client: FlaskClient
) -> None:
    admin = make_user("admin@example.com", roles=(Role.ADMIN,))
    user = make_user("ada@example.com")
    now = utcnow()
    make_notification(user, key="old", due_at=now - timedelta(minutes=42))
    make_notification(user, key="new", due_at=now - timedelta(minutes=2))
    make_notification(user, key="later", due_at=now + timedelta(hours=1))
    make_notification(user, key="in-app", channel="in_app", due_at=now - timedelta(hours=3))
    db.session.commit()
    login(client, admin)

    page = client.get("/admin/mail").get_data(as_text=True)
    assert "never started" in page
    assert "Due now: 2 emails" in page
    assert "the oldest has waited 42 min" in page

    record_heartbeat(utcnow() - STALE_AFTER - timedelta(minutes=1))
    db.session.commit()
    assert "stopped" in client.get("/admin/mail").get_data(as_text=True)
