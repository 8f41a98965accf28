"""The pulse after each meeting: asked an hour after it ends, once, of those who came; one
answer each, closed when the next meeting starts; the facilitator sees averages of 3 or more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.notify.models import Notification
from mentoring.outcomes import jobs
from mentoring.outcomes.jobs import queue_pulse_prompts
from mentoring.outcomes.models import PulseResponse
from tests.conftest import post_form, requires_postgres
from tests.factories import login as login_now
from tests.helpers import readers_wait_for_each_other, run_at_once
from tests.integration.growth.helpers import NOW, attended, meeting, member_of, running_circle

# Meeting 3 ran 20:30-21:30 UTC on Monday 2 March; the pulse opens at 22:30 and closes when
# meeting 4 starts, 20:30 UTC on 9 March.
ENDED = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)
OPENS = ENDED + timedelta(hours=1)
CLOSES = datetime(2026, 3, 9, 20, 30, tzinfo=UTC)
ANSWER = {"felt_heard": "4", "connected": "5", "learned": "3", "note": ""}


def login(client: FlaskClient, user) -> None:  # noqa: ANN001
    """Log in as the meeting ends, so the session is live at every instant the test visits."""
    with time_machine.travel(ENDED, tick=False):
        login_now(client, user)


def run(now: datetime) -> int:
    queued = queue_pulse_prompts(now)
    db.session.commit()
    return queued


def pulse_keys() -> list[str]:
    return sorted(db.session.scalars(select(Notification.dedup_key).where(Notification.kind == "reminder")))


@pytest.fixture
def met(ctx: None) -> dict:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work")
        came = [member_of(circle, display_name=n) for n in ("Ana", "Bea", "Cleo", "Dee")]
        away = member_of(circle, display_name="Eve")
        for person in came:
            attended(person, circle, 3, "present")
        attended(away, circle, 3, "absent")
        db.session.commit()
        return {"circle": circle, "came": came, "away": away, "meeting": meeting(circle, 3)}


def test_the_pulse_is_asked_an_hour_after_the_meeting_of_those_who_came_once(met: dict) -> None:
    m = met["meeting"]
    assert run(OPENS - timedelta(minutes=1)) == 0
    assert run(OPENS) == 4
    assert pulse_keys() == sorted(f"pulse:{m.id}:{p.id}" for p in met["came"])
    assert run(OPENS + timedelta(minutes=15)) == 0
    assert run(CLOSES) == 0
    assert len(pulse_keys()) == 4


def test_who_answered_is_not_asked(met: dict) -> None:
    m, ana = met["meeting"], met["came"][0]
    db.session.add(PulseResponse(meeting_id=m.id, circle_id=m.circle_id, user_id=ana.id,
                                 felt_heard=3, connected=3, learned=3))
    db.session.commit()
    assert run(OPENS) == 3
    assert f"pulse:{m.id}:{ana.id}" not in pulse_keys()


@requires_postgres
@pytest.mark.postgres
def test_two_schedulers_at_once_ask_each_attendee_once(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context(), time_machine.travel(NOW, tick=False):
        circle = running_circle()
        for _ in range(6):
            attended(member_of(circle), circle, 3, "present")
        db.session.commit()
    seen = readers_wait_for_each_other(monkeypatch, jobs)
    results: list[int] = []

    def scheduler() -> None:
        results.append(run(OPENS))

    assert run_at_once(app, [scheduler] * 2) == []
    assert seen == [0, 0]
    assert sum(results) == 6
    with app.app_context():
        keys = list(db.session.scalars(select(Notification.dedup_key)))
    assert len(keys) == len(set(keys)) == 6


def answer(client: FlaskClient, meeting_id: int, data: dict, at: datetime = OPENS):  # noqa: ANN201
    with time_machine.travel(at, tick=False):
        path = f"/outcomes/meetings/{meeting_id}/pulse"
        return post_form(client, path, data)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(PulseResponse)) or 0


def test_she_answers_once_and_a_second_answer_changes_nothing(client: FlaskClient, met: dict) -> None:
    login(client, met["came"][0])
    assert answer(client, met["meeting"].id, ANSWER).status_code == 302
    again = answer(client, met["meeting"].id, {**ANSWER, "felt_heard": "1"})
    assert again.status_code == 400 and "already answered" in again.get_data(as_text=True)
    assert count() == 1
    assert db.session.scalar(select(PulseResponse.felt_heard)) == 4


@pytest.mark.parametrize("value", ["0", "6", "", "x"])
def test_a_value_outside_the_scale_is_refused_by_the_field(
    client: FlaskClient, met: dict, value: str
) -> None:
    login(client, met["came"][0])
    response = answer(client, met["meeting"].id, {**ANSWER, "connected": value})
    assert response.status_code == 400
    assert "Please choose from 1 to 5" in response.get_data(as_text=True)
    assert count() == 0


def test_a_pulse_for_a_meeting_she_did_not_attend_is_not_found(client: FlaskClient, met: dict) -> None:
    login(client, met["away"])
    assert answer(client, met["meeting"].id, ANSWER).status_code == 404
    assert count() == 0


@pytest.mark.parametrize("at", [OPENS - timedelta(minutes=1), CLOSES])
def test_the_pulse_is_closed_before_the_hour_and_once_the_next_meeting_starts(
    client: FlaskClient, met: dict, at: datetime
) -> None:
    login(client, met["came"][0])
    response = answer(client, met["meeting"].id, ANSWER, at=at)
    assert response.status_code == 400 and "not open" in response.get_data(as_text=True)
    assert count() == 0


def summary(client: FlaskClient, met: dict) -> str:
    login(client, met["circle"].facilitator)
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        return client.get(f"/outcomes/circles/{met['circle'].id}/pulse").get_data(as_text=True)


def test_the_facilitator_sees_no_averages_from_fewer_than_three_answers(
    client: FlaskClient, new_client, met: dict
) -> None:
    for person, heard in zip(met["came"][:2], ("1", "2"), strict=True):
        member = new_client()
        login(member, person)
        answer(member, met["meeting"].id, {**ANSWER, "felt_heard": heard, "note": f"NOTE-{heard}"})
    page = summary(client, met)
    assert "fewer than 3 answers" in page
    assert "1.5" not in page
    # Notes to the facilitator are the only pulse text she reads, without names.
    assert "NOTE-1" in page and "NOTE-2" in page and "Ana" not in page.split("Notes to you")[1]


def test_from_three_answers_the_facilitator_sees_the_averages_and_the_trend(
    client: FlaskClient, new_client, met: dict
) -> None:
    for person, heard in zip(met["came"][:3], ("1", "2", "4"), strict=True):
        member = new_client()
        login(member, person)
        answer(member, met["meeting"].id, {**ANSWER, "felt_heard": heard})
    page = summary(client, met)
    assert "2.3" in page  # (1 + 2 + 4) / 3
    assert "<svg" in page and "#3: " in page  # the trend, with its text equivalent


def test_only_the_facilitator_of_the_circle_sees_its_pulse(client: FlaskClient, met: dict) -> None:
    login(client, met["came"][0])
    with time_machine.travel(OPENS, tick=False):
        assert client.get(f"/outcomes/circles/{met['circle'].id}/pulse").status_code == 404


def test_her_pulse_answers_are_in_her_export_and_go_with_her_account(met: dict) -> None:
    from mentoring.accounts.personal_data import delete_account, export_user_data
    from tests.conftest import PASSWORD

    m, ana = met["meeting"], met["came"][0]
    db.session.add(PulseResponse(meeting_id=m.id, circle_id=m.circle_id, user_id=ana.id, felt_heard=2,
                                 connected=3, learned=4, note_to_facilitator="NOTE-kale"))
    db.session.commit()
    (answer,) = export_user_data(ana.id, now=NOW)["pulse_answers"]
    assert (answer["felt_heard"], answer["note_to_facilitator"]) == (2, "NOTE-kale")
    delete_account(ana.id, PASSWORD, now=NOW)
    db.session.commit()
    assert count() == 0
