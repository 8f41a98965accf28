from collections.abc import Callable
from datetime import time

from flask.testing import FlaskClient

from mentoring.extensions import db
from tests.conftest import PASSWORD, post_form
from tests.factories import login, make_user
from tests.helpers import fresh, page_text
from tests.integration.accounts.helpers import link_in, notifications, user_by_email

SETTINGS = "/account/settings"


def settings_data(**overrides: str) -> dict[str, str]:
    data = {"display_name": "Mira K.", "timezone": "Europe/Berlin", "quiet_hours": "y",
            "quiet_start": "22:00", "quiet_end": "06:30", "email_circle_update": "y", "email_reminder": "y",
            "email_announcement": "y", "email_message": "y", "email_check_in": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_start_from_her_current_values(client: FlaskClient, ctx: None) -> None:
    user = make_user(display_name="Mira K.", timezone="America/Chicago")
    db.session.commit()
    login(client, user)
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'value="America/Chicago"' in page and "data-detect-timezone" in page
    assert 'value="21:30"' in page and 'value="07:00"' in page


def test_saving_settings_stores_name_zone_quiet_hours_and_email_choices(
    client: FlaskClient, ctx: None
) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    response = post_form(client, SETTINGS, settings_data())
    assert response.status_code == 302
    saved = fresh(user)
    assert (saved.display_name, saved.timezone) == ("Mira K.", "Europe/Berlin")
    assert (saved.quiet_start, saved.quiet_end) == (time(22, 0), time(6, 30))
    assert saved.email_opt_out == ["waitlist_offer"]


def test_quiet_hours_can_be_turned_off(client: FlaskClient, ctx: None) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    post_form(client, SETTINGS, settings_data(quiet_hours=None, quiet_start="", quiet_end=""))
    saved = fresh(user)
    assert saved.quiet_start is None and saved.quiet_end is None


def test_unknown_timezone_and_bad_quiet_hours_are_explained_and_change_nothing(
    client: FlaskClient, ctx: None
) -> None:
    user = make_user(display_name="Before", timezone="Europe/London")
    db.session.commit()
    login(client, user)
    cases = [
        ({"timezone": "Europe/Atlantis"}, "timezone", "choose a timezone from the list"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end", "different times"),
        ({"quiet_start": "25:99"}, "quiet_start", "such as 21:30"),
        ({"quiet_end": ""}, "quiet_end", "both a start and an end"),
        ({"display_name": ""}, "display_name", "what to call you"),
        ({"display_name": "x" * 81}, "display_name", "80 characters"),
    ]
    for overrides, field, message in cases:
        response = post_form(client, SETTINGS, settings_data(**overrides))
        assert response.status_code == 200
        page = page_text(response)
        assert f'id="{field}-error"' in page and message in page, overrides
    saved = fresh(user)
    assert (saved.display_name, saved.timezone) == ("Before", "Europe/London")
    assert (saved.quiet_start, saved.quiet_end) == (time(21, 30), time(7, 0))


def test_changing_email_applies_only_when_the_new_address_confirms(
    new_client: Callable[[], FlaskClient], client: FlaskClient, ctx: None
) -> None:
    user = make_user("old@example.com")
    db.session.commit()
    login(client, user)
    other_device = new_client()
    login(other_device, user)

    wrong = post_form(client, "/account/email", {"email": "new@example.com", "password": "wrong wrong"})
    assert "That password isn't right." in page_text(wrong)
    response = post_form(client, "/account/email", {"email": "New@Example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert fresh(user).email == "old@example.com"
    [notice] = notifications(user.id, "is being changed")
    assert "to" not in notice.payload  # it goes to the current (old) address
    [confirm] = notifications(user.id, "confirm your new email")
    assert confirm.payload["to"] == "new@example.com"

    assert client.get(link_in(confirm)).status_code == 302
    moved = fresh(user)
    assert moved.email == "new@example.com" and moved.is_verified
    assert client.get(SETTINGS).status_code == 200  # this session carries on
    assert other_device.get(SETTINGS).status_code == 302
    [changed] = notifications(user.id, "was changed")
    assert changed.payload["to"] == "old@example.com"
    assert client.get(link_in(confirm)).status_code == 302  # opening it again changes nothing
    assert user_by_email("old@example.com") is None


def test_an_address_that_already_has_an_account_gets_no_link(client: FlaskClient, ctx: None) -> None:
    user = make_user("old@example.com")
    make_user("taken@example.com")
    db.session.commit()
    login(client, user)
    response = post_form(client, "/account/email", {"email": "taken@example.com", "password": PASSWORD})
    assert response.status_code == 302  # the same answer as for a free address
    assert notifications(user.id, "confirm your new email") == []
    assert fresh(user).email == "old@example.com"
