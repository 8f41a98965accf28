"""What a facilitator saves is what members can find: one catalogue for the form and the filters."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import User
from mentoring.circles import catalog
from mentoring.circles.models import Circle
from mentoring.extensions import db
from tests.conftest import post_form
from tests.helpers import get_page

from .conftest import circle_form

TITLE = "Leading while mothering"


def publish_through_the_form(client: FlaskClient) -> Circle:
    form = circle_form(
        title=TITLE, theme="leadership_and_promotion", format="in_person", meeting_link="",
        address="4 Mill Road, Leeds", onsite_childcare="y", language="Spanish",
        price_mode="fixed", currency="GBP", price="12.50",
    )
    assert post_form(client, "/facilitate/circles/new", form).status_code == 302
    circle = db.session.execute(select(Circle)).scalar_one()
    path = f"/facilitate/circles/{circle.id}"
    assert post_form(client, path, {}, action=f"{path}/publish").status_code == 302
    return circle


def test_a_circle_made_through_the_form_is_found_by_its_theme_format_and_language_with_their_labels(
    client: FlaskClient, facilitator: User, new_client: Callable[[], FlaskClient]
) -> None:
    circle = publish_through_the_form(client)
    stored = (circle.theme, circle.format, circle.language)
    assert stored == ("leadership_and_promotion", "in_person", "Spanish")
    member = new_client()

    found = get_page(member, "/circles/?theme=leadership_and_promotion&format=in_person&language=Spanish")
    assert TITLE in found
    assert "Leadership and promotion" in found
    assert '<li class="badge">In person</li>' in found
    assert "£12.50 per meeting" in found
    assert "We ignored" not in found

    for other in ("?theme=returning_to_work", "?format=virtual", "?format=hybrid", "?language=English"):
        assert TITLE not in get_page(member, "/circles/" + other), other

    detail = get_page(member, f"/circles/{circle.id}")
    assert "Leadership and promotion" in detail and "<dd>In person</dd>" in detail
    assert "£12.50 per meeting" in detail

    own = get_page(client, f"/facilitate/circles/{circle.id}")
    assert "Leadership and promotion" in own and "In person" in own and "£12.50 per meeting" in own


def test_the_browse_filters_offer_exactly_what_facilitators_can_choose(
    client: FlaskClient, facilitator: User, new_client: Callable[[], FlaskClient]
) -> None:
    browse = get_page(new_client(), "/circles/")
    form = get_page(client, "/facilitate/circles/new")
    for slug, label in [*catalog.THEMES.items(), *catalog.FORMATS.items(), *catalog.PRICE_MODES.items()]:
        assert f'<option value="{slug}">{label}</option>' in browse, slug
        assert f'value="{slug}"' in form, slug
    for language in catalog.LANGUAGES:
        assert f'<option value="{language}">{language}</option>' in browse, language
        assert f'value="{language}"' in form, language
    for number, day in enumerate(catalog.WEEKDAYS):
        assert f'<option value="{number}">{day}</option>' in browse, day
