from flask.testing import FlaskClient

from mentoring.accounts.models import User
from mentoring.circles.models import Circle
from tests.integration.billing.conftest import join_path


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
