from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentoring.accounts.models import User
from mentoring.extensions import db
from tests.conftest import post_form
from tests.factories import make_user
from tests.helpers import page_text
from tests.integration.accounts.helpers import STRONG, link_in, notifications, user_by_email

SIGNUP = "/account/signup"


def signup_data(**overrides: str) -> dict[str, str]:
    return {"email": "Mira.K@Example.com ", "display_name": "Mira K.", "timezone": "America/Chicago",
            "password": STRONG, **overrides}


def user_count() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(User.id))).scalar_one()


def test_signup_page_offers_every_timezone_and_browser_detection(client: FlaskClient, ctx: None) -> None:
    page = client.get(SIGNUP).get_data(as_text=True)
    assert "data-detect-timezone" in page
    assert '<option value="Europe/Berlin">Berlin (Europe/Berlin)</option>' in page
    assert '<option value="America/Sao_Paulo">Sao Paulo (America/Sao_Paulo)</option>' in page


def test_signing_up_creates_an_unconfirmed_account_and_mails_a_link(client: FlaskClient, ctx: None) -> None:
    response = post_form(client, SIGNUP, signup_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/signup/check-your-inbox")
    user = user_by_email("mira.k@example.com")
    assert user is not None and not user.is_verified
    assert user.display_name == "Mira K." and user.timezone == "America/Chicago"
    assert user.password_hash.startswith("scrypt:") and STRONG not in user.password_hash
    [mail] = notifications(user.id, "confirm your email")
    assert mail.kind == "account"
    assert link_in(mail).startswith("/account/verify/")
    assert "Check your inbox" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_signing_up_with_a_used_address_looks_the_same_and_tells_the_owner(
    client: FlaskClient, ctx: None
) -> None:
    owner = make_user("taken@example.com", display_name="Owner")
    db.session.commit()

    new = post_form(client, SIGNUP, signup_data(email="fresh@example.com"))
    again = post_form(client, SIGNUP, signup_data(email="TAKEN@example.com", display_name="Someone else"))

    assert (new.status_code, new.headers["Location"]) == (again.status_code, again.headers["Location"])
    assert new.get_data() == again.get_data()
    assert client.get(new.headers["Location"]).get_data() == client.get(again.headers["Location"]).get_data()
    assert user_count() == 2
    assert user_by_email("taken@example.com").display_name == "Owner"
    [mail] = notifications(owner.id, "tried to sign up")
    assert "http://localhost/account/login" in mail.payload["text"]
    assert "http://localhost/account/reset" in mail.payload["text"]
    assert notifications(owner.id, "confirm your email") == []


def test_bad_signup_input_is_explained_next_to_the_field(client: FlaskClient, ctx: None) -> None:
    cases = {
        "email": ("not-an-email", "such as name@example.com"),
        "timezone": ("Mars/Olympus_Mons", "choose a timezone from the list"),
        "password": ("qwertyuiop", "most commonly used"),
        "display_name": ("x" * 81, "80 characters"),
    }
    for field, (value, message) in cases.items():
        response = post_form(client, SIGNUP, signup_data(**{field: value}))
        page = page_text(response)
        assert response.status_code == 200
        assert f'id="{field}-error"' in page and message in page, field
    assert post_form(client, SIGNUP, signup_data(email="a" * 250 + "@example.com")).status_code == 200
    assert post_form(client, SIGNUP, signup_data(password="")).status_code == 200
    assert user_count() == 0


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient, ctx: None) -> None:
    response = client.post(SIGNUP, data=signup_data())
    assert response.status_code == 400
    assert user_count() == 0


def test_the_longest_valid_address_can_sign_up(client: FlaskClient, ctx: None) -> None:
    email = "a" * 64 + "@" + ".".join(["b" * 60, "c" * 60, "d" * 60]) + ".com"
    assert len(email) == 251
    response = post_form(client, SIGNUP, signup_data(email=email))
    assert response.status_code == 302
    user = user_by_email(email)
    assert user is not None and notifications(user.id, "confirm your email")


def test_the_timezone_is_a_choice_labelled_by_city_and_a_typed_city_finds_its_zone(
    client: FlaskClient, ctx: None
) -> None:
    page = client.get("/account/signup").get_data(as_text=True)
    assert 'data-detect-timezone data-searchable="Search for your city" id="timezone" name="timezone"' in page
    assert '<option value="America/Chicago">Chicago (America/Chicago)</option>' in page
    response = post_form(client, "/account/signup", {"email": "ana@example.com", "display_name": "Ana",
                                                     "timezone": "chicago", "password": STRONG})
    assert response.status_code == 302
    user = user_by_email("ana@example.com")
    assert user is not None and user.timezone == "America/Chicago"


def test_a_timezone_that_names_no_place_is_refused_next_to_the_field(client: FlaskClient, ctx: None) -> None:
    response = post_form(client, "/account/signup", {"email": "ana@example.com", "display_name": "Ana",
                                                     "timezone": "Atlantis", "password": STRONG})
    assert response.status_code == 200
    assert "Please choose a timezone from the list" in page_text(response)
