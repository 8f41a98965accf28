from flask.testing import FlaskClient

from mentoring.accounts.models import User
from mentoring.billing.checkout import quote_for_circle
from mentoring.circles.models import Circle
from mentoring.db import utcnow
from tests.integration.billing.conftest import join_path, post_join


def test_quote_page_shows_the_sums_and_the_honest_note(
    member_client: FlaskClient, sliding_circle: Circle
) -> None:
    page = member_client.get(join_path(sliding_circle.id)).get_data(as_text=True)
    assert "8 meetings × $15 = $120" in page
    assert "Choose what you can afford. Nobody checks, and nobody else sees what you chose." in page
    assert 'value="15.00"' in page
    assert "Continue to payment" in page
    assert "What is said here stays here." in page


def test_quote_needs_a_login(client: FlaskClient, fixed_circle: Circle, member: User) -> None:
    response = client.get(join_path(fixed_circle.id))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_the_quote_knows_what_her_price_field_starts_with(
    sliding_circle: Circle, fixed_circle: Circle
) -> None:
    # Only a sliding-scale price is hers to type; the view no longer decides that itself.
    assert quote_for_circle(sliding_circle.id, now=utcnow()).price_input == "15.00"
    assert quote_for_circle(fixed_circle.id, now=utcnow()).price_input == ""


def test_a_german_browser_sees_amounts_the_german_way(
    member_client: FlaskClient, sliding_circle: Circle
) -> None:
    page = member_client.get(join_path(sliding_circle.id),
                             headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert "8 meetings × 15\xa0$ = 120\xa0$" in page
    assert "zwischen" not in page  # the words stay English; only the amounts follow her locale
    assert 'value="15.00"' in page  # what she types keeps the plain form


def test_a_british_browser_is_told_the_amount_is_in_us_dollars(
    member_client: FlaskClient, sliding_circle: Circle
) -> None:
    page = member_client.get(join_path(sliding_circle.id),
                             headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "8 meetings × US$15 = US$120" in page


def test_a_typed_decimal_comma_is_read_as_cents(member_client: FlaskClient, sliding_circle: Circle) -> None:
    response = post_join(member_client, sliding_circle.id, {"amount": "12,50", "update": "1"})
    page = response.get_data(as_text=True)
    assert "8 meetings × $12.50 = $100" in page
