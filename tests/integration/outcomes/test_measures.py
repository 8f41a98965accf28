"""Outcome measures: at joining and after the last meeting, once each, 1-7; she sees her own
change as a chart with its text equivalent; the job asks once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentoring.accounts.models import User
from mentoring.accounts.personal_data import delete_account, export_user_data
from mentoring.extensions import db
from mentoring.notify.models import Notification
from mentoring.outcomes import jobs
from mentoring.outcomes.jobs import queue_outcome_prompts
from mentoring.outcomes.models import OutcomeMeasure
from tests.conftest import PASSWORD, post_form, requires_postgres
from tests.factories import login, make_user
from tests.helpers import readers_wait_for_each_other, run_at_once
from tests.integration.growth.helpers import NOW, member_of, running_circle

# The circle's eighth and last meeting ends at 20:30 UTC on Monday 6 April 2026 (London is on
# summer time by then: 20:30-21:30 BST).
LAST_ENDS = datetime(2026, 4, 6, 20, 30, tzinfo=UTC)
START = {"isolation": "6", "confidence": "3", "balance": "2", "stress": "6"}
END = {"isolation": "3", "confidence": "5", "balance": "4", "stress": "4"}


@pytest.fixture
def joined(ctx: None) -> dict:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work")
        ana = member_of(circle, display_name="Ana")
        db.session.commit()
        return {"circle": circle, "ana": ana}


def rate(client: FlaskClient, user: User, circle_id: int, phase: str, data: dict, at: datetime):  # noqa: ANN201
    with time_machine.travel(at, tick=False):
        login(client, user)
        return post_form(client, f"/outcomes/circles/{circle_id}/measure/{phase}", data)


def measures() -> int:
    return db.session.scalar(select(func.count()).select_from(OutcomeMeasure)) or 0


def test_she_rates_herself_at_the_start_and_the_end_and_sees_her_change(
    client: FlaskClient, joined: dict
) -> None:
    ana, circle_id = joined["ana"], joined["circle"].id
    assert rate(client, ana, circle_id, "start", START, NOW).status_code == 302
    early = rate(client, ana, circle_id, "end", END, NOW)
    assert early.status_code == 400 and "not open" in early.get_data(as_text=True)
    assert rate(client, ana, circle_id, "end", END, LAST_ENDS + timedelta(hours=2)).status_code == 302
    with time_machine.travel(LAST_ENDS + timedelta(hours=3), tick=False):
        page = client.get(f"/outcomes/circles/{circle_id}").get_data(as_text=True)
    assert "<svg" in page and "isolation: 6 at the start, 3 at the end" in page
    assert measures() == 2


def test_a_second_rating_and_a_value_off_the_scale_change_nothing(client: FlaskClient, joined: dict) -> None:
    ana, circle_id = joined["ana"], joined["circle"].id
    off = rate(client, ana, circle_id, "start", {**START, "stress": "8"}, NOW)
    assert off.status_code == 400 and "Please choose from 1 to 7" in off.get_data(as_text=True)
    assert measures() == 0
    rate(client, ana, circle_id, "start", START, NOW)
    again = rate(client, ana, circle_id, "start", END, NOW)
    assert again.status_code == 400 and "already answered" in again.get_data(as_text=True)
    assert db.session.scalar(select(OutcomeMeasure.isolation)) == 6


def test_someone_outside_the_circle_cannot_rate_it(client: FlaskClient, joined: dict) -> None:
    stranger = make_user()
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        login(client, stranger)
        assert client.get(f"/outcomes/circles/{joined['circle'].id}/measure/start").status_code == 404
    assert measures() == 0


def test_the_job_asks_for_the_start_once_and_the_end_after_the_last_meeting(joined: dict) -> None:
    ana, circle = joined["ana"], joined["circle"]
    assert queue_outcome_prompts(NOW) == 1
    assert queue_outcome_prompts(NOW + timedelta(hours=1)) == 0
    assert queue_outcome_prompts(LAST_ENDS + timedelta(hours=1)) == 1
    assert queue_outcome_prompts(LAST_ENDS + timedelta(hours=2)) == 0
    db.session.commit()
    keys = sorted(db.session.scalars(select(Notification.dedup_key).where(Notification.user_id == ana.id)))
    assert keys == [f"outcome-end:{circle.id}:{ana.id}", f"outcome-start:{circle.id}:{ana.id}"]


@requires_postgres
def test_two_schedulers_at_once_ask_each_member_for_her_ratings_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context(), time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work")
        for n in range(5):
            member_of(circle, display_name=f"Member {n}")
        db.session.commit()
    seen = readers_wait_for_each_other(monkeypatch, jobs)
    results: list[int] = []

    def scheduler() -> None:
        results.append(queue_outcome_prompts(NOW))
        db.session.commit()

    assert run_at_once(app, [scheduler] * 2) == []
    assert seen == [0, 0]
    assert sum(results) == 5
    with app.app_context():
        keys = list(db.session.scalars(select(Notification.dedup_key)))
    assert len(keys) == len(set(keys)) == 5


def test_her_answers_are_in_her_export_and_go_with_her_account(joined: dict) -> None:
    ana, circle = joined["ana"], joined["circle"]
    db.session.add(
        OutcomeMeasure(
            user_id=ana.id, circle_id=circle.id, phase="start", isolation=5, confidence=4, balance=3, stress=6
        )
    )
    db.session.commit()
    assert export_user_data(ana.id, now=NOW)["outcome_measures"][0]["isolation"] == 5
    delete_account(ana.id, PASSWORD, now=NOW)
    db.session.commit()
    assert measures() == 0
