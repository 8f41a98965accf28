"""Creating, editing and publishing circles through the facilitators' pages."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentoring.accounts.models import Role, User
from mentoring.circles.agenda import FIRST_MEETING, LAST_MEETING, MIDDLE_MEETING
from mentoring.circles.models import Circle, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from tests.conftest import post_form
from tests.factories import login, make_circle, make_user

from .conftest import circle_form

NEW = "/facilitate/circles/new"


def circle_count() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(Circle)).scalar_one()


def test_facilitator_creates_a_draft_circle_then_publishes_it(client: FlaskClient, facilitator: User) -> None:
    response = post_form(client, NEW, circle_form())
    assert response.status_code == 302
    circle = db.session.execute(select(Circle)).scalar_one()
    assert response.headers["Location"].endswith(f"/facilitate/circles/{circle.id}")
    assert circle.status == "draft" and circle.facilitator_id == facilitator.id
    assert (circle.price_mode, circle.currency) == ("sliding", "USD")
    prices = (circle.sliding_min_cents, circle.sliding_suggested_cents, circle.sliding_max_cents)
    assert prices == (0, 1200, 3000)
    first = date.fromisoformat(circle_form()["first_date"])
    assert circle.weekday == first.weekday()
    meetings = db.session.execute(select(Meeting).order_by(Meeting.sequence)).scalars().all()
    assert [m.sequence for m in meetings] == list(range(1, 9))
    assert meetings[0].agenda == FIRST_MEETING and meetings[-1].agenda == LAST_MEETING
    assert meetings[3].agenda == MIDDLE_MEETING

    page = client.get(f"/facilitate/circles/{circle.id}").get_data(as_text=True)
    assert "Publish" in page and "Europe/London" in page
    response = post_form(client, f"/facilitate/circles/{circle.id}", {},
                         action=f"/facilitate/circles/{circle.id}/publish")
    assert response.status_code == 302
    db.session.expire_all()
    circle = db.session.get(Circle, circle.id)
    assert circle.status == "open" and circle.published_at is not None


def test_form_defaults_to_her_timezone_and_the_house_agreement(client: FlaskClient, ctx: None) -> None:
    user = make_user(timezone="America/Chicago", roles=(Role.FACILITATOR,))
    db.session.commit()
    login(client, user)
    page = client.get(NEW).get_data(as_text=True)
    assert 'value="America/Chicago"' in page
    assert "What is said in the circle stays in the circle" in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"first_date": (utcnow().date() - timedelta(days=3)).isoformat()}, "first_date", "in the past"),
    ({"capacity": "13"}, "capacity", "4 to 12 places"),
    ({"capacity": "3"}, "capacity", "4 to 12 places"),
    ({"capacity": "lots"}, "capacity", "Not a valid integer"),
    ({"min_to_run": "9"}, "min_to_run", "no more than the capacity"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "choose a timezone"),
    ({"sliding_min": "40", "sliding_max": "30"}, "sliding_min", "cannot be more than the maximum"),
    ({"sliding_max": "thirty"}, "sliding_max", "as a number"),
    ({"sliding_min": "-5"}, "sliding_min", "cannot be negative"),
    ({"sliding_max": "600"}, "sliding_max", "most you can enter here is $500"),
    ({"price_mode": "fixed", "price": "fifteen"}, "price", "as a number"),
    ({"price_mode": "fixed", "price": "15,5,0"}, "price", "as a number"),
    ({"duration_minutes": "180"}, "duration_minutes", "30 to 120 minutes"),
    ({"duration_minutes": "10"}, "duration_minutes", "30 to 120 minutes"),
    ({"meeting_count": "20"}, "meeting_count", "4 to 16 meetings"),
    ({"format": "hybrid", "address": ""}, "address", "need an address"),
    ({"meeting_link": ""}, "meeting_link", "need a meeting link"),
    ({"currency": "BTC"}, "currency", "Not a valid choice"),
    ({"language": "Klingon"}, "language", "Not a valid choice"),
])
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_created(
    client: FlaskClient, facilitator: User, overrides: dict[str, str], field: str, message: str
) -> None:
    response = post_form(client, NEW, circle_form(**overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    error_start = page.index(f'id="{field}-error"')
    assert message in page[error_start:error_start + 300]
    assert "Nothing was saved yet" in page
    assert circle_count() == 0


def test_a_member_who_is_not_a_facilitator_gets_403_and_no_circle(client: FlaskClient, ctx: None) -> None:
    member = make_user()
    circle = make_circle()
    db.session.commit()
    login(client, member)
    assert client.get("/facilitate/").status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.get(f"/facilitate/circles/{circle.id}").status_code == 404
    assert client.post(NEW, data=circle_form()).status_code in (400, 403)
    assert circle_count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, ctx: None) -> None:
    response = client.get("/facilitate/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_facilitator_cannot_see_or_change_another_facilitators_circle(
    client: FlaskClient, facilitator: User
) -> None:
    other = make_circle(title="Someone else's circle")
    meeting_id = other.meetings[0].id
    db.session.commit()
    own_token_page = NEW
    for path in (f"/facilitate/circles/{other.id}", f"/facilitate/circles/{other.id}/edit",
                 f"/facilitate/circles/{other.id}/cancel", f"/facilitate/meetings/{meeting_id}/cancel",
                 f"/facilitate/meetings/{meeting_id}/attendance"):
        assert client.get(path).status_code == 404, path
    response = post_form(client, own_token_page, circle_form(title="Taken over"),
                         action=f"/facilitate/circles/{other.id}/edit")
    assert response.status_code == 404
    response = post_form(client, own_token_page, {"reason": "mine now"},
                         action=f"/facilitate/circles/{other.id}/cancel")
    assert response.status_code == 404
    db.session.expire_all()
    circle = db.session.get(Circle, other.id)
    assert circle.title == "Someone else's circle" and circle.status == "open"


def test_an_admin_may_look_after_any_circle(client: FlaskClient, ctx: None) -> None:
    circle = make_circle()
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(client, admin)
    assert client.get(f"/facilitate/circles/{circle.id}").status_code == 200


def test_editing_keeps_what_was_entered_and_shows_prices_in_major_units(
    client: FlaskClient, facilitator: User
) -> None:
    circle = make_circle(facilitator, price_mode="fixed", price_cents=1550, currency="GBP",
                         meeting_link="https://meet.example.com/x")
    db.session.commit()
    page = client.get(f"/facilitate/circles/{circle.id}/edit").get_data(as_text=True)
    assert 'value="15.50"' in page
    form = circle_form(title="Renamed circle", price_mode="fixed", price="18", currency="GBP",
                       first_date=circle.first_date.isoformat(), start_time="20:30")
    response = post_form(client, f"/facilitate/circles/{circle.id}/edit", form)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Circle, circle.id)
    assert (saved.title, saved.price_cents, saved.currency) == ("Renamed circle", 1800, "GBP")


def test_the_circle_page_shows_times_in_the_circles_zone_and_hers(client: FlaskClient, ctx: None) -> None:
    fac = make_user(timezone="America/New_York", roles=(Role.FACILITATOR,))
    circle = make_circle(fac, timezone="Europe/London", start_time=time(20, 30))
    db.session.commit()
    login(client, fac)
    page = client.get(f"/facilitate/circles/{circle.id}").get_data(as_text=True)
    assert "20:30 GMT" in page or "20:30 BST" in page
    assert "15:30 EST" in page or "15:30 EDT" in page or "16:30 EDT" in page
    assert "your time" in page


def test_the_currency_choices_read_as_codes_and_symbols(client: FlaskClient, facilitator: User) -> None:
    page = client.get(NEW).get_data(as_text=True)
    assert '<option selected value="USD">USD ($)</option>' in page
    assert '<option value="GBP">GBP (£)</option>' in page
    assert "Currency(" not in page


def test_price_fields_bring_up_the_number_pad(client: FlaskClient, facilitator: User) -> None:
    page = client.get(NEW).get_data(as_text=True)
    for name in ("price", "sliding_min", "sliding_suggested", "sliding_max"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert tag and 'inputmode="decimal"' in tag.group(0), name


def test_another_facilitators_draft_looks_exactly_like_a_missing_circle(
    client: FlaskClient, facilitator: User
) -> None:
    draft = make_circle(status="draft", title="Secret draft")
    meeting_id = draft.meetings[0].id
    db.session.commit()
    missing = draft.id + 1000
    pairs = ((f"/facilitate/circles/{draft.id}", f"/facilitate/circles/{missing}"),
             (f"/facilitate/meetings/{meeting_id}/agenda", "/facilitate/meetings/99999/agenda"))
    for existing, absent in pairs:
        seen, unseen = client.get(existing), client.get(absent)
        assert seen.status_code == unseen.status_code == 404
        assert seen.get_data(as_text=True) == unseen.get_data(as_text=True)


def test_her_dashboard_shows_current_circles_and_only_the_latest_past_ones_until_she_asks(
    client: FlaskClient, facilitator: User
) -> None:
    make_circle(facilitator, title="This term's circle")
    for n in range(7):
        make_circle(facilitator, title=f"Past circle {n}", status="completed",
                    first_date=date(2024, 1, 1) + timedelta(weeks=n))
    db.session.commit()
    login(client, facilitator)
    page = client.get("/facilitate/").get_data(as_text=True)
    assert "This term&#39;s circle" in page and "Past circles" in page
    assert len(re.findall(r"Past circle \d", page)) == 5
    assert "Show all 7 past circles" in page
    everything = client.get("/facilitate/?past=all").get_data(as_text=True)
    assert len(re.findall(r"Past circle \d", everything)) == 7 and "Show all" not in everything
